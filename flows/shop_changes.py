"""The shape of a flow that brings the shop records changed in its period to the ERP (customers, payments).

    with sync_run(params, "sync_payments") as run:
        if not run.ctx.nothing_due:
            sync_shop_changes(run, book_payments_page)

``page_task(ctx, query, exclude, cursor=...)`` handles one page of the records a Shopify search ``query``
finds and returns a ``PageOutcome`` whose retry keys are record GIDs. Last run's retry keys go first, looked
up by id, then every record updated in the period (from ``OVERLAP`` earlier), passing over the ones just
retried so that none is handled twice in one run.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.shopify.search import any_of, updated_at_filter
from engine.outcomes import PageOutcome
from flows.runtime import RunHandle, chunks

RETRY_CHUNK = 50
"""Retry keys per search: ``id:1 OR id:2 …`` stays well inside Shopify's query length."""


def sync_shop_changes(run: RunHandle, page_task: Callable[..., PageOutcome[str]]) -> None:
    """Last run's retry keys, then the period's changes, each a walk of ``page_task`` pages."""
    retry = run.ctx.retry_keys
    for chunk in chunks(retry, RETRY_CHUNK):
        run.pages(page_task, any_of("id", [_number(gid) for gid in chunk]), [])
    run.pages(page_task, updated_at_filter(run.since, run.ctx.period_end), retry)


def _number(gid: str) -> int:
    """``gid://shopify/Customer/42`` → 42: Shopify's search takes the numeric id."""
    return int(gid.rsplit("/", 1)[-1])

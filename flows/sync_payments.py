"""sync_payments: money received on shop orders changed in the period → ERP payments (BC order transactions →
cash receipts), idempotent by transaction GID.

A payment needs its order's ERP sales order; an order that is no sales order yet is kept as a retry key and
its payments are booked by a later run (after create_sales_orders made the document), never silently dropped.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import flow

from connectors.shopify.search import any_of, updated_at_filter
from domain.report import SyncReport
from engine.context import SyncContext
from flows.params import SyncParams
from flows.runtime import RunHandle, sync_run
from tasks.payments import book_payments_page

OVERLAP = timedelta(minutes=10)
RETRY_CHUNK = 50


@flow(name="sync-payments", log_prints=True)
def sync_payments(params: SyncParams) -> SyncReport:
    with sync_run(params, "sync_payments") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        retry = ctx.retry_keys
        for start in range(0, len(retry), RETRY_CHUNK):
            _all_pages(run, ctx, any_of("id", [_number(gid) for gid in retry[start : start + RETRY_CHUNK]]), [])
        since = ctx.period_start - OVERLAP if ctx.period_start else None
        _all_pages(run, ctx, updated_at_filter(since, ctx.period_end), retry)
    return run.report


def _all_pages(run: RunHandle, ctx: SyncContext, query: str, exclude: list[str]) -> None:
    after = None
    while True:
        report, after, retry = book_payments_page(ctx, query, after, exclude)
        run.add(report, retry)
        if after is None:
            return


def _number(gid: str) -> int:
    """``gid://shopify/Order/42`` → 42: Shopify's search takes the numeric id."""
    return int(gid.rsplit("/", 1)[-1])

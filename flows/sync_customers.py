"""sync_customers: shop customers changed in the period → ERP customers (BC report 30100).

Each customer is matched to an ERP customer by the ``customer`` mapping, else by email (case-insensitive),
else by phone digits, then created or updated in the ERP (see ``tasks.customers``). Customers that failed
last run are tried again first; a customer with neither email nor phone is reported and the rest go on.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import flow

from connectors.shopify.search import any_of, updated_at_filter
from domain.report import SyncReport
from engine.context import SyncContext
from flows.params import SyncParams
from flows.runtime import RunHandle, sync_run
from tasks.customers import sync_customers_page

OVERLAP = timedelta(minutes=10)
RETRY_CHUNK = 50


@flow(name="sync-customers", log_prints=True)
def sync_customers(params: SyncParams) -> SyncReport:
    with sync_run(params, "sync_customers") as run:
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
        report, after, retry = sync_customers_page(ctx, query, after, exclude)
        run.add(report, retry)
        if after is None:
            return


def _number(gid: str) -> int:
    """``gid://shopify/Customer/42`` → 42: Shopify's search takes the numeric id."""
    return int(gid.rsplit("/", 1)[-1])

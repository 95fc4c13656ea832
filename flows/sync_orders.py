"""sync_orders: shop orders changed in the period → the staging table (BC report 30104, Pohoda MServer).

The window is fixed before the first fetch and the cursor committed only after the last page; an overlap at
the start (``OVERLAP``) re-reads orders Shopify indexed late, and staging dedupes them by order id. The first
run imports open orders only. The shop's import conditions (``ShopifyShop.order_import``: test orders, orders
cancelled before import, payment statuses, tags, channels) stage an order as ``skipped`` with the reason the
report lists; it is judged again whenever it changes. Edits to orders already turned into ERP sales orders are
flagged as conflicts; a cancellation of one queues the ERP order's cancellation.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State

from connectors.shopify.search import all_of, updated_at_filter
from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.access import order_history_limit
from tasks.orders import stage_orders_page


@flow(name="sync-orders", log_prints=True)
def sync_orders(params: SyncParams) -> SyncReport | State:
    """Stage the shop's orders changed in the period for the ERP (the first run takes open orders only); the
    cursor moves only after the last page, so a failed run is caught up by the next one."""
    with sync_run(params, "sync_orders") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        run.add(order_history_limit(ctx))
        query = all_of(updated_at_filter(run.since, ctx.period_end), "status:open" if ctx.is_first_run else None)
        run.pages(stage_orders_page, query)
    return run.final_state

"""sync_payments: money received on shop orders changed in the period → ERP payments (BC order transactions →
cash receipts), idempotent by transaction GID.

A payment needs its order's ERP sales order; an order that is no sales order yet is kept as a retry key and
its payments are booked by a later run (after create_sales_orders made the document), never silently dropped.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.payments import book_payments_page


@flow(name="sync-payments", log_prints=True)
def sync_payments(params: SyncParams) -> SyncReport | State:
    """Book the money received on the period's shop orders as ERP payments, once per shop transaction; an
    order that is no sales order yet is booked by a later run."""
    with sync_run(params, "sync_payments") as run:
        if not run.ctx.nothing_due:
            run.shop_changes(book_payments_page)
    return run.final_state

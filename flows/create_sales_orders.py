"""create_sales_orders: staged orders → ERP sales orders, one try per order (BC report 30103).

A failed order keeps its error and attempt count in the staging table and is tried again next run; an unknown
SKU fails that order with the reason while the others go on. Imported orders the shop cancelled since are then
cancelled in the ERP unless it shipped or invoiced them (those are reported as needing a person).
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import chunks, sync_run
from tasks.cancellations import cancel_sales_orders
from tasks.sales_orders import create_sales_orders_batch, pending_order_ids

BATCH = 50


class CreateSalesOrdersParams(SyncParams):
    order_ids: list[str] = Field(
        default_factory=list,
        title="Only these shop orders",
        description="Shop order GIDs such as gid://shopify/Order/1001. Empty: every pending order.",
    )
    max_attempts: int | None = Field(
        default=None,
        ge=1,
        title="Skip orders that already failed this often",
        description="Empty: every pending order is tried, however often it failed before.",
    )


@flow(name="create-sales-orders", log_prints=True)
def create_sales_orders(params: CreateSalesOrdersParams) -> SyncReport | State:
    """Turn staged shop orders into ERP sales orders, one try per order per run; an order that fails keeps
    its error and is tried again next run while the others go on."""
    with sync_run(params, "create_sales_orders", {"order_ids": params.order_ids}) as run:
        if run.ctx.nothing_due:
            return run.report
        for batch in chunks(pending_order_ids(run.ctx, params.max_attempts), BATCH):
            run.add(create_sales_orders_batch(run.ctx, batch))
        if not params.order_ids:
            run.add(cancel_sales_orders(run.ctx))
    return run.final_state

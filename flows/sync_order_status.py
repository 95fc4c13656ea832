"""sync_order_status: ERP order states → the shop (Pohoda: executed "Vyřízeno" → close, transferred
"Přeneseno" → tag, storno → cancel).

The ERP lists sales orders whose state changed since the period start (``OVERLAP`` earlier, so a change
committed late with an earlier time is not missed); orders that failed last run are tried first with their current
state. Re-applying a state is a no-op: the shop order is read before anything is sent.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import chunks, sync_run
from tasks.order_status import PAGE, order_status_page, retry_order_status


class SyncOrderStatusParams(SyncParams):
    transferred_tag: str = Field(
        default="erp-transferred",
        min_length=1,
        max_length=40,
        pattern=r"^[^,]+$",
        title="Tag for transferred orders",
        description='Added to a shop order the ERP turned into an invoice (Pohoda "Přeneseno").',
    )


@flow(name="sync-order-status", log_prints=True)
def sync_order_status(params: SyncOrderStatusParams) -> SyncReport | State:
    """Carry ERP order states to the shop: executed orders are closed, transferred ones tagged, cancelled
    ones cancelled."""
    with sync_run(params, "sync_order_status") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        tag = params.transferred_tag
        for chunk in chunks(ctx.retry_keys, PAGE):
            run.add(retry_order_status(ctx, chunk, tag))
        run.pages(order_status_page, run.since, tag, ctx.retry_keys)
    return run.final_state

"""sync_order_status: ERP order states → the shop (Pohoda: executed "Vyřízeno" → close, transferred
"Přeneseno" → tag, storno → cancel).

The ERP lists sales orders whose state changed since the period start (a little earlier, so a change committed
late with an earlier time is not missed); orders that failed last run are tried first with their current
state. Re-applying a state is a no-op: the shop order is read before anything is sent.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import flow
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.order_status import PAGE, order_status_page, retry_order_status

OVERLAP = timedelta(minutes=10)


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
def sync_order_status(params: SyncOrderStatusParams) -> SyncReport:
    with sync_run(params, "sync_order_status") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        tag = params.transferred_tag
        for start in range(0, len(ctx.retry_keys), PAGE):
            run.add(*retry_order_status(ctx, ctx.retry_keys[start : start + PAGE], tag))
        since = ctx.period_start - OVERLAP if ctx.period_start else None
        cursor = None
        while True:
            report, cursor, retry = order_status_page(ctx, since, cursor, tag, ctx.retry_keys)
            run.add(report, retry)
            if cursor is None:
                break
    return run.report

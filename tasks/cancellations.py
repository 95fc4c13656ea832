"""Cancellation task: imported orders the shop cancelled since → their ERP sales orders cancelled.

An ERP order that is neither shipped nor invoiced is cancelled (SQL: ``state`` ``cancelled``; POHODA: the
received order deleted, see ``connectors/erp/pohoda/cancellations.py``); the staging row becomes ``cancelled``,
final, so nothing is cancelled twice or created again. An order the ERP shipped or invoiced is left alone and
reported as needing a person (a failures row; the staging row becomes a ``conflict`` with the reason).

Crash-safe: with a shared database the ERP change and the staging row commit together; with POHODA the cancel
is idempotent (an order already gone or in storno answers ``already``), so a run that died in between redoes it.
"""

from __future__ import annotations

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources


@task(**IO_TASK)
def cancel_sales_orders(ctx: SyncContext) -> SyncReport:
    """Cancel in the ERP every imported order the shop cancelled since; one commit per order."""
    res = resources(ctx.shop)
    report = SyncReport()
    for staged in res.state.orders_to_cancel(ctx.shop):
        if ctx.dry_run or staged.erp_key is None:
            report.skipped += 1
            continue
        why = f"cancelled in Shopify ({staged.name})"
        try:
            with res.erp.unit_of_work(res.state) as work:
                outcome = work.erp.cancel_sales_order(staged.erp_key, why)
                res.state.mark_order_cancelled(ctx.shop, staged.shop_id, _refusal(outcome.refused), conn=work.conn)
        except ErpRecordError as exc:  # kept as cancelling: tried again next run
            report.fail(staged.name, exc.reason, field=exc.field)
            continue
        if outcome.refused:
            report.fail(staged.name, f"cancelled in Shopify, but {_refusal(outcome.refused)}", field="cancelled_at")
        elif outcome.already:
            report.skipped += 1
        else:
            report.updated += 1
            report.notes.append(f"{staged.name}: ERP sales order {staged.erp_key} cancelled")
    return report


def _refusal(refused: str | None) -> str | None:
    return None if refused is None else f"{refused}: the ERP order was left alone and needs a person"

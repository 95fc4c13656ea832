"""reconcile: compare ERP and shop for a shop (bulk reads), publish a drift report; repair only when asked.

One check per kind of record (``tasks.reconcile.checks``): the catalogue (variants by SKU, prices), stock per
SKU and mapped location, the orders created in the period (imported as ERP sales orders?), their payments
(money in ⇄ booked), fulfillments (⇄ ERP shipments marked as sent), cancellations (shop ⇄ ERP) and refunds
(⇄ ERP credit documents). The shop side is read with bulk
operations started together; the ERP side through the port while Shopify builds the files.

Without ``read_all_orders`` Shopify shows this app only 60 days of orders: the period's older orders the sync
knows are counted and named as not checked, with the reason, never as drift.

Without ``repair`` nothing is written anywhere. With it, prices, missing variants and stock are re-sent by the
syncs' own writers; the other kinds need a person or a re-run of their sync with a period override, and the
report says which.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.reconcile import CheckName
from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.reconcile.checks import CHECKS
from tasks.reconcile.publish import publish_drift
from tasks.reconcile.reads import Reads


class ReconcileParams(SyncParams):
    checks: list[CheckName] = Field(
        default_factory=lambda: list(CheckName),
        min_length=1,
        title="Checks to run",
        description="Any of catalog, inventory, orders, payments, fulfillments, cancellations, refunds; all by "
        "default.",
    )
    repair: bool = Field(
        default=False,
        title="Repair",
        description="Re-send drifted prices, missing variants and stock. Off: change nothing.",
    )


@flow(name="reconcile", log_prints=True)
def reconcile(params: ReconcileParams) -> SyncReport | State:
    """Compare the ERP and the shop (catalogue, stock, orders, payments, fulfillments, cancellations, refunds) and
    publish the differences; changes nothing unless Repair is on. Drift ends the run Partial."""
    checks = [check for name, check in CHECKS.items() if name in params.checks]
    filters = {"checks": sorted(check.name.value for check in checks), "repair": params.repair}
    with sync_run(params, "reconcile", filters) as run:
        if run.ctx.nothing_due:
            return run.report
        reads = Reads.start(run.ctx, {bulk for check in checks for bulk in check.bulk})  # all bulk reads start now
        results = [check.run(reads, params.repair) for check in checks]
        run.add(reads.report)
        run.add(publish_drift(run.ctx, results))
    return run.final_state

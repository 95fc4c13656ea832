"""sync_shipments: ERP shipments → Shopify fulfillments, one per location, with tracking (BC report 30109).

Which shipments to send is the ERP's state, not a time window: every shipment not yet recorded as sent or
failed, oldest first, in batches. A shipment that cannot be sent is recorded as failed with the reason and
reported once; one whose answer from Shopify was lost is checked against the order's fulfillments before
anything is sent again (see ``tasks.shipments``), so no shipment is fulfilled twice.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.shipments import sync_shipments_batch

BATCH = 25


class SyncShipmentsParams(SyncParams):
    notify_customer: bool = Field(
        default=True,
        title="Send shipping confirmation",
        description="Shopify emails the customer the tracking details of each fulfillment (BC's default).",
    )


@flow(name="sync-shipments", log_prints=True)
def sync_shipments(params: SyncShipmentsParams) -> SyncReport | State:
    """Send every ERP shipment not sent yet to the shop as a fulfillment with its tracking, oldest first;
    no shipment is fulfilled twice."""
    with sync_run(params, "sync_shipments") as run:
        if run.ctx.nothing_due:
            return run.report
        run.pages(sync_shipments_batch, BATCH, params.notify_customer)
    return run.final_state

"""sync_inventory: ERP stock → Shopify ``on_hand`` per mapped location (BC report 30102, Pohoda quantity export).

Diff first, then send: only rows whose shop quantity (floor, never below zero) differs from what the shop has go
out, 250 per ``inventorySetQuantities`` with an idempotency key per batch. "What the shop has" is what this flow
last sent; ``full`` (and the first run) compares with the shop's own stock instead, read in one bulk query —
the periodic full reconciliation that repairs edits made in the Shopify admin.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import chunks, sync_run
from tasks.inventory import BATCH, plan_inventory, resolve_locations, set_quantities_batch


class SyncInventoryParams(SyncParams):
    full: bool = Field(
        default=False,
        title="Full reconciliation",
        description="Compare with the shop's own stock (one bulk read), not with what was last sent. Needs no "
        "period: stock is never limited to one, every run covers every SKU.",
    )
    skus: list[str] = Field(
        default_factory=list, title="Only these SKUs", description="Empty: every SKU the ERP has stock for."
    )


@flow(name="sync-inventory", log_prints=True)
def sync_inventory(params: SyncInventoryParams) -> SyncReport | State:
    """Set the shop's on-hand stock from the ERP at every mapped location, sending only the rows that
    differ; Full reconciliation compares with the shop's own stock instead."""
    with sync_run(params, "sync_inventory", {"skus": params.skus}) as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        located, locations = resolve_locations(ctx)
        run.add(located)
        if locations:  # none to send to: the report says why
            planned, rows = plan_inventory(ctx, locations, params.full or ctx.is_first_run)
            run.add(planned)
            for batch in chunks(rows, BATCH):
                run.add(set_quantities_batch(ctx, batch))
    return run.final_state

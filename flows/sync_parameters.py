"""sync_parameters: ERP parameters, suppliers and producers → product metafields and vendor (Pohoda "Parametry
a dodavatelé").

Works on the items changed in the run's period (every item on the first run) plus the items the last run
could not finish (its retry keys: not in the shop yet, or refused). Products whose parameters are unchanged
since the last send are skipped by their digest (hash entity ``parameters``); see ``tasks.parameters``.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import chunks, sync_run
from tasks.parameters import PAGE, sync_parameters_batch


@flow(name="sync-parameters", log_prints=True)
def sync_parameters(params: SyncParams) -> SyncReport | State:
    """Send ERP parameters, suppliers and producers to the shop as product metafields and vendor, for the
    items changed in the period."""
    with sync_run(params, "sync_parameters") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        for chunk in chunks(ctx.retry_keys, PAGE):
            run.add(sync_parameters_batch(ctx, item_keys=chunk))
        run.pages(sync_parameters_batch)
    return run.final_state

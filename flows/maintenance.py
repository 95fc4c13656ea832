"""maintenance: purge old staging rows and run records, check credentials and mappings, report health.

Runs on its own queue but holds every category lock of the shop while it works (see
``domain.categories``), so it never purges a row another sync is writing.
"""

from __future__ import annotations

from prefect import flow
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.access import check_access_scopes
from tasks.maintenance import check_connections, purge_old_records, report_unmapped_and_stuck


class MaintenanceParams(SyncParams):
    retention_days: int = Field(default=90, ge=1, title="Keep finished staging rows and run records this long")
    stuck_after_attempts: int = Field(default=3, ge=1, title="Report an order as stuck after this many failures")


@flow(name="maintenance", log_prints=True)
def maintenance(params: MaintenanceParams) -> SyncReport:
    with sync_run(params, "maintenance") as run:
        if run.ctx.nothing_due:
            return run.report
        run.add(check_connections(run.ctx))
        run.add(check_access_scopes(run.ctx))
        run.add(purge_old_records(run.ctx, params.retention_days))
        run.add(report_unmapped_and_stuck(run.ctx, params.stuck_after_attempts))
    return run.report

"""maintenance: purge old staging rows and run records, check credentials and mappings, report health.

Runs on its own queue but holds every category lock of the shop while it works (see
``domain.categories``), so it never purges a row another sync is writing.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.access import check_access_scopes
from tasks.erp_health import check_erp_service
from tasks.maintenance import check_connections, close_stale_runs, purge_old_records, report_unmapped_and_stuck


class MaintenanceParams(SyncParams):
    """Retention counts back from the run's period end, so a late run purges what an on-time one would."""

    retention_days: int = Field(
        default=90,
        ge=1,
        title="Days to keep finished records",
        description="Finished staging rows and run records older than this are purged.",
    )
    stuck_after_attempts: int = Field(
        default=3,
        ge=1,
        title="Stuck after failures",
        description="An order that failed this many times is reported as stuck.",
    )


@flow(name="maintenance", log_prints=True)
def maintenance(params: MaintenanceParams) -> SyncReport | State:
    """Purge old staging rows and run records, check the shop's and the ERP's credentials, and report
    unmapped items and stuck orders."""
    with sync_run(params, "maintenance") as run:
        if run.ctx.nothing_due:
            return run.report
        run.add(check_connections(run.ctx))
        run.add(check_access_scopes(run.ctx))
        run.add(check_erp_service(run.ctx))
        run.add(purge_old_records(run.ctx, params.retention_days))
        run.add(close_stale_runs(run.ctx))
        run.add(report_unmapped_and_stuck(run.ctx, params.stuck_after_attempts))
    return run.final_state

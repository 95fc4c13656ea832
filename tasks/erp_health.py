"""The ERP service's health for the maintenance run: for POHODA, its mServer (``connectors.erp.pohoda.health``).

An mServer that is down or serves another accounting unit fails the maintenance run by the ERP block's name,
and one that is busy is a note, so the run report says it before the next sync fails on it; the four answers
(status, unit, program version, response time) go to the ``…-maintenance-mserver-health`` table artifact.
The SQL adapter has no service apart from its database, which ``check_connections`` already reaches.
"""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from connectors.erp.pohoda import PohodaErpBackend
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources
from tasks.runs import artifact_key


@task(**IO_TASK)
def check_erp_service(ctx: SyncContext) -> SyncReport:
    """The POHODA mServer: up or down, idle or busy, the unit and year it serves, program version, response time."""
    erp = resources(ctx.shop).erp
    report = SyncReport()
    if not isinstance(erp, PohodaErpBackend):
        return report
    health = erp.mserver_health()
    create_table_artifact(
        table=health.rows(),
        key=artifact_key(ctx.shop, "maintenance", "mserver-health"),
        description=f"POHODA mServer of {ctx.shop}: status, accounting unit, program version, response time",
    )
    if health.state == "busy":
        report.notes.append(f"{health.problem}; the syncs wait for it")
    elif health.problem is not None:
        report.fail(f"mServer {health.url}", health.problem, field="erp_block")
    else:
        report.notes.append(
            f"mServer up: {health.company or '?'} (IČO {health.ico}, {health.year}), POHODA {health.program_version},"
            f" {health.response_ms} ms"
        )
    return report

"""Publish a reconcile run: the drift markdown and the table of differences, and the run's counts."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from domain.reconcile import CheckResult, add_up
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from tasks.runs import artifact_key


@task(**IO_TASK)
def publish_drift(ctx: SyncContext, results: list[CheckResult]) -> SyncReport:
    """``<shop>-reconcile-drift`` (records compared per check, differences per kind, notes) and, when there is
    drift, ``<shop>-reconcile-differences`` (every difference, repaired or not); returns the run's counts."""
    found = add_up(results)
    title = f"reconcile · {ctx.shop}" + (" (dry run)" if ctx.dry_run else "")
    create_markdown_artifact(
        markdown=found.markdown(title),
        key=artifact_key(ctx.shop, "reconcile", "drift"),
        description=f"reconcile for {ctx.shop}: differences per kind",
    )
    if found.differences:
        create_table_artifact(
            table=found.rows(),
            key=artifact_key(ctx.shop, "reconcile", "differences"),
            description=f"reconcile for {ctx.shop}: every difference between ERP and shop",
        )
    return found.report()

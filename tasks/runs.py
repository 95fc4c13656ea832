"""Open and close a sync run: period, cursor, run record, artifacts.

``open_run`` fixes the run's period before anything is fetched (``engine.opening``: a scheduled run covers
``[last successful position, latest due date ≤ its *scheduled* time)``, so a late run keeps its period and an
early one finds nothing due; a run a person or a webhook started covers up to now; an explicit period is a
re-run). ``close_run`` commits the cursor only when the whole period was written; a failed run leaves it where
it was and the next run catches up. Failed records do not hold the cursor back: their keys are kept with the cursor
and retried by the next run, so one bad record never blocks a shop's sync.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from pydantic import BaseModel

from connectors.state import RunStatus
from domain.report import SyncReport
from domain.schedule import SyncPeriod, SyncSchedule
from engine.context import SyncContext
from engine.opening import RunStart, choose_period, waits_for_the_next_second
from engine.policy import IO_TASK
from engine.resources import resources
from tasks.leftovers import close_dead_runs

_MAX_RETRY_KEYS = 10_000


def artifact_key(shop: str, sync_type: str, kind: str) -> str:
    """Prefect artifact keys must be lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", f"{shop}-{sync_type}-{kind}".lower()).strip("-")


@task(**IO_TASK)
def open_run(
    shop: str,
    sync_type: str,
    start: RunStart,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    dry_run: bool = False,
    filters: dict[str, Any] | None = None,
    schedule: SyncSchedule | None = None,
) -> SyncContext:
    """Fix the run's period (``engine.opening.choose_period``) on ``schedule`` — the deployment's, or the shop
    block's when the run has none — and record the run."""
    res = resources(shop)
    if sync_type != "maintenance":  # maintenance closes them itself, in its report
        for line in close_dead_runs(res.state, shop, sync_type):
            get_run_logger().warning(line)
    cursor = res.state.get_cursor(shop, sync_type)
    explicit = None
    if period_start is not None and period_end is not None:
        explicit = SyncPeriod(start=period_start, end=period_end)
    if explicit is None and cursor.position and waits_for_the_next_second(sync_type, start, cursor.position):
        time.sleep(max(0.0, (cursor.position + timedelta(seconds=1) - datetime.now(UTC)).total_seconds()))
        start = start.model_copy(update={"started_at": datetime.now(UTC)})
    period, reason = choose_period(schedule or res.shop.schedule, sync_type, start, cursor.position, explicit)
    run_id = None
    if period is not None:
        run_id = res.state.start_run(shop, sync_type, _flow_run_id(), period.start, period.end)
    return SyncContext(
        shop=shop,
        sync_type=sync_type,
        run_id=run_id,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        previous_position=cursor.position,
        overridden=explicit is not None,
        kind=start.kind,
        reason=reason,
        dry_run=dry_run,
        retry_keys=list(cursor.extra.get("retry", [])),
        filters=filters or {},
    )


class ClosedRun(BaseModel):
    """How a run ended (its run record's status) and the keys of the artifacts it published, the one that lists
    what needs a look first."""

    status: RunStatus
    artifacts: list[str]


@task(**IO_TASK)
def close_run(ctx: SyncContext, report: SyncReport, error: str | None, retry_keys: list[str]) -> ClosedRun:
    """Record the outcome and publish it; returns the run status and the artifacts published."""
    res = resources(ctx.shop)
    if error is not None:
        status = RunStatus.FAILED
        report = report.model_copy(update={"notes": [*report.notes, f"run failed: {error}"]})
    else:
        status = RunStatus.PARTIAL if report.failed else RunStatus.COMPLETED
    drift = res.shopify.version_drift if "shopify" in res.__dict__ else None  # only a client built this run
    if drift:
        report = report.model_copy(update={"notes": [*report.notes, drift]})
    if ctx.nothing_due:
        published = _publish(ctx, report.model_copy(update={"notes": [*report.notes, NOTHING_DUE]}))
        return ClosedRun(status=RunStatus.COMPLETED, artifacts=published)
    with res.state.begin() as conn:
        commit = error is None and not ctx.dry_run and not ctx.overridden
        if commit:
            keep = sorted(set(retry_keys))[:_MAX_RETRY_KEYS]
            res.state.commit_cursor(ctx.shop, ctx.sync_type, ctx.period_end, extra={"retry": keep}, conn=conn)
        res.state.finish_run(ctx.run_id, status, report.counts, [f.as_row() for f in report.failures], conn=conn)
    return ClosedRun(status=status, artifacts=_publish(ctx, report))


NOTHING_DUE = "nothing due: the cursor is current"


def _publish(ctx: SyncContext, report: SyncReport) -> list[str]:
    """The summary and, when records failed, their table; returns the keys, the failures table's first."""
    period = (ctx.period_start, ctx.period_end) if ctx.period_end and ctx.period_start else None
    title = f"{ctx.sync_type} · {ctx.shop} · {ctx.kind.value} run" + (" (dry run)" if ctx.dry_run else "")
    report = report.model_copy(update={"notes": [ctx.reason, *report.notes]}) if ctx.reason else report
    keys = [artifact_key(ctx.shop, ctx.sync_type, "summary")]
    create_markdown_artifact(
        markdown=report.markdown(title, period),
        key=keys[0],
        description=f"{ctx.sync_type} for {ctx.shop}: counts and period",
    )
    if report.failures:
        keys.insert(0, artifact_key(ctx.shop, ctx.sync_type, "failures"))
        create_table_artifact(
            table=[f.as_row() for f in report.failures],
            key=keys[0],
            description=f"{ctx.sync_type} for {ctx.shop}: records that failed, with the reason",
        )
    return keys


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None

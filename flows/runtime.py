"""The frame every sync flow runs in: lock, period, run record, report.

    with sync_run(params, "sync_orders") as run:
        if run.ctx.nothing_due:
            return run.report
        ...tasks, each adding its SyncReport with run.add(...)

The shop's queue-category locks (Prefect global concurrency limits, ``strict=True`` so a missing limit fails
loudly instead of running unguarded) are held for the whole run, so an in-process run respects the same
exclusion as the work queues.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prefect.concurrency.sync import concurrency
from prefect.runtime import flow_run

from domain.categories import locks_for
from domain.report import SyncReport
from engine.context import SyncContext
from flows.params import SyncParams
from tasks.runs import close_run, open_run

LOCK_WAIT_SECONDS = 6 * 3600


class RunHandle:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.report = SyncReport()
        self.retry_keys: list[str] = []

    def add(self, report: SyncReport, retry_keys: list[str] | None = None) -> SyncReport:
        """Add one task's result; ``retry_keys`` are records the next run must try again."""
        self.report = self.report + report
        if retry_keys:
            self.retry_keys.extend(retry_keys)
        return report


def scheduled_start() -> datetime:
    """When this flow run was *scheduled* to start: a late run keeps its period; an ad-hoc run uses now."""
    value = flow_run.get_scheduled_start_time()
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


@contextmanager
def sync_run(params: SyncParams, sync_type: str, filters: dict[str, Any] | None = None) -> Iterator[RunHandle]:
    with concurrency(locks_for(params.shop, sync_type), occupy=1, strict=True, timeout_seconds=LOCK_WAIT_SECONDS):
        ctx = open_run(
            params.shop, sync_type, scheduled_start(), params.period_start, params.period_end, params.dry_run, filters
        )
        run = RunHandle(ctx)
        try:
            yield run
        except BaseException as exc:
            close_run(ctx, run.report, f"{type(exc).__name__}: {exc}", ctx.retry_keys)
            raise
        close_run(ctx, run.report, None, run.retry_keys)

"""The frame every sync flow runs in: lock, period, run record, report, and the one page loop.

    with sync_run(params, "sync_orders") as run:
        if run.ctx.nothing_due:
            return run.report
        run.pages(stage_orders_page, query)      # a listing: one task per page, until the last
        run.add(create_sales_orders_batch(...))  # one task: its SyncReport or Outcome
        run.shop_changes(book_payments_page)      # shop records changed in the period → the ERP
    return run.final_state

How a run ends (``final_state``), as the Prefect UI shows it: every record went through → **Completed**, its
message the counts; some records failed or reconcile found drift → **Partial**, a state of type FAILED (red in
the runs list, counted as failed on the dashboard, the only non-green end Prefect has: the UI colours a state by
its type, never by its name) whose message names what to look at ("160 differences: see acme-reconcile-drift").
The cursor of a partial run still moves: its failed records are retried by the next run. A run that stopped is
Prefect's own **Failed**, with the exception.

The shop's queue-category locks (Prefect global concurrency limits; a missing limit fails loudly instead of
running unguarded) are held for the whole run, so an in-process run respects the same exclusion as the work
queues; a run that died holding them loses them to the next run as soon as Prefect knows it is over
(``engine/locks.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from prefect import get_run_logger
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.settings import PREFECT_UI_URL
from prefect.states import Completed, Failed

from connectors.shopify.search import any_of, updated_at_filter
from connectors.state import RunStatus
from domain.categories import locks_for
from domain.report import SyncReport
from engine.context import SyncContext
from engine.locks import category_locks
from engine.opening import RunStart, run_kind
from engine.outcomes import Outcome, PageOutcome
from flows.params import SyncParams
from tasks.runs import ClosedRun, artifact_key, close_run, open_run

OVERLAP = timedelta(minutes=10)
"""How far before its period start a run reads changes again. Shopify's search index lags writes: an order or
customer saved just before the last period's end may only have become searchable after that run searched.
(The ERP's order states have the same gap: a change committed late keeps its earlier time.) Every reader
dedupes — staging by order id, payments by transaction id, customers by matching, order states by reading
the shop order first — so reading a change twice costs a query, and missing it would cost a record."""

RETRY_CHUNK = 50
"""Retry keys per Shopify search: ``id:1 OR id:2 …`` stays well inside the query's length limit."""

T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R", bound=SyncReport | Outcome)


FAILED_NOUN: dict[str, tuple[str, str]] = {"reconcile": ("difference", "drift")}
"""What a failed record of a sync type is called and which of its artifacts lists them (default: "failed record",
the ``failures`` table): reconcile's failures are the differences its drift report explains."""


class PartialRun(Exception):
    """A run that finished with failed records: the data of its Partial state, so a caller of the flow function
    learns the run was partial and still gets the report (``report_of``)."""

    def __init__(self, message: str, report: SyncReport) -> None:
        super().__init__(message, report)
        self.report = report

    def __str__(self) -> str:
        return str(self.args[0])


class RunHandle:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.report = SyncReport()
        self.retry_keys: list[str] = []
        self.closed: ClosedRun | None = None

    @property
    def final_state(self) -> State:
        """The state the flow returns as its own (see the module docstring): Completed or Partial."""
        if self.closed is None:
            raise RuntimeError("final_state is known once the sync_run block has closed the run")
        counts = ", ".join(f"{n} {what}" for what, n in self.report.counts.items() if n) or "nothing to do"
        if self.closed.status is not RunStatus.PARTIAL:
            return Completed(message=counts, data=self.report)
        noun, artifact = FAILED_NOUN.get(self.ctx.sync_type, ("failed record", "failures"))
        key = artifact_key(self.ctx.shop, self.ctx.sync_type, artifact)
        plural = "s" if self.report.failed != 1 else ""
        message = f"{self.report.failed} {noun}{plural}: see {artifact_link(key)} ({counts})"
        return Failed(name="Partial", message=message, data=PartialRun(message, self.report))

    @property
    def since(self) -> datetime | None:
        """Where this run reads changes from: its period start less ``OVERLAP`` (None: from the beginning)."""
        start = self.ctx.period_start
        return start - OVERLAP if start is not None else None

    def add(self, result: R, retry_keys: Iterable[str] = ()) -> R:
        """Add one task's result (a report, or an outcome with the records the next run must try again, to which
        ``retry_keys`` adds); returns it."""
        if isinstance(result, Outcome):
            self.report = self.report + result.report
            self.retry_keys.extend(result.retry_keys)
        else:
            self.report = self.report + result
        self.retry_keys.extend(retry_keys)
        return result

    def pages(self, task: Callable[..., PageOutcome[C]], *args: Any, **kwargs: Any) -> list[PageOutcome[C]]:
        """Walk a listing one task per page: ``task(ctx, *args, cursor=..., **kwargs)`` from the first page
        (cursor None) until a page says it was the last. Each page's report and retry keys are added; the pages
        are returned for a flow that collects more than that."""
        pages: list[PageOutcome[C]] = []
        cursor: C | None = None
        while True:
            page = self.add(task(self.ctx, *args, cursor=cursor, **kwargs))
            pages.append(page)
            cursor = page.next_cursor
            if cursor is None:
                return pages

    def shop_changes(self, page_task: Callable[..., PageOutcome[str]]) -> None:
        """The shape of a flow that brings shop records changed in its period to the ERP (customers, payments).

        ``page_task(ctx, query, exclude, cursor=...)`` handles one page of the records a Shopify search
        ``query`` finds; its retry keys are record GIDs. Last run's retry keys go first, looked up by id, then
        every record updated since ``since``, passing over the ones just retried so none is handled twice.
        """
        retry = self.ctx.retry_keys
        for chunk in chunks(retry, RETRY_CHUNK):
            self.pages(page_task, any_of("id", [_number(gid) for gid in chunk]), [])
        self.pages(page_task, updated_at_filter(self.since, self.ctx.period_end), retry)


def _number(gid: str) -> int:
    """``gid://shopify/Customer/42`` → 42: Shopify's search takes the numeric id."""
    return int(gid.rsplit("/", 1)[-1])


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), one task each."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def artifact_link(key: str) -> str:
    """The artifact's page in the Prefect UI when the UI's address is known, else its key."""
    ui = PREFECT_UI_URL.value()
    return f"{ui.rstrip('/')}/artifacts/key/{key}" if ui else key


def report_of(state: State) -> SyncReport:
    """A finished sync flow run's report, partial or not (``flow(params, return_state=True)``); a run that
    failed raises its error."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, PartialRun):
        return result.report
    if isinstance(result, BaseException):
        raise result
    return result


def scheduled_start() -> datetime:
    """When this flow run was *scheduled* to start (a run nobody scheduled: when it was created): a scheduled run's
    period ends at the latest due date before it, so a late run keeps its period."""
    value = flow_run.get_scheduled_start_time()
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


def run_start() -> RunStart:
    """How this flow run was started (``engine.opening.run_kind``), when it was due to, and now: called once
    the run holds its locks, so "now" is when it begins its work."""
    context = FlowRunContext.get()
    kind = run_kind(context.flow_run if context else None)
    return RunStart(kind=kind, scheduled_at=scheduled_start(), started_at=datetime.now(UTC))


@contextmanager
def sync_run(params: SyncParams, sync_type: str, filters: dict[str, Any] | None = None) -> Iterator[RunHandle]:
    with category_locks(locks_for(params.shop, sync_type)):
        ctx = open_run(
            params.shop,
            sync_type,
            run_start(),
            params.period_start,
            params.period_end,
            params.dry_run,
            filters,
            params.schedule,
        )
        run = RunHandle(ctx)
        get_run_logger().info(describe_start(ctx))
        try:
            yield run
        except BaseException as exc:
            close_run(ctx, run.report, f"{type(exc).__name__}: {exc}", ctx.retry_keys)
            raise
        run.closed = close_run(ctx, run.report, None, run.retry_keys)
        get_run_logger().info(describe_end(run))


def describe_start(ctx: SyncContext) -> str:
    """The run's first log line: which period, of which kind, what is carried over from the last run."""
    head = f"{ctx.sync_type} for {ctx.shop}" + (" (dry run: nothing is written)" if ctx.dry_run else "")
    if ctx.nothing_due:
        return f"{head}: nothing due, the cursor is current"
    kind = "period override: a past window, the cursor stays" if ctx.overridden else "due-date period"
    start = f"{ctx.period_start:%Y-%m-%d %H:%M}" if ctx.period_start else "the beginning"
    line = f"{head}: {kind} {start} → {ctx.period_end:%Y-%m-%d %H:%M} UTC"
    return line + (f"; {len(ctx.retry_keys)} record(s) of the last run to retry" if ctx.retry_keys else "")


def describe_end(run: RunHandle) -> str:
    """The run's last log line: how it ended, its counts, and where its artifacts are."""
    state = run.final_state
    artifacts = ", ".join(artifact_link(key) for key in (run.closed.artifacts if run.closed else []))
    return f"{run.ctx.sync_type} for {run.ctx.shop}: {state.name}, {state.message}; artifacts: {artifacts}"

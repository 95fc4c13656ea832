"""Who started a run, and the period that follows from it.

Three kinds of run (``RunKind``), read from Prefect's flow run in one place (``run_kind``):

- **scheduled**: Prefect's scheduler made it from the deployment's schedule (``auto_scheduled``). It covers its
  due-date period, ``[last successful position, latest due date ≤ its scheduled time)``, so a late run keeps
  its period and one fired early finds nothing due.
- **manual**: a person started it (UI Run / Custom run, ``prefect deployment run``, ``commerce-sync run``, a
  flow called in a Python process). "Sync now" means now: it covers ``[last successful position, now)``.
- **webhook**: a Prefect automation started it (a deployment trigger on the event a Shopify webhook became).
  It syncs up to now like a manual run; its kind is kept apart so the summary and the run list say why it ran.

Whatever the kind, a sync whose work is *whatever is pending* in the ERP or in staging (``PENDING_WORK``)
covers up to now: its scheduled runs only decide when it looks, and none of them may find "nothing due" while
staged orders or shipments wait. A run that looks up to now but starts in the very second its last run's period
ended would find an empty period (periods end on a whole second, as Shopify and the ERPs stamp changes):
it waits for the next second instead (``waits_for_the_next_second``), so "sync now" right after a run, or a
webhook's run, still looks. An explicit ``period_start``/``period_end`` re-runs that window and never moves the
cursor. ``choose_period`` is the rule, pure; ``tasks.runs.open_run`` applies it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel, ConfigDict

from domain.models import UtcDatetime
from domain.schedule import SyncPeriod, SyncSchedule

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

PENDING_WORK = frozenset({"create_sales_orders", "sync_shipments", "sync_order_status"})
"""Syncs driven by ERP or staging state (staged orders without a sales order, shipments not yet sent, order
states changed since the last run), not by a window of shop records."""

AUTOMATION = "AUTOMATION"
"""Prefect's ``created_by.type`` on a flow run an automation (a deployment trigger) created."""


class RunKind(StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    WEBHOOK = "webhook"


_STARTED_BY = {
    RunKind.SCHEDULED: "Prefect's scheduler",
    RunKind.MANUAL: "a person (sync now)",
    RunKind.WEBHOOK: "a Shopify event (webhook trigger)",
}


def run_kind(flow_run: FlowRun | None) -> RunKind:
    """The kind of ``flow_run``: the one place it is decided (a run without a flow run is a direct call)."""
    if flow_run is None:
        return RunKind.MANUAL
    if flow_run.auto_scheduled:
        return RunKind.SCHEDULED
    if flow_run.created_by is not None and flow_run.created_by.type == AUTOMATION:
        return RunKind.WEBHOOK
    return RunKind.MANUAL


class RunStart(BaseModel):
    """How and when a run started: its kind, when Prefect was to start it, and when it opened its period
    (after taking its locks, so a run that waited covers what arrived while it waited)."""

    model_config = ConfigDict(frozen=True)

    kind: RunKind
    scheduled_at: UtcDatetime
    started_at: UtcDatetime


class Opening(NamedTuple):
    period: SyncPeriod | None
    reason: str


def choose_period(
    schedule: SyncSchedule,
    sync_type: str,
    start: RunStart,
    position: datetime | None,
    explicit: SyncPeriod | None = None,
) -> Opening:
    """The period a run covers (``None``: nothing due) and, in words, why."""
    started_by = f"{start.kind.value} run, started by {_STARTED_BY[start.kind]}"
    if explicit is not None:
        return Opening(explicit, f"{started_by}: re-runs the period given as period_start/period_end; the cursor stays")
    if position is None:
        since = f"from the schedule's start {schedule.first_period_start().isoformat()} (no run succeeded yet)"
    else:
        since = f"from {position.isoformat()} (where the last successful run ended)"
    if start.kind is not RunKind.SCHEDULED or sync_type in PENDING_WORK:
        period = schedule.sync_period(start.started_at, position, manual=True)
        pending = "; its work is whatever is pending, so it looks on every run" if sync_type in PENDING_WORK else ""
        return Opening(period, f"{started_by}: {since} up to when it started{pending}")
    period = schedule.sync_period(start.scheduled_at, position)
    if period is None:
        return Opening(None, f"{started_by}: nothing due at {start.scheduled_at.isoformat()} ({schedule.summary})")
    return Opening(
        period, f"{started_by}: {since} to the latest due date at or before {start.scheduled_at.isoformat()}"
    )


def waits_for_the_next_second(sync_type: str, start: RunStart, position: datetime | None) -> bool:
    """Whether a run that looks up to now started in the very second its last run's period ended: its period
    would be empty, and a change stamped in this second is only readable once the second is over, so it waits
    for the next second (under one) rather than find nothing due — two runs in one second (a person's "sync
    now" or a webhook's run right after a run, a test on a fast machine) left a staged order or a cancellation
    to the next schedule."""
    looks_up_to_now = start.kind is not RunKind.SCHEDULED or sync_type in PENDING_WORK
    return looks_up_to_now and position is not None and position == start.started_at.replace(microsecond=0)

"""Who started a run decides what it covers: a scheduled run its due-date period, a person's or a webhook's run
up to now, a pending-work sync always up to now, an explicit period that period (``engine.opening``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from prefect.client.schemas.objects import FlowRun

from domain.schedule import SyncPeriod, SyncSchedule
from engine.opening import PENDING_WORK, RunKind, RunStart, choose_period, run_kind, waits_for_the_next_second

QUARTER = SyncSchedule(every="15m", startDate="2026-01-01", timeZone="Europe/Prague")
LAST = datetime.fromisoformat("2026-06-10T09:00+02:00")  # where the last successful run ended
DUE = datetime.fromisoformat("2026-06-10T09:15+02:00")
NOW = datetime.fromisoformat("2026-06-10T09:22:41.5+02:00")


def start(kind: RunKind, scheduled_at: datetime = DUE, started_at: datetime = NOW) -> RunStart:
    return RunStart(kind=kind, scheduled_at=scheduled_at, started_at=started_at)


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        pytest.param({"auto_scheduled": True}, RunKind.SCHEDULED, id="the scheduler made it"),
        pytest.param({}, RunKind.MANUAL, id="a person ran the deployment"),
        pytest.param({"created_by": {"type": "USER"}}, RunKind.MANUAL, id="a signed-in person"),
        pytest.param({"created_by": {"type": "AUTOMATION"}}, RunKind.WEBHOOK, id="a deployment trigger"),
    ],
)
def test_the_kind_of_run_is_read_from_prefects_flow_run(fields: dict, kind: RunKind):
    assert run_kind(FlowRun(flow_id=uuid.uuid4(), **fields)) is kind


def test_a_flow_called_outside_a_flow_run_is_a_manual_run():
    assert run_kind(None) is RunKind.MANUAL


def test_a_scheduled_run_covers_its_due_date_period_and_says_so():
    period, reason = choose_period(QUARTER, "sync_orders", start(RunKind.SCHEDULED), LAST)
    assert period == SyncPeriod(start=LAST, end=DUE)
    assert reason.startswith("scheduled run") and "latest due date" in reason


def test_a_scheduled_run_whose_due_date_is_covered_finds_nothing_due_and_says_why():
    period, reason = choose_period(QUARTER, "sync_orders", start(RunKind.SCHEDULED), NOW.replace(microsecond=0))
    assert period is None and "nothing due" in reason and "every 15m" in reason


@pytest.mark.parametrize("kind", [RunKind.MANUAL, RunKind.WEBHOOK])
def test_a_person_or_a_webhook_syncs_from_the_last_position_up_to_now(kind: RunKind):
    period, reason = choose_period(QUARTER, "sync_orders", start(kind), LAST)
    assert period == SyncPeriod(start=LAST, end=NOW.replace(microsecond=0))
    assert reason.startswith(f"{kind.value} run") and "up to when it started" in reason


def test_the_first_manual_run_starts_at_the_schedules_start():
    period, reason = choose_period(QUARTER, "sync_orders", start(RunKind.MANUAL), None)
    assert period is not None and period.start == QUARTER.first_period_start()
    assert "from the schedule's start" in reason


@pytest.mark.parametrize("sync_type", sorted(PENDING_WORK))
def test_a_pending_work_sync_looks_up_to_now_even_when_its_due_date_is_covered(sync_type: str):
    covered = NOW.replace(second=0, microsecond=0)  # an earlier run already went past the due date
    period, reason = choose_period(QUARTER, sync_type, start(RunKind.SCHEDULED), covered)
    assert period == SyncPeriod(start=covered, end=NOW.replace(microsecond=0))
    assert "whatever is pending" in reason


@pytest.mark.parametrize("kind", [RunKind.MANUAL, RunKind.WEBHOOK])
def test_a_run_that_looks_up_to_now_in_the_second_its_last_run_ended_waits_for_the_next(kind: RunKind):
    """Two runs in one second (a person's "sync now" or a webhook's run right after a run; a test on a fast
    machine) found "nothing due": the order cancelled in that second waited for the next schedule."""
    ended = NOW.replace(microsecond=0)  # the last run's period ended at the second this one starts in
    assert waits_for_the_next_second("sync_orders", start(kind), ended)
    assert choose_period(QUARTER, "sync_orders", start(kind), ended).period is None  # why it must wait
    one_second_on = start(kind, started_at=NOW + timedelta(seconds=1))
    assert choose_period(QUARTER, "sync_orders", one_second_on, ended).period == SyncPeriod(
        start=ended, end=ended + timedelta(seconds=1)
    )


@pytest.mark.parametrize("sync_type", sorted(PENDING_WORK))
def test_a_pending_work_sync_waits_for_the_next_second_whoever_started_it(sync_type: str):
    ended = NOW.replace(microsecond=0)
    assert all(waits_for_the_next_second(sync_type, start(kind), ended) for kind in RunKind)


def test_a_scheduled_window_run_or_a_run_in_a_later_second_does_not_wait():
    ended = NOW.replace(microsecond=0)
    assert not waits_for_the_next_second("sync_orders", start(RunKind.SCHEDULED), ended)
    assert not waits_for_the_next_second("sync_orders", start(RunKind.MANUAL), ended - timedelta(seconds=1))
    assert not waits_for_the_next_second("sync_orders", start(RunKind.MANUAL), None)


def test_an_explicit_period_is_covered_as_given_whoever_started_the_run():
    window = SyncPeriod(
        start=datetime.fromisoformat("2026-05-01T00:00Z"), end=datetime.fromisoformat("2026-05-02T00:00Z")
    )
    for kind in RunKind:
        period, reason = choose_period(QUARTER, "create_sales_orders", start(kind), LAST, window)
        assert period == window and "the cursor stays" in reason


def test_nothing_is_due_before_the_schedule_starts_even_for_a_person():
    later = SyncSchedule(every="15m", startDate="2026-07-01", timeZone="Europe/Prague")
    assert choose_period(later, "create_sales_orders", start(RunKind.MANUAL), None).period is None

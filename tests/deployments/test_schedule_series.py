"""``every`` and ``cron`` schedules: their due dates (DST days in Prague and New York), periods, refusals, cron;
and a manual run's period, which reaches up to now on every kind of schedule."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from domain.schedule import EVERY_MINUTES, SyncPeriod, SyncSchedule, describe

PRAGUE, NEW_YORK = "Europe/Prague", "America/New_York"
DST_DAYS = [  # (zone, local day, hours that day)
    pytest.param(PRAGUE, "2026-03-29", 23, id="prague spring forward"),
    pytest.param(PRAGUE, "2026-10-25", 25, id="prague fall back"),
    pytest.param(NEW_YORK, "2026-03-08", 23, id="new york spring forward"),
    pytest.param(NEW_YORK, "2026-11-01", 25, id="new york fall back"),
]


def every(step: str, zone: str = PRAGUE, start: str = "2026-01-01") -> SyncSchedule:
    return SyncSchedule.model_validate({"every": step, "startDate": start, "timeZone": zone})


def cron(expression: str, zone: str = PRAGUE, start: str = "2026-01-01") -> SyncSchedule:
    return SyncSchedule.model_validate({"cron": expression, "startDate": start, "timeZone": zone})


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"test data must be aware: {text}"
    return moment


def local_day(zone: str, day: str) -> tuple[datetime, datetime]:
    """The instants of a local day's first and last minute."""
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=ZoneInfo(zone))
    return start, start + timedelta(days=1) - timedelta(minutes=1)


def walls(schedule: SyncSchedule, zone: str, day: str) -> list[str]:
    """The day's due dates as local wall time with offset, e.g. ``03:00+02:00``."""
    return [
        due.astimezone(ZoneInfo(zone)).isoformat()[11:16] + due.astimezone(ZoneInfo(zone)).isoformat()[-6:]
        for due in schedule.due_dates(*local_day(zone, day))
    ]


# -- every: a grid of local wall time from midnight ------------------------------------------------------------


def test_an_ordinary_day_has_one_due_date_per_step_from_midnight():
    dues = list(every("15m").due_dates(*local_day(PRAGUE, "2026-06-10")))
    assert len(dues) == 96
    assert dues[0] == at("2026-06-10T00:00+02:00") and dues[-1] == at("2026-06-10T23:45+02:00")


@pytest.mark.parametrize(("zone", "day", "hours"), DST_DAYS)
def test_on_a_dst_day_a_missing_wall_time_is_skipped_and_a_repeated_one_counts_once(zone: str, day: str, hours: int):
    dues = list(every("15m", zone).due_dates(*local_day(zone, day)))
    assert len(dues) == (92 if hours == 23 else 96)  # the lost hour's four quarters are gone; no quarter twice
    assert all(a < b for a, b in zip(dues, dues[1:], strict=False))


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        pytest.param(PRAGUE, "2026-03-29", ["01:00+01:00", "03:00+02:00"], id="prague: 02:00 never happens"),
        pytest.param(PRAGUE, "2026-10-25", ["02:00+02:00", "03:00+01:00"], id="prague: 02:00 is its first time"),
        pytest.param(NEW_YORK, "2026-03-08", ["01:00-05:00", "03:00-04:00"], id="new york: 02:00 never happens"),
        pytest.param(NEW_YORK, "2026-11-01", ["01:00-04:00", "02:00-05:00"], id="new york: 01:00 is its first time"),
    ],
)
def test_hourly_due_dates_around_the_change(zone: str, day: str, expected: list[str]):
    hourly = walls(every("1h", zone), zone, day)
    assert expected[0] in hourly and expected[1] == hourly[hourly.index(expected[0]) + 1]


@pytest.mark.parametrize("zone", [PRAGUE, NEW_YORK])
@pytest.mark.parametrize("minutes", EVERY_MINUTES)
def test_every_step_gives_strictly_increasing_instants_across_a_year_of_dst(zone: str, minutes: int):
    step = f"{minutes}m" if minutes < 60 else f"{minutes // 60}h"
    dues = list(every(step, zone).due_dates(at("2026-03-01T00:00Z"), at("2026-11-30T00:00Z")))
    assert all(a < b for a, b in zip(dues, dues[1:], strict=False))
    local = {due.astimezone(ZoneInfo(zone)).strftime("%H:%M") for due in dues}
    assert local == {f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, minutes)}  # the grid, and only it


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("5m", "*/5 * * * *"),
        ("30m", "*/30 * * * *"),
        ("1h", "0 * * * *"),
        ("2h", "0 */2 * * *"),
        ("12h", "0 */12 * * *"),
    ],
)
def test_every_renders_the_deployments_cron(step: str, expected: str):
    assert (every(step).cron(), every(step).timezone) == (expected, PRAGUE)


@pytest.mark.parametrize(("spelling", "canonical"), [("15m", "15m"), ("60m", "1h"), ("120M", "2h"), (" 4h ", "4h")])
def test_every_is_read_in_minutes_or_hours_and_kept_in_one_spelling(spelling: str, canonical: str):
    assert every(spelling).every == canonical


# -- cron: five fields, evaluated in the zone ------------------------------------------------------------------


def test_a_cron_is_evaluated_in_the_schedules_zone():
    workdays = cron("0 8 * * 1-5", NEW_YORK)
    assert workdays.next_due_date(at("2026-06-12T13:00Z")) == at("2026-06-15T08:00-04:00")  # Friday → Monday
    assert workdays.sync_period(at("2026-06-15T12:30Z"), at("2026-06-12T12:00Z")) == SyncPeriod(
        start=at("2026-06-12T12:00Z"), end=at("2026-06-15T12:00Z")
    )


@pytest.mark.parametrize(
    ("expression", "zone", "day", "expected"),
    [
        pytest.param("30 2 * * *", PRAGUE, "2026-03-29", [], id="prague: 02:30 never happens that day"),
        pytest.param("30 2 * * *", PRAGUE, "2026-10-25", ["02:30+02:00"], id="prague: 02:30 once, the first"),
        pytest.param("30 2 * * *", NEW_YORK, "2026-03-08", [], id="new york: 02:30 never happens that day"),
        pytest.param("30 1 * * *", NEW_YORK, "2026-11-01", ["01:30-04:00"], id="new york: 01:30 once, the first"),
        pytest.param(
            "*/30 1-3 * * *",
            PRAGUE,
            "2026-03-29",
            ["01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00"],
            id="prague: a grid loses the missing hour",
        ),
        pytest.param(
            "0 0-3 * * *",
            NEW_YORK,
            "2026-11-01",
            ["00:00-04:00", "01:00-04:00", "02:00-05:00", "03:00-05:00"],
            id="new york: a grid keeps the repeated hour once",
        ),
    ],
)
def test_cron_on_dst_days(expression: str, zone: str, day: str, expected: list[str]):
    assert walls(cron(expression, zone), zone, day) == expected


def test_a_cron_time_skipped_by_spring_forward_leaves_a_longer_period_and_nothing_out():
    nightly = cron("30 2 * * *", PRAGUE)
    assert nightly.next_due_date(at("2026-03-28T02:30+01:00")) == at("2026-03-30T02:30+02:00")
    period = nightly.sync_period(at("2026-03-30T06:00+02:00"), at("2026-03-28T02:30+01:00"))
    assert period == SyncPeriod(start=at("2026-03-28T02:30+01:00"), end=at("2026-03-30T02:30+02:00"))


def test_a_yearly_cron_finds_its_latest_due_date_a_year_back():
    yearly = cron("0 0 1 1 *", "Etc/UTC", start="2020-06-01")
    assert yearly.latest_due_date(at("2026-06-01T00:00Z")) == at("2026-01-01T00:00Z")
    assert yearly.first_due_date() == at("2021-01-01T00:00Z")


def test_a_cron_keeps_its_expression_as_the_deployments_cron_in_single_spaces():
    assert cron("*/10   8-18 * *  1-5").cron() == "*/10 8-18 * * 1-5"


@pytest.mark.parametrize(("body", "zone"), [({"every": "2h"}, PRAGUE), ({"cron": "*/20 1-3 * * *"}, NEW_YORK)])
@pytest.mark.parametrize("day", ["2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"])
def test_prefect_fires_the_deployments_cron_at_every_due_date(body: dict, zone: str, day: str):
    """Prefect's scheduler fires at each due date; its one extra firing, an hour early on a spring-forward day
    (a fixed time in the gap), finds the due date before it already covered: nothing due, nothing lost."""
    from prefect.server.schemas.schedules import CronSchedule

    schedule = SyncSchedule.model_validate({**body, "startDate": "2026-01-01", "timeZone": zone})
    first, last = local_day(zone, day)
    fired = asyncio.run(CronSchedule(cron=schedule.cron(), timezone=zone).get_dates(n=500, start=first, end=last))
    fired = {moment.astimezone(UTC) for moment in fired}
    dues = set(schedule.due_dates(first, last))
    assert dues <= fired
    for early in fired - dues:
        due = schedule.latest_due_date(early)
        assert due is not None and schedule.sync_period(early, due) is None


# -- exactly one series ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "selectedFrequency", id="no series at all"),
        pytest.param({"every": "15m", "cron": "0 * * * *"}, "cron", id="every and cron"),
        pytest.param({"selectedFrequency": "Daily", "every": "1h"}, "every", id="codat and every"),
        pytest.param({"every": "15m", "syncHour": 2}, "syncHour", id="a sync hour beside every"),
        pytest.param(
            {"cron": "0 * * * *", "frequencyOptions": ["Daily"]}, "frequencyOptions", id="options beside cron"
        ),
        pytest.param({"every": "25m"}, "every", id="a step that does not divide the day"),
        pytest.param({"every": "24h"}, "every", id="a day is Daily's job"),
        pytest.param({"every": "quarterly"}, "every", id="not a step"),
        pytest.param({"cron": "0 2 * *"}, "cron", id="four fields"),
        pytest.param({"cron": "0 0 2 * * *"}, "cron", id="six fields"),
        pytest.param({"cron": "0 25 * * *"}, "cron", id="hour 25"),
        pytest.param({"cron": "0 0 31 2 *"}, "cron", id="a day february never has"),
        pytest.param({"cron": "0 0 * * MON;"}, "cron", id="not a cron field"),
    ],
)
def test_a_schedule_is_exactly_one_valid_series_and_an_error_names_the_field(body: dict, field: str):
    with pytest.raises(ValidationError) as raised:
        SyncSchedule.model_validate({"startDate": "2026-01-01", **body})
    assert [error["loc"][0] for error in raised.value.errors()] == [field]


def test_codats_fields_at_their_defaults_beside_every_are_what_the_ui_form_sends_and_are_accepted():
    # the Prefect UI's Custom run form submits an untouched schedule with every field filled in
    sent = {"startDate": "2026-01-01", "every": "15m", "syncHour": 0, "selectedFrequency": None}
    schedule = SyncSchedule.model_validate({**sent, "frequencyOptions": None, "cron": None})
    assert schedule.every == "15m" and schedule.selected_frequency is None


def test_an_every_or_cron_schedule_dumps_as_it_was_given():
    given = {"startDate": "2026-01-01", "every": "15m", "timeZone": PRAGUE}
    assert SyncSchedule.model_validate(given).model_dump(by_alias=True, mode="json") == given
    given = {"startDate": "2026-01-01", "cron": "0 5 * * 0", "timeZone": PRAGUE}
    assert SyncSchedule.model_validate(given).model_dump(by_alias=True, mode="json") == given
    assert SyncSchedule.model_validate(given) == SyncSchedule(
        start_date="2026-01-01", cron="0 5 * * 0", time_zone=PRAGUE
    )


@pytest.mark.parametrize(
    ("schedule", "summary"),
    [
        (every("15m"), "every 15m in Europe/Prague"),
        (cron("0 5 * * 0", NEW_YORK), "cron '0 5 * * 0' in America/New_York"),
        (SyncSchedule(selectedFrequency="Monthly", startDate="2026-01-01", syncHour=4), "Monthly at 04:00 in Etc/UTC"),
    ],
)
def test_a_schedule_sums_itself_up_for_people(schedule: SyncSchedule, summary: str):
    assert schedule.summary == summary


# -- periods ---------------------------------------------------------------------------------------------------


def test_the_first_period_of_a_grid_starts_at_the_start_dates_local_midnight():
    quarter = every("15m", start="2026-06-10")
    assert quarter.first_period_start() == at("2026-06-10T00:00+02:00")
    assert quarter.first_due_date() == at("2026-06-10T00:15+02:00")
    assert quarter.sync_period(at("2026-06-10T00:20+02:00")) == SyncPeriod(
        start=at("2026-06-10T00:00+02:00"), end=at("2026-06-10T00:15+02:00")
    )


def test_a_late_grid_run_keeps_its_period_and_an_early_one_finds_nothing_due():
    quarter = every("15m")
    last = at("2026-06-10T09:00+02:00")
    expected = SyncPeriod(start=last, end=at("2026-06-10T09:15+02:00"))
    assert quarter.sync_period(at("2026-06-10T09:15+02:00"), last) == expected
    assert quarter.sync_period(at("2026-06-10T09:29:59+02:00"), last) == expected
    assert quarter.sync_period(at("2026-06-10T09:14:59+02:00"), last) is None


@pytest.mark.parametrize(
    "schedule",
    [every("15m"), cron("0 8 * * 1-5"), SyncSchedule(selectedFrequency="Daily", startDate="2026-01-01", syncHour=2)],
    ids=["every", "cron", "codat"],
)
def test_a_manual_run_syncs_from_the_last_position_up_to_now_to_the_second(schedule: SyncSchedule):
    last = at("2026-06-10T09:15+02:00")
    now = at("2026-06-10T09:22:41.734+02:00")
    assert schedule.sync_period(now, last, manual=True) == SyncPeriod(start=last, end=at("2026-06-10T09:22:41+02:00"))
    assert schedule.sync_period(now, manual=True) == SyncPeriod(
        start=schedule.first_period_start(), end=now.replace(microsecond=0)
    )
    assert schedule.sync_period(last, last, manual=True) is None  # nothing new since the last run ended
    assert schedule.sync_period(at("2025-12-31T12:00Z"), manual=True) is None  # before the schedule starts


def test_after_a_manual_run_the_next_scheduled_run_covers_from_its_end_to_the_due_date():
    quarter = every("15m")
    manual = quarter.sync_period(at("2026-06-10T09:22:41+02:00"), at("2026-06-10T09:15+02:00"), manual=True)
    assert manual is not None
    assert quarter.sync_period(at("2026-06-10T09:30+02:00"), manual.end) == SyncPeriod(
        start=manual.end, end=at("2026-06-10T09:30+02:00")
    )


def test_describe_lists_a_grids_next_due_dates():
    rows = describe(every("30m"), at("2026-06-10T07:10Z"), count=2, last_success=at("2026-06-10T07:00Z"))
    assert [(r["period_start"], r["due_local"]) for r in rows] == [
        ("2026-06-10T07:00:00+00:00", "2026-06-10T09:30:00+02:00"),
        ("2026-06-10T07:30:00+00:00", "2026-06-10T10:00:00+02:00"),
    ]


ZONES = ["Etc/UTC", PRAGUE, NEW_YORK, "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago", "Pacific/Apia"]
CRONS = ["*/10 * * * *", "30 2 * * *", "0 8-18 * * 1-5", "15,45 1-3 * * *", "0 0 1 * *", "0 5 * * 0", "0 0 29 2 *"]


@pytest.mark.parametrize("seed", range(12), ids=lambda seed: f"random grid or cron {seed}")
def test_consecutive_successful_periods_of_a_grid_or_cron_tile_the_timeline(seed: int):
    rng = random.Random(seed)
    zone = rng.choice(ZONES)
    start = date(2010, 1, 1) + timedelta(days=rng.randrange(365 * 16))
    if rng.random() < 0.5:
        minutes = rng.choice(EVERY_MINUTES)
        sched = every(f"{minutes}m" if minutes < 60 else f"{minutes // 60}h", zone, start.isoformat())
    else:
        sched = cron(rng.choice(CRONS), zone, start.isoformat())
    origin = sched.first_period_start()
    run_times = sorted(origin - timedelta(days=1) + timedelta(days=30) * rng.random() for _ in range(200))
    run_times.append(run_times[-1] + timedelta(days=1500))  # a final run after everything, which must succeed

    last, synced = None, []
    for index, run_at in enumerate(run_times):
        result = sched.sync_period(run_at, last)
        if result is None:
            continue
        assert result.end <= run_at < sched.next_due_date(run_at) and sched.latest_due_date(run_at) == result.end
        if index == len(run_times) - 1 or rng.random() < 0.7:  # the rest fail and change nothing
            synced.append(result)
            last = result.end

    assert synced[0].start == origin
    for earlier, later in zip(synced, synced[1:], strict=False):
        assert earlier.end == later.start, f"gap or overlap in {zone} between {earlier} and {later}"
    dues = list(sched.due_dates(origin, synced[min(len(synced), 20) - 1].end))  # the early ones, read one by one
    assert dues == sorted(set(dues)) and dues[0] == sched.first_due_date()
    assert all(sched.next_due_date(a) == b for a, b in zip(dues, dues[1:], strict=False))


def test_schedule_show_prints_a_grids_summary_cron_and_next_due_dates(tmp_path):
    from typer.testing import CliRunner

    from commerce_sync.cli import app

    path = tmp_path / "orders.yaml"
    path.write_text("every: 15m\nstartDate: 2026-03-29\ntimeZone: Europe/Prague\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["schedule", "show", str(path), "--now", "2026-03-29T00:40:00Z", "--count", "2"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header == "every 15m in Europe/Prague  cron '*/15 * * * *'"
    assert [json.loads(row)["due_local"] for row in rows] == ["2026-03-29T01:45:00+01:00", "2026-03-29T03:00:00+02:00"]

"""Codat sync schedules: due dates, sync periods, DST, validation, the deployment's cron (seed 002)."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from domain.schedule import Frequency, SyncPeriod, SyncSchedule, describe, load_schedule

ABSENT = object()
CODAT_SCHEDULE = {  # the seed's worked example: Daily at 00:00, from 1 May, time zone left to Codat's default
    "selectedFrequency": "Daily",
    "frequencyOptions": ["Daily", "Monthly"],
    "startDate": "2022-05-01",
    "syncHour": 0,
    "timeZone": None,
}


def schedule(**codat_fields: object) -> SyncSchedule:
    """The worked example's schedule with some Codat fields changed (``ABSENT`` drops one)."""
    data = {**CODAT_SCHEDULE, **codat_fields}
    return SyncSchedule.model_validate({k: v for k, v in data.items() if v is not ABSENT})


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"test data must be aware: {text}"
    return moment


def period(start: str, end: str) -> SyncPeriod:
    return SyncPeriod(start=at(start), end=at(end))


# -- the seed's worked example -------------------------------------------------------------------------------


def test_worked_example_next_due_date_is_the_next_sync_hour_after_now():
    assert schedule().next_due_date(at("2022-07-13T16:00Z")) == at("2022-07-14T00:00Z")


@pytest.mark.parametrize(
    ("run_at", "last_successful_due", "expected"),
    [
        pytest.param(
            "2022-07-14T03:00Z",
            None,
            period("2022-05-01T00:00Z", "2022-07-14T00:00Z"),
            id="the first run syncs from the start date to the due date before it",
        ),
        pytest.param(
            "2022-07-15T03:00Z",
            "2022-07-14T00:00Z",
            period("2022-07-14T00:00Z", "2022-07-15T00:00Z"),
            id="the next run starts at the due date of the successful first run",
        ),
        pytest.param(
            "2022-07-15T03:00Z",
            None,
            period("2022-05-01T00:00Z", "2022-07-15T00:00Z"),
            id="when the first run failed the next run syncs from the start date again",
        ),
    ],
)
def test_worked_example_periods(run_at: str, last_successful_due: str | None, expected: SyncPeriod):
    last = at(last_successful_due) if last_successful_due else None
    assert schedule().sync_period(at(run_at), last) == expected


@pytest.mark.parametrize(
    ("run_at", "last_successful_due", "expected"),
    [
        pytest.param("2022-05-01T12:00Z", None, None, id="nothing is due before the first due date"),
        pytest.param(
            "2022-07-14T16:00Z", "2022-07-14T00:00Z", None, id="a second run on the same day finds nothing due"
        ),
        pytest.param(
            "2022-07-17T01:00Z",
            "2022-07-14T00:00Z",
            period("2022-07-14T00:00Z", "2022-07-17T00:00Z"),
            id="after two failed runs the third catches up all three days",
        ),
        pytest.param(
            "2022-07-15T00:00Z",
            "2022-07-14T00:00Z",
            period("2022-07-14T00:00Z", "2022-07-15T00:00Z"),
            id="a run exactly at the due date already covers the day before it",
        ),
    ],
)
def test_daily_periods(run_at: str, last_successful_due: str | None, expected: SyncPeriod | None):
    last = at(last_successful_due) if last_successful_due else None
    assert schedule().sync_period(at(run_at), last) == expected


# -- Monthly -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("run_at", "last_successful_due", "expected"),
    [
        pytest.param("2025-11-20T00:00Z", None, None, id="a run in the start month finds nothing due"),
        pytest.param(
            "2025-12-01T05:00Z",
            None,
            period("2025-11-15T00:00Z", "2025-12-01T00:00Z"),
            id="the first monthly run syncs from the start date to the 1st",
        ),
        pytest.param(
            "2025-12-17T09:00Z", "2025-12-01T00:00Z", None, id="a run in the middle of the month finds nothing due"
        ),
        pytest.param(
            "2026-01-01T00:00Z",
            "2025-12-01T00:00Z",
            period("2025-12-01T00:00Z", "2026-01-01T00:00Z"),
            id="the run on new year's day syncs december across the year boundary",
        ),
        pytest.param(
            "2026-01-20T09:00Z",
            "2025-12-01T00:00Z",
            period("2025-12-01T00:00Z", "2026-01-01T00:00Z"),
            id="a run in the middle of january syncs december only",
        ),
        pytest.param(
            "2026-02-03T00:00Z",
            "2025-12-01T00:00Z",
            period("2025-12-01T00:00Z", "2026-02-01T00:00Z"),
            id="after a failed january run the february run catches up two months",
        ),
    ],
)
def test_monthly_periods(run_at: str, last_successful_due: str | None, expected: SyncPeriod | None):
    monthly = schedule(selectedFrequency="Monthly", startDate="2025-11-15")
    last = at(last_successful_due) if last_successful_due else None
    assert monthly.sync_period(at(run_at), last) == expected


@pytest.mark.parametrize(
    ("zone", "sync_hour", "after", "expected"),
    [
        pytest.param(
            "Etc/UTC",
            0,
            "2025-12-17T09:00Z",
            "2026-01-01T00:00Z",
            id="mid december the next monthly due date is new year's day",
        ),
        pytest.param(
            "Etc/UTC",
            6,
            "2026-01-01T06:00Z",
            "2026-02-01T06:00Z",
            id="the next monthly due date is strictly after the one given",
        ),
        pytest.param(
            "Europe/Prague",
            0,
            "2026-12-15T00:00Z",
            "2026-12-31T23:00Z",
            id="midnight on the 1st in prague is the evening before in utc",
        ),
        pytest.param(
            "America/New_York",
            23,
            "2026-06-15T00:00Z",
            "2026-07-02T03:00Z",
            id="a late sync hour in new york is the next day in utc",
        ),
    ],
)
def test_monthly_next_due_date(zone: str, sync_hour: int, after: str, expected: str):
    monthly = schedule(selectedFrequency="Monthly", startDate="2025-11-15", syncHour=sync_hour, timeZone=zone)
    assert monthly.next_due_date(at(after)) == at(expected)


@pytest.mark.parametrize(
    ("frequency", "start_date", "expected_start", "expected_first_due"),
    [
        pytest.param(
            "Daily",
            "2022-05-01",
            "2022-05-01T00:00Z",
            "2022-05-02T00:00Z",
            id="daily the first due date is the sync hour the day after the start date",
        ),
        pytest.param(
            "Monthly",
            "2025-11-15",
            "2025-11-15T00:00Z",
            "2025-12-01T00:00Z",
            id="monthly the first due date is the 1st after the start date",
        ),
        pytest.param(
            "Monthly",
            "2025-11-01",
            "2025-11-01T00:00Z",
            "2025-12-01T00:00Z",
            id="monthly from a 1st the first period is that whole month",
        ),
    ],
)
def test_first_period(frequency: str, start_date: str, expected_start: str, expected_first_due: str):
    sched = schedule(selectedFrequency=frequency, startDate=start_date)
    assert sched.first_period_start() == at(expected_start)
    assert sched.first_due_date() == at(expected_first_due)
    assert sched.next_due_date(at("2000-01-01T00:00Z")) == at(expected_first_due)


def test_due_dates_include_both_ends_of_the_range():
    dues = schedule().due_dates(at("2022-07-14T00:00Z"), at("2022-07-16T00:00Z"))
    assert list(dues) == [at("2022-07-14T00:00Z"), at("2022-07-15T00:00Z"), at("2022-07-16T00:00Z")]


# -- late runs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run_at",
    ["2022-07-15T00:00Z", "2022-07-15T03:00Z", "2022-07-15T23:59:59Z", "2022-07-15T05:30+05:30"],
    ids=["on time", "three hours late", "a second before the next due date", "the same instant in another zone"],
)
def test_a_late_run_keeps_its_period_until_the_next_due_date(run_at: str):
    expected = period("2022-07-14T00:00Z", "2022-07-15T00:00Z")
    assert schedule().sync_period(at(run_at), at("2022-07-14T00:00Z")) == expected


def test_a_run_started_after_the_next_due_date_covers_it_only_if_the_caller_passes_the_real_start():
    sched, last = schedule(), at("2022-07-14T00:00Z")
    scheduled, started = at("2022-07-15T00:00Z"), at("2022-07-16T02:00Z")
    assert sched.sync_period(scheduled, last) == period("2022-07-14T00:00Z", "2022-07-15T00:00Z")
    assert sched.sync_period(started, last) == period("2022-07-14T00:00Z", "2022-07-16T00:00Z")


# -- DST -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "sync_hour", "local_day", "expected"),
    [
        pytest.param(
            "Europe/Prague",
            2,
            "2026-03-29",
            "2026-03-29T01:00Z",
            id="prague 02:00 does not exist on spring forward and moves to 03:00 CEST",
        ),
        pytest.param(
            "Europe/Prague", 1, "2026-03-29", "2026-03-29T00:00Z", id="prague 01:00 before the gap is still CET"
        ),
        pytest.param("Europe/Prague", 3, "2026-03-29", "2026-03-29T01:00Z", id="prague 03:00 after the gap is CEST"),
        pytest.param(
            "Europe/Prague",
            2,
            "2026-10-25",
            "2026-10-25T00:00Z",
            id="prague 02:00 happens twice on fall back and the first one counts",
        ),
        pytest.param(
            "America/New_York",
            2,
            "2026-03-08",
            "2026-03-08T07:00Z",
            id="new york 02:00 does not exist on spring forward and moves to 03:00 EDT",
        ),
        pytest.param(
            "America/New_York",
            1,
            "2026-11-01",
            "2026-11-01T05:00Z",
            id="new york 01:00 happens twice on fall back and the EDT one counts",
        ),
        pytest.param(
            "America/New_York", 2, "2026-11-01", "2026-11-01T07:00Z", id="new york 02:00 after fall back is EST"
        ),
        pytest.param(
            "Australia/Lord_Howe",
            2,
            "2026-10-04",
            "2026-10-03T15:30Z",
            id="lord howe 02:00 moves forward by its half-hour gap to 02:30",
        ),
    ],
)
def test_due_date_on_a_dst_change_day(zone: str, sync_hour: int, local_day: str, expected: str):
    sched = schedule(startDate="2026-01-01", syncHour=sync_hour, timeZone=zone)
    day = date.fromisoformat(local_day)
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
    assert list(sched.due_dates(midnight, midnight + timedelta(hours=23))) == [at(expected)]
    assert sched.next_due_date(midnight - timedelta(hours=1)) == at(expected)


@pytest.mark.parametrize(
    ("zone", "sync_hour", "last_due", "run_at", "hours"),
    [
        pytest.param(
            "Europe/Prague",
            0,
            "2026-03-28T23:00Z",
            "2026-03-30T06:00Z",
            23,
            id="the prague midnight-to-midnight period over spring forward is 23 hours long",
        ),
        pytest.param(
            "Europe/Prague",
            2,
            "2026-03-28T01:00Z",
            "2026-03-29T06:00Z",
            24,
            id="the prague gap hour moves forward by the gap so its period stays 24 hours",
        ),
        pytest.param(
            "Europe/Prague",
            2,
            "2026-10-24T00:00Z",
            "2026-10-26T06:00Z",
            49,
            id="the prague periods around fall back add up to 49 hours",
        ),
        pytest.param(
            "America/New_York",
            1,
            "2026-10-31T05:00Z",
            "2026-11-02T05:00Z",
            24,
            id="new york 01:00 on fall back is 24 hours after the day before",
        ),
        pytest.param(
            "America/New_York",
            1,
            "2026-11-01T05:00Z",
            "2026-11-02T12:00Z",
            25,
            id="the new york period after fall back is 25 hours long",
        ),
    ],
)
def test_periods_across_dst_changes_follow_the_wall_clock(
    zone: str, sync_hour: int, last_due: str, run_at: str, hours: int
):
    sched = schedule(startDate="2026-01-01", syncHour=sync_hour, timeZone=zone)
    result = sched.sync_period(at(run_at), at(last_due))
    assert result is not None and result.end - result.start == timedelta(hours=hours)
    assert result.end.astimezone(ZoneInfo(zone)).hour in {sync_hour, sync_hour + 1}


def test_a_run_prefect_fires_early_in_the_dst_gap_finds_nothing_due_and_the_next_catches_up():
    """Prefect's cron fires Prague ``0 2 * * *`` at 01:00 CET on spring forward, an hour before our due date."""
    from prefect.server.schemas.schedules import CronSchedule

    sched = schedule(startDate="2026-01-01", syncHour=2, timeZone="Europe/Prague")
    cron = CronSchedule(cron=sched.cron(), timezone=sched.timezone)
    fires = asyncio.run(cron.get_dates(start=at("2026-03-27T00:00Z"), end=at("2026-03-31T00:00Z")))
    fires = [fire.astimezone(UTC) for fire in fires]
    early = at("2026-03-29T00:00Z")
    assert early in fires and sched.latest_due_date(early) == at("2026-03-28T01:00Z")

    last, covered = None, []
    for fire in fires:
        result = sched.sync_period(fire, last)
        assert (result is None) == (fire == early)
        if result is not None:
            covered.append(result)
            last = result.end
    assert period("2026-03-28T01:00Z", "2026-03-30T00:00Z") in covered  # the day after catches up the gap day
    assert all(a.end == b.start for a, b in zip(covered, covered[1:], strict=False))


def test_a_day_swallowed_whole_by_a_time_zone_change_is_not_a_second_due_date():
    """Samoa skipped 30 December 2011: its midnight moves forward a day, onto 31 December's midnight."""
    sched = schedule(startDate="2011-12-20", timeZone="Pacific/Apia")
    dues = list(sched.due_dates(at("2011-12-29T00:00Z"), at("2012-01-01T00:00Z")))
    assert dues == [at("2011-12-29T10:00Z"), at("2011-12-30T10:00Z"), at("2011-12-31T10:00Z")]


# -- parsing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("time_zone", [None, ABSENT, "ETC/Utc"], ids=["null", "absent", "spelled as in Codat's docs"])
def test_time_zone_null_absent_or_miscased_is_utc(time_zone: object):
    sched = schedule(timeZone=time_zone)
    assert sched.timezone == "Etc/UTC"
    assert sched.first_period_start() == at("2022-05-01T00:00Z")


@pytest.mark.parametrize(
    ("start_date", "zone", "expected"),
    [
        pytest.param("2022-06-15", "Europe/London", date(2022, 6, 15), id="a date is taken as is"),
        pytest.param(
            "2022-06-15T23:30:00Z",
            "Europe/Prague",
            date(2022, 6, 16),
            id="an aware datetime counts at its date in the schedule's zone",
        ),
        pytest.param(
            datetime(2022, 6, 15, 2, tzinfo=UTC),
            "America/New_York",
            date(2022, 6, 14),
            id="an aware datetime object counts at its date in the schedule's zone",
        ),
        pytest.param(
            "2022-06-15T23:30:00", "Europe/Prague", date(2022, 6, 15), id="a naive datetime's date is taken as is"
        ),
    ],
)
def test_start_date(start_date: object, zone: str, expected: date):
    assert schedule(startDate=start_date, timeZone=zone).start_date == expected


def test_snake_case_input_is_the_same_schedule_and_dumps_as_codat_json():
    codat = {
        "selectedFrequency": "Monthly",
        "frequencyOptions": ["Daily", "Monthly"],
        "startDate": "2022-06-15",
        "syncHour": 4,
        "timeZone": "Europe/London",
    }
    snake = {
        "selected_frequency": "Monthly",
        "frequency_options": ["Daily", "Monthly"],
        "start_date": "2022-06-15",
        "sync_hour": 4,
        "time_zone": "Europe/London",
    }
    assert SyncSchedule.model_validate(snake) == SyncSchedule.model_validate(codat)
    assert SyncSchedule.model_validate(snake).model_dump(by_alias=True, mode="json") == codat
    assert SyncSchedule(**snake).selected_frequency is Frequency.MONTHLY
    assert len({SyncSchedule(**snake), SyncSchedule.model_validate(codat)}) == 1  # frozen and hashable


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"selectedFrequency": "Weekly"}, "selectedFrequency", id="an unknown frequency"),
        pytest.param({"selectedFrequency": ABSENT}, "selectedFrequency", id="a missing frequency"),
        pytest.param(
            {"selectedFrequency": "Monthly", "frequencyOptions": ["Daily"]},
            "selectedFrequency",
            id="a frequency that is not among the options",
        ),
        pytest.param({"frequencyOptions": ["Daily", "Hourly"]}, "frequencyOptions", id="an unknown option"),
        pytest.param({"syncHour": -1}, "syncHour", id="sync hour -1"),
        pytest.param({"syncHour": 24}, "syncHour", id="sync hour 24"),
        pytest.param({"syncHour": 2.5}, "syncHour", id="a fractional sync hour"),
        pytest.param({"timeZone": "Mars/Olympus_Mons"}, "timeZone", id="an unknown time zone"),
        pytest.param({"timeZone": "../../etc/passwd"}, "timeZone", id="a path as time zone"),
        pytest.param({"timeZone": ""}, "timeZone", id="an empty time zone"),
        pytest.param({"startDate": "2022-13-01"}, "startDate", id="month 13"),
        pytest.param({"startDate": "next tuesday"}, "startDate", id="not a date"),
        pytest.param({"startDate": ABSENT}, "startDate", id="a missing start date"),
        pytest.param({"synchour": 3}, "synchour", id="a misspelt field"),
    ],
)
def test_invalid_schedule_names_the_field(changes: dict, field: str):
    with pytest.raises(ValidationError) as raised:
        schedule(**changes)
    assert [error["loc"][0] for error in raised.value.errors()] == [field]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        pytest.param(lambda s, naive: s.next_due_date(naive), "after", id="next_due_date"),
        pytest.param(lambda s, naive: s.latest_due_date(naive), "at", id="latest_due_date"),
        pytest.param(lambda s, naive: s.sync_period(naive), "run_at", id="sync_period run_at"),
        pytest.param(
            lambda s, naive: s.sync_period(at("2022-07-15T00:00Z"), naive),
            "last_successful_due",
            id="sync_period last_successful_due",
        ),
        pytest.param(lambda s, naive: s.due_dates(naive, at("2022-07-15T00:00Z")), "start", id="due_dates"),
        pytest.param(lambda s, naive: describe(s, naive), "now", id="describe"),
        pytest.param(
            lambda s, naive: period("2022-07-14T00:00Z", "2022-07-15T00:00Z").contains(naive),
            "moment",
            id="SyncPeriod.contains",
        ),
    ],
)
def test_naive_datetime_argument_is_refused_by_name(call, argument: str):
    with pytest.raises(ValueError, match=rf"^{argument} must be a timezone-aware datetime"):
        call(schedule(), datetime(2022, 7, 14, 3))


def test_sync_period_is_half_open_and_refuses_to_be_empty():
    p = period("2022-07-14T00:00Z", "2022-07-15T00:00Z")
    assert p.contains(at("2022-07-14T00:00Z")) and p.contains(at("2022-07-15T01:59+02:00"))
    assert not p.contains(at("2022-07-15T00:00Z")) and not p.contains(at("2022-07-13T23:59:59Z"))
    with pytest.raises(ValidationError) as raised:
        period("2022-07-15T00:00Z", "2022-07-15T00:00Z")
    assert raised.value.errors()[0]["loc"] == ("end",)


# -- the deployment's cron, files, describe ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "sync_hour", "zone", "cron"),
    [
        pytest.param("Daily", 0, None, "0 0 * * *", id="daily at midnight"),
        pytest.param("Daily", 23, "Europe/Prague", "0 23 * * *", id="daily at 23"),
        pytest.param("Monthly", 0, "America/New_York", "0 0 1 * *", id="monthly at midnight on the 1st"),
        pytest.param("Monthly", 5, "Europe/London", "0 5 1 * *", id="monthly at 5 on the 1st"),
    ],
)
def test_cron_and_timezone_for_the_deployment(frequency: str, sync_hour: int, zone: str | None, cron: str):
    sched = schedule(selectedFrequency=frequency, syncHour=sync_hour, timeZone=zone)
    assert (sched.cron(), sched.timezone) == (cron, zone or "Etc/UTC")


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        pytest.param(
            ".json",
            json.dumps({"schedule": {**CODAT_SCHEDULE, "timeZone": "Europe/London"}}),
            id="codat sync config json",
        ),
        pytest.param(
            ".yaml",
            "selectedFrequency: Daily\nstartDate: 2022-05-01\ntimeZone: Europe/London\n",
            id="bare schedule yaml",
        ),
        pytest.param(
            ".yml",
            "schedule:\n  selected_frequency: Daily\n  start_date: '2022-05-01'\n  time_zone: Europe/London\n",
            id="snake case yml",
        ),
    ],
)
def test_load_schedule_reads_json_and_yaml(tmp_path, suffix: str, text: str):
    path = tmp_path / f"schedule{suffix}"
    path.write_text(text, encoding="utf-8")
    loaded = load_schedule(path)
    assert (loaded.selected_frequency, loaded.start_date, loaded.timezone) == (
        Frequency.DAILY,
        date(2022, 5, 1),
        "Europe/London",
    )


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        pytest.param("schedule.toml", "", "unsupported schedule file type '.toml'", id="an unknown suffix"),
        pytest.param("schedule.json", "{", "not valid JSON", id="broken json"),
        pytest.param("schedule.yaml", "- Daily\n", "expected a schedule object, got list", id="a yaml list"),
    ],
)
def test_load_schedule_rejects_files_it_cannot_read_naming_the_file(tmp_path, name: str, text: str, error: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error) as raised:
        load_schedule(path)
    assert name in str(raised.value)


def test_a_schedule_that_never_ran_syncs_from_its_start_date_first():
    sched = schedule(startDate="2026-03-01", syncHour=2, timeZone="Europe/Prague")
    rows = describe(sched, at("2026-03-27T12:00Z"), count=2)
    assert [(row["period_start"], row["period_end"]) for row in rows] == [
        ("2026-03-01T01:00:00+00:00", "2026-03-28T01:00:00+00:00"),
        ("2026-03-28T01:00:00+00:00", "2026-03-29T01:00:00+00:00"),
    ]


def test_describe_lists_the_next_due_dates_with_the_period_each_syncs():
    sched = schedule(startDate="2026-03-01", syncHour=2, timeZone="Europe/Prague")
    rows = describe(sched, at("2026-03-27T12:00Z"), count=3, last_success=at("2026-03-27T01:00Z"))
    assert rows == [
        {
            "due": "2026-03-28T01:00:00+00:00",
            "due_local": "2026-03-28T02:00:00+01:00",
            "period_start": "2026-03-27T01:00:00+00:00",
            "period_end": "2026-03-28T01:00:00+00:00",
        },
        {
            "due": "2026-03-29T01:00:00+00:00",
            "due_local": "2026-03-29T03:00:00+02:00",
            "period_start": "2026-03-28T01:00:00+00:00",
            "period_end": "2026-03-29T01:00:00+00:00",
        },
        {
            "due": "2026-03-30T00:00:00+00:00",
            "due_local": "2026-03-30T02:00:00+02:00",
            "period_start": "2026-03-29T01:00:00+00:00",
            "period_end": "2026-03-30T00:00:00+00:00",
        },
    ]


def test_describe_before_the_first_due_date_starts_at_the_start_date():
    rows = describe(schedule(), at("2022-04-01T00:00Z"), count=1)
    assert (rows[0]["period_start"], rows[0]["due"]) == ("2022-05-01T00:00:00+00:00", "2022-05-02T00:00:00+00:00")


# -- property: consecutive successful periods tile the timeline ----------------------------------------------

ZONES = [
    "Etc/UTC",
    "Europe/Prague",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
    "Pacific/Apia",
    "Europe/London",
]


@pytest.mark.parametrize("seed", range(12), ids=lambda seed: f"random schedule {seed}")
def test_consecutive_successful_periods_tile_the_timeline_without_gap_or_overlap(seed: int):
    rng = random.Random(seed)
    zone = rng.choice(ZONES)
    frequency = rng.choice(list(Frequency))
    start_date = date(2010, 1, 1) + timedelta(days=rng.randrange(365 * 16))
    sched = schedule(
        selectedFrequency=frequency.value, startDate=start_date.isoformat(), syncHour=rng.randrange(24), timeZone=zone
    )
    origin = sched.first_period_start()
    span = timedelta(days=400 if frequency is Frequency.DAILY else 3000)
    run_times = sorted(origin - timedelta(days=3) + span * rng.random() for _ in range(300))
    run_times.append(run_times[-1] + timedelta(days=62))  # a final run after everything, which must succeed

    last, synced = None, []
    for index, run_at in enumerate(run_times):
        result = sched.sync_period(run_at, last)
        if result is None:
            continue
        assert result.end <= run_at and sched.latest_due_date(run_at) == result.end
        assert sched.next_due_date(run_at) > run_at >= result.end
        if index == len(run_times) - 1 or rng.random() < 0.7:  # the rest fail and change nothing
            synced.append(result)
            last = result.end

    assert synced[0].start == origin
    for earlier, later in zip(synced, synced[1:], strict=False):
        assert earlier.end == later.start, f"gap or overlap in {zone} between {earlier} and {later}"
    assert synced[-1].end == sched.latest_due_date(run_times[-1])
    dues = list(sched.due_dates(origin, synced[-1].end))
    assert {p.end for p in synced} <= set(dues)
    assert dues == sorted(set(dues)) and dues[0] == sched.first_due_date()
    assert all(sched.next_due_date(a) == b for a, b in zip(dues, dues[1:], strict=False))

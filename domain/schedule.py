"""Codat-style sync schedules: when a sync is due, and which period a run covers.

Semantics follow Codat Sync for Commerce (seed 002, ``../shared/notes/anchors.md`` §2):

- A **due date** is the sync hour in the shop's time zone, every day (Daily) or on the 1st of every month
  (Monthly). Codat leaves the Monthly day unspecified; we chose the 1st so periods are calendar months, which
  is what accounting closes on. A due date ends one sync period and starts the next.
- The **run date** is when a run actually starts. It may lag the due date (load, a late worker) and never
  changes the period: a run covers ``[start, end)``, where ``end`` is the latest due date at or before the run
  and ``start`` is the due date of the last *successful* run, or ``startDate`` at ``syncHour`` for the first.
  A failed run does not move the start, so the next run catches up and nothing is skipped.
- DST: a sync hour that does not exist that day (spring forward) moves forward by the gap's length, the way
  wall clocks do (Prague 2026-03-29 02:00 → 03:00 CEST = 01:00 UTC); a sync hour that happens twice (fall
  back) is its first occurrence, so a due date is always exactly one instant.

Everything here is pure: aware datetimes in, aware UTC datetimes out.
"""

from __future__ import annotations

import json
import os
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.wall_clock import (
    DEFAULT_TIME_ZONE,
    canonical_zone_name,
    field_error,
    require_aware,
    wall_to_utc,
    zone_or_none,
)

__all__ = ["Frequency", "SyncPeriod", "SyncSchedule", "describe", "load_schedule"]


class Frequency(StrEnum):
    DAILY = "Daily"
    MONTHLY = "Monthly"


class SyncPeriod(BaseModel):
    """The half-open window ``[start, end)`` of records one run syncs, in UTC."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime
    end: AwareDatetime

    @field_validator("start", "end")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _start_before_end(self) -> SyncPeriod:
        if self.start >= self.end:
            message = f"end {self.end.isoformat()} must be after start {self.start.isoformat()}"
            raise field_error("SyncPeriod", "end", "empty_period", message, self.end)
        return self

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in this period (start included, end excluded)."""
        return self.start <= require_aware(moment, "moment") < self.end


class SyncSchedule(BaseModel):
    """A shop's sync schedule, as Codat's ``schedule`` JSON or with snake_case names.

    ``model_dump(by_alias=True, mode="json")`` gives Codat's JSON back. The deployment's cron (``cron()``,
    ``timezone``) is generated from this same object, so Prefect and the period math cannot disagree.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    selected_frequency: Frequency = Field(alias="selectedFrequency")
    frequency_options: tuple[Frequency, ...] | None = Field(default=None, alias="frequencyOptions")
    start_date: date = Field(alias="startDate")
    sync_hour: int = Field(default=0, ge=0, le=23, alias="syncHour")
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, alias="timeZone")

    @model_validator(mode="before")
    @classmethod
    def _start_date_in_zone(cls, data: Any) -> Any:
        """A datetime ``startDate`` (Codat's OAS calls it a UTC date time) counts at its date in the zone."""
        if not isinstance(data, dict):
            return data
        key = next((k for k in ("startDate", "start_date") if k in data), None)
        if key is None:
            return data
        moment = _as_datetime(data[key])
        if moment is None:
            return data
        if moment.utcoffset() is not None:
            zone = zone_or_none(data.get("timeZone", data.get("time_zone")))
            if zone is not None:  # else the time zone's own error is reported, not a second one here
                moment = moment.astimezone(zone)
        return {**data, key: moment.date()}

    @field_validator("sync_hour", mode="before")
    @classmethod
    def _null_hour_is_midnight(cls, value: Any) -> Any:
        return 0 if value is None else value  # Codat: "otherwise defaults to 00:00"

    @field_validator("time_zone", mode="before")
    @classmethod
    def _null_zone_is_utc(cls, value: Any) -> Any:
        return DEFAULT_TIME_ZONE if value is None else value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return canonical_zone_name(value)

    @model_validator(mode="after")
    def _selected_is_offered(self) -> SyncSchedule:
        options = self.frequency_options
        if options is not None and self.selected_frequency not in options:
            offered = ", ".join(option.value for option in options) or "none"
            message = f"{self.selected_frequency.value!r} is not one of frequencyOptions ({offered})"
            raise field_error(
                "SyncSchedule", "selectedFrequency", "frequency_not_offered", message, self.selected_frequency.value
            )
        return self

    # -- the deployment's side ------------------------------------------------------------------------------

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def timezone(self) -> str:
        """The IANA name for the Prefect cron schedule's ``timezone``."""
        return self.time_zone

    def cron(self) -> str:
        """The cron for the Prefect deployment, to be used with ``timezone``.

        Daily → ``0 {h} * * *``; Monthly → ``0 {h} 1 * *``.

        Prefect (croniter) has a DST quirk (``../shared/notes/prefect.md`` §6): a cron whose hour falls in the
        spring-forward gap fires an hour *early* (Berlin ``30 2 * * *`` fires at 01:30+01:00), where we place
        the due date an hour *later* (03:00+02:00). That is harmless here because a run's period comes from
        due dates, not from when cron fired: the early run's latest due date is the previous one, so it finds
        nothing due (``sync_period`` → ``None``) and the next run catches the missed day up. On fall-back
        days cron fires once, at the first occurrence, which is the instant we use too.
        """
        day_of_month = "*" if self.selected_frequency is Frequency.DAILY else "1"
        return f"0 {self.sync_hour} {day_of_month} * *"

    # -- due dates and periods ------------------------------------------------------------------------------

    def first_period_start(self) -> datetime:
        """``startDate`` at ``syncHour`` in the zone: where the first run's period starts."""
        return wall_to_utc(self.start_date, self.sync_hour, self.zone)

    def first_due_date(self) -> datetime:
        """The first due date: the end of the first period, strictly after ``first_period_start()``."""
        return next(self._due_dates_near(self.first_period_start()))

    def next_due_date(self, after: datetime) -> datetime:
        """The first due date strictly after ``after`` (never before ``first_due_date()``)."""
        after = require_aware(after, "after")
        return next(due for due in self._due_dates_near(after) if due > after)

    def latest_due_date(self, at: datetime) -> datetime | None:
        """The latest due date at or before ``at``; ``None`` before the first due date."""
        at = require_aware(at, "at")
        latest = None
        for due in self._due_dates_near(at):
            if due > at:
                return latest
            latest = due
        raise AssertionError("due dates never run out")

    def due_dates(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Due dates in ``[start, end]``, both ends included, ascending."""
        start, end = require_aware(start, "start"), require_aware(end, "end")  # raise now, not at next()
        return (due for due in self._due_dates_until(start, end) if due >= start)

    def sync_period(self, run_at: datetime, last_successful_due: datetime | None = None) -> SyncPeriod | None:
        """The period a run at ``run_at`` syncs, or ``None`` when nothing is due yet.

        Depends only on ``run_at`` and ``last_successful_due``: pass the run's scheduled time to keep a late
        run's period, or its real start time to let it pick up due dates that passed meanwhile.
        """
        run_at = require_aware(run_at, "run_at")
        if last_successful_due is None:
            start = self.first_period_start()
        else:
            start = require_aware(last_successful_due, "last_successful_due")
        end = self.latest_due_date(run_at)
        if end is None or start >= end:
            return None
        return SyncPeriod(start=start, end=end)

    def _due_dates_until(self, start: datetime, end: datetime) -> Iterator[datetime]:
        for due in self._due_dates_near(start):
            if due > end:
                return
            yield due

    def _due_dates_near(self, moment: datetime) -> Iterator[datetime]:
        """Due dates ascending, endless, from a little before ``moment`` (or from the first one)."""
        origin = self.first_period_start()
        zone, hour = self.zone, self.sync_hour
        previous = origin
        # Two periods back, so a gap that pushes a due date past its own day cannot hide the latest one.
        for day in self._days_from(max(moment, origin).astimezone(zone).date(), periods_back=2):
            due = wall_to_utc(day, hour, zone)
            if due > previous:  # skips days up to the origin, and a day swallowed whole by a gap (Apia 2011)
                yield due
                previous = due

    def _days_from(self, around: date, periods_back: int) -> Iterator[date]:
        """Local days that carry a sync hour, from ``periods_back`` periods before ``around``, endless."""
        if self.selected_frequency is Frequency.DAILY:
            day = around - timedelta(days=periods_back)
            while True:
                yield day
                day += timedelta(days=1)
        months = around.year * 12 + around.month - 1 - periods_back
        while True:
            yield date(months // 12, months % 12 + 1, 1)
            months += 1


def _as_datetime(value: Any) -> datetime | None:
    """``value`` as a datetime when it is one (or an ISO string with a time), else ``None``."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        date.fromisoformat(value)
        return None  # a plain date: pydantic parses it
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None  # pydantic reports the bad date


def load_schedule(path: str | os.PathLike[str]) -> SyncSchedule:
    """Read a schedule from a ``.json`` or ``.yaml``/``.yml`` file.

    The file holds the schedule object itself, or a document with a ``schedule`` key (Codat's sync config).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".json", ".yaml", ".yml"}:
        raise ValueError(f"{path}: unsupported schedule file type {suffix or '(none)'!r}; use .json, .yaml or .yml")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("schedule"), dict):
        data = data["schedule"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a schedule object, got {type(data).__name__}")
    return SyncSchedule.model_validate(data)


def describe(
    schedule: SyncSchedule, now: datetime, count: int = 5, last_success: datetime | None = None
) -> list[dict[str, str]]:
    """The next ``count`` due dates after ``now``, each with the period its run syncs if every run before it
    succeeds. The first period starts where the last successful run ended (``last_success``, its due date) or,
    for a schedule that never ran, at ``startDate`` at ``syncHour`` — Codat's rule, so the first run after a
    long gap catches the whole gap up. Values are ISO 8601 strings (UTC, plus the due date in the shop's zone)."""
    now = require_aware(now, "now")
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    start = require_aware(last_success, "last_success") if last_success else schedule.first_period_start()
    due = now
    rows = []
    for _ in range(count):
        due = schedule.next_due_date(due)
        rows.append(
            {
                "due": due.isoformat(),
                "due_local": due.astimezone(schedule.zone).isoformat(),
                "period_start": start.isoformat(),
                "period_end": due.isoformat(),
            }
        )
        start = due
    return rows

"""Sync schedules: when a sync type is due, and which period a run covers.

Semantics follow Codat Sync for Commerce (seed 002, ``../shared/notes/anchors.md`` §2), generalised to the
series a real shop needs (orders every 15 minutes, stock hourly, the catalogue nightly):

- A **due date** ends one sync period and starts the next. The series is one of: Codat's sync hour in the
  shop's time zone every day (Daily) or on the 1st of every month (Monthly; Codat leaves the day unspecified,
  we chose the 1st so periods are calendar months, which is what accounting closes on); ``every`` N minutes or
  hours of local wall time from midnight (a step that divides the day); or a five-field ``cron`` in the zone.
- The **run date** is when a run actually starts. It may lag the due date (load, a late worker) and never
  changes the period: a scheduled run covers ``[start, end)``, where ``end`` is the latest due date at or
  before the run and ``start`` is where the last *successful* run ended, or the first period's start
  (``startDate`` at ``syncHour``, or at local midnight for ``every``/``cron``). A failed run does not move the
  start, so the next run catches up and nothing is skipped. A run a person started covers up to *now*
  (``sync_period(..., manual=True)``); the next scheduled run starts where it ended.
- DST: a Codat sync hour that does not exist that day (spring forward) moves forward by the gap's length, the
  way wall clocks do (Prague 2026-03-29 02:00 → 03:00 CEST = 01:00 UTC); an ``every``/``cron`` time that does
  not exist is skipped. A wall time that happens twice (fall back) is its first occurrence, so due dates are
  strictly increasing instants (``domain.wall_clock``, ``domain.due_dates``).

Everything here is pure: aware datetimes in, aware UTC datetimes out.
"""

from __future__ import annotations

import json
import os
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from domain.cron import check_cron
from domain.due_dates import EVERY_MINUTES, CodatDays, CronWalls, WallGrid, every_minutes, every_spelling
from domain.wall_clock import (
    DEFAULT_TIME_ZONE,
    canonical_zone_name,
    field_error,
    require_aware,
    wall_to_utc,
    zone_or_none,
)

__all__ = ["EVERY_MINUTES", "Frequency", "SyncPeriod", "SyncSchedule", "describe", "load_schedule"]


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
    """A sync type's due-date series: Codat's ``schedule`` JSON, or ``every``, or ``cron`` (snake_case too).

    Exactly one of ``selectedFrequency`` (with ``syncHour``, Codat's), ``every`` or ``cron`` says when periods
    end; ``startDate`` and ``timeZone`` mean the same for all three. ``model_dump(by_alias=True, mode="json")``
    gives back what was given (Codat's JSON for a Codat schedule). The deployment's cron (``cron()``,
    ``timezone``) is generated from this same object, so Prefect and the period math cannot disagree.
    """

    # titles and descriptions are what the Prefect UI's forms show (block and run parameters)
    model_config = ConfigDict(
        frozen=True,
        populate_by_name=True,
        extra="forbid",
        title="Sync schedule",
        json_schema_extra={
            "description": "Due dates end one sync period and start the next; a run syncs the periods due by its time."
        },
    )

    selected_frequency: Frequency | None = Field(
        default=None,
        alias="selectedFrequency",
        title="Frequency",
        description="Daily or Monthly (Codat's schedule); or leave empty and set Every or Cron instead.",
    )
    frequency_options: tuple[Frequency, ...] | None = Field(
        default=None,
        alias="frequencyOptions",
        title="Frequencies offered",
        description="Optional: the frequencies a person may switch between.",
    )
    start_date: date = Field(
        alias="startDate", title="Start date", description="The first period starts on this date, in the time zone."
    )
    sync_hour: int = Field(
        default=0,
        ge=0,
        le=23,
        alias="syncHour",
        title="Sync hour (0-23)",
        description="With a Frequency: the hour of the day, in the time zone, at which a period ends.",
    )
    every: str | None = Field(
        default=None,
        title="Every",
        description="A grid of local wall time from midnight: 5m, 10m, 15m, 20m, 30m, 1h, 2h, 3h, 4h, 6h, 8h or 12h.",
    )
    cron_expression: str | None = Field(
        default=None,
        alias="cron",
        title="Cron",
        description="A five-field cron expression, evaluated in the time zone.",
    )
    time_zone: str = Field(
        default=DEFAULT_TIME_ZONE,
        alias="timeZone",
        title="Time zone",
        description="An IANA zone such as Europe/Prague; empty means UTC.",
    )

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

    @field_validator("every")
    @classmethod
    def _divides_the_day(cls, value: str | None) -> str | None:
        return None if value is None else every_spelling(every_minutes(value))

    @field_validator("cron_expression")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @model_validator(mode="after")
    def _one_series(self) -> SyncSchedule:
        given = [name for name, value in self._series_fields().items() if value is not None]
        if not given:
            message = "give one of selectedFrequency (Daily | Monthly, with syncHour), every (e.g. 15m) or cron"
            raise field_error("SyncSchedule", "selectedFrequency", "missing_series", message, None)
        if len(given) > 1:
            message = f"give only one of selectedFrequency, every and cron, not {' and '.join(given)}"
            raise field_error("SyncSchedule", given[1], "two_series", message, self._series_fields()[given[1]])
        if self.selected_frequency is None:  # Prefect's Custom run form sends every field, at its default if untouched
            for field, name in (("sync_hour", "syncHour"), ("frequency_options", "frequencyOptions")):
                if getattr(self, field) != type(self).model_fields[field].default:
                    message = f"{name} belongs to selectedFrequency (Codat's Daily | Monthly); {given[0]} says when"
                    raise field_error("SyncSchedule", name, "codat_only", message, getattr(self, field))
        return self

    @model_validator(mode="after")
    def _selected_is_offered(self) -> SyncSchedule:
        options, selected = self.frequency_options, self.selected_frequency
        if options is not None and selected is not None and selected not in options:
            offered = ", ".join(option.value for option in options) or "none"
            message = f"{selected.value!r} is not one of frequencyOptions ({offered})"
            raise field_error("SyncSchedule", "selectedFrequency", "frequency_not_offered", message, selected.value)
        return self

    @model_serializer(mode="wrap")
    def _as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only the fields of the series this schedule is: Codat's JSON stays Codat's JSON."""
        data: dict[str, Any] = handler(self)
        for name in self._unused_fields():
            data.pop(name, None)
            data.pop(type(self).model_fields[name].alias or name, None)
        return data

    def _series_fields(self) -> dict[str, Any]:
        return {"selectedFrequency": self.selected_frequency, "every": self.every, "cron": self.cron_expression}

    def _unused_fields(self) -> list[str]:
        unused = [name for name in ("every", "cron_expression", "frequency_options") if getattr(self, name) is None]
        if self.selected_frequency is None:
            unused += ["selected_frequency", "sync_hour"]
        return unused

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

        Daily → ``0 {h} * * *``; Monthly → ``0 {h} 1 * *``; ``every: 15m`` → ``*/15 * * * *``, ``every: 2h`` →
        ``0 */2 * * *``; a ``cron`` schedule → its expression.

        Prefect (croniter) has a DST quirk (``../shared/notes/prefect.md`` §6): a cron whose hour falls in the
        spring-forward gap fires an hour *early* (Berlin ``30 2 * * *`` fires at 01:30+01:00), where Codat's
        due date moves an hour *later* (03:00+02:00) and a cron's is skipped. That is harmless here because a
        run's period comes from due dates, not from when cron fired: the early run's latest due date is the
        previous one, so it finds nothing due (``sync_period`` → ``None``) and the next run catches up. On
        fall-back days cron fires once, at the first occurrence, which is the instant we use too; a grid's
        times in a gap are skipped by Prefect as they are here.
        """
        if self.cron_expression is not None:
            return self.cron_expression
        if self.every is not None:
            minutes = every_minutes(self.every)
            if minutes < 60:
                return f"*/{minutes} * * * *"
            return "0 * * * *" if minutes == 60 else f"0 */{minutes // 60} * * *"
        day_of_month = "*" if self.selected_frequency is Frequency.DAILY else "1"
        return f"0 {self.sync_hour} {day_of_month} * *"

    @property
    def summary(self) -> str:
        """One line for people: ``Daily at 02:00``, ``every 15m``, ``cron '0 5 * * 0'``, with the zone."""
        if self.cron_expression is not None:
            series = f"cron '{self.cron_expression}'"
        elif self.every is not None:
            series = f"every {self.every}"
        else:
            assert self.selected_frequency is not None  # one series is always given
            series = f"{self.selected_frequency.value} at {self.sync_hour:02d}:00"
        return f"{series} in {self.time_zone}"

    # -- due dates and periods ------------------------------------------------------------------------------

    def first_period_start(self) -> datetime:
        """Where the first run's period starts: ``startDate`` at ``syncHour`` (Codat), else at local midnight."""
        return wall_to_utc(self.start_date, self.sync_hour if self.selected_frequency else 0, self.zone)

    def first_due_date(self) -> datetime:
        """The first due date: the end of the first period, strictly after ``first_period_start()``."""
        return next(self._series().around(self.first_period_start()))

    def next_due_date(self, after: datetime) -> datetime:
        """The first due date strictly after ``after`` (never before ``first_due_date()``)."""
        after = require_aware(after, "after")
        return next(due for due in self._series().around(after) if due > after)

    def latest_due_date(self, at: datetime) -> datetime | None:
        """The latest due date at or before ``at``; ``None`` before the first due date."""
        at = require_aware(at, "at")
        latest = None
        for due in self._series().around(at):
            if due > at:
                return latest
            latest = due
        raise AssertionError("due dates never run out")

    def due_dates(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Due dates in ``[start, end]``, both ends included, ascending."""
        start, end = require_aware(start, "start"), require_aware(end, "end")  # raise now, not at next()
        return (due for due in self._due_dates_until(start, end) if due >= start)

    def sync_period(
        self, run_at: datetime, last_successful_due: datetime | None = None, *, manual: bool = False
    ) -> SyncPeriod | None:
        """The period a run at ``run_at`` syncs, or ``None`` when nothing is due yet.

        It starts at ``last_successful_due`` (where the last successful run ended), or at the first period's
        start. A scheduled run's period ends at the latest due date at or before ``run_at``: pass the run's
        scheduled time to keep a late run's period, or its real start time to let it pick up due dates that
        passed meanwhile. A ``manual`` run (a person's "sync now") ends at ``run_at`` itself, to the whole
        second: it syncs up to now, and the next scheduled run starts where it ended.
        """
        run_at = require_aware(run_at, "run_at")
        if last_successful_due is None:
            start = self.first_period_start()
        else:
            start = require_aware(last_successful_due, "last_successful_due")
        end = run_at.replace(microsecond=0) if manual else self.latest_due_date(run_at)
        if end is None or start >= end:
            return None
        return SyncPeriod(start=start, end=end)

    def _due_dates_until(self, start: datetime, end: datetime) -> Iterator[datetime]:
        for due in self._series().around(start):
            if due > end:
                return
            yield due

    def _series(self) -> CodatDays | WallGrid | CronWalls:
        origin = self.first_period_start()
        if self.cron_expression is not None:
            return CronWalls(origin, self.cron_expression, self.zone)
        if self.every is not None:
            return WallGrid(origin, every_minutes(self.every), self.zone)
        return CodatDays(origin, self.sync_hour, self.selected_frequency is Frequency.MONTHLY, self.zone)


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

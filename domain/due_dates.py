"""The three kinds of due-date series a ``SyncSchedule`` can be: Codat's days, a wall-clock grid, a cron.

Each is an endless, strictly increasing series of UTC instants after its ``origin`` (the first period's
start). ``around(moment)`` starts the series a little before ``moment`` — at or before the latest due date
at or before it — so the schedule's questions (next, latest, in a range) look at a handful of dates, not at
every date since ``startDate``. The DST rules are ``domain.wall_clock``'s: Codat's sync hour moves forward
over a gap; a grid or cron time in a gap is skipped; a time that happens twice counts once, at its first
occurrence.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count

from domain.cron import wall_times
from domain.wall_clock import grid_instant, wall_to_utc

_REPEATED_WALL_TIME = timedelta(hours=3)
"""How far past a moment's wall time the latest due date before it can sit: a time zone falling back repeats
an hour (two at most, in history) of wall times."""


EVERY_MINUTES = (5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720)
"""The steps of an ``every`` grid: each divides the hour (5m–30m) or the day in whole hours (1h–12h), so every
day has the same grid from midnight and a cron (``*/15 * * * *``, ``0 */2 * * *``) fires it."""


def every_minutes(spelling: str) -> int:
    """``15m`` → 15, ``2h`` → 120; ``ValueError`` naming the allowed steps for anything else."""
    found = re.fullmatch(r"\s*(\d+)\s*([mh])\s*", spelling, flags=re.IGNORECASE)
    minutes = int(found[1]) * (60 if found[2].lower() == "h" else 1) if found else 0
    if minutes not in EVERY_MINUTES:
        allowed = ", ".join(every_spelling(m) for m in EVERY_MINUTES)
        raise ValueError(f"{spelling!r} is not a step every takes; use one of {allowed}")
    return minutes


def every_spelling(minutes: int) -> str:
    return f"{minutes}m" if minutes < 60 else f"{minutes // 60}h"


def _increasing(candidates: Iterable[datetime | None], origin: datetime) -> Iterator[datetime]:
    """The candidates after ``origin`` that exist, each later than the one before (a repeat counts once)."""
    previous = origin
    for due in candidates:
        if due is not None and due > previous:
            yield due
            previous = due


@dataclass(frozen=True)
class CodatDays:
    """Codat's Daily or Monthly (on the 1st) series at one sync hour."""

    origin: datetime
    hour: int
    monthly: bool
    zone: zoneinfo.ZoneInfo

    def around(self, moment: datetime) -> Iterator[datetime]:
        # Two periods back, so a gap that pushes a due date past its own day cannot hide the latest one.
        days = self._days_from(max(moment, self.origin).astimezone(self.zone).date(), periods_back=2)
        # skips days up to the origin, and a day swallowed whole by a gap (Apia 2011)
        return _increasing((wall_to_utc(day, self.hour, self.zone) for day in days), self.origin)

    def _days_from(self, around: date, periods_back: int) -> Iterator[date]:
        """Local days that carry a sync hour, from ``periods_back`` periods before ``around``, endless."""
        if not self.monthly:
            day = around - timedelta(days=periods_back)
            while True:
                yield day
                day += timedelta(days=1)
        months = around.year * 12 + around.month - 1 - periods_back
        while True:
            yield date(months // 12, months % 12 + 1, 1)
            months += 1


@dataclass(frozen=True)
class WallGrid:
    """Every ``step`` minutes of local wall time from midnight (the step divides the day)."""

    origin: datetime
    step: int
    zone: zoneinfo.ZoneInfo

    def around(self, moment: datetime) -> Iterator[datetime]:
        # the latest due date before the moment is at most a step and a gap back; its wall time may also be a
        # little *past* the moment's (a repeated hour), which starting earlier covers too
        local = max(moment, self.origin).astimezone(self.zone).replace(tzinfo=None)
        back = local - timedelta(minutes=self.step) - _REPEATED_WALL_TIME
        since_midnight = (back - datetime.combine(back.date(), time())) // timedelta(minutes=self.step)
        first = datetime.combine(back.date(), time()) + since_midnight * timedelta(minutes=self.step)
        walls = (first + n * timedelta(minutes=self.step) for n in count())
        return _increasing((grid_instant(wall, self.zone) for wall in walls), self.origin)


@dataclass(frozen=True)
class CronWalls:
    """The wall times a five-field cron expression matches, in the schedule's zone."""

    origin: datetime
    expression: str
    zone: zoneinfo.ZoneInfo

    def around(self, moment: datetime) -> Iterator[datetime]:
        walls = wall_times(self.expression, self._start(max(moment, self.origin)))
        return _increasing((grid_instant(wall, self.zone) for wall in walls), self.origin)

    def _start(self, moment: datetime) -> datetime:
        """A wall time just before the latest due date at or before ``moment`` (or the origin's wall time).

        Walks back from a little past the moment's wall time: wall times and their instants rise together (a
        repeated wall time is its first occurrence), so the first one back whose instant is not after the
        moment is the latest due date."""
        origin_wall = self.origin.astimezone(self.zone).replace(tzinfo=None)
        local = moment.astimezone(self.zone).replace(tzinfo=None, microsecond=0)
        for wall in wall_times(self.expression, local + _REPEATED_WALL_TIME, reverse=True):
            if wall <= origin_wall:
                break
            due = grid_instant(wall, self.zone)
            if due is not None and due <= moment:
                return wall - timedelta(seconds=1)
        return origin_wall

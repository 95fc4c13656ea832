"""Five-field cron expressions as text: checked, read as wall times, and shifted a few minutes.

Parsing and matching are cronsim's (installed with Prefect, which validates deployment crons the same way);
this module adds what a schedule needs around it:

- ``check_cron`` refuses anything but the classic five fields (minute hour day-of-month month day-of-week),
  so a six-field expression with seconds, or a ``@daily`` macro, is an error here and not a surprise at deploy;
- ``wall_times`` iterates the expression over *naive* wall times: cronsim applies its own DST rules to aware
  datetimes, and the schedule applies the package's (``domain.wall_clock.grid_instant``) instead;
- ``staggered`` and ``minute_gap`` let the deployment builder fire same-category syncs a few minutes apart
  without any of them reaching its own next due date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from cronsim import CronSim, CronSimError

_FIELD = re.compile(r"^[0-9A-Za-z*,/#-]+$")
_ANCHOR = datetime(2000, 1, 1)


def check_cron(expression: str) -> str:
    """``expression`` with single spaces between its five fields; ``ValueError`` saying what is wrong."""
    if not isinstance(expression, str):
        raise TypeError(f"a cron expression is text, got {type(expression).__name__}")
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expression!r} has {len(fields)} fields; a cron expression has five: minute hour day-of-month month "
            "day-of-week (e.g. '*/10 8-18 * * 1-5')"
        )
    for field in fields:
        if not _FIELD.match(field):
            raise ValueError(f"{expression!r}: {field!r} is not a cron field")
    normal = " ".join(fields)
    try:
        CronSim(normal, _ANCHOR)
    except CronSimError as exc:
        raise ValueError(f"{expression!r}: {str(exc).lower()} field") from None
    return normal


def wall_times(expression: str, after: datetime, *, reverse: bool = False) -> Iterator[datetime]:
    """The naive wall times ``expression`` matches, strictly after ``after`` (before it with ``reverse``)."""
    return CronSim(expression, after.replace(tzinfo=None), reverse=reverse)


def minutes_of(expression: str) -> list[int]:
    """The minutes of the hour the expression fires at, ascending."""
    return sorted(CronSim(expression, _ANCHOR).minutes)


def minute_gap(expression: str) -> int:
    """The least time, in minutes, between two consecutive firings: a lower bound read off the minute field
    (the gap from the last minute of an hour to the first of the next counts too)."""
    minutes = minutes_of(expression)
    return min(b - a for a, b in zip(minutes, [*minutes[1:], minutes[0] + 60], strict=True))


def staggered(expression: str, offset: int) -> str:
    """``expression`` firing ``offset`` minutes later within each hour; ``ValueError`` when a minute would leave
    the hour (the hour field cannot follow it there)."""
    if offset == 0:
        return expression
    shifted = [minute + offset for minute in minutes_of(expression)]
    if shifted[-1] > 59:
        raise ValueError(f"cannot fire {expression!r} {offset} minutes later within the hour")
    return f"{_minute_field(shifted)} {expression.split(' ', 1)[1]}"


def _minute_field(minutes: list[int]) -> str:
    """``2-59/15`` for a step that runs to the end of the hour, else the list (``5`` or ``5,35``)."""
    steps = {b - a for a, b in zip(minutes, minutes[1:], strict=False)}
    if len(minutes) > 2 and len(steps) == 1:
        (step,) = steps
        if minutes[-1] + step > 59:
            return f"{minutes[0]}-59/{step}"
    return ",".join(str(minute) for minute in minutes)

"""Wall clock ↔ instant in an IANA time zone: the DST rules every schedule in this package shares.

Kept apart from the schedule model so the rules that matter and the zone-name handling can be read and tested
on their own. A wall time that happens twice (fall back) is always its first occurrence. A wall time that never
happens (spring forward) depends on what it is:

- Codat's one sync hour a day (``wall_to_utc``) moves forward by the gap, the way wall clocks do, so the day
  still has its due date;
- a time on a grid (``every``, ``cron``: ``grid_instant``) is skipped: the grid's next time comes soon, and
  moving it could land it on, or past, that next time.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

DEFAULT_TIME_ZONE = "Etc/UTC"


def require_aware(value: datetime, name: str) -> datetime:
    """``value`` in UTC, as a plain ``datetime`` (Prefect hands out pendulum's subclass, whose arithmetic
    differs); a naive datetime is refused because its instant would be a guess."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    utc = value.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=UTC)


@lru_cache(maxsize=1)
def _zone_names_by_lowercase() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def canonical_zone_name(name: str) -> str:
    """The IANA key for ``name``, matched case-insensitively (Codat's own docs write ``ETC/Utc``)."""
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (KeyError, ValueError, OSError):  # not found, not a relative key, or not a TZif file
        pass
    canonical = _zone_names_by_lowercase().get(name.lower())
    if canonical is None:
        raise ValueError(f"unknown IANA time zone {name!r} (examples: 'Europe/Prague', 'Etc/UTC')")
    return canonical


def field_error(model: str, field: str, kind: str, message: str, value: Any) -> ValidationError:
    """A ValidationError whose ``loc`` names ``field``, for checks that need more than one field."""
    detail = InitErrorDetails(type=PydanticCustomError(kind, message), loc=(field,), input=value)
    return ValidationError.from_exception_data(model, [detail])


def wall_to_utc(day: date, hour: int, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant the wall clock in ``zone`` shows ``day`` at ``hour``:00.

    Overlap (the hour happens twice): fold=0, the earlier instant. Gap (the hour never happens): detected by
    the round trip through UTC not landing on the same wall time, then moved forward by the gap's length.
    """
    wall = datetime.combine(day, time(hour))
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # PEP 495 reads a gap time with fold=0 as this same instant; spelling the shift out states our rule.
    after, before = wall.replace(tzinfo=zone, fold=1).utcoffset(), wall.replace(tzinfo=zone, fold=0).utcoffset()
    assert after is not None and before is not None  # a ZoneInfo always knows its offset
    gap = after - before
    return (wall + gap).replace(tzinfo=zone).astimezone(UTC)


def grid_instant(wall: datetime, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The instant the naive wall time ``wall`` happens in ``zone`` (its first occurrence when it happens
    twice), or ``None`` when it never happens (a spring-forward gap or a day a zone skipped)."""
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def zone_or_none(name: Any) -> zoneinfo.ZoneInfo | None:
    """The zone ``name`` stands for (``None`` → UTC), or ``None`` when it is not a valid zone name."""
    if name is None:
        return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)
    if not isinstance(name, str):
        return None
    try:
        return zoneinfo.ZoneInfo(canonical_zone_name(name))
    except ValueError:
        return None

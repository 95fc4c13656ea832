"""Time for the emulator: an injectable clock, and POHODA's way of writing time.

POHODA keeps local wall-clock times without an offset (``2025-01-06T09:00:00`` in Prague), so every time the
emulator writes — ``dateTimeStamp``, ``lastChanges`` filters it reads — is naive local time in the company's
zone. Inside, records carry aware UTC times from the clock; conversion happens only here, at the XML edge.
A client that sends a ``lastChanges`` *with* an offset gets it honoured (lxml/xsd accept both forms).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class FakeClock:
    """A clock that moves only when told to (``advance(seconds)``), for lastChanges tests."""

    def __init__(self, start: datetime | None = None):
        self._now = (start or datetime(2025, 3, 1, 8, 0, tzinfo=UTC)).astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now.replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


def local_text(moment: datetime, zone: str) -> str:
    """``2025-01-06T09:00:00``: the aware ``moment`` as POHODA writes it (local, no offset, whole seconds)."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0).isoformat()


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def parse_datetime(text: str, zone: str) -> datetime:
    """An xsd:dateTime from a request as aware UTC; without an offset it is local time in ``zone``."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)


def parse_date(text: str) -> date:
    return date.fromisoformat(text.strip()[:10])

"""Time for the emulator, injectable so tests control ``updatedAt`` values and the bucket's refill.

Two readings because they serve different purposes: ``now()`` stamps records (UTC, whole seconds, as Shopify
stores them — ties at the second are real and clients must cope with them), ``monotonic()`` drives the leaky
bucket so a wall-clock jump never refills or drains it.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to: ``advance(seconds)`` moves both readings together."""

    def __init__(self, start: datetime | None = None):
        self._now = (start or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now.replace(microsecond=0)

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds

"""Shopify's leaky bucket, one per access token: ``maximumAvailable`` points, refilled at ``restoreRate``/s.

A request reserves its *requested* cost before it runs (short → THROTTLED, nothing runs) and is refunded the
difference to its *actual* cost afterwards. Time comes from the injectable clock, so tests move it by hand.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .clock import Clock


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def as_json(self) -> dict:
        return {
            "maximumAvailable": _number(self.maximum_available),
            "currentlyAvailable": _number(self.currently_available),
            "restoreRate": _number(self.restore_rate),
        }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


class LeakyBucket:
    def __init__(self, maximum_available: float, restore_rate: float, clock: Clock):
        self.maximum_available = float(maximum_available)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._level = self.maximum_available
        self._at = clock.monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock.monotonic()
        self._level = min(self.maximum_available, self._level + (now - self._at) * self.restore_rate)
        self._at = now

    def try_reserve(self, cost: int) -> bool:
        """Take ``cost`` points if the bucket holds them; False (and nothing taken) when it does not."""
        with self._lock:
            self._refill()
            if cost > self._level:
                return False
            self._level -= cost
            return True

    def refund(self, points: int) -> None:
        with self._lock:
            self._refill()
            self._level = min(self.maximum_available, self._level + max(points, 0))

    def status(self) -> ThrottleStatus:
        with self._lock:
            self._refill()
            return ThrottleStatus(self.maximum_available, int(self._level), self.restore_rate)


class BucketRegistry:
    """One bucket per access token, created full on first use."""

    def __init__(self, maximum_available: float, restore_rate: float, clock: Clock):
        self.maximum_available = maximum_available
        self.restore_rate = restore_rate
        self._clock = clock
        self._buckets: dict[str, LeakyBucket] = {}
        self._lock = threading.Lock()

    def for_token(self, token: str) -> LeakyBucket:
        with self._lock:
            bucket = self._buckets.get(token)
            if bucket is None:
                bucket = self._buckets[token] = LeakyBucket(self.maximum_available, self.restore_rate, self._clock)
            return bucket

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

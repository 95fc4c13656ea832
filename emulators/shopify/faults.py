"""Seeded fault decisions: which GraphQL request fails, and how (see ``FaultConfig`` for the kinds).

The injector redraws its ``random.Random`` from ``FaultConfig.seed`` whenever the config is replaced, so a
test that sets a config and replays the same calls sees the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from .config import FaultConfig


@dataclass(frozen=True)
class FaultDecision:
    latency: float = 0.0
    hang: float = 0.0  # seconds to wait before executing (a client timeout fires meanwhile)
    status: int | None = None  # 5xx or 429: answer this instead of executing
    throttled: bool = False
    drop_after_apply: bool = False

    @property
    def short_circuits(self) -> bool:
        return self.status is not None or self.throttled


class FaultInjector:
    def __init__(self, config: FaultConfig | None = None):
        self._lock = threading.Lock()
        self.set(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        return self._config

    def set(self, config: FaultConfig) -> None:
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)

    def draw(self) -> FaultDecision:
        """One decision per GraphQL request; every share is drawn in a fixed order so runs are repeatable."""
        with self._lock:
            c, rng = self._config, self._rng
            rolls = [rng.random() for _ in range(5)]
            status_pick = rng.choice(c.error_5xx_statuses) if c.error_5xx_statuses else 503
            hang = c.timeout_seconds if rolls[0] < c.timeout else 0.0
            status = None
            if rolls[1] < c.error_5xx:
                status = status_pick
            elif rolls[2] < c.rate_429:
                status = 429
            throttled = status is None and rolls[3] < c.throttled
            return FaultDecision(
                latency=c.latency,
                hang=hang,
                status=status,
                throttled=throttled,
                drop_after_apply=rolls[4] < c.drop_after_apply,
            )

    def bulk_fails(self) -> str | None:
        """The errorCode a new bulk operation ends with, or None when it completes."""
        with self._lock:
            if self._config.bulk_fail and self._rng.random() < self._config.bulk_fail:
                return self._config.bulk_error_code
            return None

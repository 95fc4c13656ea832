"""Seeded fault decisions for ``POST /xml`` (see :class:`~emulators.pohoda.config.FaultConfig`).

The injector redraws its ``random.Random`` from ``FaultConfig.seed`` whenever the config is replaced, so a test
that sets a config and replays the same calls sees the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from .config import FaultConfig


@dataclass(frozen=True)
class FaultDecision:
    latency: float = 0.0
    status: int | None = None  # 5xx: answer this without processing
    busy: bool = False
    drop_after_apply: bool = False


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
        """One decision per request; every share is drawn in a fixed order so runs are repeatable."""
        with self._lock:
            c, rng = self._config, self._rng
            rolls = [rng.random() for _ in range(3)]
            pick = rng.choice(c.error_5xx_statuses) if c.error_5xx_statuses else 503
            status = pick if rolls[0] < c.error_5xx else None
            busy = status is None and rolls[1] < c.busy
            return FaultDecision(c.latency, status, busy, rolls[2] < c.drop_after_apply)

"""Which ``POST /xml`` request fails, and how: mServer's shares (see :class:`~emulators.pohoda.config.FaultConfig`)
drawn by the injector both emulators share (:mod:`emulators.faults`, which also runs the script of exact
failures)."""

from __future__ import annotations

import random

from emulators.faults import FaultDecision, SeededFaults

from .config import FaultConfig


class FaultInjector(SeededFaults[FaultConfig]):
    def _roll(self, config: FaultConfig, rng: random.Random) -> FaultDecision:
        """Every share is drawn in a fixed order, whatever the earlier ones gave, so runs are repeatable."""
        c = config
        rolls = [rng.random() for _ in range(3)]
        pick = rng.choice(c.error_5xx_statuses) if c.error_5xx_statuses else 503
        status = pick if rolls[0] < c.error_5xx else None
        return FaultDecision(
            latency=c.latency,
            status=status,
            busy=status is None and rolls[1] < c.busy,
            drop_after_apply=rolls[2] < c.drop_after_apply,
        )

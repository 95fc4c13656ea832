"""Which GraphQL request fails, and how: Shopify's shares (see ``FaultConfig`` for the kinds) drawn by the
injector both emulators share (:mod:`emulators.faults`, which also runs the script of exact failures)."""

from __future__ import annotations

import random

from emulators.faults import FaultDecision, SeededFaults

from .config import FaultConfig


class FaultInjector(SeededFaults[FaultConfig]):
    def _roll(self, config: FaultConfig, rng: random.Random) -> FaultDecision:
        """Every share is drawn in a fixed order, whatever the earlier ones gave, so runs are repeatable."""
        c = config
        rolls = [rng.random() for _ in range(5)]
        status_pick = rng.choice(c.error_5xx_statuses) if c.error_5xx_statuses else 503
        status = None
        if rolls[1] < c.error_5xx:
            status = status_pick
        elif rolls[2] < c.rate_429:
            status = 429
        return FaultDecision(
            latency=c.latency,
            hang=c.timeout_seconds if rolls[0] < c.timeout else 0.0,
            status=status,
            throttled=status is None and rolls[3] < c.throttled,
            drop_after_apply=rolls[4] < c.drop_after_apply,
        )

    def bulk_fails(self) -> str | None:
        """The errorCode a new bulk operation ends with, or None when it completes."""
        return self.config.bulk_error_code if self.chance(self.config.bulk_fail) else None

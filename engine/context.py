"""``SyncContext``: what every task of a run needs to know, as a small serialisable value.

Tasks receive this (and their page/chunk/batch), never a client: the UI shows it as the task's input, and the
task rebuilds its connectors from the shop name (``engine.resources``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from domain.models import UtcDatetime
from engine.opening import RunKind


class SyncContext(BaseModel):
    shop: str
    sync_type: str
    idempotency_scope: str = ""
    """What idempotency keys are scoped to, besides shop and period end: the sync type unless given. A run that
    writes through another sync's tasks (reconcile's repair) names its own, instead of posing as another sync
    type (``sync_type`` also names the run's cursor, record and artifacts)."""
    run_id: int | None = None
    period_start: UtcDatetime | None = None
    period_end: UtcDatetime | None = None
    previous_position: UtcDatetime | None = None
    overridden: bool = False
    kind: RunKind = RunKind.SCHEDULED
    """Who started the run (``engine.opening``); with ``reason``, what its summary says about its period."""
    reason: str = ""
    dry_run: bool = False
    retry_keys: list[str] = Field(default_factory=list)
    filters: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _scope_defaults_to_the_sync_type(self) -> SyncContext:
        self.idempotency_scope = self.idempotency_scope or self.sync_type
        return self

    @property
    def nothing_due(self) -> bool:
        """No period to work on: a scheduled run whose due date an earlier run already covered, or any run
        before the schedule's start. A run of a ``PENDING_WORK`` sync always reaches up to now, so this stops
        it only before the start."""
        return self.period_end is None

    @property
    def is_first_run(self) -> bool:
        return self.previous_position is None and not self.overridden

    @property
    def scope(self) -> str:
        """A stable id of this shop's period: idempotency keys derived from it repeat on a retried run."""
        end = self.period_end.isoformat() if self.period_end else "none"
        return f"{self.shop}/{self.idempotency_scope}/{end}"

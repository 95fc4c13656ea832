"""Flow parameters: one pydantic model per flow, so the Prefect UI renders a usable form for ad-hoc runs."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from domain.models import UtcDatetime
from domain.schedule import SyncSchedule


class SyncParams(BaseModel):
    shop: str = Field(title="Shop", description="Name of the ShopifyShop block to sync.", min_length=1)
    period_start: UtcDatetime | None = Field(
        default=None,
        title="Period start (override)",
        description="Re-run a past window on purpose: give start and end. The cursor is not moved. "
        "Empty: a run you start syncs from where the last successful run ended up to now.",
    )
    period_end: UtcDatetime | None = Field(default=None, title="Period end (override, excluded)")
    dry_run: bool = Field(default=False, title="Dry run", description="Read and compare, write nothing.")
    schedule: SyncSchedule | None = Field(
        default=None,
        title="Schedule (set by the deployment)",
        description="The due-date series this deployment's cron was rendered from (shops.yaml); a scheduled run "
        "covers its due-date period on it. Empty: the shop block's schedule.",
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> SyncParams:
        if (self.period_start is None) != (self.period_end is None):
            field = "period_end" if self.period_end is None else "period_start"
            raise ValueError(f"{field}: give both period_start and period_end, or neither")
        if self.period_start and self.period_end and self.period_start >= self.period_end:
            raise ValueError("period_end: must be after period_start")
        return self

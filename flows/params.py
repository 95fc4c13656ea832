"""Flow parameters: one pydantic model per flow, so the Prefect UI renders a usable form for ad-hoc runs.

Mistakes are refused, not guessed at: an unknown key (``dryrun`` for ``dry_run``) is an error, since a silently
dropped ``dry_run`` turns a rehearsal into a writing run. The models forbid extras, which pydantic renders as
``additionalProperties: false`` in the deployment's parameter schema, so the Prefect API refuses a bad key
(UI form, JSON mode, ``run_deployment``) before any worker starts. The rule "both period ends or neither" is in
the schema too (``_PERIOD_PAIRS``), and the validator repeats it for runs that bypass the API's check.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.models import UtcDatetime
from domain.schedule import SyncSchedule


def _given(name: str) -> dict[str, Any]:
    """JSON schema: the property is present and not null (the UI may send an emptied field as null)."""
    return {"required": [name], "properties": {name: {"type": "string"}}}


_PERIOD_PAIRS: dict[str, Any] = {
    "allOf": [
        {"if": _given("period_start"), "then": _given("period_end")},
        {"if": _given("period_end"), "then": _given("period_start")},
    ]
}
"""The cross-field rule as JSON schema, which the Prefect API checks when a run is created from a deployment."""


class SyncParams(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Sync parameters", json_schema_extra=_PERIOD_PAIRS)

    shop: str = Field(title="Shop", description="Name of the ShopifyShop block to sync.", min_length=1)
    period_start: UtcDatetime | None = Field(
        default=None,
        title="Period start (override)",
        description="Re-run a past window on purpose: give start and end. The cursor is not moved. "
        "Empty: a run you start syncs from where the last successful run ended up to now.",
    )
    period_end: UtcDatetime | None = Field(
        default=None,
        title="Period end (override, excluded)",
        description="End of the re-run window, not included; required with a period start.",
    )
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

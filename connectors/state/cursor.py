"""The sync cursor: the committed high-water mark of one (shop, sync type), a plain value.

Modelled on Meltano's signpost: the upper bound of a run is fixed *before* the first fetch (the signpost),
and the cursor is promoted to it only after the last page. Anything changed while the run was fetching has
a timestamp at or after the signpost, so the next run picks it up; a run that fails half-way commits
nothing, so the next run repeats the whole period. The staging table dedupes what the repeat re-reads.

For schedule-driven flows the signpost is the latest due date and ``position`` the due date of the last
successful run, which gives the half-open ``[last due, latest due)`` period of DESIGN.md; the period itself
is ``domain.schedule.SyncPeriod``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.models import UtcDatetime

__all__ = ["Cursor"]


class Cursor(BaseModel):
    """The committed high-water mark of one (shop, sync type), plus free-form JSON ``extra``.

    ``position`` is ``None`` until the first successful run. ``extra`` holds what a flow must carry between
    runs besides a time (a bulk operation id to resume polling, a last seen ERP change number).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    shop: str
    sync_type: str
    position: UtcDatetime | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    updated_at: UtcDatetime | None = None

    @field_validator("shop", "sync_type")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

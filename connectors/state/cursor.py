"""The sync cursor and the window a run covers: plain values, testable without a database.

Modelled on Meltano's signpost: the upper bound of a run is fixed *before* the first fetch (the signpost),
and the cursor is promoted to it only after the last page. Anything changed while the run was fetching has
a timestamp at or after the signpost, so the next run picks it up; a run that fails half-way commits
nothing, so the next run repeats the whole window. The staging table dedupes what the repeat re-reads.

For schedule-driven flows the signpost is the latest due date and ``position`` the due date of the last
successful run, which gives the half-open ``[last due, latest due)`` period of DESIGN.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from domain.models import UtcDatetime

__all__ = ["Cursor", "SyncWindow"]

_UTC: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SyncWindow(_Frozen):
    """What one run of ``sync_type`` for ``shop`` covers: ``[start, signpost)``.

    ``committed`` is the cursor position the window was opened from; ``start`` may sit earlier by an
    overlap (clock skew between us and the shop) and is ``None`` for "from the beginning".
    """

    shop: str
    sync_type: str
    committed: UtcDatetime | None
    start: UtcDatetime | None
    signpost: UtcDatetime

    @property
    def is_empty(self) -> bool:
        """Nothing is due: the signpost is not past the committed position (e.g. a run fired early)."""
        return self.committed is not None and self.signpost <= self.committed

    def contains(self, moment: datetime) -> bool:
        """Whether a record stamped ``moment`` belongs to this window (half-open: the signpost is excluded)."""
        probe = _UTC.validate_python(moment)
        return (self.start is None or self.start <= probe) and probe < self.signpost


class Cursor(_Frozen):
    """The committed high-water mark of one (shop, sync type), plus free-form JSON ``extra``.

    ``position`` is ``None`` until the first successful run. ``extra`` holds what a flow must carry between
    runs besides a time (a bulk operation id to resume polling, a last seen ERP change number).
    """

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

    def open_window(
        self,
        signpost: datetime,
        *,
        initial: datetime | None = None,
        overlap: timedelta = timedelta(0),
    ) -> SyncWindow:
        """Fix the signpost and derive where fetching starts.

        ``initial`` is the start of the very first run (BC uses 2004-01-01, a schedule its ``startDate`` at
        the sync hour); ``overlap`` re-reads a little before the committed position to absorb clock skew.
        """
        if overlap < timedelta(0):
            raise ValueError(f"cursor {self.shop}/{self.sync_type}: overlap must not be negative")
        base = self.position if self.position is not None else initial
        start = base - overlap if base is not None else None
        return SyncWindow(
            shop=self.shop,
            sync_type=self.sync_type,
            committed=self.position,
            start=start,
            signpost=signpost,
        )

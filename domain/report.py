"""What one sync run did: counts and failed records, merged from every task of the run.

Tasks return a ``SyncReport`` for their page/chunk/batch; the flow adds them up, stores the total as the run
record and publishes it as artifacts. A failed record is data (record, field, reason), never an exception that
would cost the rest of the batch.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["FailedRecord", "SyncReport"]


class FailedRecord(BaseModel):
    record: str
    field: str | None = None
    reason: str

    def as_row(self) -> dict[str, str]:
        return {"record": self.record, "field": self.field or "", "reason": self.reason}


class SyncReport(BaseModel):
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[FailedRecord] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def fail(self, record: str, reason: str, field: str | None = None) -> None:
        self.failed += 1
        self.failures.append(FailedRecord(record=record, field=field, reason=reason))

    def __add__(self, other: SyncReport) -> SyncReport:
        return SyncReport(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            skipped=self.skipped + other.skipped,
            failed=self.failed + other.failed,
            failures=[*self.failures, *other.failures],
            notes=[*self.notes, *other.notes],
        )

    @property
    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped, "failed": self.failed}

    def markdown(self, title: str, period: tuple[datetime, datetime] | None) -> str:
        """The run summary the Prefect UI shows: period, counts and the first failures."""
        lines = [f"# {title}", ""]
        if period:
            lines.append(f"**Period:** `{period[0].isoformat()}` → `{period[1].isoformat()}` (half-open)")
        else:
            lines.append("**Period:** nothing due")
        lines += [
            "",
            "| created | updated | skipped | failed |",
            "|---:|---:|---:|---:|",
            f"| {self.created} | {self.updated} | {self.skipped} | {self.failed} |",
        ]
        if self.notes:
            lines += ["", *[f"- {note}" for note in self.notes]]
        if self.failures:
            lines += ["", f"{len(self.failures)} failed record(s); see the failures table artifact."]
        return "\n".join(lines)

"""What a task hands back to its flow: small typed values instead of positional tuples.

Every task reports what it did (a ``SyncReport``) and may name records the next run must try again; a task
over one page of a listing also says where the next page starts. Flows add these up with ``RunHandle.add`` and
walk a listing with ``RunHandle.pages``. Frozen dataclasses, so Prefect can pickle them as task results; a
task with more to say subclasses one (``tasks.categories.MembersPage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from domain.report import SyncReport

__all__ = ["Outcome", "PageOutcome"]

C = TypeVar("C")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one task did, and the records (keys or GIDs) the next run must try again."""

    report: SyncReport
    retry_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class PageOutcome(Outcome, Generic[C]):
    """One page of a listing: also where the next page starts (``None``: this was the last page).

    The cursor is whatever the listing resumes from: the shop's or the ERP's opaque cursor (a ``str``), or for
    a listing without one, the records this run has passed over so far.
    """

    next_cursor: C | None = None

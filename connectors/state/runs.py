"""Run records in ``cs_runs``: one row per flow run — its period, outcome, counts and record errors.

Prefect keeps its own run history, but it is purged on its own schedule and knows nothing of "which orders
failed and why"; this table is what the maintenance flow and a data engineer read to answer that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from connectors.state._base import StoreBase, require_key, require_utc
from connectors.state.errors import RecordNotFound
from connectors.state.schema import runs

__all__ = ["RunRecord", "RunStatus", "RunStore"]

_ERROR_KEYS = ("record", "field", "reason")


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"  # every record went through
    PARTIAL = "partial"  # the run finished, but some records failed (listed in ``errors``)
    FAILED = "failed"  # the run stopped; its cursor was not committed
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RunRecord:
    id: int
    shop: str
    sync_type: str
    flow_run_id: str | None
    period_start: datetime | None
    period_end: datetime | None
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    errors: list[dict[str, str | None]]


class RunStore(StoreBase):
    """Run records per (shop, sync type)."""

    def start_run(
        self,
        shop: str,
        sync_type: str,
        flow_run_id: str | None,
        period_start: datetime | None,
        period_end: datetime | None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Record a run as ``running`` and return its id (pass it to :meth:`finish_run`)."""
        record = f"run of {shop}/{sync_type}"
        require_key(shop, "shop", record)
        require_key(sync_type, "sync_type", record)
        values: dict[str, Any] = {
            "shop": shop,
            "sync_type": sync_type,
            "flow_run_id": str(flow_run_id) if flow_run_id is not None else None,
            "period_start": require_utc(period_start, "period_start", record) if period_start is not None else None,
            "period_end": require_utc(period_end, "period_end", record) if period_end is not None else None,
            "status": RunStatus.RUNNING.value,
            "started_at": self._now(),
            "counts": {},
            "errors": [],
        }
        with self._write(conn) as c:
            key = c.execute(sa.insert(runs).values(values)).inserted_primary_key
        if key is None:  # SQLAlchemy types it optional; a single-row INSERT without RETURNING always has one
            raise RuntimeError(f"{record}: the database returned no id for the new run")
        return int(key[0])

    def finish_run(
        self,
        run_id: int,
        status: RunStatus | str,
        counts: Mapping[str, int] | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        conn: sa.Connection | None = None,
    ) -> None:
        """Close a run with its outcome; ``errors`` are ``{"record", "field", "reason"}`` dicts."""
        record = f"run {run_id}"
        final = RunStatus(status)
        if final is RunStatus.RUNNING:
            raise ValueError(f"{record}: status must be a final one, not 'running'")
        clean_counts = {}
        for name, value in (counts or {}).items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{record}: count {name!r} must be an int, got {value!r}")
            clean_counts[str(name)] = value
        clean_errors = [_error_entry(record, i, entry) for i, entry in enumerate(errors)]
        with self._write(conn) as c:
            result = c.execute(
                sa.update(runs)
                .where(runs.c.id == run_id)
                .values(status=final.value, finished_at=self._now(), counts=clean_counts, errors=clean_errors)
            )
            if result.rowcount == 0:
                raise RecordNotFound(f"{record} does not exist")

    def list_runs(
        self, shop: str, sync_type: str | None = None, limit: int = 50, *, conn: sa.Connection | None = None
    ) -> list[RunRecord]:
        """The most recent runs first."""
        query = sa.select(runs).where(runs.c.shop == shop)
        if sync_type is not None:
            query = query.where(runs.c.sync_type == sync_type)
        query = query.order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
        with self._read(conn) as c:
            return [_run(row) for row in c.execute(query)]

    def purge_runs(self, older_than: datetime, *, shop: str | None = None, conn: sa.Connection | None = None) -> int:
        """Delete runs that ended (or, if they never ended — a crash — started) before ``older_than``."""
        cutoff = require_utc(older_than, "older_than")
        query = sa.delete(runs).where(sa.func.coalesce(runs.c.finished_at, runs.c.started_at) < cutoff)
        if shop is not None:
            query = query.where(runs.c.shop == shop)
        with self._write(conn) as c:
            return int(c.execute(query).rowcount)


def _error_entry(record: str, index: int, entry: Mapping[str, Any]) -> dict[str, str | None]:
    if not isinstance(entry, Mapping) or set(entry) != set(_ERROR_KEYS):
        raise ValueError(f"{record}: errors[{index}] must have exactly the keys record, field, reason; got {entry!r}")
    if not entry["reason"]:
        raise ValueError(f"{record}: errors[{index}].reason must not be empty")
    return {key: None if entry[key] is None else str(entry[key]) for key in _ERROR_KEYS}


def _run(row: sa.Row[Any]) -> RunRecord:
    return RunRecord(
        id=row.id,
        shop=row.shop,
        sync_type=row.sync_type,
        flow_run_id=row.flow_run_id,
        period_start=row.period_start,
        period_end=row.period_end,
        status=RunStatus(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=dict(row.counts or {}),
        errors=list(row.errors or []),
    )

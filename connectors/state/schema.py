"""The state store's tables (prefix ``cs_``), one SQLAlchemy Core definition for SQLite and PostgreSQL.

Why these shapes:
- Every table is keyed by ``shop`` first: one database serves several shops, and a purge or a lookup never
  crosses shops by accident.
- Datetimes go through :class:`UtcDateTime`, so SQLite (which has no time zones and hands back naive values)
  and PostgreSQL (``timestamptz``, returned in the session's zone) both give back aware UTC.
- ``cs_staged_orders.erp_signature`` keeps the lines signature the ERP document was built from, separate from
  the signature of the latest shop version, so an edit can be judged against what the ERP really holds.
- ``cs_staged_orders.skip_reason`` says why an order the import conditions turned away is ``skipped``; the
  row stays, so the next fetch of the order can judge it again and queue it once it matches.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "STAGED_STATUSES",
    "RUN_STATUSES",
    "UtcDateTime",
    "cursors",
    "hashes",
    "id_mappings",
    "metadata",
    "runs",
    "staged_orders",
]

STAGED_STATUSES = ("pending", "done", "failed", "conflict", "skipped", "cancelling", "cancelled")
RUN_STATUSES = ("running", "completed", "partial", "failed", "cancelled")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware-UTC datetimes in, aware-UTC datetimes out, on every dialect.

    SQLite stores the naive UTC wall time (its text format sorts correctly, so ``<`` in SQL still works);
    PostgreSQL stores ``timestamptz``. Naive input is refused: it is the classic cause of a cursor an hour off.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise ValueError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError("datetime must be timezone-aware (naive datetimes are ambiguous)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

KEY = sa.String(255)

cursors = sa.Table(
    "cs_cursors",
    metadata,
    sa.Column("shop", KEY, primary_key=True),
    sa.Column("sync_type", sa.String(64), primary_key=True),
    sa.Column("position", UtcDateTime(), nullable=True),
    sa.Column("extra", sa.JSON(), nullable=False, default=dict),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

staged_orders = sa.Table(
    "cs_staged_orders",
    metadata,
    sa.Column("shop", KEY, primary_key=True),
    sa.Column("shop_id", KEY, primary_key=True),
    sa.Column("name", KEY, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("order_json", sa.Text(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("lines_signature", sa.String(64), nullable=False),
    sa.Column("erp_key", KEY, nullable=True),
    sa.Column("erp_signature", sa.String(64), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, default=0),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("conflict_reason", sa.Text(), nullable=True),
    sa.Column("skip_reason", sa.Text(), nullable=True),
    sa.Column("staged_at", UtcDateTime(), nullable=False),
    sa.Column("changed_at", UtcDateTime(), nullable=False),
    sa.Column("done_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint(f"status IN {STAGED_STATUSES!r}", name="status"),
    sa.Index(None, "shop", "status", "created_at"),
    sa.Index(None, "status", "done_at"),
)

id_mappings = sa.Table(
    "cs_id_mappings",
    metadata,
    sa.Column("shop", KEY, primary_key=True),
    sa.Column("entity", sa.String(64), primary_key=True),
    sa.Column("erp_key", KEY, primary_key=True),
    sa.Column("shop_id", KEY, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("shop", "entity", "shop_id"),
)

hashes = sa.Table(
    "cs_hashes",
    metadata,
    sa.Column("shop", KEY, primary_key=True),
    sa.Column("entity", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("hash", sa.Text(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

runs = sa.Table(
    "cs_runs",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("shop", KEY, nullable=False),
    sa.Column("sync_type", sa.String(64), nullable=False),
    sa.Column("flow_run_id", KEY, nullable=True),
    sa.Column("period_start", UtcDateTime(), nullable=True),
    sa.Column("period_end", UtcDateTime(), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.Column("counts", sa.JSON(), nullable=False, default=dict),
    sa.Column("errors", sa.JSON(), nullable=False, default=list),
    sa.CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status"),
    sa.Index(None, "shop", "sync_type", "started_at"),
)

"""What every part of the local state shares: the engine, the scope, a transaction, a scoped upsert."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["IN_CHUNK", "LocalBase", "chunked", "utc_now"]

T = TypeVar("T")

IN_CHUNK = 500
"""Keys per ``IN (...)`` list and rows per insert: far below SQLite's bound-parameter limit."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class LocalBase:
    """The engine and the accounting unit (``scope``) every ``cs_pohoda_*`` read and write is confined to."""

    def __init__(self, engine: sa.Engine, scope: str) -> None:
        if not scope.strip():
            raise ValueError("scope must not be empty (use the company IČO)")
        self.engine = engine
        self.scope = scope.strip()

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _upsert(self, conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` into the scope, replacing the non-key columns of rows that exist."""
        if not rows:
            return
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table)
        keys = [c.name for c in table.primary_key.columns]
        updates = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys}
        statement = (
            insert.on_conflict_do_update(index_elements=keys, set_=updates)
            if updates
            else insert.on_conflict_do_nothing(index_elements=keys)
        )
        for chunk in chunked(rows):
            conn.execute(statement, [{"scope": self.scope, **row} for row in chunk])

    def _where(self, table: sa.Table) -> sa.ColumnElement[bool]:
        return table.c.scope == self.scope

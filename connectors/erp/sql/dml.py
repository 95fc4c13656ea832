"""Dialect-aware write helpers: an idempotent insert and a bulk upsert, race-free on SQLite and PostgreSQL.

Why: "select, then insert if missing" leaves a window in which two runs both see nothing and both insert; and
under pysqlite's default transaction handling the select does not even run inside the writing transaction.
SQLite (3.24+) and PostgreSQL both have ``INSERT ... ON CONFLICT``, which closes the window in one statement,
so those two get it; any other dialect falls back to select-then-write inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["IN_CHUNK", "chunked", "insert_ignore", "upsert_many"]

# Bound parameters per IN list: far below SQLite's 32766 and PostgreSQL's 65535 limits.
IN_CHUNK = 500

T = TypeVar("T")


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _dialect_insert(conn: sa.Connection, table: sa.Table) -> Any:
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    return None


def _key_clause(table: sa.Table, keys: Sequence[str], row: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    return sa.and_(*(table.c[k] == row[k] for k in keys))


def insert_ignore(conn: sa.Connection, table: sa.Table, row: Mapping[str, Any], keys: Sequence[str]) -> bool:
    """Insert ``row`` unless a row with the same ``keys`` (a unique constraint) exists; True when inserted."""
    stmt = _dialect_insert(conn, table)
    if stmt is not None:
        stmt = stmt.values(**row).on_conflict_do_nothing(index_elements=list(keys))
        if conn.dialect.insert_returning:
            # with RETURNING (added implicitly for autoincrement keys) psycopg reports rowcount -1: ask for a row
            return conn.execute(stmt.returning(*(table.c[k] for k in keys))).first() is not None
        return conn.execute(stmt).rowcount == 1
    exists = conn.execute(sa.select(sa.literal(1)).select_from(table).where(_key_clause(table, keys, row))).first()
    if exists:
        return False
    conn.execute(table.insert().values(**row))
    return True


def upsert_many(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> None:
    """Insert the rows, or overwrite every given column of the row already holding the same ``keys``.

    Writing the same rows twice leaves the table exactly as after the first time.
    """
    if not rows:
        return
    columns = [c for c in rows[0] if c not in keys]
    stmt = _dialect_insert(conn, table)
    if stmt is not None:
        if columns:
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns})
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        for chunk in chunked(rows, 1000):
            conn.execute(stmt, list(chunk))
        return
    for row in rows:
        if conn.execute(sa.select(sa.literal(1)).select_from(table).where(_key_clause(table, keys, row))).first():
            if columns:
                conn.execute(table.update().where(_key_clause(table, keys, row)).values({c: row[c] for c in columns}))
        else:
            conn.execute(table.insert().values(**row))

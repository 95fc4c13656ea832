"""What every part of the state store shares: the engine, the clock, transactions, upserts, input checks.

Transactions: every write takes an optional ``conn``. Given one, the write joins the caller's transaction
and commits nothing (so an ERP document and the state row that records it land together or not at all);
without one, the write runs in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects import postgresql, sqlite

from connectors.state.errors import UnsupportedDatabase
from domain.models import UtcDatetime

__all__ = ["Clock", "StoreBase", "chunked", "configure_sqlite", "make_engine", "require_key", "require_utc"]

Clock = Callable[[], datetime]
T = TypeVar("T")

IN_CHUNK = 500
"""Keys per ``IN (...)`` list: far below SQLite's bound-parameter limit on every version we meet."""
PG_ARRAY_CHUNK = 20_000
"""Keys per PostgreSQL array parameter: bounds one statement's size, not a server limit."""

_UTC: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)


def utc_now() -> datetime:
    return datetime.now(UTC)


def require_key(value: object, field: str, record: str | None = None) -> str:
    """A non-blank string of at most 255 characters, or a ``ValueError`` naming the record and field."""
    where = f"{record}: " if record else ""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}{field} must be a non-empty string, got {value!r}")
    if len(value) > 255:
        raise ValueError(f"{where}{field} is longer than 255 characters")
    return value


def require_utc(value: object, field: str, record: str | None = None) -> datetime:
    """An aware datetime normalised to UTC; naive input is refused with the record and field named."""
    try:
        return _UTC.validate_python(value)
    except ValidationError as exc:
        where = f"{record}: " if record else ""
        raise ValueError(f"{where}{field}: {exc.errors()[0]['msg']}") from None


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")  # wait for the other flow's writer instead of failing
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    finally:
        cur.close()


def configure_sqlite(engine: sa.Engine) -> sa.Engine:
    """Apply the SQLite pragmas to every new connection of ``engine`` (idempotent, no-op elsewhere)."""
    if engine.dialect.name == "sqlite" and not sa.event.contains(engine, "connect", _sqlite_pragmas):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_engine(url: str | sa.URL, **kwargs: Any) -> sa.Engine:
    """An engine for the state store; a SQLite file's directory is created, as the first run expects."""
    parsed = sa.make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return configure_sqlite(sa.create_engine(parsed, **kwargs))


class StoreBase:
    """Engine, clock and transaction plumbing behind each part of :class:`StateStore`."""

    def __init__(self, engine: sa.Engine, *, clock: Clock = utc_now) -> None:
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise UnsupportedDatabase(f"the state store supports sqlite and postgresql, not {engine.dialect.name!r}")
        self._engine = configure_sqlite(engine)
        self._clock = clock

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def _now(self) -> datetime:
        return require_utc(self._clock(), "clock()")

    @contextmanager
    def _write(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        """Join the caller's transaction, or run in one of our own that commits on success."""
        if conn is not None:
            yield conn
            return
        with self._engine.begin() as own:
            yield own

    @contextmanager
    def _read(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        """Read through the caller's connection (seeing its uncommitted writes), or a short-lived one."""
        if conn is not None:
            yield conn
            return
        with self._engine.connect() as own:
            yield own

    @staticmethod
    def _insert(conn: sa.Connection, table: sa.Table) -> Any:
        """The dialect's INSERT, which offers ``on_conflict_do_update`` / ``.excluded``."""
        if conn.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    @staticmethod
    def _key_filters(conn: sa.Connection, column: sa.ColumnElement[Any], keys: Iterable[str]) -> Iterator[Any]:
        """``column`` is one of ``keys``, as few conditions as the dialect allows for thousands of keys.

        PostgreSQL takes one array parameter (``= ANY(:keys)``), a single round trip that the planner also
        handles far better than a long ``IN`` list; SQLite gets ``IN`` lists below its parameter limit.
        """
        unique = list(dict.fromkeys(keys))
        if conn.dialect.name == "postgresql":
            for part in chunked(unique, PG_ARRAY_CHUNK):
                yield column == sa.any_(sa.bindparam(None, list(part), type_=postgresql.ARRAY(sa.String())))
        else:
            for part in chunked(unique):
                yield column.in_(part)

    def _select_in(
        self, conn: sa.Connection, query: sa.Select[Any], column: sa.ColumnElement[Any], keys: Iterable[str]
    ) -> list[sa.Row[Any]]:
        """Run ``query`` restricted to ``column IN keys``."""
        rows: list[sa.Row[Any]] = []
        for condition in self._key_filters(conn, column, keys):
            rows.extend(conn.execute(query.where(condition)).all())
        return rows

    def _delete_in(
        self, conn: sa.Connection, query: sa.Delete, column: sa.ColumnElement[Any], keys: Iterable[str]
    ) -> int:
        """Run ``query`` restricted to ``column IN keys``; returns rows deleted."""
        return sum(conn.execute(query.where(condition)).rowcount for condition in self._key_filters(conn, column, keys))

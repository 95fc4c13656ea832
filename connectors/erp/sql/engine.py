"""Engines for the ``sql`` ERP: where the embedded database lives and how SQLite is made fit for several writers.

Why: the embedded default is one SQLite file shared by the ERP tables, the sync-state store and several
Prefect task runs at once. Out of the box SQLite ignores foreign keys, blocks readers during a write and fails
at once when another process holds the lock. WAL lets readers run beside a writer, ``busy_timeout`` makes a
writer wait for the lock instead of failing, and ``foreign_keys`` makes the declared references real. These are
set on every new DB-API connection, because they are per connection in SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = ["DATA_DIR_ENV", "default_data_dir", "default_sqlite_url", "make_engine"]

DATA_DIR_ENV = "COMMERCE_SYNC_DATA_DIR"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_data_dir() -> Path:
    """``$COMMERCE_SYNC_DATA_DIR``, else the platform's user data directory for commerce-sync."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir("commerce-sync"))


def default_sqlite_url() -> str:
    """The embedded ERP: ``erp.db`` in :func:`default_data_dir` (the directory is created on first connect)."""
    return f"sqlite:///{default_data_dir() / 'erp.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | sa.URL, **kwargs: Any) -> sa.Engine:
    """An engine for ``url`` with the SQLite pragmas above; a SQLite file's directory is created if missing.

    Other components sharing the database (the sync-state store) should build their engine here too, so
    every connection to the file behaves the same.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)

"""The state store's schema and public surface."""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa

import connectors.state as state_pkg
from connectors.state import StateStore


def test_create_schema_is_idempotent_and_every_table_is_prefixed_cs(store: StateStore):
    store.create_schema()
    store.create_schema()
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"cs_cursors", "cs_staged_orders", "cs_id_mappings", "cs_hashes", "cs_runs"} <= tables
    assert all(name.startswith("cs_") for name in tables)


def test_state_survives_reopening_the_database(db_url: str):
    from datetime import datetime

    first = StateStore.from_url(db_url)
    first.create_schema()
    first.commit_cursor("shop-a", "orders", datetime(2026, 3, 2, 6, tzinfo=UTC))
    first.engine.dispose()
    again = StateStore.from_url(db_url)
    assert again.get_cursor("shop-a", "orders").position == datetime(2026, 3, 2, 6, tzinfo=UTC)
    again.engine.dispose()


def test_sqlite_store_uses_wal_and_foreign_keys(sqlite_url: str):
    state = StateStore.from_url(sqlite_url)
    with state.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    state.engine.dispose()


def test_repr_never_shows_the_database_password():
    state = StateStore.from_url("postgresql+psycopg://sync:s3cret-pw@db.example:5432/erp")
    assert "s3cret-pw" not in repr(state)


def test_public_surface_is_pinned():
    assert sorted(state_pkg.__all__) == sorted(
        [
            "Cursor",
            "CursorMovedBackwards",
            "InvalidTransition",
            "OrderConflict",
            "RecordNotFound",
            "RunRecord",
            "RunStatus",
            "StageResult",
            "StagedOrder",
            "StagedStatus",
            "StateError",
            "StateStore",
            "UnsupportedDatabase",
            "configure_sqlite",
            "describe_line_changes",
            "make_engine",
        ]
    )
    for name in state_pkg.__all__:
        assert getattr(state_pkg, name) is not None


def test_first_run_creates_the_sqlite_file_in_a_new_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh' / 'state.db'}"
    state = StateStore.from_url(url)
    state.create_schema()
    assert (tmp_path / "fresh" / "state.db").is_file()
    state.engine.dispose()

"""Fixtures shared by every test layer.

- ``shared_dir``: ``../shared`` (reference schemas and samples); tests that need it skip with a reason when a
  bare clone has no such folder. CI has it.
- ``db_url``: parametrised over the embedded default (a SQLite file) and PostgreSQL on 127.0.0.1:5432. Each
  PostgreSQL test gets a database of its own, created and dropped here, so parallel test runs never collide.
- ``prefect_harness``: one temporary Prefect API for the whole session (it costs ~9 s to start); only the
  layers that run flows or blocks ask for it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# retried tasks back off 2, 4, 8 s in production; in tests the same retries happen without the sleeping
os.environ.setdefault("COMMERCE_SYNC_RETRY_DELAY_SCALE", "0.01")
# run logs stay local (pytest's caplog still sees them): shipping them to the test API only loads its server
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("COMMERCE_SYNC_SHARED_DIR", REPO_ROOT.parent / "shared"))
PG_ADMIN_URL = os.environ.get("COMMERCE_SYNC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED_DIR / "reference").is_dir():
        pytest.skip(f"reference data not found at {SHARED_DIR} (a bare clone; CI has ../shared)")
    return SHARED_DIR


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: skip the PostgreSQL variant, with the reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import sqlalchemy as sa

    name = f"cs_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'erp.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test against the embedded default and against production's database."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        # a sync flow otherwise waits ~1 s on exit for its heartbeat thread
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield

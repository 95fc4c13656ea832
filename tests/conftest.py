"""Fixtures shared by every test layer.

- ``shared_dir``: ``../shared`` (reference schemas and samples); tests that need it skip with a reason when a
  bare clone has no such folder. CI has it.
- ``db_url``: parametrised over the embedded default (a SQLite file) and PostgreSQL on 127.0.0.1:5432. Each
  test process (xdist worker) gets a PostgreSQL database of its own, emptied before every test that uses it,
  so parallel test runs never collide.
- ``prefect_harness``: one temporary Prefect API for the whole session (it costs ~9 s to start); only the
  layers that run flows or blocks ask for it. A test that needs it is marked ``slow`` here, so
  ``pytest -m "not slow"`` (the quick loop) never starts one.
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


def _one_certificate_bundle() -> str:
    """A CA file with one certificate, for the Prefect clients of the test processes.

    Prefect builds a verifying SSL context from certifi's ~150 certificates for every client it makes (12–33 ms
    each; prefect/client/orchestration/__init__.py, 3.8.8), and a sync flow makes one for nearly every API call:
    a fifth of a flow test's CPU (py-spy). The test APIs are plain http on 127.0.0.1, so no certificate is ever
    checked; one certificate loads in 0.2 ms. Named by its content, so every run shares one small file.
    """
    import hashlib
    import tempfile

    import certifi

    bundle = Path(certifi.where()).read_text(encoding="utf-8")
    end = "-----END CERTIFICATE-----"
    first = bundle[: bundle.index(end) + len(end)] + "\n"
    path = Path(tempfile.gettempdir()) / f"commerce-sync-tests-ca-{hashlib.sha256(first.encode()).hexdigest()[:12]}.pem"
    if not path.exists():  # written whole, then renamed: another pytest run may be reading it
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(first, encoding="ascii")
        os.replace(partial, path)
    return str(path)


os.environ.setdefault("PREFECT_API_SSL_CERT_FILE", _one_certificate_bundle())

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


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[str]:
    """One PostgreSQL database per test process (so per xdist worker), dropped when the session ends."""
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
def pg_url(pg_database: str) -> str:
    """An empty PostgreSQL database for one test: the process's database, emptied before the test.

    Emptying (end the connections a previous test left open, drop every schema, create ``public`` again) takes
    milliseconds where creating a database takes ~0.2 s, and a test process runs one test at a time.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(pg_database, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            schemas = conn.execute(
                sa.text("SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'")
            ).scalars()
            for schema in list(schemas):
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return pg_database


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
    from prefect.events.clients import NullEventsClient
    from prefect.events.worker import EventsWorker
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # No events from the test process: nothing under test reads them, the test server spends most of its CPU
    # ingesting them (every task state is an event), and the harness's exit drains them without a time limit —
    # a worker left on a dead loop hung a CI run past its 90 minutes (pytest had finished every test).
    EventsWorker.set_client_override(NullEventsClient)
    try:
        with prefect_test_harness(server_startup_timeout=90):
            # a sync flow otherwise waits ~1 s on exit for its heartbeat thread
            with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                yield
            _drain_services(timeout=30)
    finally:
        EventsWorker.set_client_override(None)


def _drain_services(timeout: float) -> None:
    """Stop Prefect's background senders with a time limit; the harness's own drain has none.

    A drained service leaves Prefect's registry, so the harness's drain (and the one at interpreter exit) finds
    nothing left to wait for. One that does not finish in time is named on stderr instead of hanging the run.
    """
    import sys

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (EventsWorker, APILogWorker):
        _done, pending = service.drain_all(timeout=timeout)
        if pending:
            print(f"{service.__name__}: {len(pending)} instance(s) did not drain in {timeout} s", file=sys.stderr)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test on the Prefect test API is ``slow``: the API alone takes ~9 s of CPU to start."""
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


GROUPING_LOST = "pytest-dev/pytest-xdist#1386: with pytest >= 9.2, --dist loadgroup no longer groups tests"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse, in one line, an xdist run on a pytest known not to keep ``xdist_group`` (see below)."""
    from packaging.version import Version

    if getattr(config.option, "dist", "no") == "loadgroup" and Version(pytest.__version__) >= Version("9.2"):
        raise pytest.UsageError(f"{GROUPING_LOST}; install pytest<9.2 (pyproject.toml's dev extra pins it)")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse an xdist run whose ``xdist_group`` marks are lost, rather than let it start each e2e stack twice.

    ``--dist loadgroup`` tells the controller a test's group by a suffix its worker appends to the node id; pytest
    9.2 made node ids structured and the suffix silently vanished (pytest-dev/pytest-xdist#1386), so the tests of
    one stack were spread over both workers and each started the stack (minutes of CPU). pyproject pins pytest
    below 9.2 and ``pytest_configure`` names that case; this catches the next such change (the worker stops, and
    xdist reports it as a crash of its first test).
    """
    if not getattr(session.config.option, "loadgroup", False):  # set in xdist workers under --dist loadgroup
        return
    lost = [i.nodeid for i in session.items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup lost the xdist_group of {len(lost)} test(s), e.g. {lost[0]}: "
            "this pytest/pytest-xdist pair does not group (see pyproject.toml's pytest pin)"
        )


EXIT_GRACE_SECONDS = 120


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave with pytest's status even if a Prefect service thread blocks interpreter exit.

    Prefect registers a drain of its event and log senders to run at interpreter exit, without a time limit;
    one waiting on a server that is gone kept a finished CI run alive until the CI's 90 minutes were up. A daemon
    thread gives the exit this long, then dumps every thread's stack (so the cause shows in the CI log) and ends
    the process with the status pytest reported.
    """
    import faulthandler
    import sys
    import threading
    import time

    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker: it waits for its controller to end it
        return

    def watchdog() -> None:
        time.sleep(EXIT_GRACE_SECONDS)
        print(
            f"\npytest finished (status {exitstatus}) but the process did not exit within "
            f"{EXIT_GRACE_SECONDS} s; stacks of every thread follow",
            file=sys.stderr,
            flush=True,
        )
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        os._exit(int(exitstatus))

    threading.Thread(target=watchdog, name="exit-watchdog", daemon=True).start()

"""A real installation for the end-to-end tests, built by the same code as ``commerce-sync demo --serve``.

``stack`` (package scope, parametrised indirectly: ``sqlite`` — the smoke batch's deployments of the SQL shop and
its reconcile, see ``smoke.py``, on the embedded default's SQLite server, which the browser tests open first and the
real-death sample kills last — or ``postgresql``, every shop and deployment, or ``postgresql-events``, the SQL
shop's order syncs with their webhook triggers, for the shop-event tests beside the full batch) is a
:class:`commerce_sync.serve.LocalStack`: ``prefect server start`` on a free 127.0.0.1 port under a fresh
``PREFECT_HOME`` (its database SQLite, or a fresh PostgreSQL database where one is reachable), the Shopify emulators
and the POHODA mServer emulator as processes seeded over their admin endpoints, the sample SQL ERP, the blocks,
``commerce-sync setup shops.yaml``, ``prefect deploy --all`` on the repository's prefect.yaml and ``prefect worker
start --type process``.

Each stack starts once for the whole package (the tests are ordered so, see ``pytest_collection_modifyitems``):
a stack costs a server, a deployment of every entrypoint and a worker, a minute or more of a small machine.

Teardown stops every process it started by pid — worker first, then the emulators, then the server — and
fails if any of them (or a flow-run process the worker left behind) is still alive.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from commerce_sync.serve import REPO_ROOT, LocalStack, alive
from tests.e2e.smoke import SMOKE_SHOP, SMOKE_SYNCS, smoke_prefect_file

# the repository's prefect.yaml; point elsewhere to try a freshly rendered one before committing it
PREFECT_FILE = Path(os.environ.get("COMMERCE_SYNC_E2E_PREFECT_FILE", REPO_ROOT / "prefect.yaml"))
BROWSER_SYNCS = frozenset({"sync_orders", "reconcile"})  # what the browser tests run, on the SQLite stack


STACK_ORDER = ("sqlite", "postgresql", "postgresql-events")
EVENT_SYNCS = frozenset({"sync_orders", "create_sales_orders"})  # what the shop-event tests run, with triggers
FIRST_ON_A_STACK = ("test_browser.py",)  # what they show needs a stack no batch has run on yet
LAST_ON_A_STACK = ("test_real_deaths.py",)  # it SIGKILLs the stack's server, and asserts nothing was left behind


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests first in the session, and the tests on one stack next to each other.

    First: under ``--dist loadgroup`` each stack's tests are a group (``stacks.py``), the longest of the suite,
    so they must start at once while the other workers share out the rest. Together: pytest groups a
    parametrised fixture's tests by parameter *index*, and the modules pick different subsets (``["postgresql"]``,
    ``["sqlite", "postgresql"]``); any other test between two tests of one stack ends it too. Without this the
    SQLite stack started three times and the PostgreSQL one twice (minutes each). Within a stack, a module's tests
    stay together too: pytest puts a module's ``ON_EVERY_DATABASE`` tests of the second database after other
    modules' tests, which ended the module-scoped ``batch`` of ``test_real_server.py`` and ran every deployment
    of the PostgreSQL stack a second time (300 s of a worker).
    """
    here = Path(__file__).parent
    e2e = [item for item in items if here in item.path.parents]
    chosen = set(e2e)

    modules = list(dict.fromkeys(item.path for item in e2e))  # in the order pytest collected them

    def order(item: pytest.Item) -> tuple[int, int, int]:
        place = 0 if item.path.name in FIRST_ON_A_STACK else 2 if item.path.name in LAST_ON_A_STACK else 1
        return STACK_ORDER.index(_stack_param(item) or ""), place, modules.index(item.path)

    on_a_stack = sorted((item for item in e2e if _stack_param(item) is not None), key=order)
    items[:] = (
        [item for item in e2e if _stack_param(item) is None]
        + on_a_stack
        + [item for item in items if item not in chosen]
    )


def _stack_param(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("stack") if callspec is not None else None


@contextmanager
def fresh_pg_database(admin_url: str, prefix: str, driver: str) -> Iterator[str]:
    """An empty PostgreSQL database for the module, dropped afterwards; yields its URL with ``driver``."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(drivername=driver, database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="package")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    database = getattr(request, "param", "sqlite")
    with ExitStack() as cleanup:
        prefect_db = erp_url = only_shops = None
        workdir = tmp_path_factory.mktemp(f"e2e-{database}")
        extra_env = {}
        if database == "sqlite":  # the smoke batch and the browser's syncs: the SQL shop only, as a newcomer's
            only_shops = [SMOKE_SHOP]
            # a temporary directory of its own, so test_real_deaths.py can show its runs left nothing in it
            (workdir / "tmp").mkdir()
            extra_env["TMPDIR"] = str(workdir / "tmp")
            prefect_file = smoke_prefect_file(PREFECT_FILE, workdir / "prefect-smoke.yaml", SMOKE_SYNCS | BROWSER_SYNCS)
        else:  # the server's and the SQL ERP's database on PostgreSQL, POHODA keeps its own
            if database == "postgresql-events":  # the SQL shop's order syncs, started by its webhooks too
                only_shops = [SMOKE_SHOP]
                events_file = workdir / "prefect-events.yaml"
                prefect_file = smoke_prefect_file(PREFECT_FILE, events_file, EVENT_SYNCS, triggers=True)
            else:  # every deployment of every shop
                prefect_file = smoke_prefect_file(PREFECT_FILE, workdir / "prefect-e2e.yaml", syncs=None, triggers=True)
            admin_url = request.getfixturevalue("pg_server")  # skips, with the reason, when PostgreSQL is not up
            prefect_db = cleanup.enter_context(fresh_pg_database(admin_url, "cs_e2e_prefect", "postgresql+asyncpg"))
            erp_url = cleanup.enter_context(fresh_pg_database(admin_url, "cs_e2e_erp", "postgresql+psycopg"))
        local = LocalStack(
            workdir / "stack",
            label=database,
            database_url=prefect_db,
            erp_url=erp_url,
            prefect_file=prefect_file,
            only_shops=only_shops,
            extra_env=extra_env,
        )
        cleanup.callback(_stop_all, local)  # registered last: runs before the databases are dropped
        local.start()
        yield local


def _stop_all(local: LocalStack) -> None:
    local.close()
    survivors = [pid for pid in local.stopped_pids if alive(pid)]
    assert not survivors, f"processes still alive after teardown: {survivors}"

"""``commerce-sync demo --serve``: a whole installation on this machine, started the way production runs it.

``commerce-sync demo`` runs each flow in its own process against an ephemeral API. This starts the real
pieces instead, each as a process of its own: ``prefect server`` (with its UI), a Shopify emulator per shop of
shops.yaml and the Pohoda mServer emulator for the POHODA shop, all seeded with the sample data; then it saves
the blocks, runs ``commerce-sync setup shops.yaml`` and ``prefect deploy --all`` on prefect.yaml, starts a
process worker and runs a shop's day once (``run_a_day``: the catalogue, then orders, then maintenance and
reconcile). It keeps running until Ctrl-C, then stops what it started,
worker first (a worker whose server is already gone takes more than 10 s to give up).
The server keeps its data in the local PostgreSQL when one answers (``demo_prefect_database``), else in
SQLite, and the demo says which.

The end-to-end tests (``tests/e2e``) build the very same stack with :class:`LocalStack`, so what the demo
shows is what the tests check. Every process is started in a session of its own and stopped by its pid:
SIGTERM to its process group, SIGKILL after a timeout, and the same for any child that left the group (the
process worker starts each flow run in a new session).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import yaml

from commerce_sync.processes import (
    REPO_ROOT,
    Started,
    alive,
    answers,
    free_port,
    start_process,
    stop_process,
    wait_until,
)

if TYPE_CHECKING:
    from blocks import PohodaMServer

__all__ = ["REPO_ROOT", "FINAL_STATES", "Deployment", "LocalStack", "alive", "run_serve"]
SHOPIFY_APP = ("demo-app", "demo-client-secret")  # the emulators' credentials: local test servers, not secrets
"""A Dev Dashboard app's client ID and secret: the shops take expiring tokens by the client-credentials grant."""
POHODA_PASSWORD = "pohoda-emulator"
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
LEASE_STORAGE = "prefect.server.concurrency.lease_storage.filesystem"
REPOSSESSOR_LOOP_SECONDS = "5"
"""How often the server frees the slots of leases nobody renewed: Prefect's default is 15 s. A killed run's lock
is normally taken back by its category's next run as soon as the run is Crashed (``engine/locks.py``); the lease
(``COMMERCE_SYNC_LOCK_LEASE_SECONDS``, 60 s) plus this loop is the fallback (bench/chaos_real.py measures both)."""
SHARED_DIR = Path(os.environ.get("COMMERCE_SYNC_SHARED_DIR", REPO_ROOT.parent / "shared"))
POHODA_XSD = SHARED_DIR / "reference" / "pohoda" / "xsd"  # where present (a dev checkout, CI)
DEMO_PG_ADMIN = os.environ.get("COMMERCE_SYNC_DEMO_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DEMO_PG_DATABASE = "commerce_sync_demo_prefect"


def prefect_env(home: Path, api_url: str, data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of every process of the stack: its own PREFECT_HOME and API, no inherited profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": LEASE_STORAGE,
            "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": REPOSSESSOR_LOOP_SECONDS,
            "COMMERCE_SYNC_HOME": str(REPO_ROOT),  # prefect.yaml's pull step: the worker's working directory
            "COMMERCE_SYNC_DATA_DIR": str(data_dir),
            "POHODA_EMULATOR_PASSWORD": POHODA_PASSWORD,
            "COMMERCE_SYNC_POHODA_DOCUMENTS": "emulator",  # pictures go to the emulator's documents folder
            "PYTHONUNBUFFERED": "1",
        }
    )
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    return env


def demo_prefect_database(admin_url: str = DEMO_PG_ADMIN, name: str = DEMO_PG_DATABASE) -> tuple[str | None, str]:
    """The demo's Prefect server database: ``(URL, what it is)``, the URL None for SQLite.

    A fresh PostgreSQL database ``name`` (dropped and created again: the emulators start empty, so must Prefect)
    when the server at ``admin_url`` answers. On SQLite the demo's burst of runs stalled the server for 62 s on
    "database is locked"; PostgreSQL takes the same writes without waiting. SQLite when nothing answers.
    """
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    url = sa.make_url(admin_url)
    where = f"{url.host}:{url.port or 5432}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.SQLAlchemyError as exc:
        return None, f"SQLite (no PostgreSQL answered at {where}: {type(exc).__name__}; set COMMERCE_SYNC_DEMO_PG)"
    finally:
        admin.dispose()
    server_url = url.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    return server_url, f"PostgreSQL database {name} at {where}"


def prefect_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "prefect", *args]


def run_command(argv: list[str], env: dict[str, str], what: str, timeout: float = 300) -> str:
    done = subprocess.run(
        argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@dataclass(frozen=True)
class Deployment:
    """One deployment of prefect.yaml, as ``prefect deployment run`` names it."""

    name: str  # e.g. sync-orders/demo-shop
    shop: str
    sync_type: str
    category: str
    queue: str


def deployments_of(prefect_file: Path) -> list[Deployment]:
    from deployments.builder import flow_name
    from domain.categories import category_of

    found = []
    for d in yaml.safe_load(prefect_file.read_text(encoding="utf-8"))["deployments"]:
        sync = d["entrypoint"].rsplit(":", 1)[1]
        found.append(
            Deployment(
                name=f"{flow_name(sync)}/{d['name']}",
                shop=d["name"],
                sync_type=sync,
                category=category_of(sync).value,
                queue=d["work_pool"]["work_queue_name"],
            )
        )
    return found


def pohoda_adapter_missing() -> str | None:
    """Why the ``demo-pohoda`` shop cannot run here, or None when the Pohoda ERP adapter is in place."""
    import importlib

    from blocks import PohodaMServer

    if not callable(getattr(PohodaMServer, "backend", None)):
        return "PohodaMServer.backend() is not defined yet"
    try:
        importlib.import_module("connectors.erp.pohoda")
    except ImportError as exc:
        return f"connectors.erp.pohoda does not import: {exc}"
    return None


@dataclass
class LocalStack:
    """prefect server + emulators + blocks + setup + deployments + worker, stopped in reverse order.

    ``database_url`` is the Prefect server's database: None = SQLite under ``workdir``, else an async SQLAlchemy
    URL (``postgresql+asyncpg://…``). ``erp_url`` is the SQL shop's ERP (default: a SQLite file in ``workdir``).
    Calls to Prefect from this process go to the stack's server only inside ``with stack.api():``, so a test
    session's own Prefect settings are left alone.
    """

    workdir: Path
    label: str = "sqlite"  # which variant this is, for messages
    port: int | None = None
    database_url: str | None = None
    erp_url: str | None = None
    sample: dict[str, int] = field(default_factory=lambda: {"items": 12, "customers": 6, "orders": 8})
    worker_query_seconds: float = 1.0
    extra_env: dict[str, str] = field(default_factory=dict)
    only_shops: list[str] | None = None  # wire just these shops of shops.yaml (default: every one)
    shops_file: Path = REPO_ROOT / "shops.yaml"
    prefect_file: Path = REPO_ROOT / "prefect.yaml"
    started: list[Started] = field(default_factory=list)
    shop_urls: dict[str, str] = field(default_factory=dict)  # shop → its Shopify emulator's base URL
    skipped: dict[str, str] = field(default_factory=dict)  # shop → why it is not wired
    pohoda_urls: dict[str, str] = field(default_factory=dict)  # POHODA shop → its mServer emulator's base URL
    commands: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)  # name → (argv, env)
    stopped_pids: list[int] = field(default_factory=list)
    log: Callable[[str], None] = lambda message: None

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.logs = self.workdir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.port = free_port(preferred=self.port)
        self.ui_url = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.ui_url}/api"
        self.erp_url = self.erp_url or f"sqlite:///{self.workdir / 'erp.db'}"
        self.env = prefect_env(self.workdir / "prefect-home", self.api_url, self.workdir / "data", self.database_url)
        self.env.update(self.extra_env)

    # -- lifecycle
    def __enter__(self) -> LocalStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop everything started, the newest first: worker, emulators, then the server."""
        while self.started:
            started = self.started.pop()
            self.log(f"stopping {started.name} (pid {started.pid})")
            self.stopped_pids += stop_process(started)

    def start(self) -> LocalStack:
        self.start_server()
        self.start_shops()
        self.setup_and_deploy()
        self.start_worker()
        return self

    def _start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Started:
        started = start_process(name, argv, env or self.env, self.logs)
        self.started.append(started)
        self.commands[name] = (argv, env or self.env)
        self.log(f"started {name} (pid {started.pid}), log {started.log}")
        return started

    @contextmanager
    def api(self) -> Iterator[None]:
        """Prefect calls from this process go to the stack's server (only inside the block)."""
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
            yield

    # -- steps
    def start_server(self, timeout: float = 180) -> None:
        server = self._start(
            "prefect-server", prefect_command("server", "start", "--host", "127.0.0.1", "--port", str(self.port))
        )
        wait_until(answers(f"{self.api_url}/health"), "prefect server healthy", timeout, server)

    def start_shopify_emulator(self, shop: str) -> str:
        port = free_port()
        emulator = self._start(
            f"shopify-{shop}",
            [
                sys.executable,
                "-m",
                "emulators.shopify",
                "--port",
                str(port),
                "--client",
                ":".join(SHOPIFY_APP),
                "--shop",
                shop,
            ],
        )
        base_url = f"http://127.0.0.1:{port}"
        wait_until(answers(f"{base_url}/_emulator/requests"), f"Shopify emulator for {shop}", 60, emulator)
        self.shop_urls[shop] = base_url
        return base_url

    def start_shops(self) -> None:
        """The shops of shops.yaml that can run here: emulators seeded, ERP filled, blocks saved."""
        from blocks import ErpDatabase
        from commerce_sync.samples.data import generate, write_sql_erp
        from deployments.builder import load_shops
        from deployments.wiring import wire_shop

        data = generate(seed=1, **self.sample)
        for entry in load_shops(self.shops_file).shops:
            if self.only_shops is not None and entry.name not in self.only_shops:
                continue
            if entry.erp == "pohoda" and (reason := pohoda_adapter_missing()):
                self.skipped[entry.name] = f"Pohoda adapter not available: {reason}"
                self.log(f"not wiring {entry.name}: {self.skipped[entry.name]}")
                continue
            base_url = self.start_shopify_emulator(entry.name)
            seed_shopify(base_url, data)
            if entry.erp == "sql":
                write_sql_erp(data, self.erp_url)
                erp = ErpDatabase(url=self.erp_url)
            else:
                erp = self.start_pohoda(entry.name)
            with self.api():
                wire_shop(
                    entry.name,
                    erp,
                    overwrite=True,
                    shop_url=base_url,
                    client_id=SHOPIFY_APP[0],
                    client_secret=SHOPIFY_APP[1],
                    schedule=entry.schedule,
                    location_mapping={loc.erp_key: loc.name for loc in data.locations},
                )

    def start_pohoda(self, shop: str) -> PohodaMServer:
        """The shop's POHODA mServer emulator, started and seeded; returns the block that reaches it."""
        from blocks import PohodaMServer
        from commerce_sync.samples.data import erp_seed_json, generate

        port = free_port()
        year = str(time.gmtime().tm_year)
        env = dict(self.env)
        if (POHODA_XSD / "data.xsd").is_file():  # every request checked against STORMWARE's schema
            env["POHODA_XSD_DIR"] = str(POHODA_XSD)
        # the company in a file, as POHODA keeps it in its database: an emulator killed and started again goes on
        state_file = self.workdir / f"pohoda-{shop}.state"
        argv = [sys.executable, "-m", "emulators.pohoda", "--port", str(port), "--year", year]
        emulator = self._start(f"pohoda-{shop}", [*argv, "--state-file", str(state_file)], env)
        base_url = f"http://127.0.0.1:{port}"
        wait_until(answers(f"{base_url}/status"), f"Pohoda emulator for {shop}", 60, emulator)
        self.pohoda_urls[shop] = base_url
        # the same generate() arguments as the shop's orders, so their SKUs and customers exist in POHODA
        body = erp_seed_json(generate(seed=1, **self.sample))
        httpx.post(f"{base_url}/_emulator/seed", json=body, timeout=60).raise_for_status()
        return PohodaMServer(
            url=base_url,
            user="admin",
            password=POHODA_PASSWORD,
            company_ico="12345678",
            state_url=f"sqlite:///{self.workdir / f'state-{shop}.db'}",
        )

    def setup_and_deploy(self) -> None:
        out = run_command(
            [sys.executable, "-m", "commerce_sync.cli", "setup", str(self.shops_file)], self.env, "commerce-sync setup"
        )
        for line in out.strip().splitlines():
            self.log(line)
        run_command(
            prefect_command("--no-prompt", "deploy", "--all", "--prefect-file", str(self.prefect_file)),
            self.env,
            "prefect deploy --all",
        )
        self.log(f"deployed {len(self.deployments())} deployments from {self.prefect_file.name}")

    def start_worker(self) -> Started:
        env = {**self.env, "PREFECT_WORKER_QUERY_SECONDS": str(self.worker_query_seconds)}
        pool = _work_pool(self.shops_file)
        worker = self._start("worker", prefect_command("worker", "start", "--pool", pool, "--type", "process"), env)
        wait_until(lambda: "started" in worker.tail(200).lower(), "worker started", 120, worker)
        return worker

    # -- using it
    def deployments(self, shop: str | None = None) -> list[Deployment]:
        return [d for d in deployments_of(self.prefect_file) if shop is None or d.shop == shop]

    def wired(self) -> list[Deployment]:
        return [d for d in self.deployments() if d.shop in self.shop_urls]

    def trigger(self, name: str, parameters: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> str:
        """A run of deployment ``name`` (e.g. ``sync-orders/demo-shop``) queued now; returns its flow run id.
        ``env``: the run's job environment, instead of the work pool's default (pass that default along)."""
        from prefect.deployments import run_deployment

        job_variables = {"env": env} if env is not None else None
        with self.api():
            flow_run = run_deployment(name, parameters=parameters, timeout=0, job_variables=job_variables)
        return str(flow_run.id)

    def flow_run(self, flow_run_id: str) -> Any:
        from prefect.client.orchestration import get_client

        with self.api(), get_client(sync_client=True) as client:
            return client.read_flow_run(flow_run_id)

    def wait_for(self, flow_run_ids: list[str], timeout: float = 240) -> dict[str, Any]:
        """The flow runs once each is in a final state (Completed, Failed, Crashed, Cancelled)."""
        runs: dict[str, Any] = {}

        def all_final() -> bool:
            for run_id in flow_run_ids:
                runs[run_id] = self.flow_run(run_id)
            return all(r.state and r.state.type.value in FINAL_STATES for r in runs.values())

        wait_until(all_final, f"{len(flow_run_ids)} flow run(s) final", timeout, self._worker())
        return runs

    def artifacts(self, flow_run_ids: list[str]) -> list[Any]:
        """The artifacts the flow runs published (their summary, failures, drift, progress)."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        with self.api(), get_client(sync_client=True) as client:
            wanted = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=flow_run_ids))
            return list(client.read_artifacts(artifact_filter=wanted))

    def artifact_keys(self, flow_run_ids: list[str]) -> dict[str, list[str]]:
        """The keys of the artifacts each flow run published."""
        found: dict[str, list[str]] = {run_id: [] for run_id in flow_run_ids}
        for artifact in self.artifacts(flow_run_ids):
            found[str(artifact.flow_run_id)].append(artifact.key or "")
        return found

    def _worker(self) -> Started | None:
        return next((s for s in self.started if s.name == "worker"), None)

    def worker_tail(self, lines: int = 80) -> str:
        """The end of the worker's log (flow runs print there): what a failed assertion should show."""
        worker = self._worker()
        return worker.tail(lines) if worker else "(no worker running)"


def seed_shopify(base_url: str, data: Any) -> None:
    """The shop side of the sample data: locations, half the customers (the rest arrive with orders), orders."""
    body = {
        "locations": [{"name": loc.name, "key": loc.erp_key} for loc in data.locations],
        "customers": [c.model_dump(mode="json") for c in data.customers[: len(data.customers) // 2]],
        "orders": [o.model_dump(mode="json") for o in data.orders],
    }
    httpx.post(f"{base_url}/_emulator/seed", json=body, timeout=60).raise_for_status()


def _work_pool(shops_file: Path) -> str:
    from deployments.builder import load_shops

    return load_shops(shops_file).work_pool


def run_serve(data_dir: Path | None = None, port: int = 4200) -> None:
    """Start the stack, print where to look, run a shop's day once, and wait for Ctrl-C."""
    from connectors.erp.sql import default_data_dir

    workdir = (data_dir or default_data_dir() / "serve").resolve()
    if workdir.exists():
        shutil.rmtree(workdir)  # the emulators live in memory: ERP, state and Prefect start fresh with them
    # Ctrl-C (and SIGTERM) raise KeyboardInterrupt even where SIGINT came in ignored (a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    database_url, database = demo_prefect_database()
    stack = LocalStack(
        workdir,
        port=port,
        database_url=database_url,
        sample={"items": 60, "customers": 20, "orders": 30},
        worker_query_seconds=5,
        log=lambda message: print(f"  {message}", flush=True),
    )
    try:
        print(f"Starting a local commerce-sync installation in {workdir} …", flush=True)
        print(f"  Prefect server database: {database}", flush=True)
        stack.start()
        for shop, reason in stack.skipped.items():
            print(f"  skipped {shop}: {reason}", flush=True)
        print(f"\nPrefect UI: {stack.ui_url}  (runs: {stack.ui_url}/runs, artifacts: {stack.ui_url}/artifacts)")
        print(f"Started: {', '.join(f'{s.name} (pid {s.pid})' for s in stack.started)}")
        print(f"Logs in {stack.logs}. Use this server from another shell with PREFECT_API_URL={stack.api_url}")
        run_a_day(stack)
        print("Press Ctrl-C to stop everything.", flush=True)
        while all(s.process.poll() is None for s in stack.started):
            time.sleep(1)
        gone = [s for s in stack.started if s.process.poll() is not None]
        print(f"{', '.join(s.name for s in gone)} exited; stopping the rest:\n{gone[0].tail()}", flush=True)
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        stack.close()
        print("Stopped everything it started.", flush=True)


DAY = ("catalog", "orders", "maintenance")
"""The order a shop's day runs in: the catalogue first (orders need their SKUs mapped), then the orders, then
maintenance and reconcile, which judge what the others did — run before them, they report every item as
unmapped and every stock level as drift, and those are the first artifacts a newcomer opens."""


def run_a_day(stack: LocalStack, timeout: float = 900) -> dict[str, str]:
    """Every wired deployment once, a category at a time in ``DAY`` order (within one, prefect.yaml's order);
    prints each run's final state; returns deployment name → state name."""
    states: dict[str, str] = {}
    for category in DAY:
        ids = {d.name: stack.trigger(d.name) for d in stack.wired() if d.category == category}
        print(f"  {category}: triggered {', '.join(ids)}", flush=True)
        runs = stack.wait_for(list(ids.values()), timeout=timeout)
        for name, run_id in ids.items():
            state = runs[run_id].state
            states[name] = state.name if state else "?"
            message = f": {state.message}" if state and state.message else ""
            print(f"    {name:42} {states[name]}{message}", flush=True)
    return states


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt

"""Secrets never leave their blocks: every flow runs on shops whose Shopify token or client secret, ERP database
password and POHODA password are recognisable strings, then everything the runs left behind is searched for
them, and for every token the SQL shop fetched by the client-credentials grant.

Searched: every log record (root and Prefect loggers at DEBUG, tracebacks included) and the process's
stdout/stderr; every flow run, task run, artifact and log the Prefect API holds for the runs; every request the
emulators recorded; the exceptions of runs made to fail (a wrong token, a wrong client secret, a wrong POHODA
password, an unreachable database whose URL holds the password); every row of every table of the state store;
every file the test wrote (SQLite databases, export chunks, recordings).

What "found" means: the secret itself, or its Base64 at any alignment — alone and as the ``user:password`` of
HTTP Basic (POHODA's ``STW-Authorization``). The one place a secret must be is a request's auth header on the
wire: the Shopify emulator records headers with the token replaced (checked to be there, redacted), the POHODA
emulator records bodies only (the header is not persisted at all), so every recorded file is searched whole.
Prefect's own block documents hold the secrets by design (that is the secret store) and are not searched.
Task runs reach the Prefect API through events, which the test harness turns off (tests/conftest.py): what a
task run would carry there (its state message) is its exception, searched through the flow's.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_type_hints

import pytest
import sqlalchemy as sa
from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterStartTime,
    LogFilter,
    LogFilterFlowRunId,
)
from sqlalchemy.engine import make_url

import flows.runtime
from blocks import ErpDatabase, PohodaMServer, ShopifyShop
from deployments.builder import RUN_ORDER
from deployments.setup import ensure_concurrency_limits
from domain.categories import SYNC_TYPES
from engine import resources
from engine.opening import RunKind, RunStart
from tests.flows.conftest import _make_shop
from tests.flows.pohoda_conftest import make_pohoda_shop

MARK = "Zq7SECRETSCAN"  # in every secret below: a partial leak is found too
SHOP_TOKEN = f"shpat_{MARK}_token_8f31c2"
DB_PASSWORD = f"{MARK}-db-pw-4a7e"
POHODA_USER = "admin"
POHODA_PASSWORD = f"{MARK}-stw-pw-9d05"
WRONG_TOKEN = f"shpat_{MARK}_wrong_61b4"
WRONG_POHODA_PASSWORD = f"{MARK}-stw-wrong-27c9"
CLIENT_ID = "dev-dashboard-app"  # not a secret: errors name it
CLIENT_SECRET = f"shpss_{MARK}_client_5e20"
WRONG_CLIENT_SECRET = f"shpss_{MARK}_client_wrong_c3d8"
SECRETS = [
    SHOP_TOKEN,
    DB_PASSWORD,
    POHODA_PASSWORD,
    WRONG_TOKEN,
    WRONG_POHODA_PASSWORD,
    CLIENT_SECRET,
    WRONG_CLIENT_SECRET,
]

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2025-01-01", "syncHour": 0, "timeZone": "Europe/Prague"}


# -- what to look for ------------------------------------------------------------------------------------


def _base64_forms(text: str) -> list[str]:
    """Base64 fragments that any Base64 of data containing ``text`` holds, whatever its alignment."""
    raw = text.encode()
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode().rstrip("=")
        start = 4 if shift else 0  # the first group mixes in the bytes before the secret
        forms.append(encoded[start : len(encoded) - 4])  # the last group mixes in the bytes after it
    return [form for form in forms if len(form) >= 8]


def _needles(secret: str, what: str) -> dict[str, str]:
    """The secret itself and its Base64 forms."""
    return {secret: what, **{form: f"Base64 of {what}" for form in _base64_forms(secret)}}


NEEDLES: dict[str, str] = {MARK: "a secret (its marker)"}
for _secret in SECRETS:
    NEEDLES.update(_needles(_secret, _secret))
for _password in (POHODA_PASSWORD, WRONG_POHODA_PASSWORD):
    NEEDLES[base64.b64encode(f"{POHODA_USER}:{_password}".encode()).decode()] = f"Basic auth of {_password}"


class Scan:
    """Everything searched, by source; ``leaks`` lists (source, what was found, context)."""

    def __init__(self) -> None:
        self.sources: dict[str, int] = {}
        self.leaks: list[tuple[str, str, str]] = []
        self.needles = dict(NEEDLES)

    def watch(self, secret: str, what: str) -> None:
        """Look for a secret known only once the runs made it (a token fetched by the client-credentials grant)
        in everything added from now on."""
        self.needles.update(_needles(secret, what))

    def add(self, kind: str, source: str, content: str | bytes) -> None:
        self.sources[kind] = self.sources.get(kind, 0) + 1
        text = content.decode("latin-1") if isinstance(content, bytes) else content
        for needle, meaning in self.needles.items():
            at = text.find(needle)
            if at >= 0:
                self.leaks.append((source, meaning, text[max(0, at - 80) : at + 80]))

    def assert_clean(self, *kinds: str) -> None:
        missing = [kind for kind in kinds if not self.sources.get(kind)]
        assert not missing, f"nothing was searched in {missing}: the scan would prove nothing there"
        assert not self.leaks, "secrets leaked:\n" + "\n".join(f"- {s}: {m}: …{c!r}…" for s, m, c in self.leaks)


# -- where to look -----------------------------------------------------------------------------------------


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))  # with the traceback of exc_info, if any
        except Exception:
            self.lines.append(repr(record.__dict__))


@contextmanager
def every_log_record() -> Iterator[_Captured]:
    """Records of every logger at DEBUG, also those Prefect keeps from propagating to the root logger."""
    handler = _Captured()
    manager = logging.root.manager
    loggers = [logging.getLogger()] + [
        logging.getLogger(name)
        for name, found in list(manager.loggerDict.items())
        if isinstance(found, logging.Logger) and not found.propagate
    ]
    levels = {name: logging.getLogger(name).level for name in ("", "prefect", "httpx", "httpcore", "sqlalchemy")}
    for logger in loggers:
        logger.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _paged(read: Any, **filters: Any) -> Iterator[Any]:
    offset = 0
    while True:
        page = read(**filters, limit=200, offset=offset)
        yield from page
        if len(page) < 200:
            return
        offset += len(page)


def scan_prefect_api(scan: Scan, since: datetime) -> None:
    """Flow runs (parameters, states and their messages), task runs, artifacts and logs of the runs since."""
    with get_client(sync_client=True) as client:
        runs = list(
            _paged(
                client.read_flow_runs, flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since))
            )
        )
        ids = [run.id for run in runs]
        for run in runs:
            scan.add("flow runs", f"flow run {run.name}", run.model_dump_json())
        if not ids:
            return
        for task_run in _paged(client.read_task_runs, flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids))):
            scan.add("task runs", f"task run {task_run.name}", task_run.model_dump_json())
        for artifact in _paged(
            client.read_artifacts, artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids))
        ):
            scan.add("artifacts", f"artifact {artifact.key or artifact.id}", artifact.model_dump_json())
        for log in _paged(client.read_logs, log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids))):
            scan.add("api logs", f"api log of {log.flow_run_id}", log.model_dump_json())


def scan_tables(scan: Scan, url: str) -> list[str]:
    """Every row of every table of the database at ``url``; returns the table names."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                rows = conn.execute(sa.select(table)).all()
                scan.add("state tables", f"table {table.name}", "\n".join(repr(tuple(row)) for row in rows))
        return [table.name for table in metadata.sorted_tables]
    finally:
        engine.dispose()


def scan_files(scan: Scan, directory: Path) -> list[Path]:
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    for path in files:
        scan.add("files", f"file {path.relative_to(directory)}", path.read_bytes())
    return files


def scan_exception(scan: Scan, source: str, exc: BaseException) -> None:
    """The text of an exception: message, repr, traceback with its causes, and its attributes."""
    text = "".join(traceback.format_exception(exc))
    chain, seen = exc, set()
    while chain is not None and id(chain) not in seen:
        seen.add(id(chain))
        text += f"\n{chain!r}\n{vars(chain)!r}"
        chain = chain.__cause__ or chain.__context__
    scan.add("exceptions", source, text)


# -- running the flows -------------------------------------------------------------------------------------


def every_flow() -> dict[str, tuple[Flow, type]]:
    """Each sync type's flow in flows/, in the order a shop's day runs them, with its parameters model."""
    found = {}
    for path in sorted((ROOT / "flows").glob("*.py")):
        if path.stem not in SYNC_TYPES:
            continue
        flow = getattr(importlib.import_module(f"flows.{path.stem}"), path.stem)
        found[path.stem] = (flow, get_type_hints(flow.fn)["params"])
    return {name: found[name] for name in sorted(found, key=RUN_ORDER.index)}


def run_every_flow(shop: str) -> dict[str, str]:
    """Run each flow once; returns the flows that did not complete, with their state message.

    A reconcile that finds drift ends Partial: that is data (on POHODA, stock the day's documents moved after
    that day's inventory run, as the demo explains), not a leak, and its artifacts are scanned like any other."""
    failed = {}
    for name, (flow, params) in every_flow().items():
        state = flow(params(shop=shop), return_state=True)
        if not state.is_completed() and not (name == "reconcile" and state.name == "Partial"):
            failed[name] = state.message
    return failed


def failing_run(scan: Scan, flow_name: str, shop: str, because: str) -> None:
    """Run a flow that must fail for the reason ``because`` names; its exception and final state are searched."""
    flow, params = every_flow()[flow_name]
    state = flow(params(shop=shop), return_state=True)
    assert state.is_failed(), f"{flow_name} on {shop} was expected to fail, ended {state.type}"
    exc = state.result(raise_on_failure=False)
    assert isinstance(exc, BaseException) and because in str(exc), f"failed for another reason: {exc!r}"
    scan_exception(scan, f"{flow_name} on {shop}", exc)
    scan.add("flow states", f"state of {flow_name} on {shop}", f"{state.message}\n{state!r}")


def save_shop(name: str, shop_url: str, token: str | None, erp_block: str, **app: str) -> str:
    """A shop with a legacy ``token``, or (token None) a Dev Dashboard app's ``client_id`` + ``client_secret``."""
    ShopifyShop(shop_url=shop_url, access_token=token, erp_block=erp_block, schedule=SCHEDULE, **app).save(name)
    asyncio.run(ensure_concurrency_limits([name]))
    return name


def forget(*shops: str) -> None:
    """Close what the runs of these extra shops opened (HTTP clients, engines) and drop it from the cache."""
    for name in shops:
        cached = resources._cache.get(name)
        if cached is not None and "erp" in cached.__dict__:
            cached.erp.close()
        resources.forget(name)


@contextmanager
def opened(fixture: Iterator[Any]) -> Iterator[Any]:
    """A fixture generator's value; on the way out its teardown runs, with the checks it makes after ``yield``."""
    value = next(fixture)
    try:
        yield value
    except BaseException:
        fixture.close()
        raise
    with pytest.raises(StopIteration):
        next(fixture)


def scan_output(scan: Scan, logs: _Captured, capfd: pytest.CaptureFixture[str]) -> None:
    for line in logs.lines:
        scan.add("logs", "log record", line)
    out, err = capfd.readouterr()
    scan.add("stdout/stderr", "stdout", out)
    scan.add("stdout/stderr", "stderr", err)


@pytest.fixture
def traced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Everything a run writes lands under ``tmp_path`` (data dir, temporary export chunks, recordings), and
    runs count as scheduled a day ahead so every record edited today is in their period."""
    monkeypatch.setenv("COMMERCE_SYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMMERCE_SYNC_RECORD_DIR", str(tmp_path / "requests"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    start = RunStart(kind=RunKind.SCHEDULED, scheduled_at=tomorrow, started_at=tomorrow)
    monkeypatch.setattr(flows.runtime, "run_start", lambda: start)
    yield tmp_path


@pytest.fixture
def erp_url(request: pytest.FixtureRequest) -> str:
    """PostgreSQL with a password in the URL (the local server trusts any), else the SQLite file."""
    try:
        url = request.getfixturevalue("pg_url")
    except pytest.skip.Exception:
        return request.getfixturevalue("sqlite_url")
    return make_url(url).set(password=DB_PASSWORD).render_as_string(hide_password=False)


def test_the_scan_finds_a_secret_in_plain_text_and_in_base64_at_any_alignment():
    for text in (
        f"token={SHOP_TOKEN}",
        f"pw {DB_PASSWORD[:-3]}…",
        *(base64.b64encode(b"x" * shift + WRONG_TOKEN.encode() + b"!").decode() for shift in range(3)),
        "STW-Authorization: Basic " + base64.b64encode(f"admin:{POHODA_PASSWORD}".encode()).decode(),
    ):
        scan = Scan()
        scan.add("text", "text", text)
        assert scan.leaks, f"not found in {text!r}"
    clean = Scan()
    clean.add("text", "text", "shpat_0000 " + base64.b64encode(b"admin:pohoda-emulator").decode())
    clean.assert_clean("text")


def test_every_module_in_flows_is_a_sync_type_the_scan_runs():
    modules = {p.stem for p in (ROOT / "flows").glob("*.py")} - {"__init__", "params", "runtime"}
    assert modules == set(every_flow())


def test_no_secret_of_a_sql_shop_reaches_logs_artifacts_requests_exceptions_or_state(traced, erp_url, capfd):
    """The shop is a Dev Dashboard app whose tokens live two seconds: the runs fetch several, each searched for
    like the client secret."""
    since = datetime.now(UTC)
    scan = Scan()
    shop_fixture = _make_shop(
        erp_url, token=SHOP_TOKEN, app_credentials=(CLIENT_ID, CLIENT_SECRET), token_ttl_seconds=2
    )
    with every_log_record() as logs, opened(shop_fixture) as shop:
        wrong, wrong_app, down = f"{shop.name}-wrong", f"{shop.name}-wrong-app", f"{shop.name}-down"
        try:
            assert run_every_flow(shop.name) == {}
            fetched = shop.emulator.oauth.issued_tokens()
            assert len(fetched) >= 2, "the tokens expired during the runs and were renewed"
            for number, token in enumerate(fetched):
                scan.watch(token, f"fetched access token #{number}")
            erp_block = ShopifyShop.load(shop.name).erp_block
            # a wrong token: Shopify answers 401
            save_shop(wrong, shop.base_url, WRONG_TOKEN, erp_block)
            failing_run(scan, "sync_orders", wrong, "HTTP 401")
            # a wrong client secret: the grant is refused
            save_shop(wrong_app, shop.base_url, None, erp_block, client_id=CLIENT_ID, client_secret=WRONG_CLIENT_SECRET)
            failing_run(scan, "sync_orders", wrong_app, "client credentials")
            # an ERP database that does not answer, its URL holding the password
            ErpDatabase(url=f"postgresql+psycopg://erp:{DB_PASSWORD}@127.0.0.1:9/erp").save(f"{down}-erp")
            save_shop(down, shop.base_url, SHOP_TOKEN, f"erp-database/{down}-erp")
            failing_run(scan, "sync_products", down, "port 9 failed")
            tables = scan_tables(scan, erp_url)
        finally:
            forget(wrong, wrong_app, down)
    scan_output(scan, logs, capfd)
    scan_prefect_api(scan, since)
    files = scan_files(scan, traced)

    assert {"cs_runs", "cs_cursors"} <= set(tables)
    recorded = [json.loads(p.read_text())["headers"] for p in (traced / "requests").glob("shopify-*.json")]
    assert len(recorded) > len(every_flow())
    assert {h.get("X-Shopify-Access-Token", h.get("x-shopify-access-token")) for h in recorded} == {"[REDACTED]"}, (
        "the recorder sees the token header and keeps it redacted"
    )
    assert erp_url.startswith("postgresql") or traced / "erp.db" in files
    scan.assert_clean("logs", "flow runs", "artifacts", "state tables", "files", "exceptions")


def test_no_secret_of_a_pohoda_shop_reaches_logs_artifacts_requests_exceptions_or_state(
    traced, shared_dir, monkeypatch, capfd
):
    since = datetime.now(UTC)
    scan = Scan()
    fixture = make_pohoda_shop(shared_dir, traced, monkeypatch, token=SHOP_TOKEN, password=POHODA_PASSWORD)
    with every_log_record() as logs, opened(fixture) as shop:
        wrong = f"{shop.name}-wrong"
        try:
            assert run_every_flow(shop.name) == {}
            # a wrong POHODA password: mServer answers 401
            PohodaMServer(
                url=shop.pohoda_url,
                user=POHODA_USER,
                password=WRONG_POHODA_PASSWORD,
                company_ico=shop.mserver.config.company_ico,
                state_url=f"sqlite:///{traced / 'wrong-state.db'}",
            ).save(f"{wrong}-erp")
            save_shop(wrong, ShopifyShop.load(shop.name).shop_url, SHOP_TOKEN, f"pohoda-mserver/{wrong}-erp")
            failing_run(scan, "sync_products", wrong, "HTTP 401")
            tables = scan_tables(scan, f"sqlite:///{traced / 'state.db'}")
            scan_tables(scan, f"sqlite:///{traced / 'wrong-state.db'}")  # the failed run's record
        finally:
            forget(wrong)
    scan_output(scan, logs, capfd)
    scan_prefect_api(scan, since)
    files = scan_files(scan, traced)

    assert {"cs_runs", "cs_cursors"} <= set(tables)
    assert len([f for f in files if f.name.startswith("pohoda-")]) > len(every_flow())
    assert len([f for f in files if f.name.startswith("shopify-")]) > len(every_flow())
    scan.assert_clean("logs", "flow runs", "artifacts", "state tables", "files", "exceptions")

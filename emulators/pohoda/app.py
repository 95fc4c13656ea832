"""The ASGI app: mServer's endpoints plus the emulator's admin endpoints.

    POST /xml                     a dat:dataPack → rsp:responsePack (STW-Authorization, STW-Application)
    GET|POST /status              liveness: idle/busy and how many requests are being processed
    GET /status?companyDetail     the accounting unit (IČO, company, database, year) — needs STW-Authorization
    GET /documents/<path>         a file from the company's documents folder (pictures: Obrázky/<file>)
    /_emulator/...                admin endpoints, see :mod:`emulators.pohoda.admin`

Like mServer, ``POST /xml`` requests are processed one at a time: a global lock is held while a dataPack is
processed; a request arriving meanwhile waits for it (or, with ``faults.busy_when_locked``, is answered 503
busy at once). ``PohodaEmulator.processing_log`` keeps (start, end) of every processing for tests.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import gzip
import hmac
import mimetypes
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import admin
from .clock import Clock
from .config import FaultConfig, PohodaEmulatorConfig
from .faults import FaultInjector
from .persistence import StateFile
from .processor import Processed, Processor
from .recording import Recorder
from .state import PohodaState
from .status import status_body

XML_TYPE = "text/xml; charset=Windows-1250"
UNAUTHORIZED = "Unauthorized: STW-Authorization must be Basic base64(user:password) of a POHODA user"


class PohodaEmulator:
    """One emulated mServer: config, state, faults, recorder, and the one-at-a-time processing lock.
    Reachable as ``app.state.emulator`` so tests can seed it and switch faults between calls."""

    def __init__(
        self,
        config: PohodaEmulatorConfig,
        state: PohodaState | None = None,
        clock: Clock | None = None,
        state_file: StateFile | None = None,
    ):
        self.config = config
        self.state = state or PohodaState(
            clock,
            fiscal_year=config.fiscal_year,
            time_zone=config.time_zone,
            stock_moves_bump_last_changes=config.stock_moves_bump_last_changes,
        )
        self.faults = FaultInjector(config.faults)
        self.recorder = Recorder(config.record_dir)
        self.processor = Processor(self.state, config)
        self.state_file = state_file
        if state_file is not None:
            state_file.load_into(self.state)
        self.processor.after_import = self._after_import
        self.processing_lock = threading.Lock()
        self.processing_log: deque[tuple[float, float]] = deque(maxlen=10_000)
        self._in_flight = 0
        self._counter_lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()

    @property
    def in_flight(self) -> int:
        """Requests being processed or waiting for the lock (``/status`` ``processing``)."""
        return self._in_flight

    @contextmanager
    def hold_processing(self) -> Iterator[None]:
        """While inside, a dataPack being processed stays in processing (holding the lock), like a long
        export would — lets tests and the demo observe busy mServer without timing games."""
        self._released.clear()
        try:
            yield
        finally:
            self._released.set()

    def set_faults(self, faults: FaultConfig | None = None, **changes: Any) -> FaultConfig:
        """Replace the fault config (or change some fields); the random sequence and the request count of the
        script restart."""
        return self.faults.update(faults, **changes)

    def _after_import(self) -> None:
        """After each applied item: the state file, then the ``item_seconds`` fault (a death meanwhile keeps the
        items applied so far, as POHODA's item-by-item import does)."""
        self.save()
        if seconds := self.faults.config.item_seconds:
            time.sleep(seconds)

    def save(self) -> None:
        """Write the company to the state file, if there is one (``emulators/pohoda/persistence.py``)."""
        if self.state_file is not None:
            self.state_file.save(self.state)

    def reset(self) -> None:
        self.state.reset()
        self.recorder.reset()
        self.processing_log.clear()

    def authorized(self, header: str | None) -> bool:
        """``STW-Authorization: Basic base64(user:password)``, compared in constant time; nobody is once the
        fault config revoked the credentials."""
        if not header or not header.startswith("Basic ") or self.faults.token_revoked:
            return False
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        expected = self.config.password.get_secret_value()
        return hmac.compare_digest(user.encode(), self.config.user.encode()) & hmac.compare_digest(
            password.encode(), expected.encode()
        )

    def process_serialised(self, body: bytes, check_duplicity: bool, latency: float) -> Processed:
        """Wait for the lock, then process (the latency fault counts as processing time)."""
        with self._counter_lock:
            self._in_flight += 1
        try:
            with self.processing_lock:
                started = time.monotonic()
                self._released.wait()
                if latency:
                    time.sleep(latency)
                try:
                    return self.processor.process(body, check_duplicity)
                finally:
                    self.processing_log.append((started, time.monotonic()))
        finally:
            with self._counter_lock:
                self._in_flight -= 1


def create_app(
    config: PohodaEmulatorConfig | None = None,
    *,
    state: PohodaState | None = None,
    clock: Clock | None = None,
    state_file: StateFile | None = None,
) -> Starlette:
    emulator = PohodaEmulator(config or PohodaEmulatorConfig(), state, clock, state_file)
    routes = [
        Route("/xml", _xml, methods=["POST"]),
        Route("/status", _status, methods=["GET", "POST"]),
        Route("/documents/{path:path}", _document, methods=["GET"]),
        *admin.routes(),
    ]
    middleware = [Middleware(GZipMiddleware, minimum_size=2048), Middleware(_SaveAfterAdminChanges)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.emulator = emulator
    return app


class _SaveAfterAdminChanges(BaseHTTPMiddleware):
    """An admin request that may have changed the company (seed, reset, documents, a user's action) is written
    to the state file like an import is (faults are the emulator's, not the company's)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        path = request.url.path
        if request.method != "GET" and path.startswith("/_emulator/") and not path.startswith("/_emulator/faults"):
            await run_in_threadpool(_emulator(request).save)
        return response


def _emulator(request: Request) -> PohodaEmulator:
    return request.app.state.emulator


def _text(status: int, message: str) -> Response:
    return Response(message, status_code=status, media_type="text/plain; charset=utf-8")


async def _body(request: Request) -> bytes:
    raw = await request.body()
    encoding = request.headers.get("content-encoding", "").lower()
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


async def _xml(request: Request) -> Response:
    emulator = _emulator(request)
    try:
        body = await _body(request)
    except (OSError, zlib.error):
        return _text(400, "request body could not be decompressed")
    emulator.recorder.record(body)
    if not emulator.authorized(request.headers.get("stw-authorization")):
        return _text(401, UNAUTHORIZED)
    if not request.headers.get("stw-application", "").strip():
        return _text(400, "STW-Application header is required (the name shown in POHODA's XML log)")
    decision = emulator.faults.draw()
    if decision.unauthorized:  # the script revoked the credentials at this request
        return _text(401, UNAUTHORIZED)
    if decision.status is not None:
        return _text(decision.status, f"{decision.status} emulated server error")
    if decision.busy or (emulator.faults.config.busy_when_locked and emulator.processing_lock.locked()):
        return _text(503, "mServer is busy processing another request")
    if decision.hang:
        await asyncio.sleep(decision.hang)
    check = request.headers.get("stw-check-duplicity", "").strip().lower() == "true"
    outcome = await run_in_threadpool(emulator.process_serialised, body, check, decision.latency)
    if decision.lost_answer or (decision.drop_after_apply and outcome.applied):
        return _text(502, "502 Bad Gateway (emulated: applied, answer dropped)")
    return Response(outcome.body, status_code=outcome.status, media_type=XML_TYPE)


async def _status(request: Request) -> Response:
    emulator = _emulator(request)
    detail = "companyDetail" in request.query_params
    if detail and not emulator.authorized(request.headers.get("stw-authorization")):
        return _text(401, "Unauthorized")
    server = f"{request.url.scheme}://{request.url.netloc}"
    body, media_type = status_body(emulator.config, emulator.in_flight, server, detail)
    return Response(body, media_type=media_type)


async def _document(request: Request) -> Response:
    emulator = _emulator(request)
    if not emulator.authorized(request.headers.get("stw-authorization")):
        return _text(401, "Unauthorized")
    path = request.path_params["path"].strip("/")
    with emulator.state.lock:
        content = emulator.state.documents.get(path)
    if content is None:
        return _text(404, f"document {path!r} not found")
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Response(content, media_type=media_type)

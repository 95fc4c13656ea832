"""Crash injection: a worker that dies at a chosen point of a flow run, and the trace of every point it passed.

A *kill point* is "the N-th event of one kind" in one flow run attempt:

- ``task``: the flow (or a child flow) is about to call or submit its N-th task — a death between two tasks;
- ``request``: the N-th HTTP request to the shop or the ERP is about to be sent — a death inside a task;
- ``applied``: the N-th *write* request (a GraphQL mutation, an upload, a POHODA dataPack that imports, a
  picture put into POHODA's documents) reached the peer, which applied it and answered, and the worker dies
  before reading the answer;
- ``state``: the N-th state write (staging, mappings, hashes, POHODA's local records) is about to run — for the
  SQL ERP inside the transaction that also holds the ERP write;
- ``commit``: the cursor commit at the end of the run — every record written, the cursor not.

The death is :class:`WorkerKilled`, a ``BaseException`` like the ``SystemExit`` of a killed process, so no
``except Exception`` in the code under test can swallow it and carry on, and Prefect records the run as Crashed.
After it fired, every further event raises it again: a dead worker does nothing more, even where a flow would
go on after a failed chunk. Without a kill point armed the injector only records the events (the trace the
kill points of later attempts are drawn from).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from lxml import etree

KINDS = ("task", "request", "applied", "state", "commit")

STATE_WRITES = (
    "stage_orders",
    "mark_order_done",
    "mark_order_failed",
    "mark_order_cancelled",
    "mark_cancelled_by_erp",
    "put_mappings",
    "delete_mappings",
    "put_hashes",
    "delete_hashes",
)
"""``StateStore`` writes that record what a task did (run records are bookkeeping, not sync state)."""
LOCAL_WRITES = ("save_order", "forget_order", "book_payment", "save_shipment")
"""The POHODA adapter's ``LocalState`` writes: what it remembers about the documents it made."""


class WorkerKilled(BaseException):
    """The worker process died here (not retriable, not catchable by ``except Exception``)."""


@dataclass(frozen=True, order=True)
class KillPoint:
    kind: str
    ordinal: int

    def __str__(self) -> str:
        return f"{self.kind}#{self.ordinal}"


@dataclass(frozen=True)
class Event:
    kind: str
    label: str


@dataclass
class Injector:
    """Counts one attempt's events by kind and kills the worker at the armed point (and after it)."""

    ports: set[int] = field(default_factory=set)
    """Ports of the peers (Shopify and POHODA emulators) whose requests count; the Prefect API's never do."""
    point: KillPoint | None = None
    events: list[Event] = field(default_factory=list)
    fired: Event | None = None
    wire: Counter[str] = field(default_factory=Counter)
    """Peer requests sent and the faults seen on the wire (5xx, 429, throttled, timeout, dropped, busy)."""
    die: Callable[[], None] | None = None
    """How the worker dies at the armed point: None raises :class:`WorkerKilled`; on the real stack the process
    sends itself SIGKILL (:mod:`commerce_sync.chaos.selfkill`)."""
    on_event: Callable[[Event], None] | None = None
    """Told every event as it happens (the real stack's trace file)."""
    _counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, point: KillPoint | None) -> None:
        """A new attempt: forget the last one's events and kill at ``point`` (None: only trace)."""
        with self._lock:
            self.point, self.fired, self.events, self._counts = point, None, [], Counter()

    def hit(self, kind: str, label: str) -> None:
        with self._lock:
            if self.fired is not None:
                raise WorkerKilled(f"dead since {self.point} ({self.fired.label})")
            self._counts[kind] += 1
            event = Event(kind, label)
            self.events.append(event)
            if self.on_event is not None:
                self.on_event(event)
            if self.point is not None and self.point == KillPoint(kind, self._counts[kind]):
                self.fired = event
                if self.die is not None:
                    self.die()
                raise WorkerKilled(f"killed at {self.point} ({label})")

    def counts(self) -> Counter[str]:
        return Counter(event.kind for event in self.events)

    def watches(self, request: httpx.Request) -> bool:
        return request.url.port in self.ports

    def observe(self, response: httpx.Response | None, streamed: bool) -> None:
        """Tally one API answer (GraphQL, POHODA's ``/xml``) by the fault it shows (None: the client timed out)."""
        with self._lock:
            self.wire["requests"] += 1
            fault = "timeout" if response is None else _fault(response, streamed)
            if fault:
                self.wire[fault] += 1


@contextmanager
def injected(injector: Injector) -> Iterator[Injector]:
    """Route task calls, peer requests and state writes of this process through ``injector`` while inside."""
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect.tasks import Task

    from connectors.erp.pohoda.local_state import LocalState
    from connectors.state import StateStore

    patches: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, make: Any) -> None:
        original = getattr(owner, name)
        patches.append((owner, name, owner.__dict__.get(name)))
        setattr(owner, name, functools.wraps(original)(make(original)))

    def task_call(original: Any) -> Any:
        def call(self: Task, *args: Any, **kwargs: Any) -> Any:
            injector.hit("task", self.name)
            return original(self, *args, **kwargs)

        return call

    def task_submit(original: Any) -> Any:
        def submit(self: Any, task: Task, *args: Any, **kwargs: Any) -> Any:
            injector.hit("task", task.name)
            return original(self, task, *args, **kwargs)

        return submit

    def send(original: Any) -> Any:
        def run(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            if not injector.watches(request):
                return original(self, request, **kwargs)
            label, writes = describe(request)
            injector.hit("request", label)
            try:
                response = original(self, request, **kwargs)
            except httpx.TimeoutException:
                injector.observe(None, False)  # only GraphQL requests hang in the emulators
                raise
            if request.url.path.endswith(("/graphql.json", "/xml")):
                injector.observe(response, bool(kwargs.get("stream")))
            if writes:
                try:
                    injector.hit("applied", label)
                except WorkerKilled:
                    response.close()
                    raise
            return response

        return run

    def state_write(kind: str, name: str) -> Any:
        def make(original: Any) -> Any:
            def write(self: Any, *args: Any, **kwargs: Any) -> Any:
                injector.hit(kind, name)
                return original(self, *args, **kwargs)

            return write

        return make

    try:
        patch(Task, "__call__", task_call)
        patch(ThreadPoolTaskRunner, "submit", task_submit)
        patch(httpx.Client, "send", send)
        patch(StateStore, "commit_cursor", state_write("commit", "commit_cursor"))
        for name in STATE_WRITES:
            patch(StateStore, name, state_write("state", name))
        for name in LOCAL_WRITES:
            patch(LocalState, name, state_write("state", f"pohoda.{name}"))
        yield injector
    finally:
        for owner, name, own in reversed(patches):
            if own is None:
                delattr(owner, name)  # it was inherited: uncover the base class's again
            else:
                setattr(owner, name, own)


_MUTATION = re.compile(r"^\s*mutation\b")
_COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)
_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def describe(request: httpx.Request) -> tuple[str, bool]:
    """A peer request as ``(label, writes)``: the GraphQL operation, the POHODA agenda, or method and path."""
    path = request.url.path
    if path.endswith("/graphql.json"):
        body = json.loads(request.content or b"{}")
        query = _COMMENT.sub("", body.get("query", ""))
        return body.get("operationName") or "graphql", bool(_MUTATION.match(query))
    if path == "/xml":
        return _pohoda_items(request.content)
    writes = request.method in ("POST", "PUT", "DELETE")  # staged uploads, pictures into POHODA's documents
    return f"{request.method} {'/'.join(path.strip('/').split('/')[:2])}", writes


def _fault(response: httpx.Response, streamed: bool) -> str | None:
    status = response.status_code
    if streamed and status >= 400:
        response.read()  # a short error text; the client's ``iter_bytes`` then serves it from memory
    text = b"" if streamed and status < 400 else response.content[:400]
    if status == 502 and b"answer dropped" in text:
        return "dropped"
    if status == 503 and b"busy" in text:
        return "busy"
    if status >= 500:
        return "5xx"
    if status == 429:
        return "429"
    if status == 200 and b'"THROTTLED"' in text:
        return "throttled"
    return None


def _pohoda_items(body: bytes) -> tuple[str, bool]:
    """The first item's agenda (``listStockRequest``, ``order``, …); writes when any item is not a list."""
    root = etree.fromstring(body, _XML)
    agendas = [etree.QName(child).localname for item in root for child in item[:1]]
    writes = any(not agenda.startswith("list") for agenda in agendas)
    return f"pohoda.{agendas[0] if agendas else 'empty'}", writes

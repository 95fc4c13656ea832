"""A leaky bucket kept by the Prefect server: a global concurrency limit with slot decay, used in rate-limit mode.

``PrefectSharedBucket`` is the connector's ``SharedBucket`` (``connectors/shopify/throttle.py``); what it is
for and how big it is lives in ``engine/shared_budget.py``. This module is the mechanics, and why they differ
from ``prefect.concurrency.sync.rate_limit`` (measured with prefect 3.8.8, two worker processes, one shop):

- ``rate_limit`` waits the server's ``Retry-After`` after a refusal: ≈ (cost + every cost refused lately) /
  decay rate, several times the real shortfall — two workers took 3× the time they took uncoordinated.
  Here a refused worker reads the limit and sleeps ``(active + cost − limit) / decay`` (jittered, polled at
  least every ``MAX_POLL`` s since other workers' refunds free points sooner).
- ``rate_limit`` emits an event per acquisition; a sync makes thousands of requests.
- The Prefect client sleeps ~2 s before repeating a 503, and a SQLite-backed server answers 503 ("database
  is locked") whenever two writes collide — with two workers, or one flow writing its task states, that
  was every few requests. The increment and the refund are therefore sent once with the client's HTTP
  connection (``httpx.Client.send``, skipping the Prefect client's retry wrapper) and repeated here after
  milliseconds. (That wrapper also adds CSRF headers; servers with CSRF protection on are not supported.)
- Refunds (points Shopify did not charge) go back from a background thread, coalesced: the request that
  earned one is already answered. Sent a little late a refund is still exact while the bucket is in use:
  the server's image and Shopify's bucket both restore at the same rate meanwhile.
"""

from __future__ import annotations

import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass

import httpx
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.context import SyncClientContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from connectors.shopify.errors import Throttled

__all__ = ["BUSY", "BudgetLimit", "PrefectSharedBucket", "busy_wait", "own_client"]

logger = logging.getLogger(__name__)

MAX_POLL = 2.0
"""Longest sleep between two tries while refused: other workers' refunds can free points sooner."""
BUSY = {408, 429, 502, 503}
"""Answers the server gives when it could not do the write now (SQLite: "database is locked")."""
REFUND_TRIES = 8


@dataclass(frozen=True)
class BudgetLimit:
    name: str
    limit: int
    slot_decay_per_second: float


_ensured: set[str] = set()
_ensured_lock = threading.Lock()


class PrefectSharedBucket:
    """Reserve before a request, refund what it did not use; thread-safe, one per shop and process is enough."""

    IDLE_SECONDS = 30.0
    """The refund thread ends after this long without refunds (the next refund starts a new one)."""

    def __init__(self, budget: BudgetLimit, *, timeout_seconds: float = 300.0) -> None:
        self.budget = budget
        self.timeout_seconds = timeout_seconds
        self._api_lock = threading.Lock()
        self._client: SyncPrefectClient | None = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending = 0  # refunds not sent yet
        self._sending = 0  # refunds in the call being made
        self._sender: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"PrefectSharedBucket({self.budget.name!r}, limit={self.budget.limit})"

    # -- reserve -----------------------------------------------------------------------------------------
    def reserve(self, cost: int) -> int:
        """Block until the server's bucket grants ``cost`` points (at most the whole bucket); returns them.

        Raises ``Throttled`` (retriable) when they are not granted within ``timeout_seconds``.
        """
        occupy = min(int(cost), self.budget.limit)
        if occupy <= 0:
            return 0
        self._ensure_exists()
        deadline = time.monotonic() + self.timeout_seconds
        busy = 0
        body = {"names": [self.budget.name], "slots": occupy, "mode": "rate_limit"}
        while True:
            try:
                response = self._post("/v2/concurrency_limits/increment", body)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                if response.json():
                    return occupy
                _ensured.discard(self.budget.name)  # deleted meanwhile: the server granted nothing
                self._ensure_exists()
                continue
            if response is not None and response.status_code == 423:
                busy, wait = 0, self._shortfall_wait(occupy)
            elif response is None or response.status_code in BUSY:
                busy += 1
                wait = busy_wait(busy)
            else:  # 422: no slot decay on the limit, or a cost above it — a setup error worth its message
                response.raise_for_status()
            if time.monotonic() + wait > deadline:
                raise Throttled(
                    f"{self.budget.name}: the shared API budget did not grant {occupy} points within "
                    f"{self.timeout_seconds:.0f} s (other workers are using it)",
                    retry_after=wait,
                )
            time.sleep(wait)

    def _shortfall_wait(self, occupy: int) -> float:
        """Seconds until the limit's decay frees the points still missing (jittered, at most MAX_POLL)."""
        try:
            limit = self._api().read_global_concurrency_limit_by_name(self.budget.name)
        except (httpx.HTTPError, ObjectNotFound):
            return busy_wait(1)
        missing = max(1, limit.active_slots + occupy - limit.limit)
        wait = min(MAX_POLL, missing / max(limit.slot_decay_per_second, 1e-3))
        return wait * random.uniform(1.0, 1.2) + 0.01  # jitter: workers do not retry in step

    # -- refund ------------------------------------------------------------------------------------------
    def refund(self, points: int) -> None:
        """Queue ``points`` Shopify did not charge; the refund thread sends them. Returns at once."""
        if points <= 0:
            return
        with self._lock:
            self._pending += int(points)
            if self._sender is None:
                context = contextvars.copy_context()  # the caller's Prefect settings (API URL) go along
                self._sender = threading.Thread(
                    target=context.run, args=(self._send_refunds,), daemon=True, name=f"refunds-{self.budget.name}"
                )
                self._sender.start()
            self._wake.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued refund has been sent (or given up); False when ``timeout`` ran out."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending or self._sending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def _send_refunds(self) -> None:
        """The refund thread: one decrement for whatever piled up while the previous one was on its way."""
        try:
            while self._next_batch():
                self._send_refund(self._sending)
        finally:
            with self._lock:
                if self._sender is threading.current_thread():  # ended by an error, not by idling
                    self._pending = self._sending = 0
                    self._sender = None
                    self._wake.notify_all()

    def _send_refund(self, points: int) -> None:
        body = {"names": [self.budget.name], "slots": points}
        for attempt in range(1, REFUND_TRIES + 1):
            try:
                response = self._post("/v2/concurrency_limits/decrement", body)
                if response.status_code not in BUSY:
                    response.raise_for_status()
                    return
            except httpx.TransportError:
                pass
            except httpx.HTTPError:  # refused for good (e.g. the limit was deleted)
                break
            time.sleep(busy_wait(attempt))
        # best effort: a lost refund only keeps those points until the server's decay frees them
        logger.warning("%s: could not give back %d points", self.budget.name, points)

    def _next_batch(self) -> bool:
        """Mark what is pending as being sent; False (the thread ends) after IDLE_SECONDS without refunds."""
        with self._lock:
            self._sending = 0
            self._wake.notify_all()
            if not self._pending:
                self._wake.wait(self.IDLE_SECONDS)
            if not self._pending:
                self._sender = None  # the next refund starts a new thread
                return False
            self._sending, self._pending = self._pending, 0
            return True

    # -- the Prefect API ---------------------------------------------------------------------------------
    def _api(self) -> SyncPrefectClient:
        """A client of this bucket's own, opened once: a flow run's client (what ``get_client`` returns inside
        a run) is closed when the run ends, and opening one per request costs ~0.1 s."""
        with self._api_lock:
            if self._client is None:
                self._client = contextvars.copy_context().run(own_client)
            return self._client

    def _post(self, path: str, body: dict) -> httpx.Response:
        """One POST, without the Prefect client's retry-and-sleep wrapper (see the module docstring)."""
        http = self._api()._client  # the client's httpx connection: base URL, auth and API-version headers
        return httpx.Client.send(http, http.build_request("POST", path, json=body))

    def _ensure_exists(self) -> None:
        """Create the limit when missing (a shop set up before this feature, or a test shop): once per process."""
        if self.budget.name in _ensured:
            return
        with _ensured_lock:
            if self.budget.name in _ensured:
                return
            client = self._api()
            try:
                client.read_global_concurrency_limit_by_name(self.budget.name)
            except ObjectNotFound:
                create = GlobalConcurrencyLimitCreate(
                    name=self.budget.name,
                    limit=self.budget.limit,
                    slot_decay_per_second=self.budget.slot_decay_per_second,
                )
                try:
                    client.create_global_concurrency_limit(create)
                except ObjectAlreadyExists:
                    pass
            _ensured.add(self.budget.name)


def busy_wait(attempt: int) -> float:
    """20 ms, doubling, at most 1 s, jittered: a locked SQLite database frees up in milliseconds."""
    return min(1.0, 0.02 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)


def own_client() -> SyncPrefectClient:
    """A new, opened client for the current settings (run in a copy of the caller's context)."""
    # else get_client returns the run's client; Prefect reads the var with .get(None), so None means "no context"
    SyncClientContext.__var__.set(None)  # type: ignore[arg-type]  # Prefect types it ContextVar[Self]
    return get_client(sync_client=True).__enter__()

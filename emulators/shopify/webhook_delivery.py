"""Delivering the emulated shop's webhooks: signed, asynchronous, at least once.

As Shopify documents it:
- each delivery is an HTTP POST of the JSON payload with ``X-Shopify-Topic``, ``X-Shopify-Hmac-Sha256`` (base64
  HMAC-SHA256 of the raw body under the app's client secret), ``X-Shopify-Shop-Domain``,
  ``X-Shopify-API-Version``, ``X-Shopify-Webhook-Id`` (one per delivery, the same on every retry and duplicate),
  ``X-Shopify-Event-Id`` (shared by the deliveries of one change) and ``X-Shopify-Triggered-At``
  (https://shopify.dev/docs/apps/build/webhooks/delivery-structure,
  https://shopify.dev/docs/apps/build/webhooks/verify-deliveries);
- it happens after the write has answered, from a queue (``delay_seconds`` holds it back further);
- a delivery may arrive more than once ("subscribers might receive the same webhook more than once",
  https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates): ``duplicate_share`` of them are sent twice;
- an answer other than 2xx, or none within 5 s, is a failure, retried with the original payload (8 times over
  4 hours at Shopify, https://shopify.dev/changelog/updates-to-webhook-retry-mechanism; ``retry_delays`` here).

One daemon thread sends, in due order; ``wait_idle`` lets a test wait until everything queued was attempted.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from .webhooks import WebhookConfig

if TYPE_CHECKING:
    from .state import ShopState

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Delivery:
    due: float
    order: int
    uri: str = field(compare=False)
    body: bytes = field(compare=False)
    headers: dict[str, str] = field(compare=False)
    attempt: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Attempt:
    """What the sender did, for tests and the curious: one entry per HTTP attempt."""

    webhook_id: str
    topic: str
    uri: str
    status: int | None
    """The receiver's HTTP status; None when it did not answer in time."""


class WebhookHub:
    """Turns the ledger's raised topics into signed deliveries and sends them in the background."""

    def __init__(
        self,
        state: ShopState,
        *,
        domain: str,
        api_version: str,
        config: WebhookConfig,
        http: httpx.Client | None = None,
    ) -> None:
        self.state = state
        self.domain = domain
        self.api_version = api_version
        self.config = config
        self.http = http
        self.attempts: deque[Attempt] = deque(maxlen=10_000)
        self._queue: list[_Delivery] = []
        self._sequence = itertools.count()
        self._random = random.Random(config.seed)
        self._busy = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def publish(self) -> int:
        """Queue a delivery per subscription of every topic raised since the last call; returns how many."""
        if not self.state.webhooks.subscriptions:  # the common case: nobody listens, nothing to lock for
            return 0
        with self.state.lock:
            raised = self.state.webhooks.drain(self.state)
            subscriptions = list(self.state.webhooks.subscriptions.values())
            triggered_at = self.state.now().isoformat()
        queued = 0
        for item in raised:
            body = json.dumps(item.payload, separators=(",", ":")).encode()
            event_id = str(uuid.uuid4())
            for sub in subscriptions:
                if sub.topic != item.topic:
                    continue
                headers = self._headers(item.topic, body, event_id, triggered_at, sub.name)
                copies = 2 if self._random.random() < self.config.duplicate_share else 1
                for copy in range(copies):
                    self._enqueue(sub.uri, body, headers, self.config.delay_seconds + 0.05 * copy)
                queued += copies
        return queued

    def _headers(self, topic: str, body: bytes, event_id: str, triggered_at: str, name: str | None) -> dict[str, str]:
        digest = hmac.new(self.config.secret.get_secret_value().encode(), body, hashlib.sha256).digest()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic.lower().replace("_", "/", 1),
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": triggered_at,
        }
        if name:
            headers["X-Shopify-Name"] = name
        return headers

    def _enqueue(self, uri: str, body: bytes, headers: dict[str, str], delay: float) -> None:
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._queue, _Delivery(time.monotonic() + delay, next(self._sequence), uri, body, headers))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="shopify-emulator-webhooks", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery was attempted (retries included); False if ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._queue.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.config.timeout_seconds + 1)

    def _run(self) -> None:
        client = self.http or httpx.Client(timeout=httpx.Timeout(self.config.timeout_seconds, connect=1.0))
        try:
            while (delivery := self._next()) is not None:
                try:
                    self._attempt(client, delivery)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()
        finally:
            if self.http is None:
                client.close()

    def _next(self) -> _Delivery | None:
        with self._cond:
            while not self._closed:
                if self._queue and self._queue[0].due <= time.monotonic():
                    self._busy += 1
                    return heapq.heappop(self._queue)
                self._cond.wait(max(0.0, self._queue[0].due - time.monotonic()) if self._queue else None)
            return None

    def _attempt(self, client: httpx.Client, delivery: _Delivery) -> None:
        try:
            status: int | None = client.post(delivery.uri, content=delivery.body, headers=delivery.headers).status_code
        except httpx.HTTPError as exc:
            log.info("webhook to %s failed: %s", delivery.uri, type(exc).__name__)
            status = None
        headers = delivery.headers
        self.attempts.append(Attempt(headers["X-Shopify-Webhook-Id"], headers["X-Shopify-Topic"], delivery.uri, status))
        if status is not None and 200 <= status < 300:
            return
        if delivery.attempt < len(self.config.retry_delays):
            delivery.due = time.monotonic() + self.config.retry_delays[delivery.attempt]
            delivery.attempt += 1
            with self._cond:
                if not self._closed:
                    heapq.heappush(self._queue, delivery)

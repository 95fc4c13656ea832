"""Client-side cost governor: one leaky bucket per shop (× app), shared by every task of a process.

Shopify's GraphQL Admin API charges each query its *requested* cost up front from a leaky bucket per app and
store, refunding the unused part afterwards; a query the bucket cannot cover is refused with ``THROTTLED``.
Rather than hammer the API and back off, the governor keeps a local image of that bucket:

- ``reserve(cost)`` takes the cost before the request is sent. The bucket may go negative — that debt is
  exactly ``(requested − available)``, and the caller sleeps ``debt / restoreRate``. Later callers see the
  deeper debt and wait longer, so concurrent tasks queue fairly instead of racing.
- ``settle(reservation, status)`` corrects the image from the response's ``extensions.cost.throttleStatus``
  (maximum, currently available, restore rate) minus what other in-flight requests have reserved.
  Nothing about the bucket is hard-coded: plans restore 100/200/1000/2000 points/s, bucket sizes are
  undocumented, and Shopify may lower limits temporarily.
- Until the first response the governor uses a provisional bucket of 1000 points (every real bucket holds at
  least one maximum-cost query) restoring 50/s (the lowest rate Shopify has published), i.e. it starts
  cautious and learns.

Several processes (workers on several machines) syncing the same shop each keep their own image, and each
image only learns what the others spent from the next response — too late when they start together. An
optional ``SharedBucket`` closes that gap: ``reserve`` asks it for the cost once the local image allows the
request (it blocks until the shared budget grants the points), and ``settle`` gives back what Shopify refunded
(requested − actual) or never charged. A THROTTLED answer is not given back: the shared image was too
optimistic, and the kept points hold every process back. The shared bucket is plain Python here; the Prefect
implementation (a global concurrency limit with slot decay) lives in ``engine/shared_budget.py``.

The governor also carries the shop's ``CostMemory`` (``cost_memory.py``): the ``requestedQueryCost`` Shopify
reported per document, from which clients estimate what to reserve and how large a page to ask for.

Clock and sleep are injectable so tests run without real time; all state changes happen under one lock and
sleeping (or waiting for the shared budget) happens outside it.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from pydantic import SecretStr

from connectors.shopify.cost_memory import CostMemory

__all__ = ["CostGovernor", "Reservation", "SharedBucket", "ThrottleStatus", "governor_for", "reset_governors"]

logger = logging.getLogger(__name__)

PROVISIONAL_MAXIMUM = 1000.0
PROVISIONAL_RESTORE_RATE = 50.0
MIN_THROTTLE_BACKOFF = 1.0
"""Shopify's recommended minimum back-off after a throttled request, in seconds."""


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_extensions(cls, extensions: Mapping[str, Any] | None) -> ThrottleStatus | None:
        """The ``extensions.cost.throttleStatus`` of a response, or None when absent or malformed."""
        if extensions is None:
            return None
        try:
            raw = extensions["cost"]["throttleStatus"]
            status = cls(
                maximum_available=float(raw["maximumAvailable"]),
                currently_available=float(raw["currentlyAvailable"]),
                restore_rate=float(raw["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if status.maximum_available <= 0 or status.restore_rate <= 0:
            return None
        return status


class SharedBucket(Protocol):
    """A cost budget shared with other processes that talk to the same shop (e.g. a Prefect rate limit)."""

    def reserve(self, cost: int) -> int:
        """Block until ``cost`` points are granted and return how many were taken (fewer when the shared bucket
        is smaller than ``cost``); raise (e.g. ``Throttled``) when they cannot be granted."""

    def refund(self, points: int) -> None:
        """Give back ``points`` Shopify did not charge. Best effort: must not raise."""


@dataclass(frozen=True)
class Reservation:
    id: int
    cost: float
    waited: float
    shared: int = 0
    """Points taken from the shared bucket for this request (0 without one)."""


class CostGovernor:
    """A thread-safe local image of one shop's cost bucket. See the module docstring for the model."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        name: str = "shop",
        shared: SharedBucket | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.name = name
        self.shared = shared
        """Asked before every local reservation when set (see the module docstring)."""
        self._lock = threading.Lock()
        self._maximum = PROVISIONAL_MAXIMUM
        self._available = PROVISIONAL_MAXIMUM
        self._restore_rate = PROVISIONAL_RESTORE_RATE
        self._updated_at = clock()
        self._blocked_until = float("-inf")
        self._learned = False
        self._in_flight: dict[int, float] = {}
        self._ids = itertools.count(1)
        self.costs = CostMemory()
        """What each document really cost on this shop: the estimates reserved and the page sizes sent."""

    # -- reading -----------------------------------------------------------------------------------------
    @property
    def learned(self) -> bool:
        """Whether the bucket has been corrected from at least one response."""
        return self._learned

    def snapshot(self) -> dict[str, float | bool]:
        with self._lock:
            self._refill(self._clock())
            return {
                "maximum": self._maximum,
                "available": self._available,
                "restore_rate": self._restore_rate,
                "learned": self._learned,
            }

    # -- the request cycle -------------------------------------------------------------------------------
    def reserve(self, cost: float) -> Reservation:
        """Take ``cost`` points, sleeping first when the bucket cannot cover them.

        With a shared bucket, its grant comes last (after the local wait, right before the request leaves):
        the shared image charges when it grants and Shopify when the request arrives, so any time between the
        two is a moment in which the shared image is ahead of Shopify's. If the grant fails, the local points
        go back.
        """
        with self._lock:
            now = self._clock()
            self._refill(now)
            cost = min(float(cost), self._maximum)  # a bucket never holds more than its maximum
            self._available -= cost
            wait = max(0.0, -self._available / self._restore_rate, self._blocked_until - now)
            reservation = Reservation(id=next(self._ids), cost=cost, waited=wait)
            self._in_flight[reservation.id] = cost
        if wait > 0:
            logger.info("%s: waiting %.2f s for %.0f cost points", self.name, wait, cost)
            self._sleep(wait)
        shared = self.shared
        if shared is None or cost <= 0:
            return reservation
        try:
            granted = shared.reserve(math.ceil(cost))  # outside the lock: it waits on other processes
        except BaseException:
            self.settle(reservation, None, refund=True)
            raise
        return replace(reservation, shared=granted)

    def settle(
        self,
        reservation: Reservation,
        status: ThrottleStatus | None,
        *,
        refund: bool = False,
        actual_cost: float | None = None,
    ) -> None:
        """The request is answered: correct the bucket from ``status`` (or refund a request never charged).

        ``actual_cost`` (``extensions.cost.actualQueryCost``) lets the shared bucket get back what Shopify
        refunded; without it the shared bucket keeps the whole reservation and lets it decay.
        """
        if reservation.shared:
            if refund:
                self._refund_shared(reservation.shared)
            elif actual_cost is not None:
                self._refund_shared(reservation.shared - math.ceil(max(0.0, actual_cost)))
        with self._lock:
            cost = self._in_flight.pop(reservation.id, 0.0)
            now = self._clock()
            if status is None:
                self._refill(now)
                if refund:
                    self._available = min(self._maximum, self._available + cost)
                return
            others = sum(self._in_flight.values())
            self._maximum = status.maximum_available
            self._restore_rate = status.restore_rate
            self._available = min(status.currently_available, self._maximum) - others
            self._updated_at = now
            self._learned = True

    def throttled(self, reservation: Reservation, status: ThrottleStatus | None) -> None:
        """Shopify refused the request (THROTTLED / 429): nothing was charged; hold everyone back briefly.

        The retry's own ``reserve`` then waits ``(requested − currentlyAvailable) / restoreRate`` from the
        corrected bucket; the pause only enforces Shopify's one-second minimum.
        """
        reservation = replace(reservation, shared=0)  # kept by the shared bucket: see the module docstring
        if status is None:
            self.settle(reservation, None, refund=True)
            with self._lock:
                self._available = min(self._available, 0.0)  # the server says the bucket is empty
        else:
            self.settle(reservation, status)
        self.pause(MIN_THROTTLE_BACKOFF)

    def pause(self, seconds: float) -> None:
        """Let no request start for ``seconds`` (e.g. a 429's Retry-After)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + max(0.0, seconds))

    def _refund_shared(self, points: int) -> None:
        shared = self.shared
        if shared is not None and points > 0:
            shared.refund(points)

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated_at)
        self._available = min(self._maximum, self._available + elapsed * self._restore_rate)
        self._updated_at = now


_registry: dict[tuple[str, str], CostGovernor] = {}
_registry_lock = threading.Lock()


def governor_for(shop_url: str, access_token: SecretStr | str, *, shared: SharedBucket | None = None) -> CostGovernor:
    """The process-wide governor of one shop × app (the token identifies the app installation).

    Keyed by the shop URL and a SHA-256 of the token — never the token itself — so every client of the same
    shop in this process, whichever task built it, draws from the same bucket. ``shared`` attaches a shared
    bucket to that governor (replacing an earlier one: the newest shop config wins); None leaves it as it is,
    because the bucket belongs to the shop, not to the client that happens to ask.
    """
    secret = access_token.get_secret_value() if isinstance(access_token, SecretStr) else access_token
    key = (shop_url.rstrip("/").lower(), hashlib.sha256(secret.encode()).hexdigest()[:16])
    with _registry_lock:
        governor = _registry.get(key)
        if governor is None:
            governor = _registry[key] = CostGovernor(name=key[0])
        if shared is not None:
            governor.shared = shared
        return governor


def reset_governors() -> None:
    """Forget every shared governor (tests; a process that rotates tokens)."""
    with _registry_lock:
        _registry.clear()

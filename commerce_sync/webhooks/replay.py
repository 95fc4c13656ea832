"""Which webhook deliveries were already taken: a bounded, expiring memory of ``X-Shopify-Webhook-Id``s.

Shopify delivers at least once: the same delivery can arrive again, with the same ``X-Shopify-Webhook-Id``
(https://shopify.dev/docs/apps/build/webhooks/verify-deliveries, .../webhooks/ignore-duplicates), and a delivery
not acknowledged in time is retried 8 times over 4 hours
(https://shopify.dev/changelog/updates-to-webhook-retry-mechanism). Remembering ids for those 4 hours covers
the retries; the size bound keeps a flood from growing the process without limit (the oldest ids go first).
Past either bound a repeat is let through: it only emits an event Prefect already saw (the event id is derived
from the webhook id, and the server drops an event id it has seen), and at worst starts one more sync, which
imports nothing twice.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_TTL_SECONDS = 4 * 3600.0
DEFAULT_MAX_IDS = 20_000


class RecentIds:
    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_ids: int = DEFAULT_MAX_IDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0 or max_ids <= 0:
            raise ValueError("ttl_seconds and max_ids must be positive")
        self.ttl_seconds = ttl_seconds
        self.max_ids = max_ids
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()  # insertion order = expiry order (one TTL)
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen within the TTL (and remembers it); False for a repeat."""
        now = self._clock()
        with self._lock:
            while self._expiry and next(iter(self._expiry.values())) <= now:
                self._expiry.popitem(last=False)
            if key in self._expiry:
                return False
            self._expiry[key] = now + self.ttl_seconds
            while len(self._expiry) > self.max_ids:
                self._expiry.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._expiry)

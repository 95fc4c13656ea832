"""The search index behind ``query:``: it sees a write only ``EmulatorConfig.search_lag_seconds`` after it.

Shopify answers ``query:`` from a search index that is filled from the database asynchronously
(https://shopify.dev/docs/api/usage/search-syntax describes one search service for the admin, the storefront and
the APIs) and documents no bound on how far it trails; other clients meet it as records missing from searches
right after a write. The project's own orders overlap (``flows.runtime.OVERLAP``) exists because of it. So the
emulator is hostile: a record whose last write is younger than the lag is matched as the index last saw it
(its earlier version, when a search saw one) or not at all (created within the lag). Listings without ``query:``
and reads by id (``node``, ``order(id:)``, ``collectionByIdentifier``) come from the database and see every
write at once.

The earlier version is a shallow copy taken when a search last saw the record settled; nested lists may show
newer values, which only makes the index fresher than Shopify's, never staler. ``catch_up()`` indexes every
record as it is now (a test's "the index has caught up", without moving the clock that stamps records).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from .clock import Clock


class SearchIndex:
    def __init__(self, clock: Clock, records: Callable[[], Iterable[Any]]):
        self.clock = clock
        self._records = records
        self._seen: dict[tuple[str, int], Any] = {}

    def catch_up(self) -> None:
        """Index every record as it is now; later writes lag again."""
        for record in self._records():
            self._seen[(type(record).__name__, record.id)] = copy.copy(record)

    def horizon(self, lag_seconds: float) -> datetime:
        """Writes stamped at or before this instant are in the index."""
        return self.clock.now() - timedelta(seconds=lag_seconds)

    def view(self, record: Any, horizon: datetime) -> Any | None:
        """The version of ``record`` a search matches against now, or None when the index does not hold it."""
        stamp = getattr(record, "updated_at", None)
        key = (type(record).__name__, record.id)
        if stamp is None or stamp <= horizon:
            seen = self._seen.get(key)
            if seen is None or getattr(seen, "updated_at", None) != stamp:  # a BulkOperation has no updated_at
                self._seen[key] = copy.copy(record)
            return record
        return self._seen.get(key)

"""What each document really costs on this shop, learnt from Shopify's answers, and the page size that allows.

A document's ``# cost: N (… first: M)`` header is an upper bound computed with the linear ``2 + first × node``
reading of Shopify's rules; what Shopify actually reports (``extensions.cost.requestedQueryCost``) is 5–20×
lower for paged reads (BC's audit of its connector: ``inventoryLevels(first: 100)`` 48, ``orders(first:
25)`` 68; see ``emulators/shopify/cost.py``). Sizing every page from the header would send 10–20× more requests
than needed, so pages start at the header's size and then grow from what Shopify reported.

Why growing is safe: a connection's cost rises with ``first`` but never faster than in proportion — every
documented rule and every published measurement has ``cost(n) / n`` non-increasing in ``n``. So a cost ``R``
reported at ``first = F`` bounds the cost at any ``n > F`` by ``R · n / F``, and at any ``n ≤ F`` by ``R``.
The memory keeps every (``first`` → reported cost) pair per document and the other sizes in its variables
(list lengths, other integers), estimates with the tightest of those bounds (the header being one more pair),
and picks the largest ``first`` up to 250 whose bound stays within Shopify's 1000-point single-query cap.

One memory belongs to a ``CostGovernor`` (one per shop × app in a process), so every client and task of the
shop shares what was learnt.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

from connectors.shopify.operations import MAX_QUERY_COST, Operation
from connectors.shopify.paging import MAX_PAGE_SIZE

__all__ = ["CostMemory"]

_Sizes = tuple[tuple[str, int], ...]


class CostMemory:
    """Reported ``requestedQueryCost`` per document, its other sizes and its ``first``. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, _Sizes], dict[int | None, int]] = {}

    def learn(self, operation: Operation, variables: Mapping[str, Any], requested: int) -> None:
        """Remember what Shopify reported for ``operation`` sent with ``variables``."""
        key, first = _key(operation, variables)
        with self._lock:
            self._seen.setdefault(key, {})[first] = int(requested)

    def estimate(self, operation: Operation, variables: Mapping[str, Any]) -> int:
        """An upper bound of the cost Shopify will charge: the exact figure when seen, else the tightest
        bound from the pairs seen and the header (see the module docstring)."""
        key, first = _key(operation, variables)
        with self._lock:
            seen = dict(self._seen.get(key, {}))
        return _bound(operation, seen, first)

    def page_size(self, operation: Operation, variables: Mapping[str, Any]) -> int:
        """The largest ``first`` (≤ 250) whose estimated cost stays within the single-query cap; at least 1."""
        key, _ = _key(operation, variables)
        with self._lock:
            seen = dict(self._seen.get(key, {}))
        for size in range(MAX_PAGE_SIZE, 1, -1):
            if _bound(operation, seen, size) <= MAX_QUERY_COST:
                return size
        return 1


def _key(operation: Operation, variables: Mapping[str, Any]) -> tuple[tuple[str, _Sizes], int | None]:
    """(document and its other sizes, ``first``): what the requested cost depends on. List lengths count
    (``nodes(ids:)`` charges per id), so a short last batch never lowers the estimate of a full one."""
    paged = operation.max_first is not None
    first = variables.get("first") if paged else None
    sizes = tuple(
        sorted(
            (name, len(value) if isinstance(value, (list, tuple)) else value)
            for name, value in variables.items()
            if (name != "first" or not paged)
            and (isinstance(value, (list, tuple)) or (isinstance(value, int) and not isinstance(value, bool)))
        )
    )
    return (operation.name, sizes), first if isinstance(first, int) and not isinstance(first, bool) else None


def _bound(operation: Operation, seen: dict[int | None, int], first: int | None) -> int:
    if first in seen:
        return seen[first]
    declared = int(operation.cost or 0)
    if first is None:
        return declared
    pairs = [(f, cost) for f, cost in seen.items() if f is not None and f > 0]
    if operation.max_first:
        pairs.append((operation.max_first, declared))
    if not pairs:
        return declared
    return min(cost if size >= first else math.ceil(cost * first / size) for size, cost in pairs)

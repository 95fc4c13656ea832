"""One shop's Shopify API budget, shared by every worker process through the Prefect server.

Shopify meters a leaky bucket per shop × app. Each process keeps its own image of it (the connector's
``CostGovernor``) and learns what other processes spent only from its next response — too late when several
workers start a burst together, and they then get THROTTLED answers. A Prefect global concurrency limit with
slot decay *is* a leaky bucket kept by the server, so every process that talks to that server can share it:

- ``limit`` = the bucket size and ``slot_decay_per_second`` = the plan's restore rate (Standard 100,
  Advanced 200, Plus 1000, Enterprise 2000 points/s).
- Before a request, the worker takes the requested cost from it in rate-limit mode and waits while the
  server refuses — Shopify's own rule: the requested cost must be available up front.
- After the answer, the points Shopify refunded (requested − actual; for order pages ~3/4 of the request)
  go back. Without that the shared image would let only a quarter of the real throughput through.

How, and why not simply ``prefect.concurrency.sync.rate_limit``: ``engine/prefect_bucket.py``.

The bucket size is **an estimate** (``budget_limit``): Shopify does not document it; observed buckets are about
20 × the restore rate (2 000 points on Standard). The local governor still corrects from ``throttleStatus`` on every
response, so a smaller real bucket costs a THROTTLED answer and a wait, never a failure; a bigger one only
leaves some burst capacity unused.

The limit is named after the shop's block (``shopify-cost:<shop>``, like the ``<shop>:<category>`` locks).
``commerce-sync setup`` creates it (``deployments.setup.ensure_shared_budgets``); a worker that finds it
missing creates it with its block's numbers, so a shop added after setup still coordinates. Setting the
limit inactive (``prefect gcl update shopify-cost:<shop> --disable``) lets every worker through unchecked.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from prefect.exceptions import ObjectAlreadyExists

from domain.categories import shopify_budget_name
from engine.prefect_bucket import BudgetLimit, PrefectSharedBucket

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient

    from blocks import ShopifyShop

__all__ = [
    "BUCKET_SECONDS",
    "BudgetLimit",
    "PrefectSharedBucket",
    "budget_limit",
    "ensure_shared_budget",
    "shared_budget_for",
]

BUCKET_SECONDS = 20.0
"""Estimated bucket size in seconds of restore rate (Standard: 2 000 points at 100/s)."""
HEADROOM_SECONDS = 0.25
"""Kept free of the bucket, in seconds of restore rate: the server charges a request when it grants it,
Shopify when it arrives a hop later, so the server's image starts restoring that much earlier. Without it
two workers on a busy machine still got an occasional THROTTLED answer (1 in ~70 requests)."""


def budget_limit(shop: str, restore_rate: float, *, bucket_size: int | None = None) -> BudgetLimit:
    """The limit for a shop: the bucket (``bucket_size`` when known, else ``BUCKET_SECONDS × restore_rate``)
    less ``HEADROOM_SECONDS`` of restore rate; its slots decay at the restore rate."""
    if not restore_rate > 0:
        raise ValueError(f"shop {shop!r}: restore_rate must be a positive number of points/s, got {restore_rate!r}")
    if bucket_size is not None and bucket_size < 1:
        raise ValueError(f"shop {shop!r}: bucket_size must be at least 1 point, got {bucket_size!r}")
    size = bucket_size if bucket_size is not None else round(BUCKET_SECONDS * restore_rate)
    limit = max(1, size - math.ceil(HEADROOM_SECONDS * restore_rate))
    return BudgetLimit(name=shopify_budget_name(shop), limit=limit, slot_decay_per_second=float(restore_rate))


async def ensure_shared_budget(client: PrefectClient, budget: BudgetLimit) -> None:
    """Create the limit, or update it when its size or decay differ (slots in use are kept)."""
    try:
        await client.upsert_global_concurrency_limit_by_name(
            budget.name, budget.limit, slot_decay_per_second=budget.slot_decay_per_second
        )
    except ObjectAlreadyExists:  # a worker created it between the read and the create: check the numbers
        await client.upsert_global_concurrency_limit_by_name(
            budget.name, budget.limit, slot_decay_per_second=budget.slot_decay_per_second
        )


def shared_budget_for(name: str, shop: ShopifyShop) -> PrefectSharedBucket | None:
    """The shared bucket of the shop block saved as ``name``, or None when the block turns sharing off."""
    if not shop.shared_rate_limit:
        return None
    return PrefectSharedBucket(budget_limit(name, shop.restore_rate))

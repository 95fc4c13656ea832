"""Wiring a shop into Prefect from code: its ERP block, its shop block, and the locks its flows take.

The demo, the local server stack, the chaos harness, the benchmarks and the flow tests all set a shop up the
same way; doing it in one place keeps them from drifting apart (a shop saved without its locks fails its first
flow: the flows take their locks with ``strict=True``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from blocks import ErpDatabase, PohodaMServer, ShopifyShop
from deployments.setup import ensure_concurrency_limits
from engine import resources


def wire_shop(
    name: str,
    erp: ErpDatabase | PohodaMServer,
    *,
    erp_name: str | None = None,
    overwrite: bool = False,
    **shop_fields: Any,
) -> ShopifyShop:
    """Save ``erp`` (as ``erp_name``, default ``<name>-erp``) and a ``ShopifyShop`` of ``shop_fields`` pointing at
    it as ``name``, forget connectors this process cached under ``name`` (from a shop of that name saved
    before), and create the shop's queue-category locks. Returns the shop block."""
    erp_name = erp_name or f"{name}-erp"
    erp.save(erp_name, overwrite=overwrite)
    shop = ShopifyShop(erp_block=f"{erp.get_block_type_slug()}/{erp_name}", **shop_fields)
    shop.save(name, overwrite=overwrite)
    resources.forget(name)
    asyncio.run(ensure_concurrency_limits([name]))
    return shop


def release_shop(name: str) -> None:
    """Close and forget the connectors this process built for the shop, as a worker that stops would: the
    ERP adapter (its HTTP client or engine) and the Shopify client."""
    cached = resources._cache.get(name)
    if cached is not None and "erp" in cached.__dict__ and hasattr(cached.erp, "close"):
        cached.erp.close()
    resources.forget(name)

"""Connectors of a shop, built once per process from its blocks.

Tasks take the shop's block *name* (a string the Prefect UI can show), never a client; this module turns the
name into connectors and keeps them for the life of the process, so every task of a shop shares one HTTP
client, one cost governor and one database engine.

When the shop's ERP is the ``sql`` adapter and no separate state URL is set, the state store uses the ERP's
engine: an ERP write and the state that records it then commit in one transaction
(``ErpBackend.unit_of_work``).

The transport seam: ``set_http_factory`` gives every shop's Shopify client an ``httpx.Client`` of the caller's
making (httpx's own seam), so a flow test shapes what the wire does, a timeout, a hook on each request, with
every line of the connectors a deployment runs still in the path. A deployment sets none: each client opens
its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import cast

import httpx

from blocks import ErpDatabase, PohodaMServer, ShopifyShop
from connectors.erp.port import ErpBackend
from connectors.erp.sql import SqlErpBackend, default_data_dir
from connectors.shopify import ShopifyClient
from connectors.state import StateStore
from engine.shared_budget import shared_budget_for
from engine.shared_token import shared_token_for

_lock = threading.Lock()
_cache: dict[str, ShopResources] = {}
_http_factory: Callable[[str], httpx.Client | None] | None = None


@dataclass
class ShopResources:
    name: str
    shop: ShopifyShop
    erp_block: ErpDatabase | PohodaMServer

    @cached_property
    def erp(self) -> ErpBackend:
        return self.erp_block.backend()

    @cached_property
    def state(self) -> StateStore:
        url = self.shop.state_url or getattr(self.erp_block, "state_url", None)
        if url is not None:
            store = StateStore.from_url(url.get_secret_value())
        elif isinstance(self.erp_block, ErpDatabase) and isinstance(self.erp, SqlErpBackend):
            store = StateStore(self.erp.engine)  # one database: the ERP's units of work share its transactions
        else:
            store = StateStore.from_url(f"sqlite:///{default_data_dir() / f'state-{self.name}.db'}")
        store.create_schema()
        return store

    @cached_property
    def shopify(self) -> ShopifyClient:
        http = _http_factory(self.name) if _http_factory is not None else None
        return self.shop.client(
            http=http,
            shared_budget=shared_budget_for(self.name, self.shop),
            shared_token=shared_token_for(self.name, self.shop),
        )


def set_http_factory(factory: Callable[[str], httpx.Client | None] | None) -> None:
    """Build each shop's Shopify client on ``factory(shop)`` (``None`` from it, or no factory: the client opens
    its own). Applies to clients built after the call; the caller closes the ``httpx.Client`` it made."""
    global _http_factory
    _http_factory = factory


def resources(shop: str) -> ShopResources:
    """The shop's connectors; loaded from its blocks on first use in this process."""
    with _lock:
        found = _cache.get(shop)
        if found is None:
            # Prefect's sync/async dispatch hides the loaded type from a type checker
            block = cast(ShopifyShop, ShopifyShop.load(shop))
            found = _cache[shop] = ShopResources(name=shop, shop=block, erp_block=block.erp())
        return found


def forget(shop: str | None = None) -> None:
    """Drop cached connectors (tests that rebuild a shop's blocks under the same name)."""
    with _lock:
        for name in [shop] if shop else list(_cache):
            cached = _cache.pop(name, None)
            if cached is not None and "shopify" in cached.__dict__:
                cached.shopify.close()

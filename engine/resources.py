"""Connectors of a shop, built once per process from its blocks.

Tasks take the shop's block *name* (a string the Prefect UI can show), never a client; this module turns the
name into connectors and keeps them for the life of the process, so every task of a shop shares one HTTP
client, one cost governor and one database engine.

When the shop's ERP is the ``sql`` adapter and no separate state URL is set, the state store uses the ERP's
engine: an ERP write and the state that records it then commit in one transaction
(``ErpBackend.unit_of_work``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import cast

from blocks import ErpDatabase, PohodaMServer, ShopifyShop
from connectors.erp.port import ErpBackend
from connectors.erp.sql import SqlErpBackend, default_data_dir
from connectors.shopify import ShopifyClient
from connectors.state import StateStore
from engine.shared_budget import shared_budget_for

_lock = threading.Lock()
_cache: dict[str, ShopResources] = {}


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
        return self.shop.client(shared_budget=shared_budget_for(self.name, self.shop))


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

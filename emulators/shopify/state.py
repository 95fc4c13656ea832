"""The emulated shop's data: in-memory tables of records, their ids, indexes and one lock.

Every GraphQL request runs while holding ``lock`` (an ``RLock``), so a page never sees half of a concurrent
mutation; the emulator trades parallelism for consistency, which is right for a test peer. Writes go through
``touch()`` so ``updatedAt`` moves on every change, from the injectable clock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from . import records as r
from .clock import Clock, SystemClock
from .gids import split_gid
from .jobs import JobQueue
from .search_index import SearchIndex
from .seeding import SeedingMixin
from .webhooks import WebhookLedger

# GraphQL type name → table attribute, for node lookups by GID.
TABLES: dict[str, str] = {
    "Product": "products",
    "ProductVariant": "variants",
    "InventoryItem": "inventory_items",
    "InventoryLevel": "inventory_levels",
    "Location": "locations",
    "Collection": "collections",
    "Metafield": "metafields",
    "MediaImage": "media",
    "Customer": "customers",
    "Order": "orders",
    "LineItem": "line_items",
    "OrderTransaction": "transactions",
    "FulfillmentOrder": "fulfillment_orders",
    "FulfillmentOrderLineItem": "fulfillment_order_lines",
    "Fulfillment": "fulfillments",
    "Refund": "refunds",
    "BulkOperation": "bulk_operations",
    "Publication": "publications",
    "AppCatalog": "catalogs",
}

DEFAULT_PUBLICATIONS = ("Online Store", "Point of Sale")
"""The sales channels every new Shopify store has installed (see the README's documented-behaviour table)."""

# Resource types whose records carry metafields, with their MetafieldOwnerType.
OWNER_TYPES: dict[str, str] = {
    "Product": "PRODUCT",
    "ProductVariant": "PRODUCTVARIANT",
    "Collection": "COLLECTION",
    "Customer": "CUSTOMER",
    "Order": "ORDER",
    "Location": "LOCATION",
}


class ShopState(SeedingMixin):
    def __init__(self, clock: Clock | None = None, *, currency: str = "EUR", unique_skus: bool = True):
        self.clock: Clock = clock or SystemClock()
        self.currency = currency
        self.unique_skus = unique_skus
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every record (``POST /_emulator/reset``); ids start again at 1."""
        with self.lock:
            self.products: dict[int, r.Product] = {}
            self.variants: dict[int, r.Variant] = {}
            self.inventory_items: dict[int, r.InventoryItem] = {}
            self.inventory_levels: dict[int, r.InventoryLevel] = {}
            self.locations: dict[int, r.Location] = {}
            self.collections: dict[int, r.Collection] = {}
            self.metafields: dict[int, r.Metafield] = {}
            self.media: dict[int, r.MediaImage] = {}
            self.customers: dict[int, r.Customer] = {}
            self.orders: dict[int, r.Order] = {}
            self.line_items: dict[int, r.LineItem] = {}
            self.transactions: dict[int, r.Transaction] = {}
            self.fulfillment_orders: dict[int, r.FulfillmentOrder] = {}
            self.fulfillment_order_lines: dict[int, r.FulfillmentOrderLine] = {}
            self.fulfillments: dict[int, r.Fulfillment] = {}
            self.refunds: dict[int, r.Refund] = {}
            self.bulk_operations: dict[int, r.BulkOperation] = {}
            self.publications: dict[int, r.Publication] = {}
            self.catalogs: dict[int, r.AppCatalog] = {}
            self.uploads: dict[str, tuple[bytes, str | None]] = {}
            self.idempotency: dict[tuple[str, str], tuple[str, Any]] = {}
            self.jobs = JobQueue(self.clock)
            self.search_index = SearchIndex(self.clock, self.records)
            self._levels_by_item: dict[int, dict[int, r.InventoryLevel]] = {}
            self._metafields_by_owner: dict[tuple[str, int], dict[tuple[str, str], r.Metafield]] = {}
            self._fo_line_owner: dict[int, int] = {}
            self._next_ids: dict[str, int] = {}
            self.version = getattr(self, "version", 0) + 1
            self.page_cache: dict[tuple, list] = {}
            for name in DEFAULT_PUBLICATIONS:
                self.add_publication(name)
            self.webhooks = WebhookLedger()

    # ---- ids and time ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def bump(self) -> None:
        """Every write moves the version, which retires cached filtered/sorted listings."""
        self.version += 1

    def remember_page(self, key: tuple, rows: list) -> None:
        if len(self.page_cache) >= 16:
            self.page_cache.pop(next(iter(self.page_cache)))
        self.page_cache[key] = rows

    def next_id(self, table: str) -> int:
        self.version += 1
        value = self._next_ids.get(table, 1)
        existing = getattr(self, table, {})
        while value in existing:
            value += 1
        self._next_ids[table] = value + 1
        return value

    def claim_id(self, table: str, wanted: int | None) -> int:
        """Use a given id (seeded GIDs keep their numbers) or allocate the next free one."""
        if wanted is None or wanted in getattr(self, table):
            return self.next_id(table)
        self.version += 1
        self._next_ids[table] = max(self._next_ids.get(table, 1), wanted + 1)
        return wanted

    def touch(self, *records: Any) -> datetime:
        stamp = self.now()
        self.version += 1
        for rec in records:
            if rec is not None:
                rec.updated_at = stamp
        self.webhooks.note(records)
        return stamp

    def add_publication(self, name: str, *, auto_publish: bool = False) -> r.Publication:
        """A sales channel's publication (and its app catalog) named ``name``."""
        catalog = r.AppCatalog(id=self.next_id("catalogs"), title=name)
        publication = r.Publication(id=self.next_id("publications"), catalog=catalog, auto_publish=auto_publish)
        self.catalogs[catalog.id] = catalog
        self.publications[publication.id] = publication
        return publication

    # ---- lookups -----------------------------------------------------------------------------------------

    def find(self, gid_value: object, *types: str) -> Any | None:
        """The record a GID names, if it exists and is of one of ``types`` (any stored type when none given)."""
        parsed = split_gid(gid_value)
        if parsed is None:
            return None
        type_name, number = parsed
        if types and type_name not in types:
            return None
        table = TABLES.get(type_name)
        return getattr(self, table).get(number) if table else None

    def levels_of_item(self, item_id: int) -> dict[int, r.InventoryLevel]:
        """Inventory levels of one item by location id."""
        return self._levels_by_item.get(item_id, {})

    def add_level(self, level: r.InventoryLevel) -> None:
        self.inventory_levels[level.id] = level
        self._levels_by_item.setdefault(level.item_id, {})[level.location_id] = level

    def drop_levels_of_item(self, item_id: int) -> None:
        for level in self._levels_by_item.pop(item_id, {}).values():
            self.inventory_levels.pop(level.id, None)

    def metafields_of(self, owner_type: str, owner_id: int) -> dict[tuple[str, str], r.Metafield]:
        return self._metafields_by_owner.get((owner_type, owner_id), {})

    def add_metafield(self, mf: r.Metafield) -> None:
        self.metafields[mf.id] = mf
        self._metafields_by_owner.setdefault((mf.owner_type, mf.owner_id), {})[(mf.namespace, mf.key)] = mf

    def drop_metafields_of(self, owner_type: str, owner_id: int) -> None:
        for mf in self._metafields_by_owner.pop((owner_type, owner_id), {}).values():
            self.metafields.pop(mf.id, None)

    def add_fulfillment_order(self, fo: r.FulfillmentOrder) -> None:
        self.fulfillment_orders[fo.id] = fo
        for line in fo.lines:
            self.fulfillment_order_lines[line.id] = line
            self._fo_line_owner[line.id] = fo.id

    def fulfillment_order_of_line(self, line_id: int) -> r.FulfillmentOrder | None:
        fo_id = self._fo_line_owner.get(line_id)
        return self.fulfillment_orders.get(fo_id) if fo_id is not None else None

    def variants_with_sku(self, sku: str) -> Iterator[r.Variant]:
        return (v for v in self.variants.values() if v.sku == sku)

    def variant_of_item(self, item: r.InventoryItem) -> r.Variant | None:
        return self.variants.get(item.variant_id)

    def product_of_variant(self, variant: r.Variant) -> r.Product | None:
        return self.products.get(variant.product_id)

    def owner_of(self, mf: r.Metafield) -> Any | None:
        for type_name, owner_type in OWNER_TYPES.items():
            if owner_type == mf.owner_type:
                return getattr(self, TABLES[type_name]).get(mf.owner_id)
        return None

    def available(self, variant: r.Variant) -> int:
        return sum(level.quantity("available") for level in self.levels_of_item(variant.inventory_item_id).values())

    def default_location(self) -> r.Location | None:
        active = [loc for loc in self.locations.values() if loc.is_active]
        return min(active, key=lambda loc: loc.id) if active else None

    def records(self) -> Iterator[Any]:
        """Every stored record of every table a GID names."""
        for table in sorted(set(TABLES.values())):
            yield from getattr(self, table).values()

    # ---- reporting ---------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {table: len(getattr(self, table)) for table in sorted(set(TABLES.values()))}

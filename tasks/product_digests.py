"""What the shop holds of an item, as digests: the ``product`` hashes ``sync_products`` compares an item with.

A digest per part — the product's fields, its variant structure (SKUs and options), each variant's price,
compare-at price and barcode — so a change goes out as the one call it needs (``tasks.products``). Written by
``sync_products`` once Shopify took the item, and by ``import_items`` and ``auto_create_items`` when they map
an item to the shop product it was made from (the shop holds exactly that product, so nothing needs sending).
When the shop masters title, description and prices (``item_master: shop``), they are no part of the digests.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from connectors.shopify.idempotency import canonical_json
from domain.models import Product

__all__ = ["HASH_ENTITY", "dump_digests", "parse_digests", "sent_skus", "sent_state"]

HASH_ENTITY = "product"


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:24]


def sent_state(product: Product, shop_masters: bool = False) -> dict[str, Any]:
    """Digests of what the shop gets from this item (stored as the item's ``product`` hash once sent). When the
    shop masters title, description and prices (``shop_masters``), they are no part of it: an ERP change to
    them sends nothing."""
    fields: dict[str, Any] = {"vendor": product.vendor, "active": product.active}
    if not shop_masters:
        fields |= {"title": product.title, "description": product.description}
    structure = [[v.sku, sorted(v.options.items())] for v in product.variants]
    return {
        "fields": _digest(fields),
        "structure": _digest(structure),
        "variants": {
            v.sku: _digest(
                {"barcode": v.barcode}
                if shop_masters
                else {"price": v.price, "compare_at": v.compare_at_price, "barcode": v.barcode}
            )
            for v in product.variants
        },
    }


def dump_digests(state: dict[str, Any]) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


def parse_digests(stored: str) -> dict[str, Any] | None:
    """Stored digests, or None for a value this flow did not write (the item is then sent whole once)."""
    try:
        value = json.loads(stored)
    except ValueError:
        return None
    return value if isinstance(value, dict) and {"fields", "structure", "variants"} <= set(value) else None


def sent_skus(stored: str | None) -> list[str]:
    """The SKUs an item's stored digests name (none when it holds no digests of this flow)."""
    return list((parse_digests(stored) or {}).get("variants", {})) if stored else []

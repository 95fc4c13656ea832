"""Domain models → the input objects our mutations take (variables, never text).

Each builder returns plain JSON-ready dicts shaped like a 2026-04 input type (a test coerces them against the
real schema). Decisions taken here so every flow takes them the same way:

- Money goes as a decimal *string* (Shopify's ``Money``/``Decimal`` scalars), never a float.
- ``changeFromQuantity`` is always present on inventory quantities: Shopify refuses an input that omits it,
  and ``None`` (JSON null) means "the ERP is the source of truth, no compare-and-swap".
- Product options: a variant's ``options`` dict becomes Shopify option values; an item without options gets
  Shopify's single default option ("Title" / "Default Title"), as the admin does.
- Metafield keys are derived from the ERP parameter name (ASCII, lower case, ``_``), in namespace ``erp``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from domain.models import Category, Image, Parameter, Product, Tracking, Variant

__all__ = [
    "DEFAULT_OPTION",
    "METAFIELD_NAMESPACE",
    "collection_handle",
    "collection_input",
    "inventory_quantity",
    "media_input",
    "metafield_key",
    "metafields_set_inputs",
    "product_handle",
    "product_set_input",
    "tracking_input",
    "variant_price_input",
]

DEFAULT_OPTION = ("Title", "Default Title")
METAFIELD_NAMESPACE = "erp"
METAFIELDS_PER_CALL = 25
"""``metafieldsSet`` accepts at most 25 metafields per call."""


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def inventory_quantity(
    inventory_item_id: str, location_id: str, quantity: int, change_from: int | None = None
) -> dict[str, Any]:
    """One ``InventoryQuantityInput`` (changeFromQuantity always sent; None = no compare-and-swap)."""
    return {
        "inventoryItemId": inventory_item_id,
        "locationId": location_id,
        "quantity": int(quantity),
        "changeFromQuantity": change_from,
    }


def variant_price_input(variant_id: str, variant: Variant) -> dict[str, Any]:
    """A ``ProductVariantsBulkInput`` that sets price and compare-at price (None clears compare-at)."""
    return {"id": variant_id, "price": _money(variant.price), "compareAtPrice": _money(variant.compare_at_price)}


def _option_names(product: Product) -> list[str]:
    names: list[str] = []
    for variant in product.variants:
        for name in variant.options:
            if name not in names:
                names.append(name)
    return names


def product_set_input(
    product: Product,
    *,
    variant_ids: Mapping[str, str] | None = None,
    tracked: bool = True,
) -> dict[str, Any]:
    """A ``ProductSetInput`` for the whole item: fields, options and every variant (by SKU).

    ``variant_ids`` (SKU → variant GID) keeps existing variants' identity; productSet deletes variants the
    input does not list, which is what "the ERP is the master" means.
    """
    names = _option_names(product)
    if names and any(set(v.options) != set(names) for v in product.variants):
        raise ValueError(f"product {product.erp_key!r}: every variant needs a value for each option {names}")
    options = names or [DEFAULT_OPTION[0]]
    values: dict[str, list[str]] = {name: [] for name in options}
    variants = []
    for variant in product.variants:
        chosen = variant.options or {DEFAULT_OPTION[0]: DEFAULT_OPTION[1]}
        for name in options:
            if chosen[name] not in values[name]:
                values[name].append(chosen[name])
        entry: dict[str, Any] = {
            "sku": variant.sku,
            "price": _money(variant.price),
            "compareAtPrice": _money(variant.compare_at_price),
            "optionValues": [{"optionName": name, "name": chosen[name]} for name in options],
            "inventoryItem": {"tracked": tracked},
        }
        if variant.barcode:
            entry["barcode"] = variant.barcode
        shop_id = (variant_ids or {}).get(variant.sku) or variant.shop_id
        if shop_id:
            entry["id"] = shop_id
        variants.append(entry)
    result: dict[str, Any] = {
        "title": product.title,
        "status": "ACTIVE" if product.active else "ARCHIVED",  # taken out of sale in the ERP: archived, not deleted
        "productOptions": [{"name": n, "values": [{"name": v} for v in values[n]]} for n in options],
        "variants": variants,
    }
    if product.description is not None:
        result["descriptionHtml"] = product.description
    if product.vendor:
        result["vendor"] = product.vendor
    return result


def _slug(text: str, separator: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", separator, ascii_text.lower()).strip(separator)[:limit].strip(separator)


def metafield_key(name: str) -> str:
    """``"Barva / Color"`` → ``"barva_color"``: ASCII letters, digits and ``_``, 2–64 characters."""
    key = _slug(name, "_", 64)
    if len(key) < 2:
        raise ValueError(f"parameter {name!r}: cannot derive a metafield key (need 2+ ASCII letters or digits)")
    return key


def product_handle(product: Product) -> str:
    """``<title>-<erp key>`` slug for a product created from an ERP item.

    Readable in the shop's URLs, and unique to the item: ``productSet`` keyed by this handle finds the product
    a lost-answer create already made instead of making a second one.
    """
    return _slug(f"{product.title}-{product.erp_key}", "-", 255)


def collection_handle(category: Category) -> str:
    """``erp-<key>-<name>`` slug: stable for the ERP category, readable in the shop's URLs."""
    return _slug(f"erp-{category.erp_key}-{category.name}", "-", 255)


def metafields_set_inputs(
    owner_id: str, parameters: Iterable[Parameter], namespace: str = METAFIELD_NAMESPACE
) -> list[dict[str, Any]]:
    """``MetafieldsSetInput``s for an owner's parameters (send in chunks of ``METAFIELDS_PER_CALL``)."""
    inputs = []
    seen: dict[str, str] = {}
    for parameter in parameters:
        key = metafield_key(parameter.name)
        if key in seen:
            raise ValueError(f"parameters {seen[key]!r} and {parameter.name!r} map to the same metafield key {key!r}")
        seen[key] = parameter.name
        value = f"{parameter.value} {parameter.unit}" if parameter.unit else parameter.value
        inputs.append(
            {
                "ownerId": owner_id,
                "namespace": namespace,
                "key": key,
                "type": "single_line_text_field",
                "value": value,
            }
        )
    return inputs


def collection_input(category: Category, *, collection_id: str | None = None) -> dict[str, Any]:
    """A ``CollectionInput`` for an ERP category (a manual collection; ``collection_id`` to update)."""
    result: dict[str, Any] = {"title": category.name}
    if collection_id:
        result["id"] = collection_id
    else:
        result["handle"] = collection_handle(category)
    return result


def media_input(image: Image, source_url: str | None = None) -> dict[str, Any]:
    """A ``CreateMediaInput``; ``source_url`` is a staged upload's resourceUrl when the ERP holds only bytes."""
    url = source_url or image.url
    if not url:
        raise ValueError(f"image of item {image.item_key!r}: needs a URL (public or staged upload)")
    alt = image.filename or image.item_key
    return {"originalSource": url, "alt": alt, "mediaContentType": "IMAGE"}


def tracking_input(tracking: Tracking | None) -> dict[str, Any] | None:
    """A ``FulfillmentTrackingInput`` (None when the ERP has no tracking)."""
    if tracking is None or not (tracking.number or tracking.url or tracking.company):
        return None
    return {k: v for k, v in {"company": tracking.company, "number": tracking.number, "url": tracking.url}.items() if v}

"""Variant input checks and application shared by ``productSet`` and the ``productVariantsBulk*`` mutations.

Both validate everything before applying anything, so a refused call leaves the shop untouched.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import catalog_ops as ops
from .. import records as r
from ..context import user_error
from ..gids import parse_gid
from .support import metafield_errors


def option_pairs(product: r.Product | None, values: list[dict] | None) -> list[tuple[str, str]] | None:
    """VariantOptionValueInput list → (option name, value) pairs; names may come by option id."""
    if values is None:
        return None
    pairs = []
    options = {o.id: o for o in product.options} if product else {}
    for value in values:
        name = value.get("optionName")
        if name is None and value.get("optionId"):
            option = options.get(parse_gid(value["optionId"], "ProductOption"))
            name = option.name if option else value["optionId"]
        label = value.get("name")
        if label is None and value.get("id"):
            number = parse_gid(value["id"], "ProductOptionValue") or 0
            option = options.get(number // 1000)
            label = option.values[number % 1000 - 1] if option and 0 < number % 1000 <= len(option.values) else None
        pairs.append((name or "", label or ""))
    return pairs


class VariantChecker:
    """Collects userErrors for a list of variant inputs; ``sku_of`` says where each input keeps its SKU."""

    def __init__(
        self, state: Any, product: r.Product | None, codes: dict[str, str | None], replaced: set[int] = frozenset()
    ):
        self.state = state
        self.product = product
        self.codes = codes
        self.replaced = set(replaced)
        self.errors: list[dict] = []
        self._skus: dict[str, int] = {}

    def error(self, path: list, message: str, kind: str) -> None:
        self.errors.append(user_error(path, message, self.codes.get(kind)))

    def check(self, i: int, data: dict, path: list, sku: str | None, own_id: int | None) -> None:
        price = data.get("price")
        if price is not None and Decimal(price) < 0:
            self.error([*path, i, "price"], "Price must be greater than or equal to 0", "price")
        compare = data.get("compareAtPrice")
        if compare is not None and Decimal(compare) < 0:
            self.error([*path, i, "compareAtPrice"], "Compare at price must be greater than or equal to 0", "price")
        if sku:
            if sku in self._skus:
                self.error([*path, i, "sku"], f"SKU '{sku}' is used by more than one variant in this input", "sku")
            self._skus[sku] = i
            ignore = self.replaced | ({own_id} if own_id else set())
            owner = ops.sku_owner(self.state, sku, ignore)
            if owner is not None:
                self.error([*path, i, "sku"], f"SKU '{sku}' is already used by variant {owner.gid}", "sku")
        owner_id = own_id or 0
        self.errors.extend(
            metafield_errors(
                self.state, "PRODUCTVARIANT", owner_id, data.get("metafields") or [], [*path, i, "metafields"]
            )
        )

    def check_location(self, path: list, location_gid: str) -> r.Location | None:
        location = self.state.find(location_gid, "Location")
        if location is None:
            self.error(path, f"Location {location_gid} does not exist", "location")
        return location


def apply_variant_fields(state: Any, variant: r.Variant, data: dict, sku: str | None) -> None:
    if data.get("price") is not None:
        variant.price = Decimal(data["price"])
    if "compareAtPrice" in data:
        variant.compare_at_price = Decimal(data["compareAtPrice"]) if data["compareAtPrice"] is not None else None
    if "barcode" in data:
        variant.barcode = data["barcode"]
    if data.get("taxable") is not None:
        variant.taxable = data["taxable"]
    if data.get("inventoryPolicy") is not None:
        variant.inventory_policy = data["inventoryPolicy"]
    if sku is not None:
        variant.sku = sku or None
    item = state.inventory_items[variant.inventory_item_id]
    item_input = data.get("inventoryItem") or {}
    if item_input.get("tracked") is not None:
        item.tracked = item_input["tracked"]
    if item_input.get("requiresShipping") is not None:
        item.requires_shipping = item_input["requiresShipping"]
    if "cost" in item_input:
        item.unit_cost = Decimal(item_input["cost"]) if item_input["cost"] is not None else None
    for mf in data.get("metafields") or []:
        ops.set_metafield(
            state,
            variant,
            "PRODUCTVARIANT",
            mf.get("namespace") or "$app",
            mf["key"],
            mf.get("type") or "",
            mf["value"],
        )
    state.touch(variant, item, state.products[variant.product_id])


def set_variant_quantities(state: Any, variant: r.Variant, entries: list[tuple[r.Location, str, int]]) -> None:
    item = state.inventory_items[variant.inventory_item_id]
    for location, name, quantity in entries:
        ops.set_quantity(state, ops.activate(state, item, location), name, quantity)

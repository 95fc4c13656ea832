"""``productVariantsBulkCreate`` and ``productVariantsBulkUpdate`` (prices, SKUs, barcodes, options).

In 2026-04 a variant's SKU lives on its inventory item input (``inventoryItem: {sku}``). Both mutations check
every input first; create applies all or nothing, update too unless ``allowPartialUpdates``.
"""

from __future__ import annotations

from typing import Any

from .. import catalog_ops as ops
from .. import records as r
from ..context import ctx, user_error
from ..schema import resolver
from .media import media_input_errors
from .variant_input import VariantChecker, apply_variant_fields, option_pairs, set_variant_quantities

_CODES = {
    "price": "GREATER_THAN_OR_EQUAL_TO",
    "sku": "INVALID_INPUT",
    "location": "TRACKED_VARIANT_LOCATION_NOT_FOUND",
    "need_options": "NEED_TO_ADD_OPTION_VALUES",
}


def _sku(data: dict) -> str | None:
    return (data.get("inventoryItem") or {}).get("sku")


def _is_standalone_default(state: Any, product: r.Product) -> bool:
    return len(product.variant_ids) == 1 and [(o.name, o.values) for o in product.options] == [
        ("Title", ["Default Title"])
    ]


@resolver("Mutation", "productVariantsBulkCreate")
def variants_bulk_create(
    _: Any, info: Any, productId: str, variants: list[dict], strategy: str = "DEFAULT", media: list[dict] | None = None
) -> dict:
    state = ctx(info).state
    product = state.find(productId, "Product")
    if product is None:
        return {
            "product": None,
            "productVariants": None,
            "userErrors": [user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")],
        }
    drop_standalone = (strategy == "DEFAULT" and _is_standalone_default(state, product)) or (
        strategy == "REMOVE_STANDALONE_VARIANT" and len(product.variant_ids) == 1
    )
    remaining = [] if drop_standalone else [state.variants[v] for v in product.variant_ids]
    names = None if _is_standalone_default(state, product) else [o.name for o in product.options]
    checker = VariantChecker(state, product, _CODES, replaced=set(product.variant_ids) if drop_standalone else set())
    taken = {tuple(v.option_values) for v in remaining}
    pairs_list = []
    for i, data in enumerate(variants):
        pairs = option_pairs(product, data.get("optionValues")) or []
        pairs_list.append(pairs)
        if not pairs:
            checker.error(["variants", i, "optionValues"], "Option values are required", "need_options")
        elif names is not None and sorted(n for n, _ in pairs) != sorted(names):
            checker.errors.append(
                user_error(
                    ["variants", i, "optionValues"],
                    "Option values must name every option of the product",
                    "OPTION_VALUES_FOR_NUMBER_OF_UNKNOWN_OPTIONS",
                )
            )
        elif tuple(pairs) in taken:
            checker.errors.append(
                user_error(
                    ["variants", i],
                    f"The variant '{' / '.join(v for _, v in pairs)}' already exists.",
                    "VARIANT_ALREADY_EXISTS",
                )
            )
        taken.add(tuple(pairs))
        checker.check(i, data, ["variants"], _sku(data), None)
        for k, q in enumerate(data.get("inventoryQuantities") or []):
            checker.check_location(["variants", i, "inventoryQuantities", k, "locationId"], q["locationId"])
    errors = checker.errors + media_input_errors(media or [], ["media"], code="INVALID_INPUT")
    if errors:
        return {"product": product, "productVariants": None, "userErrors": errors}
    standalone = list(product.variant_ids) if drop_standalone else []
    if drop_standalone and names is None:
        ops.set_options(state, product, [])
    made = []
    for data, pairs in zip(variants, pairs_list, strict=False):
        variant = ops.create_variant(state, product, price=data.get("price") or 0, option_values=pairs)
        apply_variant_fields(state, variant, data, _sku(data))
        set_variant_quantities(
            state,
            variant,
            [
                (state.find(q["locationId"], "Location"), "available", q["availableQuantity"])
                for q in data.get("inventoryQuantities") or []
            ],
        )
        made.append(variant)
    for vid in standalone:
        ops.delete_variant(state, state.variants[vid])
    return {"product": product, "productVariants": made, "userErrors": []}


@resolver("Mutation", "productVariantsBulkUpdate")
def variants_bulk_update(
    _: Any,
    info: Any,
    productId: str,
    variants: list[dict],
    allowPartialUpdates: bool = False,
    media: list[dict] | None = None,
) -> dict:
    state = ctx(info).state
    product = state.find(productId, "Product")
    if product is None:
        return {
            "product": None,
            "productVariants": None,
            "userErrors": [user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")],
        }
    checker = VariantChecker(state, product, _CODES)
    valid: list[tuple[r.Variant, dict]] = []
    for i, data in enumerate(variants):
        before = len(checker.errors)
        target = state.find(data.get("id"), "ProductVariant") if data.get("id") else None
        if not data.get("id"):
            checker.errors.append(
                user_error(
                    ["variants", i, "id"], "Product variant is missing ID attribute", "PRODUCT_VARIANT_ID_MISSING"
                )
            )
        elif target is None or target.product_id != product.id:
            checker.errors.append(
                user_error(["variants", i, "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
            )
        if data.get("inventoryQuantities"):
            checker.errors.append(
                user_error(
                    ["variants", i, "inventoryQuantities"],
                    "Inventory quantities can only "
                    "be provided during create. To update inventory for existing variants, "
                    "use inventoryAdjustQuantities.",
                    "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE",
                )
            )
        pairs = option_pairs(product, data.get("optionValues"))
        if target is not None and pairs:
            clash = next(
                (
                    state.variants[v]
                    for v in product.variant_ids
                    if v != target.id and state.variants[v].option_values == pairs
                ),
                None,
            )
            if clash is not None:
                checker.errors.append(
                    user_error(
                        ["variants", i, "optionValues"],
                        "A variant with these option values already exists",
                        "VARIANT_ALREADY_EXISTS",
                    )
                )
        checker.check(i, data, ["variants"], _sku(data), target.id if target else None)
        if target is not None and len(checker.errors) == before:
            valid.append((target, data))
    if checker.errors and not allowPartialUpdates:
        return {"product": product, "productVariants": None, "userErrors": checker.errors}
    for target, data in valid:
        pairs = option_pairs(product, data.get("optionValues"))
        if pairs:
            ops.set_variant_options(state, target, pairs)
        apply_variant_fields(state, target, data, _sku(data))
    return {"product": product, "productVariants": [t for t, _ in valid], "userErrors": checker.errors}

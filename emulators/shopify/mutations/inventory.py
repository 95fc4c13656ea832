"""Inventory writes: ``inventorySetQuantities``, ``inventoryAdjustQuantities``, ``inventoryActivate``.

2026-04 rules emulated: ``@idempotent(key:)`` is required (see ``support``); every quantity input must carry
``changeFromQuantity`` explicitly — ``null`` opts out of the compare-and-swap, a stale number is refused
(``CHANGE_FROM_QUANTITY_STALE``); the whole call applies or nothing does. When nothing changes the payload's
``inventoryAdjustmentGroup`` is null, as Shopify answers.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from .. import catalog_ops as ops
from .. import records as r
from ..context import ctx, user_error
from ..gids import gid
from ..schema import resolver

REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
}
SETTABLE = ("available", "on_hand")
ADJUSTABLE = ("available", "on_hand", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
MAX_QUANTITY = 1_000_000_000
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def _require_change_from(entries: list[dict], input_type: str) -> None:
    if any("changeFromQuantity" not in entry for entry in entries):
        raise GraphQLError(
            f"{input_type} must include the following argument: changeFromQuantity.",
            extensions={"code": "INVALID_FIELD_ARGUMENTS"},
        )


def _check_common(data: dict, names: tuple[str, ...]) -> list[dict]:
    errors = []
    if data["name"] not in names:
        errors.append(
            user_error(["input", "name"], f"The quantity name must be one of: {', '.join(names)}.", "INVALID_NAME")
        )
    if data["reason"] not in REASONS:
        errors.append(user_error(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"))
    uri = data.get("referenceDocumentUri")
    if uri is not None and not _URI.match(uri):
        errors.append(
            user_error(
                ["input", "referenceDocumentUri"],
                "The reference document URI is invalid.",
                "INVALID_REFERENCE_DOCUMENT",
            )
        )
    return errors


def _resolve_level(state: Any, entry: dict, path: list, errors: list[dict], seen: set) -> r.InventoryLevel | None:
    item = state.find(entry["inventoryItemId"], "InventoryItem")
    location = state.find(entry["locationId"], "Location")
    if item is None:
        errors.append(
            user_error(
                [*path, "inventoryItemId"], "The specified inventory item could not be found.", "INVALID_INVENTORY_ITEM"
            )
        )
    if location is None:
        errors.append(
            user_error([*path, "locationId"], "The specified location could not be found.", "INVALID_LOCATION")
        )
    if item is None or location is None:
        return None
    if (item.id, location.id) in seen:
        errors.append(
            user_error(
                path,
                "The combination of inventoryItemId and locationId must be unique.",
                "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
            )
        )
    seen.add((item.id, location.id))
    level = state.levels_of_item(item.id).get(location.id)
    if level is None or not level.is_active:
        errors.append(
            user_error(
                [*path, "locationId"],
                "The specified inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            )
        )
        return None
    return level


def _group(state: Any, data: dict, changes: list[tuple[r.InventoryLevel, str, int, int]]) -> dict | None:
    if not changes:
        return None
    return {
        "id": gid("InventoryAdjustmentGroup", state.next_id("_adjustment_groups")),
        "createdAt": state.now(),
        "reason": data["reason"],
        "referenceDocumentUri": data.get("referenceDocumentUri"),
        "_changes": [
            {
                "name": name,
                "delta": delta,
                "quantityAfterChange": after,
                "ledgerDocumentUri": None,
                "item": state.inventory_items[level.item_id],
                "location": state.locations[level.location_id],
            }
            for level, name, delta, after in changes
        ],
    }


@resolver("InventoryAdjustmentGroup", "changes")
def resolve_changes(
    group: dict,
    info: Any,
    inventoryItemIds: list[str] | None = None,
    locationIds: list[str] | None = None,
    quantityNames: list[str] | None = None,
) -> list[dict]:
    return [
        c
        for c in group["_changes"]
        if (inventoryItemIds is None or c["item"].gid in inventoryItemIds)
        and (locationIds is None or c["location"].gid in locationIds)
        and (quantityNames is None or c["name"] in quantityNames)
    ]


@resolver("Mutation", "inventorySetQuantities")
def inventory_set_quantities(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    _require_change_from(input["quantities"], "InventoryQuantityInput")
    errors = _check_common(input, SETTABLE)
    levels: list[tuple[r.InventoryLevel, dict]] = []
    seen: set = set()
    for i, entry in enumerate(input["quantities"]):
        path = ["input", "quantities", i]
        level = _resolve_level(state, entry, path, errors, seen)
        if entry["quantity"] < 0:
            errors.append(
                user_error([*path, "quantity"], "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE")
            )
        elif entry["quantity"] > MAX_QUANTITY:
            errors.append(
                user_error(
                    [*path, "quantity"], "The quantity can't be higher than 1,000,000,000.", "INVALID_QUANTITY_TOO_HIGH"
                )
            )
        if level is not None and input["name"] in SETTABLE:
            expected = entry.get("changeFromQuantity")
            if expected is not None and expected != level.quantity(input["name"]):
                errors.append(
                    user_error(
                        [*path, "changeFromQuantity"],
                        "The specified compare quantity does not match the current quantity.",
                        "CHANGE_FROM_QUANTITY_STALE",
                    )
                )
            levels.append((level, entry))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes = [
        (level, name, delta, after)
        for level, entry in levels
        for name, delta, after in ops.set_quantity(state, level, input["name"], entry["quantity"])
    ]
    return {"inventoryAdjustmentGroup": _group(state, input, changes), "userErrors": []}


@resolver("Mutation", "inventoryAdjustQuantities")
def inventory_adjust_quantities(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    _require_change_from(input["changes"], "InventoryChangeInput")
    errors = _check_common(input, ADJUSTABLE)
    levels: list[tuple[r.InventoryLevel, dict]] = []
    seen: set = set()
    for i, entry in enumerate(input["changes"]):
        path = ["input", "changes", i]
        level = _resolve_level(state, entry, path, errors, seen)
        if level is not None and input["name"] in ADJUSTABLE:
            current = level.quantity(input["name"])
            expected = entry.get("changeFromQuantity")
            if expected is not None and expected != current:
                errors.append(
                    user_error(
                        [*path, "changeFromQuantity"],
                        "The specified compare quantity does not match the current quantity.",
                        "CHANGE_FROM_QUANTITY_STALE",
                    )
                )
            if abs(current + entry["delta"]) > MAX_QUANTITY:
                errors.append(
                    user_error([*path, "delta"], "The resulting quantity is out of range.", "INVALID_QUANTITY_TOO_HIGH")
                )
            levels.append((level, entry))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes = [
        (level, name, delta, after)
        for level, entry in levels
        for name, delta, after in ops.set_quantity(
            state, level, input["name"], level.quantity(input["name"]) + entry["delta"]
        )
    ]
    return {"inventoryAdjustmentGroup": _group(state, input, changes), "userErrors": []}


@resolver("Mutation", "inventoryActivate")
def inventory_activate(
    _: Any,
    info: Any,
    inventoryItemId: str,
    locationId: str,
    available: int | None = None,
    onHand: int | None = None,
    stockAtLegacyLocation: bool = False,
) -> dict:
    state = ctx(info).state
    item = state.find(inventoryItemId, "InventoryItem")
    location = state.find(locationId, "Location")
    errors = []
    if item is None:
        errors.append(user_error(["inventoryItemId"], "Inventory item does not exist"))
    if location is None:
        errors.append(user_error(["locationId"], "Location does not exist"))
    if (available or 0) < 0 or (onHand or 0) < 0:
        errors.append(user_error(["available"], "Quantities can't be negative"))
    if errors:
        return {"inventoryLevel": None, "userErrors": errors}
    existed = state.levels_of_item(item.id).get(location.id)
    level = ops.activate(state, item, location, available or 0, onHand)
    if existed is not None and available is not None:
        ops.set_quantity(state, level, "available", available)
    return {"inventoryLevel": level, "userErrors": []}

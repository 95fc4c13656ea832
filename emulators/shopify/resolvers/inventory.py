"""Read side of inventory: inventory items, their levels per location, locations."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from .. import records as r
from ..context import by_id, connection, ctx, money, time_key
from ..schema import resolver
from ..search import Field, dt, num, text


def item_fields(state: Any) -> dict[str, Field]:
    return {
        "id": num(by_id),
        "sku": text(lambda i: state.variants[i.variant_id].sku),
        "updated_at": dt(lambda i: i.updated_at),
        "created_at": dt(lambda i: i.created_at),
    }


LEVEL_FIELDS: dict[str, Field] = {
    "location_id": num(lambda lv: lv.location_id),
    "inventory_item_id": num(lambda lv: lv.item_id),
    "updated_at": dt(lambda lv: lv.updated_at),
    "created_at": dt(lambda lv: lv.created_at),
}
LEVEL_SORTS = {"ID": by_id, "UPDATED_AT": lambda lv: time_key(lv.updated_at)}

LOCATION_FIELDS: dict[str, Field] = {
    "id": num(by_id),
    "name": text(lambda loc: loc.name),
    "active": text(lambda loc: str(loc.is_active).lower()),
    "created_at": dt(lambda loc: loc.created_at),
}
LOCATION_SORTS = {"ID": by_id, "NAME": lambda loc: loc.name.lower()}


@resolver("QueryRoot", "inventoryItems")
def resolve_inventory_items(_: Any, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(info, state.inventory_items.values(), args, fields=item_fields(state))


@resolver("QueryRoot", "inventoryItem")
def resolve_inventory_item(_: Any, info: Any, id: str) -> r.InventoryItem | None:
    return ctx(info).state.find(id, "InventoryItem")


@resolver("QueryRoot", "inventoryLevel")
def resolve_inventory_level(_: Any, info: Any, id: str) -> r.InventoryLevel | None:
    return ctx(info).state.find(id, "InventoryLevel")


@resolver("QueryRoot", "locations")
def resolve_locations(_: Any, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    found = [loc for loc in state.locations.values() if loc.is_active or args.get("includeInactive")]
    return connection(
        info, found, args, sorts=LOCATION_SORTS, fields=LOCATION_FIELDS, default_text=[lambda loc: loc.name]
    )


@resolver("QueryRoot", "location")
def resolve_location(_: Any, info: Any, id: str | None = None) -> r.Location | None:
    state = ctx(info).state
    return state.find(id, "Location") if id is not None else state.default_location()


# ---- InventoryItem ----------------------------------------------------------------------------------------


@resolver("InventoryItem", "sku")
def resolve_item_sku(item: r.InventoryItem, info: Any) -> str | None:
    return ctx(info).state.variants[item.variant_id].sku


@resolver("InventoryItem", "variant")
def resolve_item_variant(item: r.InventoryItem, info: Any) -> r.Variant:
    return ctx(info).state.variants[item.variant_id]


@resolver("InventoryItem", "unitCost")
def resolve_unit_cost(item: r.InventoryItem, info: Any) -> dict | None:
    return money(item.unit_cost, ctx(info).state.currency)


def _active(levels: Any, include_inactive: bool) -> list[r.InventoryLevel]:
    return [lv for lv in levels if lv.is_active or include_inactive]


@resolver("InventoryItem", "inventoryLevel")
def resolve_item_level(
    item: r.InventoryItem, info: Any, locationId: str, includeInactive: bool = False
) -> r.InventoryLevel | None:
    state = ctx(info).state
    location = state.find(locationId, "Location")
    level = state.levels_of_item(item.id).get(location.id) if location else None
    return level if level is not None and (level.is_active or includeInactive) else None


@resolver("InventoryItem", "inventoryLevels")
def resolve_item_levels(item: r.InventoryItem, info: Any, **args: Any) -> Any:
    levels = _active(ctx(info).state.levels_of_item(item.id).values(), bool(args.get("includeInactive")))
    return connection(info, levels, args, sorts=LEVEL_SORTS, fields=LEVEL_FIELDS)


# ---- InventoryLevel ---------------------------------------------------------------------------------------


@resolver("InventoryLevel", "item")
def resolve_level_item(level: r.InventoryLevel, info: Any) -> r.InventoryItem:
    return ctx(info).state.inventory_items[level.item_id]


@resolver("InventoryLevel", "location")
def resolve_level_location(level: r.InventoryLevel, info: Any) -> r.Location:
    return ctx(info).state.locations[level.location_id]


@resolver("InventoryLevel", "quantities")
def resolve_quantities(level: r.InventoryLevel, info: Any, names: list[str]) -> list[dict]:
    unknown = [n for n in names if n not in r.QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(f"Invalid quantity name(s): {', '.join(unknown)}.", extensions={"code": "BAD_REQUEST"})
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level.id}?inventory_item_id={level.item_id}&name={name}",
            "name": name,
            "quantity": level.quantity(name),
            "updatedAt": level.updated_at,
        }
        for name in names
    ]


# ---- Location ---------------------------------------------------------------------------------------------


@resolver("Location", "address")
def resolve_location_address(location: r.Location, info: Any) -> dict:
    a = location.address
    lines = [
        a.get("address1"),
        a.get("address2"),
        " ".join(x for x in (a.get("zip"), a.get("city")) if x),
        a.get("countryCode"),
    ]
    return {
        "address1": a.get("address1"),
        "address2": a.get("address2"),
        "city": a.get("city"),
        "country": a.get("country") or a.get("countryCode"),
        "countryCode": a.get("countryCode"),
        "phone": a.get("phone"),
        "province": a.get("province"),
        "provinceCode": a.get("provinceCode"),
        "zip": a.get("zip"),
        "formatted": [line for line in lines if line],
    }


@resolver("Location", "inventoryLevel")
def resolve_location_level(
    location: r.Location, info: Any, inventoryItemId: str, includeInactive: bool = False
) -> r.InventoryLevel | None:
    state = ctx(info).state
    item = state.find(inventoryItemId, "InventoryItem")
    level = state.levels_of_item(item.id).get(location.id) if item else None
    return level if level is not None and (level.is_active or includeInactive) else None


@resolver("Location", "inventoryLevels")
def resolve_location_levels(location: r.Location, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    levels = [lv for lv in state.inventory_levels.values() if lv.location_id == location.id]
    levels = _active(levels, bool(args.get("includeInactive")))
    return connection(info, levels, args, sorts=LEVEL_SORTS, fields=LEVEL_FIELDS)


@resolver("Location", "hasActiveInventory")
def resolve_has_inventory(location: r.Location, info: Any) -> bool:
    return any(lv.location_id == location.id and lv.is_active for lv in ctx(info).state.inventory_levels.values())

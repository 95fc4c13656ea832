"""Read side of fulfillment: fulfillment orders (one per order and location) and the fulfillments made."""

from __future__ import annotations

from typing import Any

from .. import records as r
from ..context import by_id, connection, ctx, time_key
from ..gids import gid
from ..schema import resolver
from ..search import Field, dt, num, text

FULFILLMENT_ORDER_FIELDS: dict[str, Field] = {
    "id": num(by_id),
    "status": text(lambda fo: fo.status),
    "assigned_location_id": num(lambda fo: fo.location_id),
    "order_id": num(lambda fo: fo.order_id),
    "updated_at": dt(lambda fo: fo.updated_at),
    "created_at": dt(lambda fo: fo.created_at),
}
FULFILLMENT_ORDER_SORTS = {"ID": by_id, "UPDATED_AT": lambda fo: time_key(fo.updated_at)}
_CLOSED = ("CLOSED", "CANCELLED", "INCOMPLETE")


@resolver("QueryRoot", "fulfillmentOrders")
def resolve_fulfillment_orders(_: Any, info: Any, **args: Any) -> Any:
    found = [
        fo
        for fo in ctx(info).state.fulfillment_orders.values()
        if args.get("includeClosed") or fo.status not in _CLOSED
    ]
    return connection(info, found, args, sorts=FULFILLMENT_ORDER_SORTS, fields=FULFILLMENT_ORDER_FIELDS)


@resolver("QueryRoot", "fulfillmentOrder")
def resolve_fulfillment_order(_: Any, info: Any, id: str) -> r.FulfillmentOrder | None:
    return ctx(info).state.find(id, "FulfillmentOrder")


# ---- FulfillmentOrder -------------------------------------------------------------------------------------


@resolver("FulfillmentOrder", "orderId")
def resolve_order_id(fo: r.FulfillmentOrder, info: Any) -> str:
    return gid("Order", fo.order_id)


@resolver("FulfillmentOrder", "orderName")
def resolve_order_name(fo: r.FulfillmentOrder, info: Any) -> str:
    return ctx(info).state.orders[fo.order_id].name


@resolver("FulfillmentOrder", "order")
@resolver("Fulfillment", "order")
def resolve_order(rec: Any, info: Any) -> r.Order:
    return ctx(info).state.orders[rec.order_id]


@resolver("FulfillmentOrder", "assignedLocation")
def resolve_assigned_location(fo: r.FulfillmentOrder, info: Any) -> dict:
    location = ctx(info).state.locations[fo.location_id]
    a = location.address
    return {
        "location": location,
        "name": location.name,
        "address1": a.get("address1"),
        "address2": a.get("address2"),
        "city": a.get("city"),
        "countryCode": a.get("countryCode") or "CZ",
        "province": a.get("province"),
        "zip": a.get("zip"),
        "phone": a.get("phone"),
    }


@resolver("FulfillmentOrder", "lineItems")
def resolve_fo_line_items(fo: r.FulfillmentOrder, info: Any, **args: Any) -> Any:
    return connection(info, fo.lines, args)


@resolver("FulfillmentOrder", "fulfillments")
def resolve_fo_fulfillments(fo: r.FulfillmentOrder, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(info, [state.fulfillments[i] for i in fo.fulfillment_ids], args)


@resolver("FulfillmentOrder", "supportedActions")
def resolve_supported_actions(fo: r.FulfillmentOrder, info: Any) -> list[dict]:
    if fo.status in _CLOSED:
        return []
    return [{"action": a} for a in ("CREATE_FULFILLMENT", "MOVE", "HOLD")]


# ---- FulfillmentOrderLineItem -----------------------------------------------------------------------------


def _line(info: Any, rec: Any) -> r.LineItem:
    return ctx(info).state.line_items[rec.line_item_id]


@resolver("FulfillmentOrderLineItem", "lineItem")
@resolver("FulfillmentLineItem", "lineItem")
def resolve_line_item(rec: Any, info: Any) -> r.LineItem:
    return _line(info, rec)


@resolver("FulfillmentOrderLineItem", "sku")
def resolve_fo_sku(rec: r.FulfillmentOrderLine, info: Any) -> str | None:
    return _line(info, rec).sku


@resolver("FulfillmentOrderLineItem", "variant")
def resolve_fo_variant(rec: r.FulfillmentOrderLine, info: Any) -> r.Variant | None:
    line = _line(info, rec)
    return ctx(info).state.variants.get(line.variant_id) if line.variant_id else None


@resolver("FulfillmentOrderLineItem", "inventoryItemId")
def resolve_fo_item_id(rec: r.FulfillmentOrderLine, info: Any) -> str | None:
    variant = resolve_fo_variant(rec, info)
    return gid("InventoryItem", variant.inventory_item_id) if variant else None


@resolver("FulfillmentOrderLineItem", "productTitle")
def resolve_fo_product_title(rec: r.FulfillmentOrderLine, info: Any) -> str:
    return _line(info, rec).title


@resolver("FulfillmentOrderLineItem", "variantTitle")
def resolve_fo_variant_title(rec: r.FulfillmentOrderLine, info: Any) -> str | None:
    return _line(info, rec).variant_title


@resolver("FulfillmentOrderLineItem", "requiresShipping")
def resolve_fo_requires_shipping(rec: r.FulfillmentOrderLine, info: Any) -> bool:
    return _line(info, rec).requires_shipping


# ---- Fulfillment ------------------------------------------------------------------------------------------


@resolver("Fulfillment", "trackingInfo")
def resolve_tracking(f: r.Fulfillment, info: Any, first: int | None = None) -> list[dict]:
    return f.tracking[:first]


@resolver("Fulfillment", "location")
def resolve_fulfillment_location(f: r.Fulfillment, info: Any) -> r.Location | None:
    return ctx(info).state.locations.get(f.location_id)


@resolver("Fulfillment", "totalQuantity")
def resolve_total_quantity(f: r.Fulfillment, info: Any) -> int:
    return sum(line.quantity for line in f.lines)


@resolver("Fulfillment", "displayStatus")
def resolve_display_status(f: r.Fulfillment, info: Any) -> str | None:
    return {"SUCCESS": "FULFILLED", "CANCELLED": "CANCELED", "FAILURE": "FAILURE"}.get(f.status)


@resolver("Fulfillment", "fulfillmentLineItems")
def resolve_fulfillment_lines(f: r.Fulfillment, info: Any, **args: Any) -> Any:
    return connection(info, f.lines, args)


@resolver("Fulfillment", "fulfillmentOrders")
def resolve_fulfillment_fos(f: r.Fulfillment, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(info, [state.fulfillment_orders[i] for i in f.fulfillment_order_ids], args)

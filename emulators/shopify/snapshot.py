"""A plain-JSON picture of the whole shop (``GET /_emulator/state?snapshot=1``), for assertions in tests."""

from __future__ import annotations

from typing import Any

from . import order_math as om
from .schema import format_datetime, format_decimal


def _dt(value: Any) -> str | None:
    return format_datetime(value) if value is not None else None


def snapshot(state: Any) -> dict:
    with state.lock:
        locations = {loc.id: loc.name for loc in state.locations.values()}

        def variant(v: Any) -> dict:
            levels = state.levels_of_item(v.inventory_item_id)
            return {
                "id": v.gid,
                "sku": v.sku,
                "barcode": v.barcode,
                "title": v.title,
                "price": format_decimal(v.price),
                "compareAtPrice": format_decimal(v.compare_at_price) if v.compare_at_price is not None else None,
                "inventoryItemId": f"gid://shopify/InventoryItem/{v.inventory_item_id}",
                "available": {locations[loc]: lv.quantity("available") for loc, lv in levels.items()},
                "onHand": {locations[loc]: lv.quantity("on_hand") for loc, lv in levels.items()},
            }

        def metafields(owner_type: str, owner_id: int) -> dict:
            return {f"{ns}.{key}": mf.value for (ns, key), mf in state.metafields_of(owner_type, owner_id).items()}

        return {
            "locations": [
                {"id": loc.gid, "name": loc.name, "active": loc.is_active} for loc in state.locations.values()
            ],
            "products": [
                {
                    "id": p.gid,
                    "title": p.title,
                    "handle": p.handle,
                    "status": p.status,
                    "vendor": p.vendor,
                    "tags": p.tags,
                    "updatedAt": _dt(p.updated_at),
                    "options": [{"name": o.name, "values": o.values} for o in p.options],
                    "variants": [variant(state.variants[v]) for v in p.variant_ids],
                    "metafields": metafields("PRODUCT", p.id),
                    "media": [state.media[mid].gid for mid in p.media_ids if mid in state.media],
                }
                for p in state.products.values()
            ],
            "collections": [
                {
                    "id": c.gid,
                    "title": c.title,
                    "handle": c.handle,
                    "products": [f"gid://shopify/Product/{pid}" for pid in c.product_ids],
                }
                for c in state.collections.values()
            ],
            "customers": [
                {
                    "id": c.gid,
                    "email": c.email,
                    "phone": c.phone,
                    "firstName": c.first_name,
                    "lastName": c.last_name,
                    "tags": c.tags,
                    "updatedAt": _dt(c.updated_at),
                }
                for c in state.customers.values()
            ],
            "orders": [
                {
                    "id": o.gid,
                    "name": o.name,
                    "closed": o.closed_at is not None,
                    "cancelled": o.cancelled_at is not None,
                    "tags": o.tags,
                    "financialStatus": o.financial_status,
                    "fulfillmentStatus": om.display_fulfillment_status(state, o),
                    "updatedAt": _dt(o.updated_at),
                    "fulfillments": [
                        {
                            "id": state.fulfillments[f].gid,
                            "tracking": state.fulfillments[f].tracking,
                            "lines": [
                                {"lineItemId": f"gid://shopify/LineItem/{li.line_item_id}", "quantity": li.quantity}
                                for li in state.fulfillments[f].lines
                            ],
                        }
                        for f in o.fulfillment_ids
                    ],
                }
                for o in state.orders.values()
            ],
            "bulkOperations": [{"id": op.gid, "status": op.status} for op in state.bulk_operations.values()],
        }

"""What the ERP's own users do, for the embedded ``sql`` ERP: maintain the catalogue, ship orders, close them.

Why this exists beside the port: the port is what the *sync* may do, and the sync never ships orders nor edits
items (but for the shop → ERP item import, ``catalog.upsert_item``, which reuses ``upsert_products``). But the
embedded ERP, the sample-data command, the demo and the tests need someone to play the ERP user. Every
function writes in the caller's transaction and is idempotent: loading the same records twice leaves the tables
exactly as after the first time (``updated_at`` comes from the records, else ``now``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from connectors.erp.errors import RecordError
from connectors.erp.port import Location
from connectors.erp.sql import tables as t
from connectors.erp.sql.customers import address_rows, customer_row
from connectors.erp.sql.dml import chunked, upsert_many
from domain.models import Category, Customer, Image, OrderState, Party, Product, Shipment, StockLevel

__all__ = [
    "add_shipment",
    "set_sales_order_state",
    "upsert_categories",
    "upsert_customers",
    "upsert_images",
    "upsert_locations",
    "upsert_parties",
    "upsert_products",
    "upsert_stock",
]


def _now() -> datetime:
    return datetime.now(UTC)


def upsert_locations(conn: sa.Connection, locations: Sequence[Location], updated_at: datetime | None = None) -> None:
    at = updated_at or _now()
    rows = [{"erp_key": loc.erp_key, "name": loc.name, "updated_at": at} for loc in locations]
    upsert_many(conn, t.locations, rows, ("erp_key",))


def upsert_parties(conn: sa.Connection, parties: Sequence[Party], updated_at: datetime | None = None) -> None:
    at = updated_at or _now()
    rows = [{"kind": p.kind.value, "erp_key": p.erp_key, "name": p.name, "updated_at": at} for p in parties]
    upsert_many(conn, t.parties, rows, ("kind", "erp_key"))


def upsert_categories(conn: sa.Connection, categories: Sequence[Category], updated_at: datetime | None = None) -> None:
    at = updated_at or _now()
    rows = [
        {"erp_key": c.erp_key, "name": c.name, "parent_key": c.parent_key, "position": c.position, "updated_at": at}
        for c in categories
    ]
    upsert_many(conn, t.categories, rows, ("erp_key",))


def upsert_products(conn: sa.Connection, products: Sequence[Product]) -> None:
    """Items with their variants, category links and parameters; variants no longer listed are removed."""
    now = _now()
    for chunk in chunked(list(products), 1000):
        keys = [p.erp_key for p in chunk]
        item_rows, variant_rows, category_rows, parameter_rows = [], [], [], []
        for p in chunk:
            at = p.updated_at or now
            item_rows.append(
                {
                    "erp_key": p.erp_key,
                    "title": p.title,
                    "description": p.description,
                    "vendor": p.vendor,
                    "supplier_key": p.supplier_key,
                    "producer_key": p.producer_key,
                    "vat_rate": p.vat_rate,
                    "active": p.active,
                    "updated_at": at,
                }
            )
            for position, v in enumerate(p.variants):
                variant_rows.append(
                    {
                        "sku": v.sku,
                        "item_key": p.erp_key,
                        "position": position,
                        "barcode": v.barcode,
                        "title": v.title,
                        "options": v.options or None,
                        "price": v.price,
                        "compare_at_price": v.compare_at_price,
                        "updated_at": at,
                    }
                )
            category_rows += [
                {"item_key": p.erp_key, "category_key": key, "position": i} for i, key in enumerate(p.category_keys)
            ]
            parameter_rows += [
                {"item_key": p.erp_key, "position": i, "name": par.name, "value": par.value, "unit": par.unit}
                for i, par in enumerate(p.parameters)
            ]
        upsert_many(conn, t.items, item_rows, ("erp_key",))
        upsert_many(conn, t.variants, variant_rows, ("sku",))
        skus = [row["sku"] for row in variant_rows]
        conn.execute(t.variants.delete().where(t.variants.c.item_key.in_(keys), t.variants.c.sku.not_in(skus)))
        for table, rows in ((t.item_categories, category_rows), (t.parameters, parameter_rows)):
            conn.execute(table.delete().where(table.c.item_key.in_(keys)))
            if rows:
                conn.execute(table.insert(), rows)


def upsert_stock(conn: sa.Connection, levels: Sequence[StockLevel]) -> None:
    now = _now()
    rows = [
        {"sku": s.sku, "location_key": s.location_key, "quantity": s.quantity, "updated_at": s.updated_at or now}
        for s in levels
    ]
    upsert_many(conn, t.stock, rows, ("sku", "location_key"))


def upsert_images(conn: sa.Connection, images: Sequence[Image], updated_at: datetime | None = None) -> None:
    """Item images by (item, position), for loading a catalogue; the sync itself uses ``put_item_image``."""
    at = updated_at or _now()
    rows = [
        {
            "item_key": i.item_key,
            "position": i.position,
            "filename": i.filename,
            "mime_type": i.mime_type,
            "url": i.url,
            "content": i.content,
            "content_hash": i.content_hash,
            "updated_at": at,
        }
        for i in images
    ]
    upsert_many(conn, t.images, rows, ("item_key", "position"))


def upsert_customers(conn: sa.Connection, customers: Sequence[Customer]) -> None:
    """Customers with their own ``erp_key`` (required here), their addresses replaced."""
    now = _now()
    for customer in customers:
        if not customer.erp_key:
            raise RecordError(f"customer {customer.email or customer.phone or '?'}", "erp_key", "required to load")
    for chunk in chunked(list(customers), 1000):
        rows = [customer_row(c, c.erp_key or "", c.updated_at or now) for c in chunk]
        upsert_many(conn, t.customers, rows, ("erp_key",))
        a = t.customer_addresses
        conn.execute(a.delete().where(a.c.customer_key.in_([c.erp_key for c in chunk])))
        addresses = [row for c in chunk for row in address_rows(c.erp_key or "", c)]
        if addresses:
            conn.execute(a.insert(), addresses)


def add_shipment(conn: sa.Connection, shipment: Shipment) -> None:
    """Record a delivery note for the sales order made from ``shipment.order_shop_id`` (pending for the sync)."""
    so = t.sales_orders
    order_key = conn.execute(sa.select(so.c.erp_key).where(so.c.shop_order_id == shipment.order_shop_id)).scalar()
    if order_key is None:
        raise RecordError(f"shipment {shipment.erp_key}", "order_shop_id", "no ERP sales order for this shop order")
    tracking = shipment.tracking
    header = {
        "erp_key": shipment.erp_key,
        "shop_order_id": shipment.order_shop_id,
        "order_key": order_key,
        "location_key": shipment.location_key,
        "tracking_company": tracking.company if tracking else None,
        "tracking_number": tracking.number if tracking else None,
        "tracking_url": tracking.url if tracking else None,
        "shipped_at": shipment.shipped_at,
        "updated_at": shipment.shipped_at,
    }
    upsert_many(conn, t.shipments, [header], ("erp_key",))
    sl = t.shipment_lines
    conn.execute(sl.delete().where(sl.c.shipment_key == shipment.erp_key))
    conn.execute(
        sl.insert(),
        [
            {
                "shipment_key": shipment.erp_key,
                "line_no": i + 1,
                "sku": line.sku,
                "quantity": line.quantity,
                "order_line_shop_id": line.order_line_shop_id,
            }
            for i, line in enumerate(shipment.lines)
        ],
    )


def set_sales_order_state(conn: sa.Connection, erp_key: str, state: OrderState | None, at: datetime) -> None:
    """What "Vyřízeno" / "Přeneseno" / storno does in the ERP: the shop learns of it through the status sync."""
    so = t.sales_orders
    updated = conn.execute(
        so.update()
        .where(so.c.erp_key == erp_key)
        .values(state=state.value if state else None, state_changed_at=at, updated_at=at)
    ).rowcount
    if updated != 1:
        raise RecordError(f"sales order {erp_key}", "erp_key", "no such ERP sales order")

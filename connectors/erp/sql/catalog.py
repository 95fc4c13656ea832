"""Reading the catalogue (items with variants, stock, warehouses, categories, parties) and item images.

Why it is shaped so: a page of items is assembled with one query per child table (variants, categories,
parameters) over the page's keys, never one query per item, so a 10 000-item export costs a few dozen queries.
Listings are keyset-paged (see :mod:`connectors.erp.paging`) and fetch one row more than asked to know whether
another page exists, so the last page says so itself and nobody asks for an empty one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from connectors.erp.errors import RecordError, record_error, validated
from connectors.erp.paging import cursor_datetime, decode_cursor, encode_cursor
from connectors.erp.port import Location
from connectors.erp.sql import tables as t
from connectors.erp.sql.dml import chunked, upsert_many
from connectors.erp.sql.loader import upsert_products
from domain.models import Category, Image, Page, Parameter, Party, PartyKind, Product, StockLevel, Variant

__all__ = [
    "all_categories",
    "all_locations",
    "all_parties",
    "existing_keys",
    "item_images",
    "products_by_keys",
    "products_by_skus",
    "products_changed",
    "put_image",
    "stock_page",
]

_producers = t.parties.alias("producer")


def _item_select() -> sa.Select[Any]:
    return sa.select(
        t.items,
        _producers.c.name.label("producer_name"),
    ).outerjoin(
        _producers,
        sa.and_(_producers.c.kind == PartyKind.PRODUCER.value, _producers.c.erp_key == t.items.c.producer_key),
    )


def _children(conn: sa.Connection, keys: list[str]) -> tuple[dict[str, list[Any]], ...]:
    """Variants, category keys and parameters of these items, each grouped by item key in display order."""
    found: tuple[dict[str, list[Any]], ...] = ({}, {}, {})
    for chunk in chunked(keys):
        queries = (
            sa.select(t.variants)
            .where(t.variants.c.item_key.in_(chunk))
            .order_by(t.variants.c.position, t.variants.c.sku),
            sa.select(t.item_categories)
            .where(t.item_categories.c.item_key.in_(chunk))
            .order_by(t.item_categories.c.position, t.item_categories.c.category_key),
            sa.select(t.parameters).where(t.parameters.c.item_key.in_(chunk)).order_by(t.parameters.c.position),
        )
        for bucket, query in zip(found, queries, strict=False):
            for row in conn.execute(query):
                bucket.setdefault(row.item_key, []).append(row)
    return found


def _assemble(conn: sa.Connection, item_rows: Sequence[Any]) -> tuple[list[Product], list[RecordError]]:
    """The products of these item rows, and a message for each row that is not a valid product.

    A bad item (no variant, a negative price) is reported and left out instead of failing its page: the
    other items of the page and of every later page still reach the shop.
    """
    keys = [row.erp_key for row in item_rows]
    variants, cats, params = _children(conn, keys)
    products: list[Product] = []
    rejected: list[RecordError] = []
    for row in item_rows:
        try:
            products.append(
                Product(
                    erp_key=row.erp_key,
                    title=row.title,
                    description=row.description,
                    vendor=row.vendor or row.producer_name,
                    supplier_key=row.supplier_key,
                    producer_key=row.producer_key,
                    category_keys=[c.category_key for c in cats.get(row.erp_key, [])],
                    parameters=[
                        Parameter(name=p.name, value=p.value, unit=p.unit) for p in params.get(row.erp_key, [])
                    ],
                    vat_rate=row.vat_rate,
                    active=bool(row.active),
                    variants=[_variant(v) for v in variants.get(row.erp_key, [])],
                    updated_at=row.updated_at,
                )
            )
        except ValidationError as exc:
            rejected.append(record_error(f"item {row.erp_key}", exc))
        except RecordError as exc:
            rejected.append(exc)
    return products, rejected


def _variant(row: Any) -> Variant:
    """One variant row; a bad value names its item and the variant's SKU (``variants[CS1-RED].price``)."""
    try:
        return Variant(
            sku=row.sku,
            barcode=row.barcode,
            title=row.title,
            options=dict(row.options or {}),
            price=row.price,
            compare_at_price=row.compare_at_price,
        )
    except ValidationError as exc:
        inner = record_error("", exc)
        raise RecordError(f"item {row.item_key}", f"variants[{row.sku}].{inner.field}", inner.reason) from None


def products_changed(
    conn: sa.Connection, since: datetime | None, until: datetime | None, cursor: str | None, limit: int
) -> Page[Product]:
    query = _item_select()
    if since is not None:
        query = query.where(t.items.c.updated_at >= since)
    if until is not None:
        query = query.where(t.items.c.updated_at < until)
    if cursor is not None:
        raw_at, after_key = decode_cursor("items", cursor, 2)
        after_at = cursor_datetime("items", raw_at)
        query = query.where(
            sa.or_(
                t.items.c.updated_at > after_at,
                sa.and_(t.items.c.updated_at == after_at, t.items.c.erp_key > after_key),
            )
        )
    rows = conn.execute(query.order_by(t.items.c.updated_at, t.items.c.erp_key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor("items", rows[-1].updated_at, rows[-1].erp_key) if more else None
    products, rejected = _assemble(conn, rows)
    return Page[Product](items=products, next_cursor=next_cursor, rejected=[str(error) for error in rejected])


def products_by_keys(conn: sa.Connection, erp_keys: Sequence[str]) -> list[Product]:
    rows: list[Any] = []
    for chunk in chunked(sorted(set(erp_keys))):
        rows.extend(conn.execute(_item_select().where(t.items.c.erp_key.in_(chunk))))
    rows.sort(key=lambda r: r.erp_key)
    products, rejected = _assemble(conn, rows)
    if rejected:  # asked for by key, so the caller must hear about a bad one
        raise rejected[0]
    return products


def existing_keys(conn: sa.Connection, erp_keys: Sequence[str]) -> set[str]:
    """The keys of these items that have a row (a deleted row is a removed item; ``active`` false is not)."""
    found: set[str] = set()
    for chunk in chunked(sorted(set(erp_keys))):
        found.update(conn.scalars(sa.select(t.items.c.erp_key).where(t.items.c.erp_key.in_(chunk))))
    return found


def products_by_skus(conn: sa.Connection, skus: Sequence[str]) -> list[Product]:
    keys: set[str] = set()
    for chunk in chunked(sorted(set(skus))):
        keys.update(conn.scalars(sa.select(t.variants.c.item_key).where(t.variants.c.sku.in_(chunk))))
    return products_by_keys(conn, sorted(keys))


def item_keys_by_barcode(conn: sa.Connection, barcodes: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunked(sorted({b for b in barcodes if b})):
        rows = conn.execute(
            sa.select(t.variants.c.barcode, t.variants.c.item_key)
            .where(t.variants.c.barcode.in_(chunk))
            .order_by(t.variants.c.item_key)
        )
        for barcode, item_key in rows:
            found.setdefault(barcode, item_key)
    return found


def upsert_item(conn: sa.Connection, product: Product, now: datetime) -> str:
    """``product``'s rows over the item's (the columns docs/erp-sql-schema.md marks written by import_items);
    nothing is written, ``updated_at`` included, when the item already reads back as ``product``."""
    skus = [v.sku for v in product.variants]
    taken = conn.execute(
        sa.select(t.variants.c.sku, t.variants.c.item_key).where(
            t.variants.c.sku.in_(skus), t.variants.c.item_key != product.erp_key
        )
    ).first()
    if taken is not None:
        raise RecordError(f"item {product.erp_key}", "sku", f"SKU {taken.sku} belongs to item {taken.item_key}")
    current = products_by_keys(conn, [product.erp_key])
    if current and _same(current[0], product):
        return product.erp_key
    upsert_products(conn, [product.model_copy(update={"updated_at": now})])
    return product.erp_key


def _same(current: Product, wanted: Product) -> bool:
    unmapped = {"updated_at": None}
    return current.model_copy(update=unmapped) == wanted.model_copy(
        update={**unmapped, "variants": [v.model_copy(update={"shop_id": None}) for v in wanted.variants]}
    )


def stock_page(
    conn: sa.Connection,
    skus: Sequence[str] | None,
    location_keys: Sequence[str] | None,
    cursor: str | None,
    limit: int,
) -> Page[StockLevel]:
    if skus is not None and not skus or location_keys is not None and not location_keys:
        return Page[StockLevel](items=[])
    query = sa.select(t.stock)
    if location_keys is not None:
        query = query.where(t.stock.c.location_key.in_(sorted(set(location_keys))))
    if cursor is not None:
        after_sku, after_loc = decode_cursor("stock", cursor, 2)
        query = query.where(
            sa.or_(t.stock.c.sku > after_sku, sa.and_(t.stock.c.sku == after_sku, t.stock.c.location_key > after_loc))
        )
    query = query.order_by(t.stock.c.sku, t.stock.c.location_key)
    if skus is None:
        rows = conn.execute(query.limit(limit + 1)).all()
    else:  # a long SKU list is asked in chunks, which are already in key order
        rows = []
        for chunk in chunked(sorted(set(skus))):
            rows.extend(conn.execute(query.where(t.stock.c.sku.in_(chunk)).limit(limit + 1 - len(rows))))
            if len(rows) > limit:
                break
    more = len(rows) > limit
    rows = rows[:limit]
    levels: list[StockLevel] = []
    rejected: list[str] = []
    for r in rows:
        try:
            levels.append(
                StockLevel(sku=r.sku, location_key=r.location_key, quantity=r.quantity, updated_at=r.updated_at)
            )
        except ValidationError as exc:
            rejected.append(str(record_error(f"stock {r.sku}@{r.location_key}", exc)))
    next_cursor = encode_cursor("stock", rows[-1].sku, rows[-1].location_key) if more else None
    return Page[StockLevel](items=levels, next_cursor=next_cursor, rejected=rejected)


def all_locations(conn: sa.Connection) -> list[Location]:
    rows = conn.execute(sa.select(t.locations.c.erp_key, t.locations.c.name).order_by(t.locations.c.erp_key))
    return [validated(f"location {r.erp_key}", Location, erp_key=r.erp_key, name=r.name) for r in rows]


def all_categories(conn: sa.Connection) -> list[Category]:
    c = t.categories.c
    rows = conn.execute(sa.select(c.erp_key, c.name, c.parent_key, c.position).order_by(c.position, c.erp_key))
    return [
        validated(
            f"category {r.erp_key}",
            Category,
            erp_key=r.erp_key,
            name=r.name,
            parent_key=r.parent_key,
            position=r.position,
        )
        for r in rows
    ]


def all_parties(conn: sa.Connection) -> list[Party]:
    c = t.parties.c
    rows = conn.execute(sa.select(c.kind, c.erp_key, c.name).order_by(c.kind, c.erp_key))
    return [validated(f"{r.kind} {r.erp_key}", Party, erp_key=r.erp_key, name=r.name, kind=r.kind) for r in rows]


def _image(row: Any) -> Image:
    content = bytes(row.content) if row.content is not None else None
    return validated(
        f"image {row.item_key}#{row.position}",
        Image,
        item_key=row.item_key,
        position=row.position,
        filename=row.filename,
        content=content,
        url=row.url,
        content_hash=row.content_hash if content is None else None,
        mime_type=row.mime_type,
    )


def item_images(conn: sa.Connection, item_keys: Sequence[str] | None) -> list[Image]:
    query = sa.select(t.images).order_by(t.images.c.item_key, t.images.c.position)
    if item_keys is None:
        return [_image(row) for row in conn.execute(query)]
    found: list[Image] = []
    for chunk in chunked(sorted(set(item_keys))):
        found.extend(_image(row) for row in conn.execute(query.where(t.images.c.item_key.in_(chunk))))
    return found


def put_image(conn: sa.Connection, image: Image, now: datetime) -> None:
    exists = conn.execute(sa.select(t.items.c.erp_key).where(t.items.c.erp_key == image.item_key)).first()
    if exists is None:
        raise RecordError(f"image {image.item_key}#{image.position}", "item_key", "no such ERP item")
    row = {
        "item_key": image.item_key,
        "position": image.position,
        "filename": image.filename,
        "mime_type": image.mime_type,
        "url": image.url,
        "content": image.content,
        "content_hash": image.content_hash,
        "updated_at": now,
    }
    upsert_many(conn, t.images, [row], ("item_key", "position"))

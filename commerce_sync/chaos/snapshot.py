"""Canonical snapshots of everything a sync leaves behind — ERP, shop, sync state — and the diff of two.

A snapshot is ``{table: [(natural key, payload), ...]}``. Natural keys are what a user would recognise a
record by (a product's handle, a variant's SKU, an order's name, a sales order's shop order id, a POHODA
document's number), never an id a peer assigned in creation order, and every Shopify GID anywhere in a value
is replaced by the natural key of the record it points at. Timestamps a run stamps (``updated_at``, run
records) are left out: they differ between any two runs. What remains must be equal between a run that never
failed and one that crashed and was re-run; :func:`diff` counts the records lost (a key the reference has
more often), duplicated (a key the crashed run has more often) and changed (same key, other content).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

Snapshot = dict[str, list[tuple[Any, Any]]]

VOLATILE = {
    "updated_at",
    "created_at",
    "synced_at",
    "staged_at",
    "changed_at",
    "done_at",
    "booked_at",
    "state_changed_at",
}
"""Columns a run stamps with its own clock."""
STAMPED_AFTER = datetime.now(UTC) - timedelta(days=2)
"""Any time after this is one a day stamped with its own clock, wherever it sits (a new order's placing, a
payment of it, a cancellation): the sample data's own times lie long before it, so those are still compared."""
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
SKIPPED_TABLES = {"cs_runs", "cs_pohoda_listings", "cs_pohoda_listing_rows", "cs_pohoda_marks"}
"""Run records, listing snapshots and watermarks: bookkeeping of *when*, not records of the sync."""
KEYS = {"erp_payments": ("shop_transaction_id",), "erp_refunds": ("shop_transaction_id",)}
"""Tables whose primary key is a surrogate: their natural key instead."""
_GID = re.compile(r"gid://shopify/(\w+)/(\d+)")


@dataclass(frozen=True)
class Issue:
    """One natural key that differs: ``lost`` / ``duplicated`` ``count`` times, or ``changed`` content."""

    table: str
    kind: str  # lost | duplicated | changed
    key: Any
    count: int
    detail: str

    @property
    def identity(self) -> tuple[str, str, Any]:
        return (self.table, self.kind, self.key)


def diff(reference: Snapshot, other: Snapshot) -> list[Issue]:
    """Every natural key ``other`` lost, duplicated or changed against ``reference``."""
    issues: list[Issue] = []
    for table in sorted(set(reference) | set(other)):
        ref_rows, got_rows = _by_key(reference.get(table, [])), _by_key(other.get(table, []))
        for key in sorted(ref_rows.keys() | got_rows.keys(), key=repr):
            ref, got = ref_rows.get(key, []), got_rows.get(key, [])
            if len(ref) > len(got):
                issues.append(Issue(table, "lost", key, len(ref) - len(got), f"{ref[len(got) :][:1]}"))
            elif len(got) > len(ref):
                issues.append(Issue(table, "duplicated", key, len(got) - len(ref), f"{got[len(ref) :][:1]}"))
            elif ref != got:
                changes = [f"{a} → {b}" for a, b in zip(ref, got, strict=False) if a != b]
                issues.append(Issue(table, "changed", key, 1, changes[0][:600]))
    return issues


def count(issues: Iterable[Issue], kind: str) -> int:
    return sum(issue.count for issue in issues if issue.kind == kind)


def _by_key(rows: list[tuple[Any, Any]]) -> dict[Any, list[str]]:
    grouped: dict[Any, list[str]] = {}
    for key, payload in rows:
        grouped.setdefault(_freeze(key), []).append(json.dumps(payload, sort_keys=True, default=str))
    return {key: sorted(values) for key, values in grouped.items()}


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


# ---- the shop (Shopify emulator state) --------------------------------------------------------------------


def gid_labels(state: Any) -> dict[str, str]:
    """Every GID of the shop → the natural key of its record (handles, SKUs, order names, content hashes)."""
    labels: dict[str, str] = {}
    orders = state.orders
    items = state.inventory_items

    def add(kind: str, table: dict[int, Any], label: Callable[[Any], str]) -> None:
        for record_id, record in table.items():
            labels[f"gid://shopify/{kind}/{record_id}"] = f"{kind}:{label(record)}"

    add("Product", state.products, lambda p: p.handle)
    add("ProductVariant", state.variants, lambda v: v.sku or f"{state.products[v.product_id].handle}/{v.title}")
    add("InventoryItem", items, lambda i: state.variants[i.variant_id].sku or str(i.variant_id))
    add("Location", state.locations, lambda loc: loc.name)
    add("Collection", state.collections, lambda c: c.handle)
    add("MediaImage", state.media, lambda m: _media_hash(state, m))
    add("Customer", state.customers, _customer_key)
    add("Order", orders, lambda o: o.name)
    add(
        "LineItem", state.line_items, lambda li: f"{orders[li.order_id].name}/{_line_position(orders[li.order_id], li)}"
    )
    add("Fulfillment", state.fulfillments, lambda f: f"{orders[f.order_id].name}/{_tracking(f)}")
    add(
        "FulfillmentOrder",
        state.fulfillment_orders,
        lambda fo: f"{orders[fo.order_id].name}@{state.locations[fo.location_id].name}",
    )
    add(
        "OrderTransaction",
        state.transactions,
        lambda t: f"{orders[t.order_id].name}/{t.kind}/{t.amount}/{t.payment_id or t.gateway}",
    )
    return labels


def shop_snapshot(state: Any) -> Snapshot:
    """The shop's records by natural key (see the module docstring)."""
    with state.lock:
        labels = gid_labels(state)
        tr = _translator(labels)
        products, locations, orders = state.products, state.locations, state.orders

        def product_label(product_id: int) -> str:
            return labels.get(f"gid://shopify/Product/{product_id}", f"Product:{product_id}")

        snap: Snapshot = {
            "shop.products": [
                (
                    p.handle,
                    {
                        "title": p.title,
                        "body": p.description_html,
                        "vendor": p.vendor,
                        "type": p.product_type,
                        "status": p.status,
                        "tags": sorted(p.tags),
                        "options": [(o.name, o.values) for o in p.options],
                        "media": [labels.get(f"gid://shopify/MediaImage/{m}") for m in p.media_ids],
                    },
                )
                for p in products.values()
            ],
            "shop.variants": [
                (
                    v.sku or f"{product_label(v.product_id)}/{v.title}",
                    {
                        "product": product_label(v.product_id),
                        "title": v.title,
                        "price": str(v.price),
                        "compare_at": str(v.compare_at_price),
                        "barcode": v.barcode,
                        "position": v.position,
                        "options": sorted(v.option_values),
                    },
                )
                for v in state.variants.values()
            ],
            "shop.inventory": [
                (
                    (labels[f"gid://shopify/InventoryItem/{lv.item_id}"], locations[lv.location_id].name),
                    {"quantities": lv.quantities, "active": lv.is_active},
                )
                for lv in state.inventory_levels.values()
            ],
            "shop.collections": [
                (c.handle, {"title": c.title, "body": c.description_html, "sort": c.sort_order})
                for c in state.collections.values()
            ],
            "shop.collection_members": [
                ((c.handle, product_label(pid)), None) for c in state.collections.values() for pid in c.product_ids
            ],
            "shop.metafields": [
                ((_owner(labels, mf), f"{mf.namespace}.{mf.key}"), {"type": mf.type, "value": tr(mf.value)})
                for mf in state.metafields.values()
            ],
            "shop.media": [
                (
                    (sorted(product_label(p) for p in m.product_ids) or ["file"], _media_hash(state, m)),
                    {"alt": m.alt, "mime": m.mime_type, "status": m.status},
                )
                for m in state.media.values()
            ],
            "shop.customers": [
                (
                    _customer_key(c),
                    {
                        "first": c.first_name,
                        "last": c.last_name,
                        "phone": c.phone,
                        "note": c.note,
                        "tags": sorted(c.tags),
                        "addresses": [_plain(a) for a in c.addresses],
                    },
                )
                for c in state.customers.values()
            ],
            "shop.orders": [
                (
                    o.name,
                    {
                        "closed": o.closed_at is not None,
                        "cancelled": o.cancelled_at is not None,
                        "cancel_reason": o.cancel_reason,
                        "tags": sorted(o.tags),
                        "financial": o.financial_status,
                        "note": o.note,
                    },
                )
                for o in orders.values()
            ],
            "shop.transactions": [
                (labels[f"gid://shopify/OrderTransaction/{t.id}"], {"status": t.status})
                for t in state.transactions.values()
            ],
            "shop.fulfillment_orders": [
                (
                    labels[f"gid://shopify/FulfillmentOrder/{fo.id}"],
                    {
                        "status": fo.status,
                        "lines": sorted(
                            (labels[f"gid://shopify/LineItem/{li.line_item_id}"], li.remaining_quantity)
                            for li in fo.lines
                        ),
                    },
                )
                for fo in state.fulfillment_orders.values()
            ],
            "shop.fulfillments": [
                (
                    labels[f"gid://shopify/Fulfillment/{f.id}"],
                    {
                        "status": f.status,
                        "location": locations[f.location_id].name,
                        "tracking": f.tracking,
                        "lines": sorted(
                            (labels[f"gid://shopify/LineItem/{li.line_item_id}"], li.quantity) for li in f.lines
                        ),
                    },
                )
                for f in state.fulfillments.values()
            ],
        }
        return copy.deepcopy(snap)  # the payloads hold the emulator's live dicts and lists


def _customer_key(customer: Any) -> str:
    return customer.email or customer.phone or f"{customer.first_name} {customer.last_name}"


def _line_position(order: Any, line: Any) -> int:
    return next(i for i, li in enumerate(order.line_items, 1) if li.id == line.id)


def _tracking(fulfillment: Any) -> str:
    return ",".join(sorted(str(t.get("number")) for t in fulfillment.tracking)) or "untracked"


def _media_hash(state: Any, media: Any) -> str:
    upload = state.uploads.get(media.upload_key) if media.upload_key else None
    content = upload[0] if upload else (media.source_url or "").encode()
    return hashlib.sha256(content).hexdigest()[:16]


def _owner(labels: dict[str, str], metafield: Any) -> str:
    kinds = {
        "PRODUCT": "Product",
        "PRODUCTVARIANT": "ProductVariant",
        "COLLECTION": "Collection",
        "CUSTOMER": "Customer",
        "ORDER": "Order",
        "LOCATION": "Location",
    }
    gid = f"gid://shopify/{kinds.get(metafield.owner_type, metafield.owner_type)}/{metafield.owner_id}"
    return labels.get(gid, gid)


# ---- SQL databases (the ``sql`` ERP, the sync state, POHODA's local state) --------------------------------


def sql_snapshot(url: str, labels: dict[str, str], *, prefixes: tuple[str, ...] = ("erp_", "cs_")) -> Snapshot:
    """Every table of the database whose name starts with one of ``prefixes``, keyed by its natural key.

    The ``shop`` / ``scope`` column is left out (one shop per database here; its name differs per run), and so
    are run-stamped timestamps; binary content is compared by hash, GIDs by what they point at.
    """
    engine = sa.create_engine(url)
    tr = _translator(labels)
    snap: Snapshot = {}
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                if not table.name.startswith(prefixes) or table.name in SKIPPED_TABLES:
                    continue
                keys = KEYS.get(table.name) or tuple(c.name for c in table.primary_key.columns)
                keys = tuple(k for k in keys if k not in ("shop", "scope"))
                dropped = VOLATILE | {"shop", "scope"} | ({"id"} if table.name in KEYS else set())
                rows = conn.execute(sa.select(table)).mappings().all()
                snap[table.name] = [
                    (
                        tuple(tr(_value(row[k])) for k in keys),
                        {
                            c: tr(_value(_run_time(table.name, c, v)))
                            for c, v in row.items()
                            if c not in dropped and c not in keys
                        },
                    )
                    for row in rows
                ]
    finally:
        engine.dispose()
    return snap


def _run_time(table: str, column: str, value: Any) -> Any:
    """A due-date cursor's position is the time its last run's period ended (the run's start): run-stamped, so
    only whether it is a time is compared; positions that are not times (ids, offsets) are kept."""
    if table != "cs_cursors" or column != "position" or not isinstance(value, str | datetime):
        return value
    try:
        datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value
    return "<run time>"


def _stamped(value: Any) -> Any:
    """``<run time>`` for a time the day stamped (see ``STAMPED_AFTER``), else the value."""
    when = value
    if isinstance(value, str) and _ISO.match(value):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(when, datetime):
        aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        return "<run time>" if aware > STAMPED_AFTER else value
    return value


def _value(value: Any) -> Any:
    value = _stamped(value)
    if isinstance(value, bytes | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()[:16]
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _strip_volatile(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return _strip_volatile(value)
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _strip_volatile(value: Any) -> Any:
    """JSON held in a column (a staged order, a cursor's extra) without the run-stamped times inside it."""
    if isinstance(value, dict):
        return {k: _strip_volatile(v) for k, v in value.items() if k not in VOLATILE and k != "updatedAt"}
    if isinstance(value, list):
        return [_strip_volatile(v) for v in value]
    return _stamped(value)


# ---- the POHODA emulator ----------------------------------------------------------------------------------

POHODA_REFS = {
    "order_id": "orders",
    "partner_id": "addresses",
    "supplier_id": "addresses",
    "stock_card_id": "stock_cards",
}
"""Fields holding POHODA's ids of records a sync may create, replaced by those records' natural keys."""


def pohoda_snapshot(state: Any, labels: dict[str, str]) -> Snapshot:
    """POHODA's agendas by natural key: documents by their external id (the shop's GID) or number."""
    from emulators.pohoda.snapshot import snapshot

    return pohoda_snapshot_of(snapshot(state), labels)


def pohoda_snapshot_of(raw: dict[str, Any], labels: dict[str, str]) -> Snapshot:
    """:func:`pohoda_snapshot` of the emulator's plain-JSON state (``GET /_emulator/state?snapshot=1``)."""
    tr = _translator(labels)
    raw = dict(raw)
    documents = raw.pop("documents")
    keys = {agenda: {r["id"]: _pohoda_key(agenda, r, tr) for r in records} for agenda, records in raw.items()}
    snap: Snapshot = {
        f"pohoda.{agenda}": [(keys[agenda][r["id"]], _pohoda_payload(r, keys, tr)) for r in records]
        for agenda, records in raw.items()
    }
    snap["pohoda.documents"] = [(name, None) for name in documents]
    return snap


def _pohoda_key(agenda: str, record: dict[str, Any], tr: Callable[[Any], Any]) -> Any:
    if agenda == "stock_cards":
        return f"{record['code']}@{record['store_id']}"
    ext = record.get("ext_id")
    if ext:
        return tr(ext["ids"])
    for name in ("number", "email", "name"):
        if record.get(name):
            return record[name]
    return record["id"]


def _pohoda_payload(record: dict[str, Any], keys: dict[str, dict[int, Any]], tr: Callable[[Any], Any]) -> Any:
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k in ("id", "order_item_id") or k in VOLATILE:
                    continue
                out[k] = keys[POHODA_REFS[k]].get(v, v) if k in POHODA_REFS and v is not None else clean(v)
            return out
        if isinstance(value, list):
            return [clean(v) for v in value]
        return tr(_stamped(value))

    return clean(record)


# ---- shared -------------------------------------------------------------------------------------------------


def _translator(labels: dict[str, str]) -> Callable[[Any], Any]:
    """Replace every Shopify GID inside a value (strings, JSON structures) by its natural key."""

    def tr(value: Any) -> Any:
        if isinstance(value, str):
            return _GID.sub(lambda m: labels.get(m.group(0), m.group(0)), value) if "gid://" in value else value
        if isinstance(value, dict):
            return {k: tr(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [tr(v) for v in value]
        return value

    return tr


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items() if k != "id"}
    return value

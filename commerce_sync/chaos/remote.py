"""Snapshots of emulators running as processes of their own (the real stack), from their admin endpoints.

The in-process chaos days read the Shopify emulator's state objects (:func:`snapshot.shop_snapshot`). On the
real stack the emulators are other processes, so the shop is read from ``GET /_emulator/state?snapshot=1``:
its plain-JSON picture holds fewer fields (no media contents, no line-item ids), so media are compared by count
per product and fulfillment lines by quantity. GIDs, which a peer assigns in creation order, are replaced by
the natural key of the record they point at, as in :mod:`commerce_sync.chaos.snapshot`.
"""

from __future__ import annotations

from typing import Any

import httpx

from commerce_sync.chaos.snapshot import Snapshot, _translator, pohoda_snapshot_of, sql_snapshot

DROPPED = {"id", "updatedAt"}


def emulator_state(base_url: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/_emulator/state", params={"snapshot": 1}, timeout=60)
    response.raise_for_status()
    return response.json()["snapshot"]


def shop_labels(raw: dict[str, Any]) -> dict[str, str]:
    """Every GID of the shop's JSON picture → the natural key of its record."""
    labels: dict[str, str] = {}
    for loc in raw["locations"]:
        labels[loc["id"]] = f"Location:{loc['name']}"
    for product in raw["products"]:
        labels[product["id"]] = f"Product:{product['handle']}"
        for variant in product["variants"]:
            sku = variant["sku"] or f"{product['handle']}/{variant['title']}"
            labels[variant["id"]] = f"ProductVariant:{sku}"
            labels[variant["inventoryItemId"]] = f"InventoryItem:{sku}"
        for media in product["media"]:
            labels[media] = "MediaImage"
    for collection in raw["collections"]:
        labels[collection["id"]] = f"Collection:{collection['handle']}"
    for customer in raw["customers"]:
        labels[customer["id"]] = f"Customer:{_customer(customer)}"
    for order in raw["orders"]:
        labels[order["id"]] = f"Order:{order['name']}"
        for fulfillment in order["fulfillments"]:
            labels[fulfillment["id"]] = f"Fulfillment:{order['name']}/{_tracking(fulfillment)}"
    return labels


def shop_snapshot_of(raw: dict[str, Any], labels: dict[str, str]) -> Snapshot:
    """The shop's records by natural key, from its JSON picture."""
    tr = _translator(labels)

    def clean(record: dict[str, Any], *drop: str) -> Any:
        return tr({k: v for k, v in record.items() if k not in DROPPED and k not in drop})

    snap: Snapshot = {
        "shop.products": [
            (p["handle"], {**clean(p, "variants", "media"), "media": len(p["media"]), "tags": sorted(p["tags"])})
            for p in raw["products"]
        ],
        "shop.variants": [
            (labels[v["id"]], {**clean(v), "product": p["handle"]}) for p in raw["products"] for v in p["variants"]
        ],
        "shop.collections": [
            (c["handle"], {**clean(c, "products"), "products": sorted(tr(c["products"]))}) for c in raw["collections"]
        ],
        "shop.customers": [(_customer(c), {**clean(c), "tags": sorted(c["tags"])}) for c in raw["customers"]],
        "shop.orders": [(o["name"], {**clean(o, "fulfillments"), "tags": sorted(o["tags"])}) for o in raw["orders"]],
        "shop.fulfillments": [
            (labels[f["id"]], sorted(line["quantity"] for line in f["lines"]))
            for o in raw["orders"]
            for f in o["fulfillments"]
        ],
    }
    return snap


def stack_snapshot(shopify_url: str, *, erp_url: str | None, mserver_url: str | None, state_url: str) -> Snapshot:
    """Everything one shop of the stack leaves behind: the shop, the ERP (SQL tables or POHODA's agendas) and
    the sync state (in the SQL ERP's database, or POHODA's own state database)."""
    raw = emulator_state(shopify_url)
    labels = shop_labels(raw)
    snap = shop_snapshot_of(raw, labels)
    if mserver_url is not None:
        snap.update(pohoda_snapshot_of(emulator_state(mserver_url), labels))
    if erp_url is not None:
        snap.update(sql_snapshot(erp_url, labels, prefixes=("erp_",)))
    snap.update(sql_snapshot(state_url, labels, prefixes=("cs_",)))
    snap["cs_cursors"] = [(key, _without_position(payload)) for key, payload in snap.get("cs_cursors", [])]
    return snap


def _without_position(payload: Any) -> Any:
    """A cursor without its position: a run's period ends at its own clock, so two days never agree on it
    (the in-process days run on a fixed clock; here the server's and the worker's are the wall clock)."""
    return {k: v for k, v in payload.items() if k != "position"} if isinstance(payload, dict) else payload


def _customer(customer: dict[str, Any]) -> str:
    return customer["email"] or customer["phone"] or f"{customer['firstName']} {customer['lastName']}"


def _tracking(fulfillment: dict[str, Any]) -> str:
    return ",".join(sorted(str(t.get("number")) for t in fulfillment["tracking"] or [])) or "untracked"

"""Inventory tasks: resolve the shop's locations, diff ERP stock against what the shop has, set one batch.

Why it is shaped so (BC report 30102, ``ShpfySyncInventory``/``ShpfyInventoryAPI``):
- The diff comes first and covers the whole stock at once (pandas: tens of thousands of rows merge in
  milliseconds), so 2 % changed stock goes out in ⌈changed ÷ 250⌉ ``inventorySetQuantities`` calls and nothing
  else. "What the shop has" is what this flow last sent (hash entity ``inventory``, key ``"{sku}@{location}"``),
  or, for a full reconciliation (and the first run, when nothing was sent yet), the shop's own ``on_hand`` read
  by one bulk query.
- The shop gets ``StockLevel.shop_quantity()``: the integer floor, never below zero.
- Each batch carries a key derived from its content and the run's period (``idempotency.py``): a task retried
  after a lost answer sends the same key and Shopify answers with the first result instead of applying it
  again. ``IDEMPOTENCY_CONCURRENT_REQUEST`` and ``CHANGE_FROM_QUANTITY_STALE`` are tried again a few times.
- Only after Shopify applied a batch are its quantities written to the hash table, in one transaction; a row
  Shopify refused keeps its old value and so differs again next run.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from prefect import task

from connectors.shopify.bulk import BulkRunner
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.idempotency import idempotency_key
from connectors.shopify.inputs import inventory_quantity
from connectors.shopify.mapping import nodes_of, stock_from_level
from connectors.shopify.mutations import run_batch
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

BATCH = 250
ERP_PAGE = 5000
HASH_ENTITY = "inventory"
REASON = "correction"
CONCURRENT = "IDEMPOTENCY_CONCURRENT_REQUEST"
STALE = "CHANGE_FROM_QUANTITY_STALE"
NOT_STOCKED = "ITEM_NOT_STOCKED_AT_LOCATION"
RETRIES = 3
RETRY_PAUSE = 1.0
ROW_FIELDS = ["key", "sku", "location_key", "inventory_item_id", "location_id", "quantity"]


@task(**IO_TASK)
def resolve_locations(ctx: SyncContext) -> tuple[SyncReport, dict[str, str]]:
    """ERP location key → Shopify location GID, from the block's ``location_mapping`` (GIDs, or names looked up
    with the ``Locations`` query). ERP locations left out of the mapping are ignored, with a note."""
    res = resources(ctx.shop)
    report, mapping = SyncReport(), dict(res.shop.location_mapping)
    erp_keys = [location.erp_key for location in res.erp.list_locations()]
    if ignored := [key for key in erp_keys if key not in mapping]:
        report.notes.append(
            f"ERP location(s) not in the location mapping, their stock is not synced: {', '.join(ignored)}"
        )
    names = {key: target for key, target in mapping.items() if not target.startswith("gid://")}
    shop = {node["name"]: node for node in res.shopify.iter_nodes("Locations", {}, "locations")} if names else {}
    resolved: dict[str, str] = {}
    for key, target in sorted(mapping.items()):
        node = shop.get(target) if key in names else {"id": target, "isActive": True}
        if node is None:
            report.fail(f"location {key}", f"the shop has no location named {target!r}", field="location_mapping")
        elif not node.get("isActive", True):
            report.fail(f"location {key}", f"shop location {target!r} is not active", field="location_mapping")
        elif node["id"] in resolved.values():
            other = next(k for k, v in resolved.items() if v == node["id"])
            report.fail(
                f"location {key}",
                f"maps to the same shop location as {other}; stock of several ERP locations is not added up",
                field="location_mapping",
            )
        else:
            resolved[key] = node["id"]
    return report, resolved


@task(**IO_TASK)
def plan_inventory(ctx: SyncContext, locations: dict[str, str], full: bool) -> tuple[SyncReport, list[dict]]:
    """The rows whose shop quantity must change, in key order (see the module docstring for "what the shop has")."""
    res = resources(ctx.shop)
    report = SyncReport()
    stock = _erp_stock(res, ctx.filters.get("skus") or None, list(locations), report)
    items = res.state.all_mappings(ctx.shop, "inventory_item")
    frame = mapped_stock(stock, items, locations, report)
    if full:
        shop = _shop_levels(res)
        frame = frame.merge(shop, on=["inventory_item_id", "location_id"], how="left")
        frame["last"] = frame.pop("on_hand")
        if not ctx.dry_run:  # rows already right in the shop: remember them, so the next run does not send them
            same = frame[frame["last"] == frame.quantity]
            res.state.put_hashes(ctx.shop, HASH_ENTITY, dict(zip(same.key, same.quantity.astype(str), strict=False)))
    else:
        keys = list(frame.key) if ctx.filters.get("skus") else None  # else every key: one query, no IN lists
        frame["last"] = last_sent(frame, res.state.get_hashes(ctx.shop, HASH_ENTITY, keys))
    changed = changed_rows(frame)
    report.skipped += len(frame) - len(changed)
    if full:
        report.notes.append(f"full reconciliation against the shop's stock: {len(changed)} of {len(frame)} differ")
    return report, changed[ROW_FIELDS].to_dict("records")


def mapped_stock(
    stock: pd.DataFrame, items: pd.DataFrame, locations: dict[str, str], report: SyncReport
) -> pd.DataFrame:
    """ERP stock (``sku, location_key, quantity``) joined to the shop's inventory items (the ``inventory_item``
    mappings, ``erp_key, shop_id``) and locations, keyed ``"{sku}@{location}"``; a SKU no item is mapped to is
    reported once, naming its locations, and left out (the products flow has not created it yet)."""
    items = items.rename(columns={"erp_key": "sku", "shop_id": "inventory_item_id"})
    frame = stock.merge(items, on="sku", how="left")
    unknown = frame[frame.inventory_item_id.isna()]
    for sku, group in unknown.groupby("sku", sort=True):
        report.fail(
            sku,
            f"no shop inventory item is mapped to this SKU (not synced by sync_products yet); stock at "
            f"{', '.join(group.location_key)} not sent",
            field="sku",
        )
    frame = frame[frame.inventory_item_id.notna()].copy()
    frame["location_id"] = frame.location_key.map(locations)
    frame["key"] = frame.sku + "@" + frame.location_key
    return frame


def last_sent(frame: pd.DataFrame, hashes: dict[str, str]) -> pd.Series:
    """Per row, the quantity this flow last sent (the ``inventory`` hashes); NaN when none, or not a number."""
    return pd.to_numeric(frame.key.map(pd.Series(hashes, dtype="object")), errors="coerce")


def changed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows the shop must get, in key order: nothing known of the shop's quantity, or it differs."""
    return frame[frame["last"].isna() | (frame["last"] != frame.quantity)].sort_values("key")


@task(**IO_TASK)
def set_quantities_batch(ctx: SyncContext, rows: list[dict]) -> SyncReport:
    """Set ``on_hand`` for ≤ 250 rows in one ``inventorySetQuantities``; remember what was applied."""
    res = resources(ctx.shop)
    report = SyncReport()
    if ctx.dry_run:
        report.skipped += len(rows)
        return report
    applied, errors = send_quantities(res, ctx.scope, rows)
    if applied:
        with res.state.begin() as conn:
            res.state.put_hashes(ctx.shop, HASH_ENTITY, {r["key"]: str(r["quantity"]) for r in applied}, conn=conn)
    report.updated += len(applied)
    for error in errors:
        report.fail(error.record, f"{error.reason}" + (f" [{error.code}]" if error.code else ""), field=error.field)
    return report


def send_quantities(res: ShopResources, scope: str, rows: list[dict]) -> tuple[list[dict], list[ShopRecordError]]:
    """Send the rows, retrying the refusals a retry can fix; returns (applied rows, errors of the others)."""
    applied: list[dict] = []
    failed: list[ShopRecordError] = []
    pending = list(rows)
    for attempt in range(RETRIES + 1):
        result = run_batch(
            res.shopify,
            "InventorySetQuantities",
            pending,
            atomic=True,
            list_path=("quantities",),
            key=lambda r: r["key"],
            payload_path="inventorySetQuantities",
            variables=lambda batch, s=scope: _variables(batch, s),
        )
        applied += result.applied
        codes: dict[str, set[str | None]] = {}
        for error in result.errors:
            codes.setdefault(error.record, set()).add(error.code)
        retry = [r for r in pending if r["key"] in codes and worth_retrying(codes[r["key"]], attempt)]
        again = {r["key"] for r in retry}
        failed += [e for e in result.errors if e.record not in again]
        if not retry:
            break
        if not_stocked := [r for r in retry if NOT_STOCKED in codes[r["key"]]]:
            _activate(res, scope, not_stocked)
        if any(STALE in codes[r["key"]] for r in retry):
            scope = f"{scope}#retry{attempt + 1}"  # a key is answered with its first outcome: a refusal needs a new one
        if any(CONCURRENT in codes[r["key"]] for r in retry):
            time.sleep(RETRY_PAUSE * (attempt + 1))  # the first request with this key is still running: same key
        pending = retry
    return applied, failed


def worth_retrying(codes: set[str | None], attempt: int) -> bool:
    """A row's refusals are all ones a retry can fix: a concurrent request or a stale quantity (any attempt but
    the last), an item not stocked at the location (once, after activating it there)."""
    if attempt >= RETRIES:
        return False
    return all(code in (CONCURRENT, STALE) or code == NOT_STOCKED and attempt == 0 for code in codes)


def _variables(rows: list[dict], scope: str) -> dict[str, Any]:
    quantities = [inventory_quantity(r["inventory_item_id"], r["location_id"], r["quantity"]) for r in rows]
    return {
        "reason": REASON,
        "quantities": quantities,
        "idempotencyKey": idempotency_key("InventorySetQuantities", quantities, scope=scope),
    }


def _activate(res: ShopResources, scope: str, rows: list[dict]) -> None:
    """Stock the items at the locations Shopify says they are not stocked at (then their quantities can be set)."""
    for row in rows:
        variables = {"inventoryItemId": row["inventory_item_id"], "locationId": row["location_id"]}
        res.shopify.mutate(
            "InventoryActivate",
            {**variables, "idempotencyKey": idempotency_key("InventoryActivate", [variables], scope=scope)},
            "inventoryActivate",
        )


def _erp_stock(
    res: ShopResources, skus: list[str] | None, location_keys: list[str], report: SyncReport
) -> pd.DataFrame:
    """ERP stock at the mapped locations as ``sku, location_key, quantity`` (the shop quantity: floor, ≥ 0)."""
    rows: list[tuple[str, str, int]] = []
    for page in res.erp.iter_stock(skus, location_keys, limit=ERP_PAGE):
        rows += [(level.sku, level.location_key, level.shop_quantity()) for level in page.items]
        for message in page.rejected:
            report.fail(message.split(":", 1)[0], message, field="quantity")
    return pd.DataFrame(rows, columns=["sku", "location_key", "quantity"]).astype({"quantity": "int64"})


def _shop_levels(res: ShopResources) -> pd.DataFrame:
    """Every inventory level of the shop (one bulk query): ``inventory_item_id, location_id, on_hand``."""
    rows = [
        (stock.inventory_item_id, stock.location_id, stock.on_hand)
        for location in BulkRunner(res.shopify).run("InventoryLevelsBulk")
        for stock in (stock_from_level(level, location["id"]) for level in nodes_of(location.get("inventoryLevels")))
    ]
    return pd.DataFrame(rows, columns=["inventory_item_id", "location_id", "on_hand"]).astype({"on_hand": "float64"})

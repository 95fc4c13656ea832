"""Reconcile tasks: read each side of each check in bulk, repair what a re-send fixes, publish the drift.

Why they are shaped so:
- The shop side is three bulk operations (``ProductsBulk``, ``InventoryLevelsBulk``, ``ReconcileOrdersBulk``),
  not paged queries: a whole catalogue costs one ``bulkOperationRunQuery`` and a few polls instead of a page
  per 250 records, and the flow starts them together so Shopify builds the files while the ERP is read.
- The ERP side goes through the port (``list_products_changed(None)``, ``iter_stock``, ``sales_order_keys``,
  ``list_payments``, ``list_shipment_outcomes``) plus the state store (mappings, staging, sync cursors), so
  the same tasks serve the SQL and the POHODA adapter. A read an adapter cannot answer leaves its check out,
  with a note, instead of reporting everything as drift.
- Each read returns frames with the columns ``domain.drift`` compares; nothing here decides drift.
- Repair re-runs the existing writers (``push_products`` after forgetting what was sent, and
  ``set_quantities_batch``), so it is exactly as idempotent and as careful as the syncs themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from connectors.shopify.bulk import BulkRunner
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.mapping import nodes_of, stock_from_level, transaction_from_node
from connectors.shopify.search import updated_at_filter
from domain import drift
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources
from tasks.inventory import HASH_ENTITY as INVENTORY_HASHES
from tasks.products import HASH_ENTITY as PRODUCT_HASHES
from tasks.runs import artifact_key

ERP_PAGE = 1000
ORDERS_SYNC, PAYMENTS_SYNC = "sync_orders", "sync_payments"


def _when(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


# ---- shop side (bulk operations) ----------------------------------------------------------------------------


@task(**IO_TASK)
def read_shop_catalog(ctx: SyncContext) -> pd.DataFrame:
    """Every shop variant (``ProductsBulk``, all products): SKU, Product GID, price, compare-at price."""
    res = resources(ctx.shop)
    rows = [
        (v.get("sku"), product["id"], v.get("price"), v.get("compareAtPrice"))
        for product in BulkRunner(res.shopify).run("ProductsBulk", {"query": ""})
        for v in nodes_of(product.get("variants"))
    ]
    return drift.frame(rows, drift.CATALOG_COLUMNS)


@task(**IO_TASK)
def read_shop_stock(ctx: SyncContext, locations: dict[str, str]) -> pd.DataFrame:
    """``on_hand`` per SKU at the mapped shop locations (``InventoryLevelsBulk``), keyed by ERP location."""
    res = resources(ctx.shop)
    erp_key_of = {gid: key for key, gid in locations.items()}
    rows = [
        (stock.sku, erp_key_of[location["id"]], stock.on_hand or 0)
        for location in BulkRunner(res.shopify).run("InventoryLevelsBulk")
        if location["id"] in erp_key_of
        for stock in (stock_from_level(level, location["id"]) for level in nodes_of(location.get("inventoryLevels")))
        if stock.sku
    ]
    return drift.frame(rows, drift.STOCK_COLUMNS)


@task(**IO_TASK)
def read_shop_orders(ctx: SyncContext) -> tuple[SyncReport, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The orders created in the period (``ReconcileOrdersBulk``) with their transactions and fulfillments."""
    res = resources(ctx.shop)
    report = SyncReport()
    orders, transactions, fulfillments = [], [], []
    query = updated_at_filter(ctx.period_start, ctx.period_end, field="created_at")
    for node in BulkRunner(res.shopify).run("ReconcileOrdersBulk", {"query": query}):
        order_id = str(node["id"])
        orders.append(
            (
                order_id,
                node.get("name"),
                _when(node["updatedAt"]),
                not node.get("closed") and node.get("cancelledAt") is None,
            )
        )
        for raw in node.get("transactions") or ():
            try:
                tx = transaction_from_node(raw, order_id)
            except ShopRecordError as exc:
                report.notes.append(f"{node.get('name')}: transaction {raw.get('id')} not compared: {exc.reason}")
                continue
            transactions.append((tx.shop_id, order_id, tx.amount, tx.currency, tx.is_money_in))
        fulfillments += [(str(f["id"]), order_id, f.get("status")) for f in node.get("fulfillments") or ()]
    return (
        report,
        drift.frame(orders, drift.SHOP_ORDER_COLUMNS),
        drift.frame(transactions, drift.TRANSACTION_COLUMNS),
        drift.frame(fulfillments, drift.FULFILLMENT_COLUMNS),
    )


# ---- ERP side (the port and the state store) ----------------------------------------------------------------


@task(**IO_TASK)
def read_erp_catalog(ctx: SyncContext) -> tuple[SyncReport, pd.DataFrame, set[str]]:
    """Every ERP variant (SKU, item key, prices) and the shop products the sync manages (mapped items)."""
    res = resources(ctx.shop)
    report, rows = SyncReport(), []
    for page in res.erp.iter_products_changed(None, ERP_PAGE):
        rows += [(v.sku, p.erp_key, v.price, v.compare_at_price) for p in page.items for v in p.variants]
        if page.rejected:
            report.notes.append(f"{len(page.rejected)} ERP item(s) are no valid product and were not compared")
    managed = set(res.state.all_mappings(ctx.shop, "product")["shop_id"])
    return report, drift.frame(rows, drift.CATALOG_COLUMNS), managed


@task(**IO_TASK)
def read_erp_stock(ctx: SyncContext, location_keys: list[str]) -> pd.DataFrame:
    """ERP stock at the mapped locations, as the shop gets it (``StockLevel.shop_quantity``)."""
    res = resources(ctx.shop)
    rows = [
        (level.sku, level.location_key, level.shop_quantity())
        for page in res.erp.iter_stock(None, location_keys, limit=ERP_PAGE)
        for level in page.items
    ]
    return drift.frame(rows, drift.STOCK_COLUMNS)


@task(**IO_TASK)
def read_erp_orders(ctx: SyncContext, order_ids: list[str]) -> tuple[pd.DataFrame, datetime | None]:
    """Which of these shop orders are ERP sales orders; for the others, what staging knows; and how far
    ``sync_orders`` has read."""
    res = resources(ctx.shop)
    keys = res.erp.sales_order_keys(order_ids)
    rows = []
    for order_id in order_ids:
        staged = None if order_id in keys else res.state.staged_order(ctx.shop, order_id)
        if order_id in keys or staged is not None:
            rows.append(
                (
                    order_id,
                    keys.get(order_id),
                    staged.status.value if staged else None,
                    staged.last_error if staged else None,
                )
            )
    return drift.frame(rows, drift.ERP_ORDER_COLUMNS), res.state.get_cursor(ctx.shop, ORDERS_SYNC).position


@task(**IO_TASK)
def read_erp_payments(ctx: SyncContext, order_erp_keys: list[str]) -> tuple[pd.DataFrame | None, datetime | None]:
    """Payments booked against these sales orders (None: the adapter cannot list them) and how far
    ``sync_payments`` has read."""
    res = resources(ctx.shop)
    try:
        booked = res.erp.list_payments(order_erp_keys)
    except NotImplementedError:
        return None, None
    rows = [(p.transaction_id, p.order_erp_key, p.amount, p.currency) for p in booked]
    return drift.frame(rows, drift.PAYMENT_COLUMNS), res.state.get_cursor(ctx.shop, PAYMENTS_SYNC).position


@task(**IO_TASK)
def read_erp_shipments(ctx: SyncContext, order_ids: list[str]) -> pd.DataFrame | None:
    """The ERP shipments of these shop orders with their sync outcome (None: the adapter cannot tell)."""
    res = resources(ctx.shop)
    try:
        outcomes = res.erp.list_shipment_outcomes(order_ids)
    except NotImplementedError:
        return None
    return drift.frame(
        [(o.erp_key, o.order_shop_id, o.state, o.fulfillment_ids) for o in outcomes], drift.OUTCOME_COLUMNS
    )


# ---- repair -------------------------------------------------------------------------------------------------


@task(**IO_TASK)
def forget_sent_items(
    ctx: SyncContext, item_keys: list[str], missing_skus: list[str], shop_products: list[str]
) -> None:
    """Make the syncs send these items whole again: drop what was sent (``push_products`` then re-sends the item
    with ``productSet``), the mappings of items whose shop product is gone (so the item is created anew instead
    of refused as "product does not exist"), and the stock last sent for SKUs missing in the shop (their new
    inventory items hold none, whatever ``sync_inventory`` remembers sending)."""
    res = resources(ctx.shop)
    if ctx.dry_run:
        return
    live = set(shop_products)
    mapped = res.state.shop_ids(ctx.shop, "product", item_keys)
    gone = [key for key, product_id in mapped.items() if product_id not in live]
    skus = [v.sku for p in res.erp.get_products(gone) for v in p.variants] if gone else []
    stock = [f"{sku}@{location.erp_key}" for sku in {*missing_skus, *skus} for location in res.erp.list_locations()]
    with res.state.begin() as conn:
        res.state.delete_hashes(ctx.shop, PRODUCT_HASHES, item_keys, conn=conn)
        res.state.delete_hashes(ctx.shop, INVENTORY_HASHES, stock, conn=conn)
        res.state.delete_mappings(ctx.shop, "product", gone, conn=conn)
        for entity in ("variant", "inventory_item"):
            res.state.delete_mappings(ctx.shop, entity, skus, conn=conn)


@task(**IO_TASK)
def inventory_repair_rows(ctx: SyncContext, keys: list[str], locations: dict[str, str]) -> list[dict]:
    """``set_quantities_batch`` rows for these ``SKU@location`` keys, from the ERP's stock as it is now."""
    res = resources(ctx.shop)
    wanted = set(keys)
    skus = sorted({key.rsplit("@", 1)[0] for key in keys})
    items = res.state.shop_ids(ctx.shop, "inventory_item", skus)
    found = {
        f"{lv.sku}@{lv.location_key}": lv.shop_quantity()
        for page in res.erp.iter_stock(skus, list(locations), limit=ERP_PAGE)
        for lv in page.items
    }
    rows = []
    for key in sorted(wanted):
        sku, location_key = key.rsplit("@", 1)
        if sku in items and location_key in locations:
            rows.append(
                {
                    "key": key,
                    "sku": sku,
                    "location_key": location_key,
                    "inventory_item_id": items[sku],
                    "location_id": locations[location_key],
                    "quantity": found.get(key, 0),
                }
            )
    return rows


# ---- report -------------------------------------------------------------------------------------------------


@task(**IO_TASK)
def publish_drift(
    ctx: SyncContext,
    differences: Sequence[drift.Difference],
    repaired: list[str],
    checked: dict[str, int],
    notes: list[str],
) -> SyncReport:
    """The drift report (markdown: counts per check and kind; table: every difference) and the run's counts:
    records in sync are ``skipped``, repaired ones ``updated``, differences left ``failed`` (the run is then
    partial, so monitoring sees drift)."""
    done = set(repaired)
    title = f"reconcile · {ctx.shop}" + (" (dry run)" if ctx.dry_run else "")
    create_markdown_artifact(
        markdown=drift.drift_markdown(title, list(differences), checked, notes),
        key=artifact_key(ctx.shop, "reconcile", "drift"),
        description=f"reconcile for {ctx.shop}: differences per kind",
    )
    if differences:
        create_table_artifact(
            table=[{**d.as_row(), "repaired": "yes" if _ref(d) in done else "no"} for d in differences],
            key=artifact_key(ctx.shop, "reconcile", "differences"),
            description=f"reconcile for {ctx.shop}: every difference between ERP and shop",
        )
    report = SyncReport(
        updated=len([d for d in differences if _ref(d) in done]),
        skipped=max(0, sum(checked.values()) - len(differences)),
        notes=list(notes),
    )
    for difference in differences:
        if _ref(difference) not in done:
            report.fail(
                difference.key,
                f"{difference.detail} (ERP: {difference.erp_value or '—'}, shop: {difference.shop_value or '—'})",
                field=difference.kind.value,
            )
    return report


def _ref(difference: drift.Difference) -> str:
    return f"{difference.kind.value}:{difference.key}"

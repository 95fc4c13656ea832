"""Reconcile reads: each side of the checks, read in bulk once per run and shared by the checks that need it.

Why they are shaped so:
- The shop side is three bulk operations (``ProductsBulk``, ``InventoryLevelsBulk``, ``ReconcileOrdersBulk``),
  not paged queries: a whole catalogue costs one ``bulkOperationRunQuery`` and a few polls instead of a page
  per 250 records, and ``Reads.start`` starts them together so Shopify builds the files while the ERP is read.
- The ERP side goes through the port (``list_products_changed(None)``, ``iter_stock``, ``sales_order_keys``,
  ``sales_order_states``, ``list_payments``, ``list_refunds``, ``list_shipment_outcomes``) plus the state store
  (mappings, staging, sync cursors), so the same tasks serve the SQL and the POHODA adapter. A read an adapter
  cannot answer leaves its check out, with a note, instead of reporting everything as drift.
- Each read returns frames with the columns ``domain.drift`` and ``domain.lifecycle_drift`` compare, in the
  typed sides of ``domain.reconcile``; nothing here decides drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

import pandas as pd
from prefect import task
from prefect.futures import PrefectFuture

from connectors.shopify.bulk import BulkRunner
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.mapping import nodes_of, stock_from_level, transaction_from_node
from connectors.shopify.scopes import ALL_ORDERS, ORDER_HISTORY, granted_scopes
from connectors.shopify.search import updated_at_filter
from domain import drift, lifecycle_drift
from domain.reconcile import ErpCancellations, ErpCatalog, ErpOrders, ErpPayments, ErpRefunds, ShopOrders, Stock
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources
from tasks.inventory import resolve_locations

ERP_PAGE = 1000
ORDERS_SYNC, PAYMENTS_SYNC, STATUS_SYNC = "sync_orders", "sync_payments", "sync_order_status"


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
def read_shop_orders(ctx: SyncContext) -> ShopOrders:
    """The orders created in the period (``ReconcileOrdersBulk``) with their transactions, fulfillments,
    cancellations and refunds, and the period's orders Shopify does not show this app (``ShopOrders.hidden``: not
    compared, not drift)."""
    res = resources(ctx.shop)
    notes: list[str] = []
    orders, transactions, fulfillments, cancelled, refunds = [], [], [], [], []
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
                notes.append(f"{node.get('name')}: transaction {raw.get('id')} not compared: {exc.reason}")
                continue
            transactions.append((tx.shop_id, order_id, tx.amount, tx.currency, tx.is_money_in))
        fulfillments += [(str(f["id"]), order_id, f.get("status")) for f in node.get("fulfillments") or ()]
        if node.get("cancelledAt") is not None:
            cancelled.append((order_id, _when(node["cancelledAt"])))
        refunds += [
            (str(r["id"]), order_id, *_shop_money(r.get("totalRefundedSet"))) for r in node.get("refunds") or ()
        ]
    hidden, why = _hidden_orders(ctx, {order[0] for order in orders})
    return ShopOrders(
        drift.frame(orders, drift.SHOP_ORDER_COLUMNS),
        drift.frame(transactions, drift.TRANSACTION_COLUMNS),
        drift.frame(fulfillments, drift.FULFILLMENT_COLUMNS),
        notes,
        hidden=tuple(hidden),
        hidden_why=why,
        cancelled=drift.frame(cancelled, lifecycle_drift.CANCELLED_COLUMNS),
        refunds=drift.frame(refunds, lifecycle_drift.REFUND_COLUMNS),
    )


def _shop_money(bag: dict[str, Any] | None) -> tuple[Decimal | None, str | None]:
    money = (bag or {}).get("shopMoney") or {}
    amount = money.get("amount")
    return (Decimal(str(amount)) if amount is not None else None), money.get("currencyCode")


HIDDEN_WHY = (
    f"Shopify shows an app without the {ALL_ORDERS} access scope only the orders of the last {ORDER_HISTORY.days} days"
)


def _hidden_orders(ctx: SyncContext, seen: set[str]) -> tuple[list[str], str]:
    """Names of the period's orders the sync staged that Shopify hides from this app (created before the 60 days
    it shows without ``read_all_orders``, and not among the orders read), and why; nothing when the scope is
    granted or the period lies inside the 60 days."""
    cutoff = datetime.now(UTC) - ORDER_HISTORY
    if ctx.period_end is None or (ctx.period_start is not None and ctx.period_start >= cutoff):
        return [], ""
    res = resources(ctx.shop)
    if ALL_ORDERS in granted_scopes(res.shopify):
        return [], ""
    known = res.state.orders_created_between(ctx.shop, ctx.period_start, min(ctx.period_end, cutoff))
    return [name for shop_id, name in known if shop_id not in seen], HIDDEN_WHY


# ---- ERP side (the port and the state store) ----------------------------------------------------------------


@task(**IO_TASK)
def read_erp_catalog(ctx: SyncContext) -> ErpCatalog:
    """Every ERP variant (SKU, item key, prices) and the shop products the sync manages (mapped items)."""
    res = resources(ctx.shop)
    rows, notes = [], []
    for page in res.erp.iter_products_changed(None, ERP_PAGE):
        rows += [(v.sku, p.erp_key, v.price, v.compare_at_price) for p in page.items for v in p.variants]
        if page.rejected:
            notes.append(f"{len(page.rejected)} ERP item(s) are no valid product and were not compared")
    managed = frozenset(res.state.all_mappings(ctx.shop, "product")["shop_id"])
    return ErpCatalog(drift.frame(rows, drift.CATALOG_COLUMNS), managed, notes)


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
def read_erp_orders(ctx: SyncContext, order_ids: list[str]) -> ErpOrders:
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
    until = res.state.get_cursor(ctx.shop, ORDERS_SYNC).position
    return ErpOrders(drift.frame(rows, drift.ERP_ORDER_COLUMNS), until)


@task(**IO_TASK)
def read_erp_payments(ctx: SyncContext, orders: pd.DataFrame) -> ErpPayments | None:
    """Payments booked against the sales orders among ``orders`` (``read_erp_orders``) and how far
    ``sync_payments`` has read (None: the adapter cannot list booked payments)."""
    res = resources(ctx.shop)
    try:
        booked = res.erp.list_payments(sorted(set(orders.erp_key.dropna())))
    except NotImplementedError:
        return None
    rows = [(p.transaction_id, p.order_erp_key, p.amount, p.currency) for p in booked]
    until = res.state.get_cursor(ctx.shop, PAYMENTS_SYNC).position
    return ErpPayments(orders, drift.frame(rows, drift.PAYMENT_COLUMNS), until)


@task(**IO_TASK)
def read_erp_cancellations(ctx: SyncContext, order_ids: list[str]) -> ErpCancellations:
    """The state of these shop orders' ERP sales orders, what staging says of each, and how far ``sync_orders``
    and ``sync_order_status`` have read."""
    res = resources(ctx.shop)
    rows = []
    for sales_order in res.erp.sales_order_states(order_ids):
        staged = res.state.staged_order(ctx.shop, sales_order.shop_order_id)
        reason = (staged.conflict_reason or staged.last_error) if staged else None
        rows.append(
            (
                sales_order.shop_order_id,
                sales_order.erp_key,
                sales_order.state.value if sales_order.state else None,
                sales_order.state_changed_at,
                staged.status.value if staged else None,
                reason,
            )
        )
    return ErpCancellations(
        drift.frame(rows, lifecycle_drift.ERP_STATE_COLUMNS),
        res.state.get_cursor(ctx.shop, ORDERS_SYNC).position,
        res.state.get_cursor(ctx.shop, STATUS_SYNC).position,
    )


@task(**IO_TASK)
def read_erp_refunds(ctx: SyncContext, orders: pd.DataFrame, refund_ids: list[str]) -> ErpRefunds | None:
    """The ERP credit documents of these shop refunds and how far ``sync_payments`` has read (None: the adapter
    cannot list booked refunds); ``orders`` are ``read_erp_orders``' (which shop orders are sales orders)."""
    res = resources(ctx.shop)
    try:
        booked = res.erp.list_refunds(refund_ids)
    except NotImplementedError:
        return None
    rows = [(b.refund_id, b.order_erp_key, b.amount, b.currency) for b in booked]
    until = res.state.get_cursor(ctx.shop, PAYMENTS_SYNC).position
    return ErpRefunds(orders, drift.frame(rows, lifecycle_drift.BOOKED_REFUND_COLUMNS), until)


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


# ---- both sides, shared by the checks -------------------------------------------------------------------------


class Bulk(StrEnum):
    """The shop side's bulk operations, in the order a run starts them (its orders are awaited last)."""

    ORDERS = "ReconcileOrdersBulk"
    CATALOG = "ProductsBulk"
    STOCK = "InventoryLevelsBulk"


BULK_READS = {Bulk.ORDERS: read_shop_orders, Bulk.CATALOG: read_shop_catalog, Bulk.STOCK: read_shop_stock}


class Reads:
    """Both sides of one reconcile run, each read once, when the first check asks, and shared after.

    ``start`` submits the bulk operations the checks need, together, so Shopify builds the files while the ERP is
    read. What a read notes on the way (unmapped locations, ERP items that are no valid product, transactions that
    cannot be compared) is collected in ``report``, which the flow adds to the run.
    """

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.report = SyncReport()
        self._bulk: dict[Bulk, PrefectFuture] = {}

    @classmethod
    def start(cls, ctx: SyncContext, bulks: Iterable[Bulk]) -> Reads:
        reads = cls(ctx)
        for bulk in sorted(set(bulks), key=list(Bulk).index):
            reads._submit(bulk)
        return reads

    def _submit(self, bulk: Bulk) -> PrefectFuture:
        if bulk not in self._bulk:
            args = (self.locations,) if bulk is Bulk.STOCK else ()
            self._bulk[bulk] = BULK_READS[bulk].submit(self.ctx, *args)
        return self._bulk[bulk]

    @cached_property
    def locations(self) -> dict[str, str]:
        """ERP location key → shop location GID (the block's mapping, resolved)."""
        located, locations = resolve_locations(self.ctx)
        self.report += located
        return locations

    @cached_property
    def shop_catalog(self) -> pd.DataFrame:
        return self._submit(Bulk.CATALOG).result()

    @cached_property
    def shop_stock(self) -> Stock:
        return Stock(self._submit(Bulk.STOCK).result(), frozenset(self.shop_catalog.sku.dropna()))

    @cached_property
    def shop_orders(self) -> ShopOrders:
        orders: ShopOrders = self._submit(Bulk.ORDERS).result()
        self.report.notes.extend(orders.notes)
        return orders

    @cached_property
    def erp_catalog(self) -> ErpCatalog:
        catalog = read_erp_catalog(self.ctx)
        self.report.notes.extend(catalog.notes)
        return catalog

    @cached_property
    def erp_stock(self) -> Stock:
        return Stock(read_erp_stock(self.ctx, list(self.locations)), frozenset(self.erp_catalog.variants.sku))

    @cached_property
    def erp_orders(self) -> ErpOrders:
        return read_erp_orders(self.ctx, list(self.shop_orders.orders.order_id))

    @cached_property
    def erp_payments(self) -> ErpPayments | None:
        return read_erp_payments(self.ctx, self.erp_orders.orders)

    @cached_property
    def erp_cancellations(self) -> ErpCancellations:
        return read_erp_cancellations(self.ctx, list(self.shop_orders.orders.order_id))

    @cached_property
    def erp_refunds(self) -> ErpRefunds | None:
        return read_erp_refunds(self.ctx, self.erp_orders.orders, list(self.shop_orders.refunds.refund_id))

    @cached_property
    def erp_shipments(self) -> pd.DataFrame | None:
        return read_erp_shipments(self.ctx, list(self.shop_orders.orders.order_id))

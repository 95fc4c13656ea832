"""reconcile: compare ERP and shop for a shop (bulk reads), publish a drift report; repair only when asked.

Checks (``domain.drift`` says what counts as drift): the catalogue (variants by SKU, prices), stock per
SKU and mapped location, the orders created in the period (imported as ERP sales orders?), their payments
(money in ⇄ booked) and fulfillments (⇄ ERP shipments marked as sent). The shop side is read with bulk
operations started together; the ERP side through the port while Shopify builds the files.

Without ``repair`` nothing is written anywhere. With it, prices, missing variants and stock are re-sent by the
existing writers (``push_products`` after forgetting what was sent, ``set_quantities_batch``); the other kinds
need a person or a re-run of their sync with a period override, and the report says which.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd
from prefect import flow
from pydantic import Field

from domain import drift
from domain.drift import Difference, DriftKind
from domain.report import SyncReport
from engine.context import SyncContext
from flows.params import SyncParams
from flows.runtime import RunHandle, sync_run
from tasks.inventory import BATCH, resolve_locations, set_quantities_batch
from tasks.products import push_products
from tasks.reconcile import (
    forget_sent_items,
    inventory_repair_rows,
    publish_drift,
    read_erp_catalog,
    read_erp_orders,
    read_erp_payments,
    read_erp_shipments,
    read_erp_stock,
    read_shop_catalog,
    read_shop_orders,
    read_shop_stock,
)

RESENT_ITEMS = {DriftKind.PRICE, DriftKind.VARIANT_MISSING_IN_SHOP}


class Check(StrEnum):
    CATALOG = "catalog"
    INVENTORY = "inventory"
    ORDERS = "orders"
    PAYMENTS = "payments"
    FULFILLMENTS = "fulfillments"


ORDER_CHECKS = {Check.ORDERS, Check.PAYMENTS, Check.FULFILLMENTS}


class ReconcileParams(SyncParams):
    checks: list[Check] = Field(default_factory=lambda: list(Check), min_length=1, title="Checks to run")
    repair: bool = Field(
        default=False,
        title="Repair",
        description="Re-send drifted prices, missing variants and stock. Off: change nothing.",
    )


@flow(name="reconcile", log_prints=True)
def reconcile(params: ReconcileParams) -> SyncReport:
    checks = set(params.checks)
    with sync_run(params, "reconcile", {"checks": sorted(c.value for c in checks), "repair": params.repair}) as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        locations: dict[str, str] = {}
        if Check.INVENTORY in checks:
            located, locations = resolve_locations(ctx)
            run.add(located)
        found: list[Difference] = []
        checked: dict[str, int] = {}
        # every bulk operation starts now; Shopify builds the files while the ERP is read
        orders = read_shop_orders.submit(ctx) if checks & ORDER_CHECKS else None
        catalog = _catalog(run, checks, locations, found, checked)
        if orders is not None:
            _orders(run, checks, orders.result(), found, checked)
        found = drift.in_report_order(found)
        notes = [f"{len(found)} difference(s) in {', '.join(f'{k} {n}' for k, n in checked.items())} compared"]
        repaired = _repair(run.ctx, found, catalog, locations, notes) if params.repair else []
        run.add(publish_drift(ctx, found, repaired, checked, notes))
    return run.report


def _catalog(
    run: RunHandle, checks: set[Check], locations: dict[str, str], found: list[Difference], checked: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Variants, prices and stock; returns (ERP catalogue, shop catalogue) for the repair."""
    if not checks & {Check.CATALOG, Check.INVENTORY}:
        return None
    shop = read_shop_catalog.submit(run.ctx)
    shop_stock = read_shop_stock.submit(run.ctx, locations) if Check.INVENTORY in checks else None
    report, erp, managed = read_erp_catalog(run.ctx)
    run.add(report)
    shop_catalog = shop.result()
    if Check.CATALOG in checks:
        found += drift.compare_catalog(erp, shop_catalog, managed)
        checked["catalog"] = len(erp)
    if shop_stock is not None:
        erp_stock = read_erp_stock(run.ctx, list(locations))
        both = set(erp.sku) & set(shop_catalog.sku.dropna())
        found += drift.compare_inventory(erp_stock, shop_stock.result(), both)
        checked["inventory"] = int(erp_stock.sku.isin(both).sum())
    return erp, shop_catalog


def _orders(
    run: RunHandle,
    checks: set[Check],
    shop: tuple[SyncReport, pd.DataFrame, pd.DataFrame, pd.DataFrame],
    found: list[Difference],
    checked: dict[str, int],
) -> None:
    report, orders, transactions, fulfillments = shop
    run.add(report)
    ids = list(orders.order_id)
    erp_orders, orders_read_until = read_erp_orders(run.ctx, ids)
    if Check.ORDERS in checks:
        found += drift.compare_orders(orders, erp_orders, orders_read_until)
        checked["orders"] = len(orders)
        if late := drift.unread(orders, orders_read_until):
            run.report.notes.append(
                f"{late} order(s) changed after sync_orders last read them: not judged "
                "(reconcile this period again after sync_orders)"
            )
    if Check.PAYMENTS in checks:
        booked, payments_read_until = read_erp_payments(run.ctx, sorted(set(erp_orders.erp_key.dropna())))
        if booked is None:
            run.report.notes.append("payments not compared: this ERP adapter cannot list booked payments")
        else:
            found += drift.compare_payments(orders, transactions, erp_orders, booked, payments_read_until)
            checked["payments"] = int(transactions.money_in.sum())
    if Check.FULFILLMENTS in checks:
        outcomes = read_erp_shipments(run.ctx, ids)
        if outcomes is None:
            run.report.notes.append("fulfillments not compared: this ERP adapter cannot list shipments by order")
        else:
            found += drift.compare_fulfillments(fulfillments, outcomes)
            checked["fulfillments"] = len(outcomes)


def _repair(
    ctx: SyncContext,
    found: list[Difference],
    catalog: tuple[pd.DataFrame, pd.DataFrame] | None,
    locations: dict[str, str],
    notes: list[str],
) -> list[str]:
    """Re-send what the syncs can put right; returns ``kind:key`` of the differences repaired (refusals go to
    ``notes``; the differences they leave stay in the report)."""
    # idempotency keys are scoped to this run: a repair repeated by a later run must be sent, not deduplicated
    ctx = ctx.model_copy(update={"sync_type": f"reconcile-repair-{ctx.run_id}"})
    repaired: list[str] = []
    resent_stock: list[str] = []  # re-created variants hold no stock yet: send theirs too
    resend = [d for d in found if d.kind in RESENT_ITEMS]
    if resend and catalog is not None:
        erp, shop = catalog
        owner = dict(zip(erp.sku, erp.owner, strict=False))
        keys = sorted({owner[d.key] for d in resend})
        missing = sorted(d.key for d in resend if d.kind is DriftKind.VARIANT_MISSING_IN_SHOP)
        forget_sent_items(ctx, keys, missing, sorted(set(shop.owner)))
        report, retry = push_products(ctx, keys)
        notes += [f"repair of item {f.record} refused: {f.reason}" for f in report.failures]
        repaired += [f"{d.kind.value}:{d.key}" for d in resend if owner[d.key] not in retry and not ctx.dry_run]
        resent_stock = [f"{sku}@{key}" for sku in missing if owner[sku] not in retry for key in locations]
    stock = [d.key for d in found if d.kind is DriftKind.INVENTORY]
    rows = inventory_repair_rows(ctx, sorted({*stock, *resent_stock}), locations) if stock or resent_stock else []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        report = set_quantities_batch(ctx, batch)
        notes += [f"repair of stock {f.record} refused: {f.reason}" for f in report.failures]
        refused = {f.record for f in report.failures}
        repaired += [f"inventory:{r['key']}" for r in batch if r["key"] not in refused and not ctx.dry_run]
    if left := sorted({d.kind for d in found} - {DriftKind.INVENTORY, *RESENT_ITEMS}):
        notes.append(f"not repaired automatically: {', '.join(left)} (see the README's Reconciliation section)")
    return repaired

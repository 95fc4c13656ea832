"""reconcile end to end: a shop synced by the real flows shows no drift; one planted difference of each kind is
reported with its key and nothing else, nothing is changed without ``repair``, and repair re-sends prices,
variants and stock.

One shop is synced once for the module (ten flow runs, an order cancelled after import among them) and
reconciled once clean and once planted; the repair test works on the planted shop. The plants are what happens
in production: a product deleted and a price, a payment and a fulfillment made by hand in the Shopify admin; a
variant dropped, stock moved, a payment row and a credit memo lost, a refund row edited and an order cancelled
with a back-dated state change in the ERP; an order the import never staged; a shipment marked as sent that
never arrived; an order cancelled in the shop that create_sales_orders has not cancelled in the ERP yet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from blocks import ShopifyShop
from commerce_sync.samples.data import BASE_DATE
from connectors.erp.sql import loader
from connectors.state import RunRecord, RunStatus
from domain.drift import DriftKind
from domain.models import Order, Shipment, ShipmentLine, Transaction, TransactionKind, TransactionStatus
from domain.reconcile import CheckName
from domain.report import SyncReport
from emulators.shopify import catalog_ops, order_ops
from emulators.shopify.snapshot import snapshot
from engine import resources
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.reconcile import ReconcileParams, reconcile
from flows.runtime import report_of
from flows.sync_inventory import SyncInventoryParams, sync_inventory
from flows.sync_order_status import SyncOrderStatusParams, sync_order_status
from flows.sync_orders import sync_orders
from flows.sync_payments import sync_payments
from flows.sync_products import SyncProductsParams, sync_products
from flows.sync_shipments import SyncShipmentsParams, sync_shipments
from tasks.runs import artifact_key
from tests.flows.conftest import FlowShop, _make_shop
from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401 - the fixture

PERIOD_START = datetime(2025, 1, 1, tzinfo=UTC)
STATE_TABLES = (
    "erp_sales_orders",
    "erp_payments",
    "erp_credit_memos",
    "erp_refunds",
    "erp_shipment_sync",
    "erp_stock",
    "erp_variants",
    "cs_hashes",
    "cs_id_mappings",
    "cs_staged_orders",
)


@dataclass
class Reconciled:
    shop: FlowShop
    clean: SyncReport
    planted: SyncReport
    planted_run: RunRecord
    published: tuple[Any, Any]
    expected: set[tuple[str, str]]
    shop_before: dict
    shop_after: dict
    erp_before: dict
    erp_after: dict


def run(shop: FlowShop, **params) -> SyncReport:
    """Reconcile the orders created since 2025 (the sample's); an explicit period moves no cursor."""
    return report_of(
        reconcile(
            ReconcileParams(shop=shop.name, period_start=PERIOD_START, period_end=datetime.now(UTC), **params),
            return_state=True,
        )
    )


def drift_of(report: SyncReport) -> set[tuple[str, str]]:
    return {(f.field, f.record) for f in report.failures}


def compared(report: SyncReport) -> dict[str, int]:
    """Records compared per check, from the run's "N difference(s) in catalog 14, inventory 36, … compared"."""
    note = next(n for n in report.notes if re.match(r"\d+ difference\(s\) in ", n))
    return {name: int(count) for name, count in re.findall(r"(\w+) (\d+)", note.split(" in ", 1)[1])}


def artifact(shop: FlowShop, kind: str) -> Any:
    """The latest reconcile artifact of this kind (``drift`` markdown, ``differences`` table), as the UI has it."""
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=[artifact_key(shop.name, "reconcile", kind)])
            )
        )
    return found[0].data if found else None


def shop_picture(shop: FlowShop) -> dict:
    """Every record of the emulated shop, minus the bulk operations reconcile itself starts."""
    return {k: v for k, v in snapshot(shop.emulator.state).items() if k != "bulkOperations"}


def erp_picture(shop: FlowShop) -> dict:
    with shop.erp.engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(sa.text(f"select * from {t}"))), key=repr) for t in STATE_TABLES}


def order(shop: FlowShop, name: str) -> Order:
    return next(o for o in shop.data.orders if o.name == name)


def gid_number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[1])


def paid(shop: FlowShop, name: str) -> Transaction:
    return next(t for t in order(shop, name).transactions if t.is_money_in)


def ship(shop: FlowShop, key: str, name: str) -> None:
    placed = order(shop, name)
    with shop.erp.engine.begin() as conn:
        loader.add_shipment(
            conn,
            Shipment(
                erp_key=key,
                order_shop_id=placed.shop_id,
                shipped_at=BASE_DATE + timedelta(days=150),
                lines=[
                    ShipmentLine(sku=line.sku, quantity=line.quantity, order_line_shop_id=line.shop_id)
                    for line in placed.lines
                ],
            ),
        )


def map_every_location(shop: FlowShop) -> None:
    block = ShopifyShop.load(shop.name)
    block.location_mapping = {loc.key: loc.gid for loc in shop.emulator.state.locations.values()}
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)


def sync_everything(shop: FlowShop) -> None:
    map_every_location(shop)
    report_of(sync_products(SyncProductsParams(shop=shop.name), return_state=True))
    report_of(sync_inventory(SyncInventoryParams(shop=shop.name), return_state=True))
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True))
    report_of(sync_payments(SyncParams(shop=shop.name), return_state=True))
    ship(shop, "DL1", "#1001")
    ship(shop, "DL2", "#1002")
    report_of(sync_shipments(SyncShipmentsParams(shop=shop.name, notify_customer=False), return_state=True))
    cancel_in_shop(shop, "#1004")  # the buyer withdrew a cash-on-delivery order after it was imported
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True))
    report_of(sync_order_status(SyncOrderStatusParams(shop=shop.name), return_state=True))


def cancel_in_shop(shop, name: str) -> None:
    """The merchant cancels the order a few seconds before the next run (Shopify stamps whole seconds: one
    cancelled in the second a run starts is that run's period end, read by the next run's overlap)."""
    state = shop.emulator.state
    with state.lock:
        record = state.find(order(shop, name).shop_id, "Order")
        state.touch(record)
        record.cancelled_at = record.closed_at = record.updated_at = state.now() - timedelta(seconds=3)
        record.cancel_reason = "CUSTOMER"


def plant_one_of_each_kind(shop: FlowShop) -> set[tuple[str, str]]:
    """One difference of every kind; returns the (kind, key) reconcile must report."""
    state, erp = shop.emulator.state, shop.erp
    cancel_in_shop(shop, "#1008")  # read by sync_orders, not yet cancelled by create_sales_orders
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    stocked = {s.sku for s in shop.data.stock if s.shop_quantity() > 0}
    # the deleted product holds stock: its repair must send the stock of the re-created variant too
    single = sorted(
        (p for p in shop.data.products if len(p.variants) == 1), key=lambda p: p.variants[0].sku not in stocked
    )
    deleted, repriced, restocked = (p.variants[0].sku for p in single[:3])
    dropped_in_erp = next(p for p in shop.data.products if len(p.variants) > 1).variants[-1].sku
    assert deleted in stocked
    with state.lock:  # in the Shopify admin: a product deleted, a price edited, a payment edited, an order
        owner = next(v.product_id for v in state.variants.values() if v.sku == deleted)  # fulfilled by hand
        catalog_ops.delete_product(state, state.products[owner])
        next(v for v in state.variants.values() if v.sku == repriced).price += Decimal("10")
        state.transactions[gid_number(paid(shop, "#1003").shop_id)].amount += Decimal("1")
        order_ops.fulfill_everything(state, state.find(order(shop, "#1005").shop_id, "Order"))
    by_hand = [f.gid for f in state.fulfillments.values() if f.order_id == gid_number(order(shop, "#1005").shop_id)]
    missed = Order(
        shop_id="gid://shopify/Order/9000",
        name="#9000",
        created_at=BASE_DATE + timedelta(days=30),
        updated_at=BASE_DATE + timedelta(days=30),
        currency="CZK",
        total=Decimal("10"),
        lines=[{"title": "Gift wrap", "quantity": 1, "unit_price": Decimal("10")}],
    )
    state.seed_orders([missed])  # an open order sync_orders has long covered, yet never staged
    unbooked = paid(shop, "#1006").shop_id
    with erp.engine.begin() as conn:  # in the ERP: a variant dropped, stock moved, a payment row lost
        conn.execute(sa.text("delete from erp_variants where sku = :s"), {"s": dropped_in_erp})
        conn.execute(sa.text("delete from erp_stock where sku = :s"), {"s": dropped_in_erp})
        conn.execute(
            sa.text("update erp_stock set quantity = quantity + 7 where sku = :s and location_key = 'PRAHA'"),
            {"s": restocked},
        )
        conn.execute(sa.text("delete from erp_payments where shop_transaction_id = :t"), {"t": unbooked})
        edited, lost = (refund.shop_id for refund in shop.data.refunds)  # a credit memo lost, a refund row edited
        memo = "(select erp_key from erp_credit_memos where shop_refund_id = :r)"
        for table in ("erp_refunds", "erp_credit_memo_lines"):
            conn.execute(sa.text(f"delete from {table} where memo_key in {memo}"), {"r": lost})
        conn.execute(sa.text("delete from erp_credit_memos where shop_refund_id = :r"), {"r": lost})
        conn.execute(sa.text(f"update erp_refunds set amount = amount - 1 where memo_key in {memo}"), {"r": edited})
        conn.execute(  # a storno in the ERP dated before sync_order_status last read, never sent to the shop
            sa.text("update erp_sales_orders set state = 'cancelled', state_changed_at = :at where shop_order_id = :o"),
            {"at": BASE_DATE + timedelta(days=200), "o": order(shop, "#1007").shop_id},
        )
    stranger = Transaction(
        shop_id="gid://shopify/OrderTransaction/555555555",
        order_shop_id=order(shop, "#1007").shop_id,
        kind=TransactionKind.SALE,
        status=TransactionStatus.SUCCESS,
        amount=Decimal("5"),
        currency="CZK",
        processed_at=BASE_DATE,
    )
    sales_order = erp.sales_order_keys([stranger.order_shop_id])[stranger.order_shop_id]
    erp.record_payment(stranger, sales_order)  # a payment booked for a transaction the shop does not have
    ship(shop, "DL3", "#1006")  # marked as sent, but the shop never got its fulfillment
    erp.mark_shipment_synced("DL3", "gid://shopify/Fulfillment/999999", None)
    assert len(by_hand) == 1
    return {
        (DriftKind.VARIANT_MISSING_IN_SHOP, deleted),
        (DriftKind.VARIANT_MISSING_IN_ERP, dropped_in_erp),
        (DriftKind.PRICE, repriced),
        (DriftKind.INVENTORY, f"{restocked}@PRAHA"),
        (DriftKind.ORDER_NOT_IMPORTED, missed.shop_id),
        (DriftKind.FULFILLMENT_MISSING, "DL3"),
        (DriftKind.FULFILLMENT_NOT_FROM_ERP, by_hand[0]),
        (DriftKind.PAYMENT_NOT_BOOKED, unbooked),
        (DriftKind.PAYMENT_NOT_IN_SHOP, stranger.shop_id),
        (DriftKind.PAYMENT_AMOUNT, paid(shop, "#1003").shop_id),
        (DriftKind.CANCELLATION_NOT_IN_ERP, order(shop, "#1008").shop_id),
        (DriftKind.CANCELLATION_NOT_IN_SHOP, order(shop, "#1007").shop_id),
        (DriftKind.REFUND_NOT_BOOKED, lost),
        (DriftKind.REFUND_AMOUNT, edited),
    }


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reconciled]:
    url = f"sqlite:///{tmp_path_factory.mktemp('reconcile') / 'erp.db'}"
    made = _make_shop(url)
    shop = next(made)
    try:
        sync_everything(shop)
        clean = run(shop)
        expected = {(kind.value, key) for kind, key in plant_one_of_each_kind(shop)}
        shop_before, erp_before = shop_picture(shop), erp_picture(shop)
        planted = run(shop)
        planted_run = shop.state.list_runs(shop.name, "reconcile", limit=1)[0]
        published = (artifact(shop, "drift"), artifact(shop, "differences"))
        yield Reconciled(
            shop,
            clean,
            planted,
            planted_run,
            published,
            expected,
            shop_before,
            shop_picture(shop),
            erp_before,
            erp_picture(shop),
        )
    finally:
        made.close()


def test_a_clean_sync_shows_no_drift_in_any_check(reconciled):
    report = reconciled.clean
    assert (report.failed, report.updated) == (0, 0), [f.model_dump() for f in report.failures]
    counts = compared(report)
    assert set(counts) == {check.value for check in CheckName}
    assert all(counts.values()), counts  # every check read something: "no drift" is not "nothing compared"
    assert report.skipped == sum(counts.values())


def test_each_planted_difference_is_reported_once_with_its_kind_and_key_and_nothing_else(reconciled):
    assert drift_of(reconciled.planted) == reconciled.expected
    assert {kind for kind, _ in reconciled.expected} == {kind.value for kind in DriftKind}
    recorded = reconciled.planted_run  # drift leaves the run partial, so monitoring sees it
    assert recorded.status is RunStatus.PARTIAL and recorded.counts["failed"] == len(reconciled.expected)
    markdown, table = reconciled.published  # the drift report: counts per kind, and a table of differences
    assert f"**{len(reconciled.expected)} difference(s)**" in markdown
    assert all(f"| {kind.value} | 1 |" in markdown for kind in DriftKind)
    assert {(row["kind"], row["key"]) for row in json.loads(table)} == reconciled.expected


def test_reconcile_without_repair_changes_nothing_in_the_shop_or_the_erp(reconciled):
    assert reconciled.shop_after == reconciled.shop_before
    assert reconciled.erp_after == reconciled.erp_before


def test_repair_resends_prices_missing_variants_and_stock_and_leaves_the_rest_reported(reconciled):
    shop = reconciled.shop
    fixable = {DriftKind.PRICE.value, DriftKind.VARIANT_MISSING_IN_SHOP.value, DriftKind.INVENTORY.value}
    catalog_kinds = fixable | {DriftKind.VARIANT_MISSING_IN_ERP.value}
    left = {(kind, key) for kind, key in reconciled.expected if kind in catalog_kinds - fixable}

    repaired = run(shop, repair=True, checks=[CheckName.CATALOG, CheckName.INVENTORY])
    assert repaired.updated == len([kind for kind, _ in reconciled.expected if kind in fixable])
    assert drift_of(repaired) == left  # a variant the ERP lost is not deleted from the shop by a repair

    after = run(shop, checks=[CheckName.CATALOG, CheckName.INVENTORY])  # the shop now says what the ERP says
    assert drift_of(after) == left


def test_a_pohoda_shop_reconciles_through_the_same_port_and_says_which_check_it_cannot_run(pohoda_shop):
    shop = pohoda_shop
    shop.emulator.state.seed_refunds(shop.data.refunds)
    sync_products(SyncProductsParams(shop=shop.name))
    sync_orders(SyncParams(shop=shop.name))
    create_sales_orders(CreateSalesOrdersParams(shop=shop.name))
    sync_payments(SyncParams(shop=shop.name))
    shop.pohoda.cancel_order(order(shop, "#1005").shop_id)  # a storno in POHODA, sent to the shop
    sync_order_status(SyncOrderStatusParams(shop=shop.name))
    sync_inventory(SyncInventoryParams(shop=shop.name))  # after the orders, which reserve POHODA's stock
    state = shop.emulator.state
    with state.lock:  # a price edited in the Shopify admin
        variant = min(state.variants.values(), key=lambda v: v.sku or "")
        variant.price += Decimal("1")
    cancel_in_shop(shop, "#1008")  # read by sync_orders, not yet cancelled in POHODA by create_sales_orders
    sync_orders(SyncParams(shop=shop.name))
    lost = shop.data.refunds[-1]
    with shop.pohoda.lock:  # a POHODA user deleted a credit note the sync had made
        del shop.pohoda.invoices[next(k for k, v in shop.pohoda.invoices.items() if v.ext_id.ids == lost.shop_id)]

    report = run(shop)

    assert drift_of(report) == {
        (DriftKind.PRICE.value, variant.sku),
        (DriftKind.CANCELLATION_NOT_IN_ERP.value, order(shop, "#1008").shop_id),
        (DriftKind.REFUND_NOT_BOOKED.value, lost.shop_id),
    }
    assert "fulfillments not compared: this ERP adapter cannot list shipments by order" in report.notes
    counts = compared(report)
    expected = {"catalog", "inventory", "orders", "payments", "cancellations", "refunds"}
    assert set(counts) == expected and all(counts.values()), counts

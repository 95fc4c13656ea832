"""``auto_create_items``: an order naming SKUs the ERP does not know fails naming the SKU (off, the default), or
gets its items created first (on): the line's whole shop product, or the line alone when the shop has no such
variant; a second run creates nothing, and a run that died between the item and the order does not double it.
On both ERP adapters (POHODA's requests are checked against data.xsd by the fixture)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from blocks import ShopifyShop
from connectors.state import StateStore
from domain.models import OrderLine, Product, Variant
from engine import resources
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_orders import sync_orders
from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401 - the fixture

WRAP = "DARK-BAL"  # a custom line: a SKU no shop variant carries


def shop_only_order(shop) -> str:
    """A product only the shop has (two variants) and an order of one of them plus a custom line; its GID."""
    shop.emulator.state.seed_products(
        [
            Product(
                erp_key="mikina",
                title="Mikina Šumava",
                description="Teplá mikina",
                variants=[
                    Variant(sku="MIK-M", title="černá", options={"Barva": "černá"}, price=Decimal("990")),
                    Variant(sku="MIK-L", title="bílá", options={"Barva": "bílá"}, price=Decimal("1090")),
                ],
            )
        ]
    )
    template = next(o for o in shop.data.orders if not o.closed and o.cancelled_at is None and o.lines)
    lines = [
        OrderLine(sku="MIK-M", title="Mikina Šumava", quantity=2, unit_price=Decimal("990"), tax_rate=Decimal("0.21")),
        OrderLine(sku=WRAP, title="Dárkové balení", quantity=1, unit_price=Decimal("49"), tax_rate=Decimal("0.12")),
    ]
    order = template.model_copy(
        update={
            "shop_id": "gid://shopify/Order/990002",
            "name": "#9902",
            "lines": lines,
            "transactions": [],
            "total": Decimal("2029") + template.shipping_total,
        }
    )
    [gid] = shop.emulator.state.seed_orders([order])
    return gid


def create(shop, gid: str):
    return report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name, order_ids=[gid]), return_state=True))


def switch_on(shop) -> None:
    block = ShopifyShop.load(shop.name)
    block.auto_create_items = True
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)


def check_auto_create(shop) -> None:
    gid = shop_only_order(shop)
    assert report_of(sync_orders(SyncParams(shop=shop.name), return_state=True)).failed == 0

    off = create(shop, gid)  # the default: the order fails naming the SKU, and no item is made
    assert [(f.record, f.field) for f in off.failures] == [("#9902", "lines[0].sku")]
    assert "MIK-M" in off.failures[0].reason and shop.erp.get_products_by_sku(["MIK-M", WRAP]) == []
    assert shop.erp.get_sales_order_by_shop_id(gid) is None

    switch_on(shop)
    on = create(shop, gid)

    assert (on.created, on.failed) == (1, 0), on.failures
    made = {p.erp_key: p for p in shop.erp.get_products_by_sku(["MIK-M", WRAP])}
    assert sorted(made) == sorted(["MIK-M", WRAP])
    mikina = made["MIK-M"]  # the whole shop product: both sizes, so the shop keeps both
    assert mikina.title == "Mikina Šumava" and mikina.vat_rate == Decimal("21")
    assert sorted((v.sku, v.price) for v in mikina.variants) == [("MIK-L", Decimal("1090")), ("MIK-M", Decimal("990"))]
    wrap = made[WRAP]  # no shop variant: made of the line
    assert (wrap.title, wrap.vat_rate, [(v.sku, v.price) for v in wrap.variants]) == (
        "Dárkové balení",
        Decimal("12"),
        [(WRAP, Decimal("49"))],
    )
    state: StateStore = shop.state
    assert set(state.shop_ids(shop.name, "variant", ["MIK-M", "MIK-L"])) == {"MIK-M", "MIK-L"}
    sales_order = shop.erp.get_sales_order_by_shop_id(gid)
    assert sales_order is not None
    assert sorted(line.sku for line in sales_order.lines if line.sku) == sorted(["MIK-M", WRAP])

    again = create(shop, gid)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert {p.erp_key: p for p in shop.erp.get_products_by_sku(["MIK-M", WRAP])} == made
    assert shop.erp.get_sales_order_by_shop_id(gid).erp_key == sales_order.erp_key


def test_sql_unknown_skus_fail_the_order_or_become_items(sqlite_shop):
    check_auto_create(sqlite_shop)


def test_pohoda_unknown_skus_fail_the_order_or_become_stock_cards(pohoda_shop):
    check_auto_create(pohoda_shop)


def check_death_between_items_and_order(shop, monkeypatch) -> None:
    gid = shop_only_order(shop)
    sync_orders(SyncParams(shop=shop.name))
    switch_on(shop)
    adapter = type(shop.erp)
    real = adapter.create_sales_order

    calls = []

    def dies(*args, **kwargs):  # the first try finds the unknown SKUs; the one after the items dies
        calls.append(1)
        if len(calls) == 1:
            return real(*args, **kwargs)
        raise SystemExit("worker killed after the items were made, before the order")

    monkeypatch.setattr(adapter, "create_sales_order", dies)
    with pytest.raises(BaseException, match="worker killed"):
        create_sales_orders(CreateSalesOrdersParams(shop=shop.name, order_ids=[gid]))
    monkeypatch.setattr(adapter, "create_sales_order", real)
    assert shop.erp.get_sales_order_by_shop_id(gid) is None
    made = {p.erp_key: p for p in shop.erp.get_products_by_sku(["MIK-M", WRAP])}
    assert sorted(made) == sorted(["MIK-M", WRAP])

    report = create(shop, gid)

    assert (report.created, report.failed) == (1, 0)
    assert not any("ERP item(s) created" in note for note in report.notes)
    assert {p.erp_key: p for p in shop.erp.get_products_by_sku(["MIK-M", "MIK-L", WRAP])} == made
    assert shop.erp.get_sales_order_by_shop_id(gid) is not None


def test_sql_a_run_that_dies_between_the_items_and_the_order_makes_the_order_once(sqlite_shop, monkeypatch):
    check_death_between_items_and_order(sqlite_shop, monkeypatch)


def test_pohoda_a_run_that_dies_between_the_items_and_the_order_makes_the_order_once(pohoda_shop, monkeypatch):
    check_death_between_items_and_order(pohoda_shop, monkeypatch)

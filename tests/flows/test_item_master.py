"""``item_master`` on both ERP adapters, through the flows: a merchant edits a product's title and a price in the
shop admin while an ERP user edits the same item's title and a barcode.

- ``erp`` (the default): ``import_items`` leaves the ERP item alone and ``sync_products`` writes the ERP's
  title and prices back over the merchant's edit; the barcode goes out too.
- ``shop``: ``import_items`` brings the merchant's title and price into the ERP (and nothing else changes), and
  ``sync_products`` leaves title and prices in the shop alone even when the shop changed them again after the
  import and the ERP changed its title; the barcode (the ERP's) still goes out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from blocks import ShopifyShop
from domain.models import Product, Variant
from engine import resources
from flows.import_items import ImportItemsParams, import_items
from flows.runtime import report_of
from flows.sync_products import SyncProductsParams, sync_products
from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401 - the fixture

NEW_EAN = "8594000000019"


def set_master(shop, master: str) -> None:
    block = ShopifyShop.load(shop.name)
    block.item_master = master
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)


def edit_in_shop(shop, sku: str, title: str, price: Decimal) -> None:
    """What a merchant does in the Shopify admin: the product's title and one variant's price."""
    state = shop.emulator.state
    with state.lock:
        variant = next(v for v in state.variants.values() if v.sku == sku)
        product = state.products[variant.product_id]
        product.title, variant.price = title, price
        product.updated_at = variant.updated_at = state.now() - timedelta(seconds=30)
    state.search_index.catch_up()  # edited before the run (and before its period's last whole second)


def in_shop(shop, sku: str) -> tuple[str, Decimal, str | None]:
    state = shop.emulator.state
    variant = next(v for v in state.variants.values() if v.sku == sku)
    return state.products[variant.product_id].title, variant.price, variant.barcode


def run(flow, params):
    report = report_of(flow(params, return_state=True))
    assert report.failed == 0, report.failures
    return report


def check_item_master(shop, master: str) -> None:
    run(sync_products, SyncProductsParams(shop=shop.name))
    item: Product = next(
        p for p in shop.erp.get_products([p.erp_key for p in shop.data.products]) if len(p.variants) > 1
    )
    sku, other = item.variants[0].sku, item.variants[1].sku
    set_master(shop, master)
    edit_in_shop(shop, sku, "Mikina (výprodej)", Decimal("111"))

    imported = run(import_items, ImportItemsParams(shop=shop.name))

    [now] = shop.erp.get_products([item.erp_key])
    if master == "shop":
        assert (imported.created, imported.updated) == (0, 1)  # that product only: every other one agrees
        assert now.title == "Mikina (výprodej)"
        assert [(v.sku, v.price) for v in now.variants[:2]] == [(sku, Decimal("111")), (other, item.variants[1].price)]
        assert now.variants[0].barcode == item.variants[0].barcode  # barcodes stay the ERP's
    else:
        assert (imported.created, imported.updated) == (0, 0)
        assert now == item

    edit_in_shop(shop, sku, "Mikina (výprodej)", Decimal("122"))  # the merchant again, after the import
    variants = [now.variants[0].model_copy(update={"barcode": NEW_EAN}), *now.variants[1:]]
    shop.erp.upsert_item(now.model_copy(update={"title": "Mikina z ERP", "variants": variants, "updated_at": None}))

    # a run's period ends on a whole second: the window is given so that it holds the ERP edit made just now
    [last] = shop.state.list_runs(shop.name, "sync_products", limit=1)
    window = {"period_start": last.period_end, "period_end": datetime.now(UTC) + timedelta(seconds=1)}
    run(sync_products, SyncProductsParams(shop=shop.name, **window))

    if master == "shop":
        assert in_shop(shop, sku) == ("Mikina (výprodej)", Decimal("122"), NEW_EAN)
    else:
        assert in_shop(shop, sku) == ("Mikina z ERP", item.variants[0].price, NEW_EAN)
    assert in_shop(shop, other)[1] == item.variants[1].price


@pytest.mark.parametrize("master", ["erp", "shop"])
def test_sql_item_master(sqlite_shop, master):
    check_item_master(sqlite_shop, master)


@pytest.mark.parametrize("master", ["erp", "shop"])
def test_pohoda_item_master(pohoda_shop, master):
    check_item_master(pohoda_shop, master)


def check_imported_item_goes_back_whole(shop) -> None:
    """An item made from a shop product is sent by ``sync_products`` only where the ERP's differs: nothing at
    first (the shop holds what it was made from), then, once the ERP gives it a third colour, whole, with the
    shop's prices (the merchant edited one after the import), none of its variants deleted and made again."""
    set_master(shop, "shop")
    gids = shop.emulator.state.seed_products(
        [
            Product(
                erp_key="mikina",
                title="Mikina Šumava",
                updated_at=datetime.now(UTC) - timedelta(seconds=30),
                variants=[
                    Variant(sku="MIK-M", title="černá", options={"Barva": "černá"}, price=Decimal("990")),
                    Variant(sku="MIK-L", title="bílá", options={"Barva": "bílá"}, price=Decimal("1090")),
                ],
            )
        ]
    )
    assert run(import_items, ImportItemsParams(shop=shop.name)).created == 1
    state = shop.emulator.state
    variant_ids = sorted(v.id for v in state.variants.values() if v.sku in ("MIK-M", "MIK-L"))
    edit_in_shop(shop, "MIK-M", "Mikina Šumava", Decimal("777"))  # after the import, before sync_products
    # the window holds the import's ERP write of just now (a run's period ends on a whole second)
    window = {"period_start": datetime(2025, 1, 1, tzinfo=UTC), "period_end": datetime.now(UTC) + timedelta(seconds=1)}

    first = run(sync_products, SyncProductsParams(shop=shop.name, **window))

    assert (first.created, first.updated) == (len(shop.data.products), 0)
    [item] = shop.erp.get_products_by_sku(["MIK-M"])
    third = Variant(sku="MIK-XL", title="modrá", options={"Barva": "modrá"}, price=Decimal("1190"))
    shop.erp.upsert_item(item.model_copy(update={"variants": [*item.variants, third], "updated_at": None}))
    window["period_end"] = datetime.now(UTC) + timedelta(seconds=1)

    whole = run(sync_products, SyncProductsParams(shop=shop.name, **window))

    assert (whole.created, whole.updated) == (0, 1)
    product = state.find(gids["mikina"], "Product")
    assert sorted(product.variant_ids)[:2] == variant_ids and len(product.variant_ids) == 3
    assert in_shop(shop, "MIK-M")[:2] == ("Mikina Šumava", Decimal("777"))
    assert [in_shop(shop, sku)[1] for sku in ("MIK-L", "MIK-XL")] == [Decimal("1090"), Decimal("1190")]
    options = sorted(state.variants[v].option_values[0] for v in product.variant_ids)
    assert options == [("Barva", "bílá"), ("Barva", "modrá"), ("Barva", "černá")]
    again = run(sync_products, SyncProductsParams(shop=shop.name, **window))
    assert (again.created, again.updated) == (0, 0)


def test_sql_an_item_imported_from_the_shop_goes_back_whole_with_the_shops_fields(sqlite_shop):
    check_imported_item_goes_back_whole(sqlite_shop)


def test_pohoda_an_item_imported_from_the_shop_goes_back_whole_with_the_shops_fields(pohoda_shop):
    check_imported_item_goes_back_whole(pohoda_shop)

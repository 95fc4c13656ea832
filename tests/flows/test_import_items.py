"""import_items: shop products the ERP lacks become ERP items (SQL and POHODA), once, and mapped to their product."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from blocks import ShopifyShop
from domain.models import Product, Variant
from engine import resources
from flows.import_items import ImportItemsParams, import_items
from flows.runtime import report_of
from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401 - the fixture

JAN_2 = datetime(2025, 1, 2, 12, tzinfo=UTC)
WINDOW = {"period_start": datetime(2025, 1, 1, tzinfo=UTC), "period_end": datetime(2025, 1, 3, tzinfo=UTC)}


def new_in_shop(shop, known) -> str:
    """A product only the shop has, and one whose SKU the ERP knows; returns the new product's GID."""
    fresh = Product(
        erp_key="mikina",
        title="Mikina Šumava",
        description="Teplá mikina",
        updated_at=JAN_2,
        variants=[
            Variant(
                sku="MIK-M", barcode="8590000000017", title="černá", options={"Barva": "černá"}, price=Decimal("990")
            ),
            Variant(
                sku="MIK-L",
                title="bílá",
                options={"Barva": "bílá"},
                price=Decimal("990"),
                compare_at_price=Decimal("1190"),
            ),
        ],
    )
    gids = shop.emulator.state.seed_products([fresh, known.model_copy(update={"updated_at": JAN_2})])
    return gids["mikina"]


def check_import(shop, erp, state) -> None:
    known = shop.data.products[0]
    gid = new_in_shop(shop, known)
    before = erp.get_products([known.erp_key])

    report = import_items(ImportItemsParams(shop=shop.name, **WINDOW))

    assert (report.created, report.skipped, report.failed) == (1, 1, 0)
    [item] = erp.get_products_by_sku(["MIK-L"])
    assert (item.title, item.vat_rate) == ("Mikina Šumava", Decimal("21"))
    assert sorted((v.sku, v.barcode, v.price) for v in item.variants) == [
        ("MIK-L", None, Decimal("990")),
        ("MIK-M", "8590000000017", Decimal("990")),
    ]
    assert erp.item_keys_by_barcode(["8590000000017"]) == {"8590000000017": item.erp_key}
    assert state.shop_ids(shop.name, "product", [item.erp_key]) == {item.erp_key: gid}
    assert erp.get_products([known.erp_key]) == before  # the ERP is the item master: its item is left alone

    again = import_items(ImportItemsParams(shop=shop.name, **WINDOW))
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert erp.get_products_by_sku(["MIK-L"]) == [item]


def test_sql_items_from_the_shop(sqlite_shop):
    check_import(sqlite_shop, sqlite_shop.erp, sqlite_shop.state)


def test_pohoda_stock_cards_from_the_shop(pohoda_shop):
    check_import(pohoda_shop, pohoda_shop.erp, pohoda_shop.state)


def test_an_item_written_before_a_crash_is_mapped_not_doubled_and_the_shop_as_master_updates(sqlite_shop):
    shop, erp = sqlite_shop, sqlite_shop.erp
    known = shop.data.products[0]
    gid = new_in_shop(shop, known)
    erp.upsert_item(as_imported())  # the run that died wrote the item (key = its first SKU), not the mapping
    report = import_items(ImportItemsParams(shop=shop.name, **WINDOW))
    assert (report.created, report.failed) == (0, 0)
    assert shop.state.shop_ids(shop.name, "product", ["MIK-M"]) == {"MIK-M": gid}
    assert [p.erp_key for p in erp.get_products_by_sku(["MIK-M", "MIK-L"])] == ["MIK-M"]

    block = ShopifyShop.load(shop.name)
    block.item_master = "shop"
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)
    sku = known.variants[0].sku
    with shop.emulator.state.lock:
        for variant in shop.emulator.state.variants.values():
            if variant.sku == sku:
                variant.price = Decimal("1.50")
    updated = import_items(ImportItemsParams(shop=shop.name, **WINDOW))
    assert updated.failed == 0 and updated.updated >= 1
    [item] = shop.erp.get_products([known.erp_key])
    assert next(v.price for v in item.variants if v.sku == sku) == Decimal("1.50")


def as_imported() -> Product:
    return Product(
        erp_key="MIK-M",
        title="Mikina Šumava",
        description="Teplá mikina",
        vat_rate=Decimal("21"),
        variants=[
            Variant(
                sku="MIK-M", barcode="8590000000017", title="černá", options={"Barva": "černá"}, price=Decimal("990")
            ),
            Variant(
                sku="MIK-L",
                title="bílá",
                options={"Barva": "bílá"},
                price=Decimal("990"),
                compare_at_price=Decimal("1190"),
            ),
        ],
    )


def test_pohoda_a_product_whose_option_pohoda_has_no_parameter_for_fails_alone_naming_it(pohoda_shop):
    """POHODA keeps a variant's options as list-type internet parameters: one it lacks is that product's error."""
    shop = pohoda_shop
    new_in_shop(shop, shop.data.products[0])
    sizes = [Variant(sku=f"CAP-{s}", title=s, options={"Velikost": s}, price=Decimal("290")) for s in ("S", "M")]
    shop.emulator.state.seed_products([Product(erp_key="cap", title="Kšiltovka", updated_at=JAN_2, variants=sizes)])

    report = report_of(import_items(ImportItemsParams(shop=shop.name, **WINDOW), return_state=True))

    assert (report.created, report.failed) == (1, 1)
    [failure] = report.failures
    assert (failure.record, failure.field) == ("item CAP-S", "options.Velikost")
    assert "no list-type internet parameter 'Velikost'" in failure.reason
    assert shop.erp.get_products_by_sku(["CAP-S", "CAP-M"]) == [] and shop.erp.get_products_by_sku(["MIK-M"])

"""The pohoda adapter's items: stock cards grouped by ``VPrItemKey`` into products, and windows of changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from erp_builders import T0, at, product

from connectors.erp.errors import RecordError
from connectors.erp.port import Location
from domain.models import Category, Parameter, Party, PartyKind, Product, StockLevel, Variant


def _keys(erp, since=None, until=None, limit=1) -> list[str]:
    return [p.erp_key for page in erp.iter_products_changed(since, limit, until=until) for p in page.items]


def test_every_changed_item_comes_once_over_pages_of_one_in_item_key_order(pohoda):
    pohoda.load(
        products=[product(k, updated=at(minutes)) for k, minutes in zip("GBEADCF", (5, 1, 3, 9, 1, 3, 2), strict=False)]
    )
    pages = list(pohoda.backend.iter_products_changed(None, 1))
    assert [p.erp_key for page in pages for p in page.items] == list("ABCDEFG")
    assert [page.next_cursor is None for page in pages] == [False] * 6 + [True]


def test_a_product_is_assembled_from_its_cards_with_options_prices_categories_parameters_and_producer(pohoda):
    chair = Product(
        erp_key="CHAIR",
        title="Židle Bukovka",
        description="<p>Masiv</p>",
        supplier_key="S1",
        producer_key="P1",
        category_keys=["ZID", "NAB"],
        vat_rate=Decimal("21"),
        parameters=[Parameter(name="Materiál", value="buk"), Parameter(name="Hmotnost", value="4,2", unit="kg")],
        variants=[
            Variant(
                sku="CHAIR-BUK",
                title="buk",
                options={"Dřevo": "buk"},
                price=Decimal("1290.50"),
                compare_at_price=Decimal("1490"),
                barcode="8590000000011",
            ),
            Variant(sku="CHAIR-DUB", title="dub", options={"Dřevo": "dub"}, price=Decimal("1590")),
        ],
        updated_at=T0,
    )
    seeded = pohoda.state.seed(
        parties=[
            Party(erp_key="S1", name="Dřevo a.s.", kind=PartyKind.SUPPLIER),
            Party(erp_key="P1", name="Dřevovýroba Novák s.r.o.", kind=PartyKind.PRODUCER),
        ],
        categories=[Category(erp_key="NAB", name="Nábytek"), Category(erp_key="ZID", name="Židle", parent_key="NAB")],
        products=[chair],
    )
    (read,) = pohoda.backend.get_products(["CHAIR"])
    assert [(v.sku, v.title, v.options, v.price, v.compare_at_price, v.barcode) for v in read.variants] == [
        ("CHAIR-BUK", "buk", {"Dřevo": "buk"}, Decimal("1290.50"), Decimal("1490"), "8590000000011"),
        ("CHAIR-DUB", "dub", {"Dřevo": "dub"}, Decimal("1590"), None, None),
    ]
    assert read.category_keys == [str(seeded.categories["ZID"]), str(seeded.categories["NAB"])]
    assert [(p.name, p.value, p.unit) for p in read.parameters] == [
        ("Materiál", "buk", None),
        ("Hmotnost", "4,2", "kg"),
    ]
    assert read.vendor == read.producer_key == "Dřevovýroba Novák s.r.o."
    assert read.supplier_key == str(seeded.suppliers["S1"])
    assert (read.title, read.description, read.vat_rate, read.active) == (
        "Židle Bukovka",
        "<p>Masiv</p>",
        Decimal("21"),
        True,
    )
    assert read.updated_at is None  # POHODA exports no change time per card


def test_variants_kept_in_different_stores_still_make_one_product(pohoda):
    pohoda.load(
        locations=[Location(erp_key="PRAHA", name="Praha"), Location(erp_key="BRNO", name="Brno")],
        products=[product("MUG", "MUG-S", "MUG-M")],
        stock=[
            StockLevel(sku="MUG-S", location_key="PRAHA", quantity=Decimal(3)),
            StockLevel(sku="MUG-M", location_key="BRNO", quantity=Decimal(1)),
        ],
    )
    assert [v.sku for p in pohoda.backend.get_products_by_sku(["MUG-M"]) for v in p.variants] == ["MUG-S", "MUG-M"]
    since = pohoda.emulator.clock.now()
    pohoda.state.change_stock_card("MUG-M", store="BRNO", selling_price=Decimal("250"))
    (changed,) = [p for page in pohoda.backend.iter_products_changed(since, 10) for p in page.items]
    assert [(v.sku, v.price) for v in changed.variants] == [("MUG-S", Decimal("100.00")), ("MUG-M", Decimal("250"))]


def test_a_card_changed_during_a_listing_comes_fresh_and_the_next_window_lists_what_changed_behind_it(pohoda):
    pohoda.load(products=[product(k) for k in "ABCDE"])
    started = pohoda.emulator.clock.now()
    first = pohoda.backend.list_products_changed(None, None, 2)
    assert [p.erp_key for p in first.items] == ["A", "B"]
    pohoda.state.change_stock_card("A-1", selling_price=Decimal("111"))
    pohoda.state.change_stock_card("C-1", selling_price=Decimal("333"))
    rest, cursor = [], first.next_cursor
    while cursor:
        page = pohoda.backend.list_products_changed(None, cursor, 2)
        rest += [(p.erp_key, p.variants[0].price) for p in page.items]
        cursor = page.next_cursor
    assert rest == [("C", Decimal("333")), ("D", Decimal("100.00")), ("E", Decimal("100.00"))]
    assert _keys(pohoda.backend, since=started, limit=5) == ["A", "C"]


def test_a_card_changed_again_after_the_window_is_delivered_by_the_next_window(pohoda):
    pohoda.load(products=[product("IN", updated=at(0)), product("MOVED", updated=at(5))])
    pohoda.state.change_stock_card("MOVED-1", name="Přejmenováno")  # now, i.e. after at(10)
    assert _keys(pohoda.backend, since=at(0), until=at(10)) == ["IN"]
    assert _keys(pohoda.backend, since=at(10)) == ["MOVED"]


def test_an_item_pohoda_cannot_price_is_named_and_the_others_still_come(pohoda):
    pohoda.load(products=[product("GOOD"), product("BAD"), product("ALSO")])
    pohoda.state.change_stock_card("BAD-1", selling_price=Decimal("-5"))
    page = pohoda.backend.list_products_changed(None, None, 10)
    assert [p.erp_key for p in page.items] == ["ALSO", "GOOD"]
    assert len(page.rejected) == 1 and page.rejected[0].startswith("item BAD: variants[BAD-1]")
    with pytest.raises(RecordError, match="negative price"):
        pohoda.backend.get_products(["BAD", "GOOD"])


def test_a_card_without_an_item_key_is_a_product_of_its_own(pohoda):
    pohoda.load(products=[product("KIT", "KIT-1", "KIT-2")])
    pohoda.state.change_stock_card("KIT-2", user_params={})
    assert [
        (p.erp_key, [v.sku for v in p.variants]) for p in pohoda.backend.get_products_by_sku(["KIT-2", "KIT-1"])
    ] == [("KIT", ["KIT-1"]), ("KIT-2", ["KIT-2"])]

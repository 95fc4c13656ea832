"""Stock per SKU and warehouse, warehouses, the category tree, suppliers and producers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from erp_builders import product

from connectors.erp.port import Location
from domain.models import Category, Party, PartyKind, StockLevel, build_category_tree

WAREHOUSES = [Location(erp_key="PRAHA", name="Sklad Praha"), Location(erp_key="BRNO", name="Sklad Brno")]


@pytest.fixture
def stocked(erp_harness):
    levels = [
        StockLevel(sku=sku, location_key=loc, quantity=Decimal(qty))
        for sku, loc, qty in [
            ("A-1", "PRAHA", "5"),
            ("A-1", "BRNO", "2.5"),
            ("B-1", "PRAHA", "-3"),
            ("C-1", "BRNO", "0"),
            ("D-1", "PRAHA", "7"),
            ("D-1", "BRNO", "1"),
        ]
    ]
    erp_harness.load(locations=WAREHOUSES, products=[product(k, f"{k}-1") for k in "ABCD"], stock=levels)


def _pairs(page) -> list[tuple[str, str]]:
    return [(s.sku, s.location_key) for s in page.items]


def test_all_stock_is_listed_by_sku_then_warehouse_with_fractions_and_negatives_kept(erp, stocked):
    page = erp.list_stock()
    assert _pairs(page) == [
        ("A-1", "BRNO"),
        ("A-1", "PRAHA"),
        ("B-1", "PRAHA"),
        ("C-1", "BRNO"),
        ("D-1", "BRNO"),
        ("D-1", "PRAHA"),
    ]
    assert page.items[0].quantity == Decimal("2.5")
    assert page.items[2].quantity == Decimal("-3") and page.items[2].shop_quantity() == 0
    assert page.next_cursor is None


def test_stock_can_be_filtered_by_skus_and_by_warehouses(erp, stocked):
    assert _pairs(erp.list_stock(skus=["D-1", "A-1", "UNKNOWN"])) == [
        ("A-1", "BRNO"),
        ("A-1", "PRAHA"),
        ("D-1", "BRNO"),
        ("D-1", "PRAHA"),
    ]
    assert _pairs(erp.list_stock(location_keys=["PRAHA"])) == [("A-1", "PRAHA"), ("B-1", "PRAHA"), ("D-1", "PRAHA")]
    assert _pairs(erp.list_stock(skus=["A-1", "C-1"], location_keys=["BRNO"])) == [("A-1", "BRNO"), ("C-1", "BRNO")]
    assert erp.list_stock(skus=[]).items == []


def test_stock_pages_of_one_return_every_level_once(erp, stocked):
    seen = [pair for page in erp.iter_stock(limit=1) for pair in _pairs(page)]
    assert seen == _pairs(erp.list_stock())
    filtered = [pair for page in erp.iter_stock(skus=["D-1", "A-1"], limit=1) for pair in _pairs(page)]
    assert filtered == [("A-1", "BRNO"), ("A-1", "PRAHA"), ("D-1", "BRNO"), ("D-1", "PRAHA")]


def test_warehouses_are_listed_by_key(erp_harness, erp):
    erp_harness.load(locations=WAREHOUSES)
    listed = [(loc.erp_key, loc.name) for loc in erp.list_locations()]
    assert listed == [("BRNO", "Sklad Brno"), ("PRAHA", "Sklad Praha")]


def test_the_category_tree_comes_back_three_levels_deep_in_display_order(erp_harness, erp):
    erp_harness.load(
        categories=[
            Category(erp_key="OBL", name="Oblečení", position=2),
            Category(erp_key="POT", name="Potraviny", position=1),
            Category(erp_key="PAN", name="Pánské", parent_key="OBL", position=1),
            Category(erp_key="DAM", name="Dámské", parent_key="OBL", position=0),
            Category(erp_key="TRI", name="Trička", parent_key="PAN"),
            Category(erp_key="COK", name="Čokolády", parent_key="POT"),
        ]
    )
    tree = build_category_tree(erp.list_categories())
    assert [c.name for c in tree[None]] == ["Potraviny", "Oblečení"]
    assert [c.erp_key for c in tree["OBL"]] == ["DAM", "PAN"]
    assert [c.name for c in tree["PAN"]] == ["Trička"]


def test_suppliers_and_producers_are_told_apart_even_under_the_same_key(erp_harness, erp):
    erp_harness.load(
        parties=[
            Party(erp_key="ACME", name="Acme dodavatel", kind=PartyKind.SUPPLIER),
            Party(erp_key="ACME", name="Acme výrobce", kind=PartyKind.PRODUCER),
            Party(erp_key="ZETA", name="Žeta a.s.", kind=PartyKind.SUPPLIER),
        ]
    )
    parties = {(p.kind, p.erp_key): p.name for p in erp.list_parties()}
    assert parties == {
        (PartyKind.PRODUCER, "ACME"): "Acme výrobce",
        (PartyKind.SUPPLIER, "ACME"): "Acme dodavatel",
        (PartyKind.SUPPLIER, "ZETA"): "Žeta a.s.",
    }

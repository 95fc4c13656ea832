"""The pohoda adapter's catalogue around the items: categories, parties, stores and stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from erp_builders import order, product

from connectors.erp.errors import RecordError
from connectors.erp.port import Location
from domain.models import Category, Party, PartyKind, StockLevel, build_category_tree

WAREHOUSES = [Location(erp_key="PRAHA", name="Sklad Praha"), Location(erp_key="BRNO", name="Sklad Brno")]


def test_categories_are_keyed_by_pohoda_ids_and_come_back_three_levels_deep_in_display_order(pohoda):
    seeded = pohoda.state.seed(
        categories=[
            Category(erp_key="OBL", name="Oblečení", position=2),
            Category(erp_key="POT", name="Potraviny", position=1),
            Category(erp_key="PAN", name="Pánské", parent_key="OBL", position=1),
            Category(erp_key="DAM", name="Dámské", parent_key="OBL", position=0),
            Category(erp_key="TRI", name="Trička", parent_key="PAN"),
        ]
    )
    ids = {key: str(value) for key, value in seeded.categories.items()}
    tree = build_category_tree(pohoda.backend.list_categories())
    assert [c.name for c in tree[None]] == ["Potraviny", "Oblečení"]
    assert [c.erp_key for c in tree[ids["OBL"]]] == [ids["DAM"], ids["PAN"]]
    assert [c.name for c in tree[ids["PAN"]]] == ["Trička"]


def test_suppliers_and_producers_are_the_ones_stock_cards_name(pohoda):
    seeded = pohoda.state.seed(
        parties=[
            Party(erp_key="ACME", name="Acme dodavatel", kind=PartyKind.SUPPLIER),
            Party(erp_key="ZETA", name="Žeta a.s.", kind=PartyKind.SUPPLIER),
            Party(erp_key="MAKER", name="Výrobce s.r.o.", kind=PartyKind.PRODUCER),
        ],
        products=[product("A", producer="MAKER").model_copy(update={"supplier_key": "ACME"}), product("B")],
    )
    assert [(p.kind, p.erp_key, p.name) for p in pohoda.backend.list_parties()] == [
        (PartyKind.PRODUCER, "Výrobce s.r.o.", "Výrobce s.r.o."),
        (PartyKind.SUPPLIER, str(seeded.suppliers["ACME"]), "Acme dodavatel"),
    ]  # ZETA supplies no card: POHODA keeps no supplier register of its own


@pytest.fixture
def stocked(pohoda):
    levels = [
        ("A-1", "PRAHA", "5"),
        ("A-1", "BRNO", "2.5"),
        ("B-1", "PRAHA", "4"),
        ("C-1", "BRNO", "0"),
        ("D-1", "PRAHA", "7"),
    ]
    pohoda.load(
        locations=WAREHOUSES,
        products=[product(k) for k in "ABCD"],
        stock=[StockLevel(sku=s, location_key=loc, quantity=Decimal(q)) for s, loc, q in levels],
    )


def _levels(pages) -> list[tuple[str, str, Decimal]]:
    return [(s.sku, s.location_key, s.quantity) for page in pages for s in page.items]


def test_a_warehouse_sweep_pages_one_moment_that_later_changes_do_not_disturb(pohoda, stocked):
    first = pohoda.backend.list_stock(limit=2)
    pohoda.state.set_stock_quantity("D-1", "PRAHA", 1)
    rest, cursor = [], first.next_cursor
    while cursor:
        page = pohoda.backend.list_stock(cursor=cursor, limit=2)
        rest.append(page)
        cursor = page.next_cursor
    assert _levels([first, *rest]) == [
        ("A-1", "BRNO", Decimal("2.5")),
        ("A-1", "PRAHA", Decimal("5")),
        ("B-1", "PRAHA", Decimal("4")),
        ("C-1", "BRNO", Decimal("0")),
        ("D-1", "PRAHA", Decimal("7")),
    ]
    assert {s.updated_at for page in [first, *rest] for s in page.items} == {first.items[0].updated_at}
    assert _levels([pohoda.backend.list_stock(skus=["D-1"])]) == [("D-1", "PRAHA", Decimal("1"))]
    with pytest.raises(RecordError, match="cursor"):  # the finished listing's snapshot is gone
        pohoda.backend.list_stock(cursor=first.next_cursor, limit=2)


def test_a_sweep_of_some_stores_asks_pohoda_for_those_stores_only(pohoda, stocked):
    assert _levels(pohoda.backend.iter_stock(location_keys=["BRNO"], limit=1)) == [
        ("A-1", "BRNO", Decimal("2.5")),
        ("C-1", "BRNO", Decimal("0")),
    ]
    assert [loc.erp_key for loc in pohoda.backend.list_locations()] == ["BRNO", "PRAHA"]


def test_stock_is_what_may_still_be_sold_once_shop_orders_reserve_it(pohoda, stocked):
    pohoda.backend.create_sales_order(order(1, ("B-1", 3, "100.00")), None)  # reserves the first B-1 card (PRAHA)
    assert _levels([pohoda.backend.list_stock(skus=["B-1"])]) == [("B-1", "PRAHA", Decimal("1"))]
    assert _levels([pohoda.backend.list_stock()])[2] == ("B-1", "PRAHA", Decimal("1"))

"""What counts as drift (``domain.drift``): only what the syncs would have made equal by now."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain import drift
from domain.drift import DriftKind

D = Decimal
CURSOR = datetime(2025, 6, 1, tzinfo=UTC)
BEFORE, AFTER = datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 2, tzinfo=UTC)


def found(differences) -> set[tuple[str, str]]:
    return {(d.kind.value, d.key) for d in differences}


def test_a_price_is_drift_only_when_the_amount_differs_not_its_spelling():
    erp = drift.frame(
        [("A", "I1", D("199.0000"), None), ("B", "I1", D("10"), D("12")), ("C", "I2", D("5"), None)],
        drift.CATALOG_COLUMNS,
    )
    shop = drift.frame(
        [
            ("A", "gid://shopify/Product/1", "199.00", None),
            ("B", "gid://shopify/Product/1", "10.0", None),
            ("C", "gid://shopify/Product/2", "5.00", None),
        ],
        drift.CATALOG_COLUMNS,
    )
    (difference,) = drift.compare_catalog(erp, shop, {"gid://shopify/Product/1"})
    assert (difference.kind, difference.key, difference.erp_value, difference.shop_value) == (
        DriftKind.PRICE,
        "B",
        "compare_at_price=12",
        "compare_at_price=—",
    )


def test_only_variants_of_synced_products_can_be_missing_in_the_erp():
    erp = drift.frame([("A", "I1", D("1"), None), ("GONE", "I9", D("1"), None)], drift.CATALOG_COLUMNS)
    shop = drift.frame(
        [
            ("A", "gid://shopify/Product/1", "1", None),
            ("OLD", "gid://shopify/Product/1", "1", None),
            ("MERCHANTS-OWN", "gid://shopify/Product/5", "1", None),
            (None, "gid://shopify/Product/5", "1", None),
        ],
        drift.CATALOG_COLUMNS,
    )
    assert found(drift.compare_catalog(erp, shop, {"gid://shopify/Product/1"})) == {
        ("variant_missing_in_shop", "GONE"),
        ("variant_missing_in_erp", "OLD"),
    }


def test_a_level_missing_on_one_side_counts_as_zero_and_other_skus_are_left_to_the_catalogue_check():
    erp = drift.frame([("A", "PRAHA", 0), ("B", "PRAHA", 3), ("X", "PRAHA", 9)], drift.STOCK_COLUMNS)
    shop = drift.frame([("C", "PRAHA", 2), ("X", "BRNO", 1)], drift.STOCK_COLUMNS)
    differences = drift.compare_inventory(erp, shop, {"A", "B", "C"})
    assert [(d.key, d.erp_value, d.shop_value, d.detail) for d in differences] == [
        ("B@PRAHA", "3", "0", "not stocked at this shop location"),
        ("C@PRAHA", "0", "2", "no ERP stock row"),
    ]


def test_an_order_is_expected_once_read_by_sync_orders_and_open_or_staged():
    shop = drift.frame(
        [
            ("o1", "#1", BEFORE, True),
            ("o2", "#2", BEFORE, False),
            ("o3", "#3", AFTER, True),
            ("o4", "#4", BEFORE, False),
            ("o5", "#5", BEFORE, True),
        ],
        drift.SHOP_ORDER_COLUMNS,
    )
    erp = drift.frame([("o4", None, "failed", "unknown SKU X"), ("o5", "SO5", None, None)], drift.ERP_ORDER_COLUMNS)
    differences = drift.compare_orders(shop, erp, CURSOR)
    assert [(d.key, d.detail) for d in differences] == [
        ("o1", "never staged by sync_orders"),
        ("o4", "staged, failed: unknown SKU X"),
    ]
    assert drift.compare_orders(shop, erp, None) == []  # sync_orders never ran: nothing is due yet


def test_a_payment_is_due_once_its_order_was_read_but_a_booking_is_checked_however_recent():
    orders = drift.frame([("o1", "#1", BEFORE, True), ("o2", "#2", AFTER, True)], drift.SHOP_ORDER_COLUMNS)
    erp_orders = drift.frame([("o1", "SO1", None, None), ("o2", "SO2", None, None)], drift.ERP_ORDER_COLUMNS)
    transactions = drift.frame(
        [("t1", "o1", D("10"), "CZK", True), ("t2", "o2", D("20"), "CZK", True), ("t3", "o2", D("20"), "CZK", False)],
        drift.TRANSACTION_COLUMNS,
    )
    booked = drift.frame([("t3", "SO2", D("20"), "CZK")], drift.PAYMENT_COLUMNS)
    differences = drift.compare_payments(orders, transactions, erp_orders, booked, CURSOR)
    assert found(differences) == {("payment_not_booked", "t1"), ("payment_not_in_shop", "t3")}
    assert "no money in" in next(d for d in differences if d.key == "t3").detail


def test_a_payment_booked_without_an_amount_is_not_compared_by_amount():
    orders = drift.frame([("o1", "#1", BEFORE, True)], drift.SHOP_ORDER_COLUMNS)
    erp_orders = drift.frame([("o1", "SO1", None, None)], drift.ERP_ORDER_COLUMNS)
    transactions = drift.frame([("t1", "o1", D("10"), "CZK", True)], drift.TRANSACTION_COLUMNS)
    ids_only = drift.frame([("t1", "SO1", None, None)], drift.PAYMENT_COLUMNS)
    other_amount = drift.frame([("t1", "SO1", D("11"), "CZK")], drift.PAYMENT_COLUMNS)
    assert drift.compare_payments(orders, transactions, erp_orders, ids_only, CURSOR) == []
    assert found(drift.compare_payments(orders, transactions, erp_orders, other_amount, CURSOR)) == {
        ("payment_amount", "t1")
    }


def test_a_sent_shipment_needs_a_live_fulfillment_and_a_fulfillment_needs_a_shipment():
    fulfillments = drift.frame(
        [("f1", "o1", "SUCCESS"), ("f2", "o1", "CANCELLED"), ("f3", "o2", "SUCCESS"), ("f4", "o2", "SUCCESS")],
        drift.FULFILLMENT_COLUMNS,
    )
    outcomes = drift.frame(
        [
            ("DL1", "o1", "synced", ["f1"]),
            ("DL2", "o1", "synced", ["f2"]),
            ("DL3", "o2", "synced", ["f3"]),
            ("DL4", "o2", None, []),
        ],
        drift.OUTCOME_COLUMNS,
    )
    assert found(drift.compare_fulfillments(fulfillments, outcomes)) == {
        ("fulfillment_missing", "DL2"),
        ("fulfillment_not_from_erp", "f4"),
    }
    assert (
        drift.compare_fulfillments(drift.frame([], drift.FULFILLMENT_COLUMNS), drift.frame([], drift.OUTCOME_COLUMNS))
        == []
    )

"""Reconcile's cancellation and refund checks on small frames: what is drift, what is not yet, what is in sync."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain import drift, lifecycle_drift
from domain.reconcile import CheckName, ErpCancellations, ErpRefunds, ShopOrders, check_cancellations, check_refunds

CURSOR = datetime(2025, 6, 1, tzinfo=UTC)
BEFORE, AFTER = datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 2, tzinfo=UTC)
D = Decimal


def shop(orders, cancelled=(), refunds=()) -> ShopOrders:
    return ShopOrders(
        drift.frame(orders, drift.SHOP_ORDER_COLUMNS),
        drift.frame([], drift.TRANSACTION_COLUMNS),
        drift.frame([], drift.FULFILLMENT_COLUMNS),
        cancelled=drift.frame(cancelled, lifecycle_drift.CANCELLED_COLUMNS),
        refunds=drift.frame(refunds, lifecycle_drift.REFUND_COLUMNS),
    )


def states(*rows, orders_until=CURSOR, status_until=CURSOR) -> ErpCancellations:
    return ErpCancellations(drift.frame(rows, lifecycle_drift.ERP_STATE_COLUMNS), orders_until, status_until)


def refunds_booked(*rows, sales=(("o1", "SO1"), ("o2", "SO2")), until=CURSOR) -> ErpRefunds:
    return ErpRefunds(
        drift.frame(sales, ["order_id", "erp_key"]), drift.frame(rows, lifecycle_drift.BOOKED_REFUND_COLUMNS), until
    )


def kinds(result) -> list[tuple[str, str]]:
    return [(d.kind.value, d.key) for d in result.differences]


def test_an_order_cancelled_in_the_shop_and_still_open_in_the_erp_is_drift_with_what_staging_says():
    orders = shop(
        [("o1", "#1", BEFORE, False), ("o2", "#2", BEFORE, False), ("o3", "#3", BEFORE, False)],
        cancelled=[("o1", BEFORE), ("o2", BEFORE), ("o3", BEFORE)],
    )
    erp = states(
        ("o1", "SO1", None, None, "conflict", "shipped by the ERP: the ERP order was left alone and needs a person"),
        ("o2", "SO2", None, None, "cancelling", None),
        ("o3", "SO3", "cancelled", BEFORE, "cancelled", None),  # cancelled on both sides: in sync
    )

    result = check_cancellations(orders, erp)

    assert result.check is CheckName.CANCELLATIONS and result.compared == 3
    assert kinds(result) == [("cancellation_not_in_erp", "o1"), ("cancellation_not_in_erp", "o2")]
    person, queued = result.differences
    assert (person.erp_value, person.shop_value) == ("SO1 open", "#1 cancelled")
    assert "needs a person" in person.detail
    assert queued.detail == "queued: create_sales_orders cancels it on its next run"


def test_a_shop_cancellation_sync_orders_has_not_read_yet_is_not_judged():
    orders = shop([("o1", "#1", AFTER, False)], cancelled=[("o1", AFTER)])

    assert check_cancellations(orders, states(("o1", "SO1", None, None, "done", None))).differences == []


def test_an_erp_cancellation_the_shop_lacks_is_drift_once_sync_order_status_read_it_and_counted_when_not():
    orders = shop([("o1", "#1", BEFORE, True), ("o2", "#2", BEFORE, True)])
    erp = states(
        ("o1", "SO1", "cancelled", BEFORE, "done", None),  # read by sync_order_status, yet the shop order is open
        ("o2", "SO2", "cancelled", AFTER, "done", None),  # changed after it last read
    )

    result = check_cancellations(orders, erp)

    assert kinds(result) == [("cancellation_not_in_shop", "o1")]
    assert result.differences[0].shop_value == "#1 open"
    assert result.notes == [
        "1 order(s) cancelled in the ERP and open in the shop, changed after sync_order_status last read "
        "(or the ERP does not say when): not judged"
    ]


def test_a_shop_refund_without_an_erp_credit_document_is_drift_once_sync_payments_read_its_order():
    orders = shop(
        [("o1", "#1", BEFORE, True), ("o2", "#2", AFTER, True), ("o3", "#3", BEFORE, True)],
        refunds=[("r1", "o1", D("100"), "CZK"), ("r2", "o2", D("5"), "CZK"), ("r3", "o3", D("9"), "CZK")],
    )

    result = check_refunds(orders, refunds_booked())  # o3 is no sales order: its refund is not expected

    assert result.check is CheckName.REFUNDS and result.compared == 2
    assert kinds(result) == [("refund_not_booked", "r1")]
    assert result.differences[0].shop_value == "100 CZK"
    assert "#1" in result.differences[0].detail


def test_a_credit_document_paying_back_another_amount_is_drift_and_one_without_amounts_is_compared_by_id():
    orders = shop(
        [("o1", "#1", BEFORE, True), ("o2", "#2", BEFORE, True)],
        refunds=[("r1", "o1", D("100.00"), "CZK"), ("r2", "o2", D("5"), "EUR")],
    )

    result = check_refunds(orders, refunds_booked(("r1", "SO1", D("90"), "CZK"), ("r2", None, None, None)))

    assert kinds(result) == [("refund_amount", "r1")]
    assert (result.differences[0].erp_value, result.differences[0].shop_value) == ("90 CZK", "100 CZK")


def test_a_clean_shop_shows_no_cancellation_or_refund_drift():
    orders = shop(
        [("o1", "#1", BEFORE, False), ("o2", "#2", BEFORE, True)],
        cancelled=[("o1", BEFORE)],
        refunds=[("r1", "o2", D("12.50"), "CZK")],
    )
    erp = states(("o1", "SO1", "cancelled", BEFORE, "cancelled", None), ("o2", "SO2", None, None, "done", None))

    cancellations = check_cancellations(orders, erp)
    refunds = check_refunds(orders, refunds_booked(("r1", "SO2", D("12.5"), "CZK")))

    assert (cancellations.compared, cancellations.differences, cancellations.notes) == (1, [], [])
    assert (refunds.compared, refunds.differences) == (1, [])

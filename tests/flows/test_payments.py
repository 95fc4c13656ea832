"""Payments end to end: money received on shop orders → ERP payments, once per transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

import flows.runtime
from connectors.erp.errors import RecordError
from connectors.state import RunStatus
from engine.opening import RunKind, RunStart
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_orders import sync_orders
from flows.sync_payments import sync_payments


def scheduled(monkeypatch, days: int) -> None:
    """Runs fire as if the scheduler started them ``days`` from now."""
    at = datetime.now(UTC) + timedelta(days=days)
    start = RunStart(kind=RunKind.SCHEDULED, scheduled_at=at, started_at=at)
    monkeypatch.setattr(flows.runtime, "run_start", lambda: start)


def erp_payments(shop) -> set[tuple]:
    with shop.erp.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select p.shop_transaction_id, s.shop_order_id, p.amount, p.currency "
                "from erp_payments p join erp_sales_orders s on s.erp_key = p.order_key"
            )
        ).all()
    return {(r[0], r[1], float(r[2]), r[3]) for r in rows}


def money_in(shop, imported_only: bool = True) -> set[tuple]:
    """Successful sales and captures of the shop's orders: what the ERP should book. The orders the import
    conditions turn away (test orders, cancelled before import) are no sales orders: their payments are passed
    over (``imported_only=False`` counts them too)."""
    return {
        (t.shop_id, o.shop_id, float(t.amount), t.currency)
        for o in shop.data.orders
        for t in o.transactions
        if t.is_money_in and (not imported_only or (not o.test and o.cancelled_at is None))
    }


def refunds(shop) -> int:
    """The refunds the sample data seeded: one ERP credit document each."""
    return len(shop.data.refunds)


def sales_orders(shop) -> None:
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True))


def sales_orders_in_erp(shop) -> None:
    """The ERP already holds the shop's orders as sales orders (what create_sales_orders would have made)."""
    for placed in shop.data.orders:
        shop.erp.create_sales_order(placed, None)


def last_period(shop):
    run = shop.state.list_runs(shop.name, "sync_payments", limit=10)[-1]
    return run.period_start, run.period_end


def test_received_payments_arrive_in_the_erp_once_and_a_second_run_changes_nothing(flow_shop):
    sales_orders(flow_shop)
    expected = money_in(flow_shop)
    assert expected  # paid sales, not the pending cash-on-delivery or the authorisation

    report = sync_payments(SyncParams(shop=flow_shop.name))
    assert (report.created, report.failed) == (len(expected) + refunds(flow_shop), 0)
    assert erp_payments(flow_shop) == expected

    start, end = last_period(flow_shop)
    again = sync_payments(SyncParams(shop=flow_shop.name, period_start=start, period_end=end))
    passed_over = len(money_in(flow_shop, imported_only=False)) + refunds(flow_shop)
    assert (again.created, again.failed, again.skipped) == (0, 0, passed_over)
    assert erp_payments(flow_shop) == expected


def test_payments_of_orders_not_yet_sales_orders_wait_and_are_booked_by_the_next_run(sqlite_shop, monkeypatch):
    scheduled(monkeypatch, 1)
    sync_orders(SyncParams(shop=sqlite_shop.name))  # staged, but no sales order yet
    first = sync_payments(SyncParams(shop=sqlite_shop.name))
    assert (first.created, first.failed) == (0, 0)
    assert any("no ERP sales order yet" in note for note in first.notes)
    waiting = sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_payments").extra["retry"]
    assert set(waiting) == {order for _, order, _, _ in money_in(sqlite_shop)}

    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name))
    scheduled(monkeypatch, 2)  # the next day's window holds no changed order: only the retry keys bring them
    second = sync_payments(SyncParams(shop=sqlite_shop.name))
    assert second.created == len(money_in(sqlite_shop)) + refunds(sqlite_shop)
    assert erp_payments(sqlite_shop) == money_in(sqlite_shop)
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_payments").extra["retry"] == []


def test_a_payment_the_erp_refuses_is_reported_and_booked_by_the_next_run(sqlite_shop, monkeypatch):
    scheduled(monkeypatch, 1)
    sales_orders_in_erp(sqlite_shop)  # every order, whatever the import conditions say
    refused = sorted(money_in(sqlite_shop, imported_only=False))[0]
    real_record = sqlite_shop.erp.record_payment

    def record_payment(tx, order_erp_key, **kwargs):
        if tx.shop_id == refused[0]:
            raise RecordError(f"transaction {tx.shop_id}", "gateway", "no payment method mapped")
        return real_record(tx, order_erp_key, **kwargs)

    monkeypatch.setattr(sqlite_shop.erp, "record_payment", record_payment)
    first = report_of(sync_payments(SyncParams(shop=sqlite_shop.name), return_state=True))
    assert [(f.field, f.reason) for f in first.failures] == [("gateway", "no payment method mapped")]
    assert refused[0] in first.failures[0].record
    assert erp_payments(sqlite_shop) == money_in(sqlite_shop, imported_only=False) - {refused}
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_payments")[-1].status is RunStatus.PARTIAL

    monkeypatch.setattr(sqlite_shop.erp, "record_payment", real_record)
    scheduled(monkeypatch, 2)
    second = report_of(sync_payments(SyncParams(shop=sqlite_shop.name), return_state=True))
    assert (second.created, second.failed) == (1, 0)
    assert erp_payments(sqlite_shop) == money_in(sqlite_shop, imported_only=False)


def test_cursor_not_advanced_when_a_page_fails(sqlite_shop, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("state store crashed")

    monkeypatch.setattr(sqlite_shop.state, "staged_order", broken)
    with pytest.raises(RuntimeError, match="state store crashed"):
        sync_payments(SyncParams(shop=sqlite_shop.name))
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_payments")[-1].status is RunStatus.FAILED
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_payments").position is None


def test_a_dry_run_writes_nothing(sqlite_shop):
    sales_orders_in_erp(sqlite_shop)
    report = sync_payments(SyncParams(shop=sqlite_shop.name, dry_run=True))
    passed_over = len(money_in(sqlite_shop, imported_only=False)) + refunds(sqlite_shop)
    assert report.created == 0 and report.skipped == passed_over
    assert any("would book" in note for note in report.notes)
    assert erp_payments(sqlite_shop) == set()
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_payments").position is None


def _refund(shop, restock: bool, shipping: bool) -> tuple[str, str]:
    """A merchant refunds one unit of the first paid order's first line (and its shipping) in Shopify."""
    from engine.resources import resources

    state = shop.emulator.state
    order = next(
        o
        for o in sorted(state.orders.values(), key=lambda o: o.id)
        if o.financial_status == "PAID" and not o.test and o.cancelled_at is None
    )
    line = order.line_items[0]
    location = next(iter(state.locations.values()))
    paid = next(t for t in order.transactions if t.kind == "SALE" and t.status == "SUCCESS")
    item = {"lineItemId": line.gid, "quantity": 1}
    if restock:
        item.update(restockType="RETURN", locationId=location.gid)
    refund = {
        "orderId": order.gid,
        "refundLineItems": [item],
        "transactions": [
            {"orderId": order.gid, "parentId": paid.gid, "kind": "REFUND", "gateway": paid.gateway, "amount": "1.00"}
        ],
    }
    if shipping:
        refund["shipping"] = {"fullRefund": True}
    payload, errors = resources(shop.name).shopify.mutate(
        "RefundCreate", {"input": refund, "idempotencyKey": f"refund-{order.id}"}, "refundCreate"
    )
    assert not errors, errors
    shop.emulator.state.search_index.catch_up()  # the refund was made before the runs: searchable by then
    return order.gid, payload["refund"]["id"]


def test_a_refund_becomes_one_credit_memo_and_the_order_no_conflict(sqlite_shop, monkeypatch):
    sales_orders(sqlite_shop)
    sync_payments(SyncParams(shop=sqlite_shop.name))
    order_gid, refund_gid = _refund(sqlite_shop, restock=True, shipping=True)

    scheduled(monkeypatch, 1)
    staged = sync_orders(SyncParams(shop=sqlite_shop.name))
    assert staged.failed == 0  # the refund edited the order, but its lines are as ordered: no conflict
    report = sync_payments(SyncParams(shop=sqlite_shop.name))
    assert report.failed == 0
    assert any("refund of" in note and "returned to stock" in note for note in report.notes)
    with sqlite_shop.erp.engine.connect() as conn:
        memos = conn.execute(
            sa.text(
                "select m.shop_refund_id, s.shop_order_id, m.restock, m.currency, r.amount from erp_credit_memos m "
                "join erp_sales_orders s on s.erp_key = m.order_key join erp_refunds r on r.memo_key = m.erp_key "
                "where m.shop_refund_id = :refund"
            ),
            {"refund": refund_gid},
        ).all()
    assert [tuple(m) for m in memos] == [(refund_gid, order_gid, True, "CZK", 1)]

    scheduled(monkeypatch, 2)
    start, end = last_period(sqlite_shop)
    again = sync_payments(SyncParams(shop=sqlite_shop.name, period_start=start, period_end=end))
    assert (again.created, again.failed) == (0, 0)
    with sqlite_shop.erp.engine.connect() as conn:
        booked = conn.execute(sa.text("select count(*) from erp_credit_memos")).scalar_one()
    assert booked == 1 + refunds(sqlite_shop)  # the sample data's refunds, and this one, once each


def test_a_gift_card_payment_is_booked_as_a_gift_card_not_as_cash(sqlite_shop):
    sales_orders(sqlite_shop)
    sync_payments(SyncParams(shop=sqlite_shop.name))
    gift = {t.shop_id for o in sqlite_shop.data.orders for t in o.transactions if t.is_gift_card and t.is_money_in}
    assert gift  # the sample data pays one order with a gift card
    with sqlite_shop.erp.engine.connect() as conn:
        rows = conn.execute(sa.text("select shop_transaction_id, method from erp_payments")).all()
    assert {tx for tx, method in rows if method == "gift_card"} == gift

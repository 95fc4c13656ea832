"""Order status end to end: ERP order states (processed, transferred, cancelled) → closed, tagged, cancelled
shop orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import flows.runtime
from commerce_sync.samples.data import BASE_DATE
from connectors.erp.sql import loader
from connectors.state import RunStatus
from domain.models import OrderState
from emulators.shopify import order_ops
from engine.opening import RunKind, RunStart
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_order_status import SyncOrderStatusParams, sync_order_status
from flows.sync_orders import sync_orders

CHANGED_AT = BASE_DATE + timedelta(days=200)
"""When the ERP user changed the states: inside the first run's period."""


def scheduled(monkeypatch, days: int) -> None:
    """Runs fire as if the scheduler started them ``days`` from now."""
    at = datetime.now(UTC) + timedelta(days=days)
    start = RunStart(kind=RunKind.SCHEDULED, scheduled_at=at, started_at=at)
    monkeypatch.setattr(flows.runtime, "run_start", lambda: start)


def gid_of(shop, name: str) -> str:
    return next(o.shop_id for o in shop.data.orders if o.name == name)


def set_states(shop, states: dict[str, OrderState]) -> None:
    """The ERP user marks sales orders (by shop order name) executed, transferred or cancelled."""
    for name, state in states.items():
        erp_key = shop.erp.get_sales_order_by_shop_id(gid_of(shop, name)).erp_key
        with shop.erp.engine.begin() as conn:
            loader.set_sales_order_state(conn, erp_key, state, CHANGED_AT)


def shop_orders(shop) -> dict[str, tuple]:
    """What a merchant sees per order: closed, cancelled (and why), tags, last change."""
    state = shop.emulator.state
    with state.lock:
        return {
            o.name: (o.closed, o.cancelled_at is not None, o.cancel_reason, tuple(o.tags), o.updated_at)
            for o in state.orders.values()
        }


def sales_orders_in_erp(shop) -> None:
    """The ERP already holds the shop's orders as sales orders (what create_sales_orders would have made)."""
    for placed in shop.data.orders:
        shop.erp.create_sales_order(placed, None)


def last_period(shop):
    run = shop.state.list_runs(shop.name, "sync_order_status", limit=10)[-1]
    return run.period_start, run.period_end


def test_erp_states_close_tag_and_cancel_shop_orders_once_and_a_second_run_changes_nothing(flow_shop):
    sync_orders(SyncParams(shop=flow_shop.name))
    create_sales_orders(CreateSalesOrdersParams(shop=flow_shop.name))
    state = flow_shop.emulator.state
    with state.lock:  # archived in Shopify by hand already
        state.find(gid_of(flow_shop, "#1005"), "Order").closed_at = datetime.now(UTC)
    set_states(
        flow_shop,
        {
            "#1001": OrderState.PROCESSED,
            "#1002": OrderState.TRANSFERRED,
            "#1003": OrderState.CANCELLED,
            "#1005": OrderState.PROCESSED,
        },
    )
    before = shop_orders(flow_shop)

    report = sync_order_status(SyncOrderStatusParams(shop=flow_shop.name))

    assert (report.updated, report.skipped, report.failed) == (3, 1, 0)
    after = shop_orders(flow_shop)
    assert after["#1001"][:2] == (True, False)
    assert "erp-transferred" in after["#1002"][3] and after["#1002"][:2] == (False, False)
    assert after["#1003"][:3] == (True, True, "OTHER")
    assert after["#1005"] == before["#1005"]
    assert {k: v for k, v in after.items() if k not in ("#1001", "#1002", "#1003")} == {
        k: v for k, v in before.items() if k not in ("#1001", "#1002", "#1003")
    }

    start, end = last_period(flow_shop)
    again = sync_order_status(SyncOrderStatusParams(shop=flow_shop.name, period_start=start, period_end=end))
    assert (again.updated, again.skipped, again.failed) == (0, 4, 0)
    assert shop_orders(flow_shop) == after


def test_an_order_shopify_refuses_to_cancel_is_reported_and_retried_next_run_with_its_current_erp_state(
    sqlite_shop, monkeypatch
):
    sales_orders_in_erp(sqlite_shop)
    state = sqlite_shop.emulator.state
    with state.lock:  # already shipped: Shopify refuses to cancel an order with fulfillments
        order_ops.fulfill_everything(state, state.find(gid_of(sqlite_shop, "#1004"), "Order"))
    set_states(sqlite_shop, {"#1004": OrderState.CANCELLED})
    scheduled(monkeypatch, 1)

    first = report_of(sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name), return_state=True))
    assert [(f.field, f.reason) for f in first.failures] == [("state", "Cannot cancel an order that has fulfillments")]
    assert gid_of(sqlite_shop, "#1004") in first.failures[0].record
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_order_status")[-1].status is RunStatus.PARTIAL

    set_states(sqlite_shop, {"#1004": OrderState.PROCESSED})  # the ERP user executes it instead (same old time)
    scheduled(monkeypatch, 2)  # the next day's period holds no change: only the retry brings the order back
    second = report_of(sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name), return_state=True))
    assert (second.updated, second.failed) == (1, 0)
    assert shop_orders(sqlite_shop)["#1004"][:2] == (True, False)


def cancels_sent(shop) -> int:
    """``orderCancel`` requests Shopify answered (the emulator's cost ledger counts each call)."""
    return shop.emulator.executor.ledger.as_json()["by_operation"].get("OrderCancel", {}).get("calls", 0)


def shopify_finishes_its_jobs(shop) -> None:
    """Shopify's background jobs run meanwhile (as they do after their time on the shop's clock)."""
    state = shop.emulator.state
    with state.lock:
        for job in state.jobs.jobs.values():
            job.finish()


def test_a_cancel_whose_answer_was_lost_is_not_sent_again(sqlite_shop, monkeypatch):
    sales_orders_in_erp(sqlite_shop)
    set_states(sqlite_shop, {"#1003": OrderState.CANCELLED})
    sqlite_shop.emulator.set_faults(drop_after_apply=1.0)  # applied, answer lost (502)

    report = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))

    assert (report.updated, report.failed, cancels_sent(sqlite_shop)) == (0, 0, 1)
    assert any("has not finished" in note for note in report.notes)
    sqlite_shop.emulator.set_faults(drop_after_apply=0.0)
    shopify_finishes_its_jobs(sqlite_shop)
    scheduled(monkeypatch, 1)  # the next run looks at the order again (retry key) and sends nothing
    again = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert (again.skipped, again.failed, cancels_sent(sqlite_shop)) == (1, 0, 1)
    assert shop_orders(sqlite_shop)["#1003"][:3] == (True, True, "OTHER")


def test_a_run_before_shopifys_cancel_job_finished_sends_nothing_and_a_later_run_confirms_it(sqlite_shop, monkeypatch):
    sales_orders_in_erp(sqlite_shop)
    set_states(sqlite_shop, {"#1003": OrderState.CANCELLED})
    config = sqlite_shop.emulator.config
    config.job_polls, config.job_seconds = 1000, 3600.0  # a slow job: still queued when the next run comes

    first = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert (first.updated, first.failed, cancels_sent(sqlite_shop)) == (0, 0, 1)
    assert shop_orders(sqlite_shop)["#1003"][1] is False

    scheduled(monkeypatch, 1)
    second = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert (second.updated, second.failed, cancels_sent(sqlite_shop)) == (0, 0, 1)  # remembered job: no resend

    shopify_finishes_its_jobs(sqlite_shop)
    scheduled(monkeypatch, 2)
    third = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert (third.skipped, third.failed, cancels_sent(sqlite_shop)) == (1, 0, 1)  # its state says cancelled
    assert shop_orders(sqlite_shop)["#1003"][:3] == (True, True, "OTHER")

    scheduled(monkeypatch, 3)
    fourth = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert (fourth.updated, fourth.failed, cancels_sent(sqlite_shop)) == (0, 0, 1)


def test_an_order_cancelled_in_the_admin_meanwhile_counts_as_cancelled_by_its_state_not_by_a_message(
    sqlite_shop, monkeypatch
):
    sales_orders_in_erp(sqlite_shop)
    set_states(sqlite_shop, {"#1003": OrderState.CANCELLED})
    config = sqlite_shop.emulator.config
    config.job_polls, config.job_seconds = 1000, 3600.0
    sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    state = sqlite_shop.emulator.state
    with state.lock:  # the job is lost on Shopify's side; the merchant cancels by hand
        state.jobs.jobs.clear()
        order = state.find(gid_of(sqlite_shop, "#1003"), "Order")
        order.cancelled_at = datetime.now(UTC)
        state.touch(order)

    scheduled(monkeypatch, 1)
    again = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert (again.updated, again.skipped, again.failed, cancels_sent(sqlite_shop)) == (0, 1, 0, 1)


def test_cursor_not_advanced_when_a_page_fails(sqlite_shop, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("ERP listing crashed")

    monkeypatch.setattr(sqlite_shop.erp, "list_order_status_changes", broken)
    with pytest.raises(RuntimeError, match="ERP listing crashed"):
        sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_order_status")[-1].status is RunStatus.FAILED
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_order_status").position is None


def test_a_dry_run_writes_nothing(sqlite_shop):
    sales_orders_in_erp(sqlite_shop)
    set_states(sqlite_shop, {"#1001": OrderState.PROCESSED, "#1003": OrderState.CANCELLED})
    before = shop_orders(sqlite_shop)
    report = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name, dry_run=True))
    assert (report.updated, report.skipped) == (0, 2)
    assert sorted(report.notes) == [
        f"dry run: order {gid_of(sqlite_shop, '#1001')} (sales order {_key(sqlite_shop, '#1001')}) would be closed",
        f"dry run: order {gid_of(sqlite_shop, '#1003')} (sales order {_key(sqlite_shop, '#1003')}) would be cancelled",
    ]
    assert shop_orders(sqlite_shop) == before
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_order_status").position is None


def _key(shop, name: str) -> str:
    return shop.erp.get_sales_order_by_shop_id(gid_of(shop, name)).erp_key


def test_the_shops_echo_of_the_syncs_own_writes_is_no_news_to_sync_orders(sqlite_shop):
    """Closing, tagging, cancelling and fulfilling orders bumps their ``updatedAt``, so sync_orders reads them
    again: none of it is an update, and the ERP's own storno is no order to cancel in the ERP once more."""
    from domain.models import Shipment, ShipmentLine
    from flows.sync_shipments import SyncShipmentsParams, sync_shipments

    shop = sqlite_shop
    first = sync_orders(SyncParams(shop=shop.name))
    create_sales_orders(CreateSalesOrdersParams(shop=shop.name))
    set_states(shop, {"#1001": OrderState.PROCESSED, "#1002": OrderState.TRANSFERRED, "#1003": OrderState.CANCELLED})
    shipped = next(o for o in shop.data.orders if o.name == "#1005")
    with shop.erp.engine.begin() as conn:
        lines = [ShipmentLine(sku=x.sku, quantity=x.quantity, order_line_shop_id=x.shop_id) for x in shipped.lines]
        loader.add_shipment(
            conn, Shipment(erp_key="DL1", order_shop_id=shipped.shop_id, lines=lines, shipped_at=CHANGED_AT)
        )
    sync_shipments(SyncShipmentsParams(shop=shop.name, notify_customer=False))
    sync_order_status(SyncOrderStatusParams(shop=shop.name))
    shop.emulator.state.jobs.run_due()  # Shopify's cancel job finished
    shop.emulator.state.search_index.catch_up()
    assert first.created and all(shop_orders(shop)[n][0] for n in ("#1001", "#1003"))  # the writes reached the shop
    start = shop.state.list_runs(shop.name, "sync_orders", limit=1)[0].period_start
    period = {"period_start": start, "period_end": datetime.now(UTC) + timedelta(hours=1)}

    again = sync_orders(SyncParams(shop=shop.name, **period))
    after = report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name, **period), return_state=True))

    assert (again.created, again.updated, again.failed) == (0, 0, 0) and again.skipped >= 4
    assert not any("to cancel in the ERP" in note for note in again.notes)
    assert (after.created, after.updated, after.skipped, after.failed) == (0, 0, 0, 0)

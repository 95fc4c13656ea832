"""Shipments end to end: ERP delivery notes → Shopify fulfillments with tracking, each shipment exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from commerce_sync.samples.data import BASE_DATE
from connectors.erp.sql import loader
from connectors.state import RunStatus
from domain.models import Shipment, ShipmentLine, Tracking
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_orders import sync_orders
from flows.sync_shipments import SyncShipmentsParams, sync_shipments
from tasks.shipments import INTENT


def order(shop, name: str):
    return next(o for o in shop.data.orders if o.name == name)


def add_shipment(shop, key: str, name: str, lines: dict[str, int], *, days: int = 0, tracking: str | None = None):
    """The ERP ships ``lines`` (order line GID → quantity) of shop order ``name``."""
    placed = order(shop, name)
    skus = {line.shop_id: line.sku for line in placed.lines}
    shipment = Shipment(
        erp_key=key,
        order_shop_id=placed.shop_id,
        shipped_at=BASE_DATE + timedelta(days=200 + days),
        lines=[
            ShipmentLine(sku=skus[line_id], quantity=qty, order_line_shop_id=line_id) for line_id, qty in lines.items()
        ],
        tracking=Tracking(company="PPL", number=tracking, url=f"https://ppl.cz/{tracking}") if tracking else None,
    )
    with shop.erp.engine.begin() as conn:
        loader.add_shipment(conn, shipment)
    return placed


def sales_orders_by_flows(shop) -> None:
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True))


def sales_orders_in_erp(shop) -> None:
    """The ERP already holds the shop's orders as sales orders (what create_sales_orders would have made)."""
    for placed in shop.data.orders:
        shop.erp.create_sales_order(placed, None)


def fulfilled(shop, shop_order_id: str) -> list[tuple[str, dict[str, int], list[str]]]:
    """The order's fulfillments in the shop: (GID, quantity per line GID, tracking numbers)."""
    state = shop.emulator.state
    with state.lock:
        placed = state.find(shop_order_id, "Order")
        made = [state.fulfillments[i] for i in placed.fulfillment_ids]
        return [
            (
                f.gid,
                {f"gid://shopify/LineItem/{line.line_item_id}": line.quantity for line in f.lines},
                [t["number"] for t in f.tracking],
            )
            for f in made
        ]


def sync_rows(shop) -> dict[str, tuple]:
    with shop.erp.engine.connect() as conn:
        rows = conn.execute(sa.text("select shipment_key, state, fulfillment_id, error from erp_shipment_sync")).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def last_period(shop):
    run = shop.state.list_runs(shop.name, "sync_shipments", limit=10)[-1]
    return run.period_start, run.period_end


def test_shipments_become_fulfillments_with_tracking_once_and_a_second_run_changes_nothing(flow_shop):
    sales_orders_by_flows(flow_shop)
    first, second = order(flow_shop, "#1001"), order(flow_shop, "#1002")
    add_shipment(flow_shop, "DL1", "#1001", {line.shop_id: line.quantity for line in first.lines}, tracking="T1")
    add_shipment(flow_shop, "DL2", "#1002", {second.lines[0].shop_id: 1}, days=1, tracking="T2")
    add_shipment(flow_shop, "DL3", "#1002", {line.shop_id: line.quantity for line in second.lines[1:]}, days=2)
    add_shipment(flow_shop, "DL4", "#1001", {first.lines[0].shop_id: 1}, days=3)  # already all shipped by DL1

    report = report_of(
        sync_shipments(SyncShipmentsParams(shop=flow_shop.name, notify_customer=False), return_state=True)
    )

    assert report.created == 3
    assert [(f.record, f.field) for f in report.failures] == [(f"shipment DL4 (order {first.shop_id})", "lines")]
    assert "nothing left to fulfil" in report.failures[0].reason
    shipped_first = fulfilled(flow_shop, first.shop_id)
    assert [(lines, numbers) for _, lines, numbers in shipped_first] == [
        ({line.shop_id: line.quantity for line in first.lines}, ["T1"])
    ]
    shipped_second = fulfilled(flow_shop, second.shop_id)
    assert [lines for _, lines, _ in shipped_second] == [
        {second.lines[0].shop_id: 1},
        {line.shop_id: line.quantity for line in second.lines[1:]},
    ]
    rows = sync_rows(flow_shop)
    assert rows["DL1"] == ("synced", shipped_first[0][0], None)
    assert [rows["DL2"][1], rows["DL3"][1]] == [f[0] for f in shipped_second]
    assert rows["DL4"][0] == "failed" and "nothing left to fulfil" in rows["DL4"][2]

    start, end = last_period(flow_shop)
    again = report_of(
        sync_shipments(SyncShipmentsParams(shop=flow_shop.name, period_start=start, period_end=end), return_state=True)
    )
    assert (again.created, again.failed) == (0, 0)
    assert fulfilled(flow_shop, first.shop_id) == shipped_first
    assert fulfilled(flow_shop, second.shop_id) == shipped_second
    assert sync_rows(flow_shop) == rows


def test_a_lost_answer_never_fulfils_a_partial_shipment_twice(sqlite_shop):
    sales_orders_in_erp(sqlite_shop)
    placed = add_shipment(sqlite_shop, "DL1", "#1001", {order(sqlite_shop, "#1001").lines[0].shop_id: 1}, tracking="T1")
    sqlite_shop.emulator.set_faults(drop_after_apply=1.0)  # every mutation is applied, its answer lost (502)

    report = sync_shipments(SyncShipmentsParams(shop=sqlite_shop.name))

    assert (report.created, report.failed) == (1, 0)
    shipped = fulfilled(sqlite_shop, placed.shop_id)
    assert [lines for _, lines, _ in shipped] == [{placed.lines[0].shop_id: 1}]  # 1 of 3: not 2 of 3
    assert sync_rows(sqlite_shop)["DL1"] == ("synced", shipped[0][0], None)
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, INTENT) == {}


def test_a_run_that_crashes_after_sending_keeps_its_cursor_and_the_next_run_records_the_shipment_without_resending(
    sqlite_shop, monkeypatch
):
    sales_orders_in_erp(sqlite_shop)
    placed = add_shipment(sqlite_shop, "DL1", "#1001", {order(sqlite_shop, "#1001").lines[0].shop_id: 2})
    real_mark = sqlite_shop.erp.mark_shipment_synced

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sqlite_shop.erp, "mark_shipment_synced", crash)
    with pytest.raises(RuntimeError, match="worker killed"):
        sync_shipments(SyncShipmentsParams(shop=sqlite_shop.name))
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_shipments")[-1].status is RunStatus.FAILED
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_shipments").position is None
    sent = fulfilled(sqlite_shop, placed.shop_id)
    assert len(sent) == 1 and sync_rows(sqlite_shop) == {}

    monkeypatch.setattr(sqlite_shop.erp, "mark_shipment_synced", real_mark)
    report = sync_shipments(SyncShipmentsParams(shop=sqlite_shop.name))
    assert (report.created, report.failed) == (1, 0)
    assert fulfilled(sqlite_shop, placed.shop_id) == sent
    assert sync_rows(sqlite_shop) == {"DL1": ("synced", sent[0][0], None)}


def test_a_shipment_of_an_order_gone_from_the_shop_is_reported_once_and_not_retried(sqlite_shop):
    sales_orders_in_erp(sqlite_shop)
    placed = add_shipment(sqlite_shop, "DL1", "#1003", {order(sqlite_shop, "#1003").lines[0].shop_id: 1})
    state = sqlite_shop.emulator.state
    with state.lock:  # a staff member deleted the order in Shopify
        del state.orders[int(placed.shop_id.rsplit("/", 1)[1])]

    report = report_of(sync_shipments(SyncShipmentsParams(shop=sqlite_shop.name), return_state=True))
    assert [f.reason for f in report.failures] == [f"order {placed.shop_id} does not exist in the shop"]
    assert sync_rows(sqlite_shop)["DL1"][0] == "failed"

    start, end = last_period(sqlite_shop)
    again = report_of(
        sync_shipments(
            SyncShipmentsParams(shop=sqlite_shop.name, period_start=start, period_end=end), return_state=True
        )
    )
    assert (again.created, again.failed) == (0, 0)


def test_a_dry_run_writes_nothing(sqlite_shop):
    sales_orders_in_erp(sqlite_shop)
    placed = add_shipment(sqlite_shop, "DL1", "#1001", {order(sqlite_shop, "#1001").lines[0].shop_id: 1})
    report = sync_shipments(SyncShipmentsParams(shop=sqlite_shop.name, dry_run=True))
    assert report.created == 0 and report.skipped == 1
    assert report.notes == [f"dry run: shipment DL1 (order {placed.shop_id}) would be sent as 1 fulfillment(s)"]
    assert fulfilled(sqlite_shop, placed.shop_id) == []
    assert sync_rows(sqlite_shop) == {}
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, INTENT) == {}
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_shipments").position is None

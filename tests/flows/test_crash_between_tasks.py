"""A flow killed between two of its tasks loses and duplicates nothing: after the crash and the next run, the
ERP and the shop hold exactly what one clean run leaves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

import flows.create_sales_orders
import flows.sync_orders
import flows.sync_shipments
from commerce_sync.samples.data import BASE_DATE
from connectors.erp.sql import loader
from connectors.shopify import paging
from domain.models import Shipment, ShipmentLine, Tracking
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.sync_orders import sync_orders
from flows.sync_shipments import SyncShipmentsParams, sync_shipments
from tests.flows.conftest import _make_shop


@pytest.fixture
def clean_shop(tmp_path) -> Iterator[Any]:
    """A second shop with the same data, synced without incident: the state to compare against."""
    yield from _make_shop(f"sqlite:///{tmp_path / 'clean.db'}")


class WorkerKilled(RuntimeError):
    """Not retriable: the flow stops where it is, as if its worker died between two tasks."""


def killed_on_call(task: Callable[..., Any], call: int) -> Callable[..., Any]:
    """``task`` as the flow calls it, except that the worker dies when the flow reaches its ``call``-th call."""
    calls = 0

    def run(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == call:
            raise WorkerKilled(f"killed before call {call} of {getattr(task, 'name', task)}")
        return task(*args, **kwargs)

    return run


def add_shipments(shop) -> None:
    """The ERP ships three orders, the first one in two parts."""
    orders = {o.name: o for o in shop.data.orders}
    plan = [("DL1", "#1001", 0, 1), ("DL2", "#1001", 0, 2), ("DL3", "#1002", 1, 1), ("DL4", "#1003", 0, 1)]
    with shop.erp.engine.begin() as conn:
        for day, (key, name, index, qty) in enumerate(plan):
            line = orders[name].lines[index]
            loader.add_shipment(
                conn,
                Shipment(
                    erp_key=key,
                    order_shop_id=orders[name].shop_id,
                    shipped_at=BASE_DATE + timedelta(days=200 + day),
                    lines=[ShipmentLine(sku=line.sku, quantity=qty, order_line_shop_id=line.shop_id)],
                    tracking=Tracking(company="PPL", number=f"T-{key}"),
                ),
            )


def snapshot(shop) -> dict[str, Any]:
    """Everything a user could look at afterwards: ERP documents, staging, shipment outcomes, the shop's orders."""
    with shop.erp.engine.connect() as conn:

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sa.text(sql)).all()]

        erp = {
            "sales_orders": rows("select erp_key, shop_order_id, customer_key, total from erp_sales_orders order by 1"),
            "lines": rows("select order_key, line_no, sku, quantity from erp_sales_order_lines order by 1, 2"),
            "customers": rows("select erp_key, email_key from erp_customers order by 1"),
            "shipments": rows("select shipment_key, state, fulfillment_id, error from erp_shipment_sync order by 1"),
            "staged": rows("select shop_id, status, erp_key from cs_staged_orders order by 1"),
        }
    state = shop.emulator.state
    with state.lock:
        shop_side = {
            o.name: (
                [
                    (f.name, sorted((line.line_item_id, line.quantity) for line in f.lines), f.tracking)
                    for f in (state.fulfillments[i] for i in o.fulfillment_ids)
                ],
                [
                    sorted((line.line_item_id, line.remaining_quantity) for line in state.fulfillment_orders[i].lines)
                    for i in o.fulfillment_order_ids
                ],
            )
            for o in state.orders.values()
        }
    return {**erp, "shop": shop_side}


def test_crashes_between_tasks_lose_and_duplicate_nothing(sqlite_shop, clean_shop, monkeypatch):
    shop = sqlite_shop
    with monkeypatch.context() as m:  # dies after staging the first page of orders (5 of 8)
        page_size = paging.page_size
        m.setattr(
            paging, "page_size", lambda op, requested=None, allowed=None: page_size(op, min(requested or 5, 5), allowed)
        )
        m.setattr(flows.sync_orders, "stage_orders_page", killed_on_call(flows.sync_orders.stage_orders_page, 2))
        with pytest.raises(WorkerKilled):
            sync_orders(SyncParams(shop=shop.name))
    assert shop.state.count_staged(shop.name)["pending"] == 5
    sync_orders(SyncParams(shop=shop.name))

    with monkeypatch.context() as m:  # dies after the first batch of sales orders
        m.setattr(flows.create_sales_orders, "BATCH", 3)
        m.setattr(
            flows.create_sales_orders,
            "create_sales_orders_batch",
            killed_on_call(flows.create_sales_orders.create_sales_orders_batch, 2),
        )
        with pytest.raises(WorkerKilled):
            create_sales_orders(CreateSalesOrdersParams(shop=shop.name))
    assert shop.state.count_staged(shop.name)["done"] == 3
    create_sales_orders(CreateSalesOrdersParams(shop=shop.name))

    add_shipments(shop)
    with monkeypatch.context() as m:  # dies after the first batch of shipments was sent and recorded
        m.setattr(flows.sync_shipments, "BATCH", 2)
        m.setattr(
            flows.sync_shipments, "sync_shipments_batch", killed_on_call(flows.sync_shipments.sync_shipments_batch, 2)
        )
        with pytest.raises(WorkerKilled):
            sync_shipments(SyncShipmentsParams(shop=shop.name))
    assert len(shop.emulator.state.fulfillments) == 2
    sync_shipments(SyncShipmentsParams(shop=shop.name))

    sync_orders(SyncParams(shop=clean_shop.name))
    create_sales_orders(CreateSalesOrdersParams(shop=clean_shop.name))
    add_shipments(clean_shop)
    sync_shipments(SyncShipmentsParams(shop=clean_shop.name))

    crashed, clean = snapshot(shop), snapshot(clean_shop)
    assert len(clean["sales_orders"]) == 8 and len(clean["shipments"]) == 4
    assert crashed == clean

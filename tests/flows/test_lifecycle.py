"""The demo's order lifecycle on both ERPs: after a first pass, every turn an order can take reaches the ERP as it
should (``commerce_sync.demo_lifecycle``), and the order syncs run once more change nothing.

The turns are applied to the shop after the shared sample was synced, so the shared sample stays as other
tests count it.
"""

from __future__ import annotations

import sqlalchemy as sa

from commerce_sync.demo import available_flows
from commerce_sync.demo_lifecycle import later_pass, outcomes
from connectors.erp.sql import loader
from connectors.erp.sql import tables as t
from domain.models import OrderState
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_order_status import SyncOrderStatusParams, sync_order_status
from flows.sync_orders import sync_orders
from flows.sync_payments import sync_payments
from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401 - the fixture

NEW_TURNS = {"test order", "cancelled before import", "second currency", "cancelled after import"}


def first_pass(shop) -> None:
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True))
    report_of(sync_payments(SyncParams(shop=shop.name), return_state=True))


def order_flows_again(shop) -> list[tuple[int, int]]:
    """(created, updated) of the order syncs run once more, in the demo's order."""
    runs = (
        sync_orders(SyncParams(shop=shop.name), return_state=True),
        create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True),
        sync_payments(SyncParams(shop=shop.name), return_state=True),
        sync_order_status(SyncOrderStatusParams(shop=shop.name), return_state=True),
    )
    return [(r.created, r.updated) for r in map(report_of, runs)]


def said(found: list[tuple[str, str, str]]) -> dict[str, str]:
    return {kind: outcome for kind, _, outcome in found}


def test_every_turn_of_an_order_reaches_the_sql_erp_and_nothing_changes_after(sqlite_shop):
    shop = sqlite_shop
    first_pass(shop)
    processed = shop.data.orders[-1]  # the ERP user executed (shipped) one order; the shop closed it
    with shop.erp.engine.begin() as conn:
        key = shop.erp.sales_order_keys([processed.shop_id])[processed.shop_id]
        loader.set_sales_order_state(conn, key, OrderState.PROCESSED, processed.updated_at)
    sync_order_status(SyncOrderStatusParams(shop=shop.name))

    rows, scenarios = later_pass(shop.name, shop.emulator.state, shop.data, available_flows())
    found = said(outcomes(shop.name, scenarios, shop.data))

    assert {s.kind for s in scenarios} >= NEW_TURNS | {"cancelled after shipping"}
    assert found["test order"] == "not imported (test order)"
    assert found["cancelled before import"] == "not imported (cancelled before import)"
    assert found["cancelled after import"].endswith(" cancelled")
    assert found["cancelled after shipping"].startswith("left to a person: shipped by the ERP")
    assert "credit document for" in found["partial refund with restock"] and "stock" in found["full refund"]
    assert "gift-card redemption" in found["gift-card payment"]
    second = next(s.order_id for s in scenarios if s.kind == "second currency")
    with shop.erp.engine.connect() as conn:
        p = t.payments
        query = sa.select(p.c.currency, p.c.presentment_currency).join(
            t.sales_orders, p.c.order_key == t.sales_orders.c.erp_key
        )
        paid = conn.execute(query.where(t.sales_orders.c.shop_order_id == second)).all()
    assert [tuple(row) for row in paid] == [("CZK", "EUR")]
    assert {row["flow"] for row in rows} >= {"sync_orders", "create_sales_orders", "reconcile"}
    assert order_flows_again(shop) == [(0, 0)] * 4


def test_every_turn_of_an_order_reaches_pohoda_and_nothing_changes_after(pohoda_shop):
    shop = pohoda_shop
    shop.emulator.state.seed_refunds(shop.data.refunds)
    first_pass(shop)
    processed = shop.data.orders[-1]
    shop.pohoda.set_order_executed(processed.shop_id)  # "Vyřízeno": the warehouse shipped it
    sync_order_status(SyncOrderStatusParams(shop=shop.name))

    rows, scenarios = later_pass(shop.name, shop.emulator.state, shop.data, available_flows())
    found = said(outcomes(shop.name, scenarios, shop.data))

    assert found["test order"] == "not imported (test order)"
    assert found["cancelled before import"] == "not imported (cancelled before import)"
    assert found["cancelled after import"].endswith("cancelled (taken off the books)")  # POHODA deletes it
    assert found["cancelled after shipping"].startswith("left to a person: shipped or processed in POHODA")
    assert "credit document for" in found["partial refund with restock"]
    assert "gift-card redemption" in found["gift-card payment"]
    assert found["second currency"].startswith("ERP sales order ")
    assert order_flows_again(shop) == [(0, 0)] * 4

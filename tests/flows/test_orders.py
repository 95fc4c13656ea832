"""Orders end to end: shop orders → staging → ERP sales orders, against the emulator and the SQL ERP."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_orders import sync_orders

HOUR = timedelta(hours=1)


def erp_order_count(shop) -> int:
    with shop.erp.engine.connect() as conn:
        return conn.execute(sa.text("select count(*) from erp_sales_orders")).scalar_one()


def test_open_orders_arrive_in_the_erp_once_and_a_second_run_changes_nothing(flow_shop):
    open_orders = [o for o in flow_shop.data.orders if not o.closed and o.cancelled_at is None and not o.test]
    staged = sync_orders(SyncParams(shop=flow_shop.name))
    assert staged.created == len(open_orders)
    created = create_sales_orders(CreateSalesOrdersParams(shop=flow_shop.name))
    assert created.created + created.failed == len(open_orders)
    assert erp_order_count(flow_shop) == created.created

    again = sync_orders(
        SyncParams(
            shop=flow_shop.name, period_start=staged_period(flow_shop)[0], period_end=staged_period(flow_shop)[1]
        )
    )
    assert again.created == 0 and again.updated == 0
    assert create_sales_orders(CreateSalesOrdersParams(shop=flow_shop.name)).created == 0
    assert erp_order_count(flow_shop) == created.created


def staged_period(shop):
    run = shop.state.list_runs(shop.name, "sync_orders", limit=10)[-1]
    return run.period_start, run.period_end


def extra_order(shop, number: int, **changes):
    """A copy of an open sample order under a new id, lines and payments included (as new records)."""
    base = next(o for o in shop.data.orders if not o.closed and o.cancelled_at is None and o.lines)
    lines = [line.model_copy(update={"shop_id": None}) for line in base.lines]
    update = {"shop_id": f"gid://shopify/Order/{number}", "name": f"#{number}", "lines": lines, "transactions": []}
    return base.model_copy(update={**update, **changes})


def test_skipped_orders_are_listed_with_why_and_a_test_order_made_real_is_imported_later(sqlite_shop):
    from domain.models import FinancialStatus

    test_gid, voided_gid = sqlite_shop.emulator.state.seed_orders(
        [
            extra_order(sqlite_shop, 990001, test=True),
            extra_order(sqlite_shop, 990002, financial_status=FinancialStatus.VOIDED),
        ]
    )
    staged = sync_orders(SyncParams(shop=sqlite_shop.name))
    tests = ["#990001", *(o.name for o in sqlite_shop.data.orders if o.test)]  # the sample data holds one too
    assert f"{len(tests)} order(s) not imported (test order): {', '.join(tests)}" in staged.notes
    assert "1 order(s) not imported (payment status VOIDED is not imported): #990002" in staged.notes
    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name))
    assert sqlite_shop.erp.sales_order_keys([test_gid, voided_gid]) == {}

    shop_state = sqlite_shop.emulator.state
    with shop_state.lock:  # the merchant turned it into a real order
        record = shop_state.find(test_gid, "Order")
        record.test = False
        shop_state.touch(record)
    start = staged_period(sqlite_shop)[0]
    period = {"period_start": start, "period_end": record.updated_at + HOUR}  # an ad-hoc re-run of the day
    again = sync_orders(SyncParams(shop=sqlite_shop.name, **period))
    assert again.updated == 1 and not any("#990001" in note for note in again.notes)
    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name, **period))
    assert list(sqlite_shop.erp.sales_order_keys([test_gid, voided_gid])) == [test_gid]


def cancel_in_shop(shop, gid: str) -> datetime:
    state = shop.emulator.state
    with state.lock:
        record = state.find(gid, "Order")
        record.cancelled_at = record.closed_at = state.now()
        record.cancel_reason = "CUSTOMER"
        return state.touch(record)


def test_an_order_cancelled_after_import_is_cancelled_in_the_erp_once_unless_shipped(sqlite_shop):
    open_gid, shipped_gid = sqlite_shop.emulator.state.seed_orders(
        [extra_order(sqlite_shop, 990011), extra_order(sqlite_shop, 990012)]
    )
    start = sync_orders(SyncParams(shop=sqlite_shop.name)) and staged_period(sqlite_shop)[0]
    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name))
    keys = sqlite_shop.erp.sales_order_keys([open_gid, shipped_gid])
    with sqlite_shop.erp.engine.begin() as conn:  # the warehouse shipped the second one
        conn.execute(
            sa.text(
                "insert into erp_shipments (erp_key, shop_order_id, order_key, shipped_at, updated_at) "
                "values ('SH-1', :gid, :key, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            ),
            {"gid": shipped_gid, "key": keys[shipped_gid]},
        )
    stamp = max(cancel_in_shop(sqlite_shop, open_gid), cancel_in_shop(sqlite_shop, shipped_gid))
    period = {"period_start": start, "period_end": stamp + HOUR}
    seen = sync_orders(SyncParams(shop=sqlite_shop.name, **period))
    assert seen.created == 0 and any("to cancel in the ERP: #990011, #990012" in n for n in seen.notes)

    done = report_of(create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name, **period), return_state=True))
    assert done.updated == 1 and done.created == 0
    [person] = done.failures
    assert person.record == "#990012" and "shipped by the ERP" in person.reason
    assert sqlite_shop.erp.get_sales_order_by_shop_id(open_gid).state.value == "cancelled"
    assert sqlite_shop.erp.get_sales_order_by_shop_id(shipped_gid).state is None

    count = erp_order_count(sqlite_shop)
    sync_orders(SyncParams(shop=sqlite_shop.name, **period))  # a re-run: nothing cancelled twice nor re-created
    again = create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name, **period))
    assert again.created == again.updated == again.failed == 0
    assert erp_order_count(sqlite_shop) == count

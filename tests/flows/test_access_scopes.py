"""Access limits a shop sets: maintenance names the scopes a flow lacks; without ``read_all_orders`` the order
flows say that Shopify hides orders older than 60 days instead of reporting them missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from connectors.erp.sql import loader
from domain.models import Order, OrderState
from emulators.shopify.access import DEFAULT_SCOPES
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.maintenance import MaintenanceParams, maintenance
from flows.params import SyncParams
from flows.reconcile import ReconcileParams, reconcile
from flows.runtime import report_of
from flows.sync_order_status import SyncOrderStatusParams, sync_order_status
from flows.sync_orders import sync_orders
from tests.flows.test_order_status import sales_orders_in_erp, set_states, shop_orders
from tests.flows.test_reconcile import artifact, compared, drift_of


def grant(shop, *, without: set[str]) -> None:
    shop.emulator.config.scopes = [s for s in DEFAULT_SCOPES if s not in without]


def test_maintenance_fails_the_flows_whose_scopes_the_shop_did_not_grant(sqlite_shop):
    grant(sqlite_shop, without={"read_customers", "write_customers", "read_all_orders"})

    report = report_of(maintenance(MaintenanceParams(shop=sqlite_shop.name), return_state=True))

    assert [(f.record, f.field, f.reason) for f in report.failures] == [
        ("flow sync_customers", "scopes", "the app lacks the access scope(s) read_customers")
    ]
    assert any("only the orders of the last 60 days" in note for note in report.notes)


def test_without_read_all_orders_the_first_import_says_old_orders_are_hidden_and_fails_none(sqlite_shop):
    grant(sqlite_shop, without={"read_all_orders"})  # the sample shop's orders are all older than 60 days

    report = sync_orders(SyncParams(shop=sqlite_shop.name))

    assert (report.created, report.failed) == (0, 0)
    assert any("read_all_orders access scope is not granted" in note for note in report.notes)


def test_without_read_all_orders_an_old_orders_erp_state_is_skipped_with_the_reason_not_failed(sqlite_shop):
    sales_orders_in_erp(sqlite_shop)
    set_states(sqlite_shop, {"#1003": OrderState.CANCELLED})
    grant(sqlite_shop, without={"read_all_orders"})
    before = shop_orders(sqlite_shop)

    report = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name))

    assert (report.updated, report.skipped, report.failed) == (0, 1, 0)
    note = next(n for n in report.notes if "order state change(s) not applied" in n)
    assert note.startswith("1 order state change(s) not applied, the order not in the shop or older than Shopify shows")
    assert "read_all_orders access scope is not granted" in note
    assert shop_orders(sqlite_shop) == before


def last_weeks_order(shop) -> str:
    """An order of last week in the shop, imported as an ERP sales order; returns its GID."""
    week_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=7)
    order = Order(
        shop_id="gid://shopify/Order/1",  # the emulator gives it its own
        name="#9100",
        created_at=week_ago,
        updated_at=week_ago,
        currency="CZK",
        total=Decimal("10"),
        lines=[{"title": "Gift wrap", "quantity": 1, "unit_price": Decimal("10")}],
    )
    [gid] = shop.emulator.state.seed_orders([order])
    report_of(sync_orders(SyncParams(shop=shop.name), return_state=True))
    report_of(create_sales_orders(CreateSalesOrdersParams(shop=shop.name), return_state=True))
    return gid


def test_without_read_all_orders_a_recent_order_gone_from_the_shop_is_still_a_failure(sqlite_shop):
    """The sync staged it as created last week: Shopify's 60 days cannot hide it, so its absence is real."""
    gid = last_weeks_order(sqlite_shop)
    sales_order = sqlite_shop.erp.get_sales_order_by_shop_id(gid)
    assert sales_order is not None
    with sqlite_shop.erp.engine.begin() as conn:
        loader.set_sales_order_state(conn, sales_order.erp_key, OrderState.PROCESSED, datetime.now(UTC))
    state = sqlite_shop.emulator.state
    with state.lock:  # deleted in the Shopify admin
        del state.orders[int(gid.rsplit("/", 1)[1])]
    grant(sqlite_shop, without={"read_all_orders"})

    report = sync_order_status(SyncOrderStatusParams(shop=sqlite_shop.name), return_state=True)

    assert [(f.record, f.reason) for f in report_of(report).failures] == [
        (f"order {gid} (sales order {sales_order.erp_key})", "the order does not exist in the shop")
    ]


def test_without_read_all_orders_reconcile_says_how_many_old_orders_it_could_not_check_instead_of_drift(sqlite_shop):
    """Eight sample orders older than 60 days and one of last week, all imported; then the ERP loses the sales
    order of #1004. With the scope that is drift; without it, #1004 and its old peers are not checked — counted,
    named and explained in the report and the drift artifact — and last week's order is still compared."""
    now = datetime.now(UTC).replace(microsecond=0)
    last_weeks_order(sqlite_shop)
    lost = next(o for o in sqlite_shop.data.orders if o.name == "#1004").shop_id
    sales_order = sqlite_shop.erp.get_sales_order_by_shop_id(lost)
    assert sales_order is not None and sqlite_shop.erp.delete_sales_order(sales_order.erp_key)  # someone deleted it
    params = ReconcileParams(
        shop=sqlite_shop.name, checks=["orders"], period_start=datetime(2025, 1, 1, tzinfo=UTC), period_end=now
    )

    granted = report_of(reconcile(params, return_state=True))
    assert drift_of(granted) == {("order_not_imported", lost)}
    assert compared(granted) == {"orders": 9}
    assert not any("not checked" in note for note in granted.notes)

    grant(sqlite_shop, without={"read_all_orders"})
    hidden = report_of(reconcile(params, return_state=True))
    assert drift_of(hidden) == set(), "an order Shopify hides is not drift"
    assert compared(hidden) == {"orders": 1}, "last week's order is still compared"
    old = sorted(o.name for o in sqlite_shop.data.orders)
    note = next(n for n in hidden.notes if "order(s) of the period not checked" in n)
    assert note.startswith(f"{len(old)} order(s) of the period not checked ({', '.join(old)}): ")
    assert "without the read_all_orders access scope only the orders of the last 60 days" in note
    assert "#9100" not in note
    published = artifact(sqlite_shop, "drift")
    assert "| orders | 1 | 8 |" in published and note in published

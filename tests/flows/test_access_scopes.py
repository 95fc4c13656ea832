"""Access limits a shop sets: maintenance names the scopes a flow lacks; without ``read_all_orders`` the order
flows say that Shopify hides orders older than 60 days instead of reporting them missing."""

from __future__ import annotations

from domain.models import OrderState
from emulators.shopify.access import DEFAULT_SCOPES
from flows.maintenance import MaintenanceParams, maintenance
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_order_status import SyncOrderStatusParams, sync_order_status
from flows.sync_orders import sync_orders
from tests.flows.test_order_status import sales_orders_in_erp, set_states, shop_orders


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
    assert any("older than Shopify shows" in note for note in report.notes)
    assert shop_orders(sqlite_shop) == before

"""Maintenance: a health report a data engineer can act on, and purges that never touch unfinished work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from blocks import ShopifyShop
from engine import resources
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.maintenance import MaintenanceParams, maintenance
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_orders import sync_orders


def test_maintenance_reports_unmapped_items_and_checks_credentials(sqlite_shop):
    report = maintenance(MaintenanceParams(shop=sqlite_shop.name))
    assert report.failed == 0
    assert report.skipped == len(sqlite_shop.data.products)  # nothing synced to the shop yet
    assert any("shop credentials OK" in note for note in report.notes)


def test_a_revoked_token_and_a_mistyped_location_are_reported_by_field(sqlite_shop):
    block = ShopifyShop.load(sqlite_shop.name)
    block.access_token = "shpat_revoked_0000"
    block.location_mapping = {"NOWHERE": "Atlantis"}
    block.save(sqlite_shop.name, overwrite=True)
    resources.forget(sqlite_shop.name)
    report = report_of(maintenance(MaintenanceParams(shop=sqlite_shop.name), return_state=True))
    fields = {(f.field, f.record) for f in report.failures}
    assert ("access_token", sqlite_shop.name) in fields
    assert ("location_mapping", "location NOWHERE") in fields
    assert all("shpat_revoked_0000" not in f.reason for f in report.failures)


def test_purge_keeps_pending_orders_and_removes_old_finished_ones(sqlite_shop):
    sync_orders(SyncParams(shop=sqlite_shop.name))
    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name))
    state = sqlite_shop.state
    before = state.count_staged(sqlite_shop.name)
    assert before["done"] > 0
    # retention 1 day: nothing is that old yet
    maintenance(MaintenanceParams(shop=sqlite_shop.name, retention_days=1))
    assert state.count_staged(sqlite_shop.name)["done"] == before["done"]
    # what a year later's purge would remove: only done rows
    assert state.purge_staged(datetime.now(UTC) + timedelta(days=365), shop=sqlite_shop.name) == before["done"]
    assert state.count_staged(sqlite_shop.name)["pending"] == before["pending"]

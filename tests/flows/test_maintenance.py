"""Maintenance: a health report a data engineer can act on, and purges that never touch unfinished work."""

from __future__ import annotations

from datetime import UTC, datetime

from blocks import ShopifyShop
from connectors.state import StateStore
from engine import resources
from flows.maintenance import MaintenanceParams, maintenance
from flows.runtime import report_of


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


class Clock:
    """The bookkeeping clock of a store that seeds rows as if they were written months ago."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


JAN_5, JAN_10, JUN_1 = (datetime(2025, m, d, 12, tzinfo=UTC) for m, d in ((1, 5), (1, 10), (6, 1)))


def test_purge_removes_finished_rows_past_the_retention_and_keeps_unfinished_work(sqlite_shop):
    shop = sqlite_shop.name
    clock = Clock(JAN_5)
    seeded = StateStore.from_url(sqlite_shop.db_url, clock=clock)
    seeded.create_schema()
    old_done, recent_done, pending, failed = sqlite_shop.data.orders[:4]
    seeded.stage_orders(shop, [old_done, recent_done, pending, failed])
    seeded.mark_order_failed(shop, failed.shop_id, "SKU X-1 is not in the ERP")
    old_run = seeded.start_run(shop, "sync_orders", None, None, JAN_5)
    clock.now = JAN_10
    seeded.mark_order_done(shop, old_done.shop_id, "SO-1")
    seeded.finish_run(old_run, "completed")
    clock.now = JUN_1
    recent_run = seeded.start_run(shop, "sync_orders", None, None, JUN_1)
    seeded.mark_order_done(shop, recent_done.shop_id, "SO-2")
    seeded.finish_run(recent_run, "completed")
    seeded.engine.dispose()

    # a re-run as of 2025-07-01 with 90 days' retention purges what was finished before 2025-04-02
    as_of = {"period_start": datetime(2025, 1, 1, tzinfo=UTC), "period_end": datetime(2025, 7, 1, tzinfo=UTC)}
    report = maintenance(MaintenanceParams(shop=shop, retention_days=90, **as_of))

    state = sqlite_shop.state
    assert state.staged_order(shop, old_done.shop_id) is None
    kept = {o.shop_id: state.staged_order(shop, o.shop_id) for o in (recent_done, pending, failed)}
    assert {shop_id: row.status for shop_id, row in kept.items() if row} == {
        recent_done.shop_id: "done",
        pending.shop_id: "pending",
        failed.shop_id: "failed",
    }
    assert [r.id for r in state.list_runs(shop, "sync_orders")] == [recent_run]
    assert "purged 1 finished staging rows and 1 run records older than 2025-04-02" in report.notes

"""Inventory end to end: ERP stock → Shopify on_hand per mapped location, against the emulator and the SQL ERP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from blocks import ShopifyShop
from connectors.erp.sql import SqlErpBackend, loader
from connectors.shopify.errors import AuthenticationError
from domain.models import StockLevel
from emulators.shopify import catalog_ops
from engine import resources
from engine.context import SyncContext
from flows import sync_inventory as inventory_flow
from flows.runtime import report_of
from flows.sync_inventory import SyncInventoryParams, sync_inventory
from tasks import inventory as inventory_tasks

MAPPED = ("PRAHA", "BRNO")


def map_locations(shop) -> None:
    """PRAHA by name, BRNO by GID, OSTRAVA left out (its stock must be ignored)."""
    by_key = {loc.key: loc for loc in shop.emulator.state.locations.values()}
    block = ShopifyShop.load(shop.name)
    block.location_mapping = {"PRAHA": by_key["PRAHA"].name, "BRNO": by_key["BRNO"].gid}
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)


def seed_catalog(shop) -> None:
    """The shop already holds the ERP's products, and the SKU → inventory item mapping is known."""
    state = shop.emulator.state
    state.seed_products(shop.data.products)
    pairs = [(v.sku, state.inventory_items[v.inventory_item_id].gid) for v in state.variants.values()]
    shop.state.put_mappings(shop.name, "inventory_item", pairs)
    map_locations(shop)


def on_hand(shop) -> dict[tuple[str, str], int]:
    state = shop.emulator.state
    return {
        (variant.sku, state.locations[location_id].key): level.quantity("on_hand")
        for variant in state.variants.values()
        for location_id, level in state.levels_of_item(variant.inventory_item_id).items()
    }


def expected(levels: list[StockLevel]) -> dict[tuple[str, str], int]:
    return {(s.sku, s.location_key): s.shop_quantity() for s in levels if s.location_key in MAPPED}


def set_erp_stock(shop, *levels: StockLevel) -> None:
    with SqlErpBackend.from_url(shop.db_url).engine.begin() as conn:
        loader.upsert_stock(conn, list(levels))


def sets_sent(shop) -> int:
    return shop.emulator.executor.ledger.as_json()["by_operation"].get("InventorySetQuantities", {}).get("calls", 0)


def period_of_last_run(shop) -> dict:
    run = shop.state.list_runs(shop.name, "sync_inventory", limit=10)[-1]
    return {"period_start": run.period_start, "period_end": run.period_end}


def test_erp_stock_reaches_the_mapped_locations_and_a_second_run_sends_nothing(flow_shop):
    seed_catalog(flow_shop)

    report = sync_inventory(SyncInventoryParams(shop=flow_shop.name))

    shop = on_hand(flow_shop)
    want = expected(flow_shop.data.stock)
    assert {key: shop[key] for key in want} == want
    assert all(qty == 0 for (sku, loc), qty in shop.items() if loc == "OSTRAVA")  # not mapped: left alone
    assert any("OSTRAVA" in note for note in report.notes) and report.failed == 0
    assert report.updated == sum(1 for qty in want.values() if qty != 0)  # the rest already matched the shop

    sent = sets_sent(flow_shop)
    again = sync_inventory(SyncInventoryParams(shop=flow_shop.name, **period_of_last_run(flow_shop)))
    assert (again.updated, again.failed, again.skipped) == (0, 0, len(want))
    assert sets_sent(flow_shop) == sent


def test_only_changed_rows_are_sent_floored_and_never_below_zero(sqlite_shop):
    seed_catalog(sqlite_shop)
    sync_inventory(SyncInventoryParams(shop=sqlite_shop.name))
    mapped = [s for s in sqlite_shop.data.stock if s.location_key in MAPPED]
    rising = mapped[0].model_copy(update={"quantity": Decimal("41.9")})
    falling = next(s for s in mapped[1:] if s.shop_quantity() > 0).model_copy(update={"quantity": Decimal("-3")})
    set_erp_stock(sqlite_shop, rising, falling)
    sent = sets_sent(sqlite_shop)

    report = sync_inventory(SyncInventoryParams(shop=sqlite_shop.name, **period_of_last_run(sqlite_shop)))

    assert (report.updated, report.failed) == (2, 0)
    assert sets_sent(sqlite_shop) == sent + 1
    shop = on_hand(sqlite_shop)
    assert shop[(rising.sku, rising.location_key)] == 41
    assert shop[(falling.sku, falling.location_key)] == 0


def test_an_unknown_sku_is_reported_and_the_rest_is_synced(sqlite_shop):
    seed_catalog(sqlite_shop)
    set_erp_stock(sqlite_shop, StockLevel(sku="NOT-IN-SHOP", location_key="PRAHA", quantity=Decimal("5")))

    report = report_of(sync_inventory(SyncInventoryParams(shop=sqlite_shop.name), return_state=True))

    assert [(f.record, f.field) for f in report.failures] == [("NOT-IN-SHOP", "sku")]
    want = expected(sqlite_shop.data.stock)
    assert {key: on_hand(sqlite_shop)[key] for key in want} == want


def test_a_retried_batch_reuses_its_idempotency_key_and_is_not_applied_twice(sqlite_shop):
    seed_catalog(sqlite_shop)
    ctx = SyncContext(shop=sqlite_shop.name, sync_type="sync_inventory", period_end="2026-03-01T00:00:00Z")
    state = sqlite_shop.emulator.state
    variant = next(iter(state.variants.values()))
    location = next(loc for loc in state.locations.values() if loc.key == "PRAHA")
    row = {
        "key": f"{variant.sku}@PRAHA",
        "sku": variant.sku,
        "location_key": "PRAHA",
        "quantity": 9,
        "inventory_item_id": state.inventory_items[variant.inventory_item_id].gid,
        "location_id": location.gid,
    }

    first = inventory_tasks.set_quantities_batch.fn(ctx, [row])
    level = state.levels_of_item(variant.inventory_item_id)[location.id]
    catalog_ops.set_quantity(state, level, "on_hand", 8)  # a sale in the shop after the batch was applied
    retried = inventory_tasks.set_quantities_batch.fn(ctx, [row])  # a task retry: same batch, same run

    assert first.updated == retried.updated == 1
    assert level.quantity("on_hand") == 8  # answered from the first result, not set to 9 again
    assert len([key for key in state.idempotency if key[0] == "inventorySetQuantities"]) == 1


def test_a_dry_run_compares_but_writes_nothing(sqlite_shop):
    seed_catalog(sqlite_shop)

    report = sync_inventory(SyncInventoryParams(shop=sqlite_shop.name, dry_run=True))

    assert report.skipped == len(expected(sqlite_shop.data.stock)) and report.updated == 0
    assert sets_sent(sqlite_shop) == 0
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, "inventory") == {}
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_inventory").position is None


def test_a_failed_run_keeps_its_cursor_and_the_next_run_sends_only_what_is_left(sqlite_shop, shop_wire, monkeypatch):
    seed_catalog(sqlite_shop)
    monkeypatch.setattr(inventory_flow, "BATCH", 5)
    batches: list[int] = []

    def revoke_at_the_second_batch(operation: str | None, variables: dict) -> None:
        if operation == "InventorySetQuantities":
            batches.append(len(variables["quantities"]))
            if len(batches) == 2:  # the app is uninstalled while the run sends: this request and later ones get 401
                sqlite_shop.emulator.set_faults(script=[{"request": 1, "fault": "revoke"}])

    shop_wire.on_request = revoke_at_the_second_batch
    with pytest.raises(AuthenticationError):
        sync_inventory(SyncInventoryParams(shop=sqlite_shop.name))
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_inventory").position is None
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_inventory", limit=1)[-1].status.value == "failed"
    assert len(sqlite_shop.state.get_hashes(sqlite_shop.name, "inventory")) >= 5

    shop_wire.on_request = None
    sqlite_shop.emulator.set_faults(script=[], token_revoked=False)  # installed again
    report = sync_inventory(SyncInventoryParams(shop=sqlite_shop.name))
    want = expected(sqlite_shop.data.stock)
    assert report.updated == sum(1 for qty in want.values() if qty != 0) - batches[0]
    assert {key: on_hand(sqlite_shop)[key] for key in want} == want
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_inventory").position is not None

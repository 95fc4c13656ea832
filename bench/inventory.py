"""Inventory benchmark: what an incremental ``sync_inventory`` spends against the least it could spend.

    python bench/inventory.py [--variants 50000 --changed 0.02 --locations 2 --seed 1]

A shop whose stock is already in sync (emulator levels, SKU → inventory item mappings and last-sent quantities
seeded directly), then a share of the ERP stock rows changes and one incremental run goes. Printed, all
measured in that run:

- the API cost the emulator charged (actual points, per operation) ÷ the minimum: ⌈changed ÷ 250⌉
  ``inventorySetQuantities`` calls × the cost of one such call, no reads. Goal ≤ 1.1.
- the number of Prefect task runs of the flow run (a task per batch, not per row).

Everything runs locally: a SQLite ERP in a temporary directory, the Shopify emulator on a loopback port and a
temporary Prefect API (``prefect_test_harness``).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the figures, not every task state change

TOKEN = "shpat_bench_inventory"
PER_PRODUCT = 50
"""Variants per product: a realistic apparel-sized item, and few enough products for quick seeding."""
LOCATIONS = (("PRAHA", "Sklad Praha"), ("BRNO", "Sklad Brno"), ("OSTRAVA", "Sklad Ostrava"))


def catalogue(variants: int, locations: int, rng: random.Random) -> tuple[list, list]:
    from domain.models import Product, StockLevel, Variant

    products, stock = [], []
    for p in range(math.ceil(variants / PER_PRODUCT)):
        count = min(PER_PRODUCT, variants - p * PER_PRODUCT)
        key = f"B{p:05d}"
        items = [
            Variant(sku=f"{key}-{i:02d}", options={"Size": f"S{i:02d}"}, price=Decimal("19.90")) for i in range(count)
        ]
        products.append(Product(erp_key=key, title=f"Bench item {p}", variants=items))
        for n, variant in enumerate(items):
            location = LOCATIONS[(p * PER_PRODUCT + n) % locations][0]
            stock.append(StockLevel(sku=variant.sku, location_key=location, quantity=Decimal(rng.randrange(0, 60))))
    return products, stock


def mutation_cost() -> int:
    """What one ``inventorySetQuantities`` of our document costs under the emulator's cost model."""
    from connectors.shopify.operations import catalog
    from emulators.shopify import executable_schema, requested_cost

    return requested_cost(
        executable_schema(), catalog.get("InventorySetQuantities").document, {}, "InventorySetQuantities"
    )


def task_run_count(flow_run_id: uuid.UUID) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return len(runs)


def bench(variants: int, share: float, locations: int, seed: int, workdir: Path) -> None:
    from blocks import ErpDatabase
    from connectors.erp.port import Location
    from connectors.erp.sql import SqlErpBackend, loader
    from deployments.wiring import release_shop, wire_shop
    from emulators.shopify import EmulatorConfig, create_app, emulator_of, running_emulator
    from engine import resources
    from flows.runtime import report_of
    from flows.sync_inventory import SyncInventoryParams, sync_inventory

    rng = random.Random(seed)
    t0 = time.monotonic()
    products, stock = catalogue(variants, locations, rng)
    erp_url = f"sqlite:///{workdir / 'erp.db'}"
    erp = SqlErpBackend.from_url(erp_url)
    erp.create_schema()
    with erp.engine.begin() as conn:
        loader.upsert_locations(conn, [Location(erp_key=k, name=n) for k, n in LOCATIONS[:locations]])
        loader.upsert_products(conn, products)
        loader.upsert_stock(conn, stock)

    app = create_app(EmulatorConfig(tokens=[TOKEN]))
    emulator = emulator_of(app)
    shop_state = emulator.state
    shop_state.seed_locations([{"name": n, "key": k} for k, n in LOCATIONS[:locations]])
    shop_state.seed_products(products)
    shop_state.seed_stock(stock)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    with running_emulator(app=app) as base_url:
        block = wire_shop(
            name,
            ErpDatabase(url=erp_url),
            shop_url=base_url,
            access_token=TOKEN,
            schedule={
                "selectedFrequency": "Daily",
                "startDate": "2025-01-01",
                "syncHour": 0,
                "timeZone": "Europe/Prague",
            },
            location_mapping={k: n for k, n in LOCATIONS[:locations]},  # by name, as a merchant types them
        )
        state = resources.resources(name).state
        items = {v.sku: shop_state.inventory_items[v.inventory_item_id].gid for v in shop_state.variants.values()}
        state.put_mappings(name, "inventory_item", items.items())
        state.put_hashes(name, "inventory", {f"{s.sku}@{s.location_key}": str(s.shop_quantity()) for s in stock})
        last_due = block.schedule.latest_due_date(datetime.now(UTC))
        state.commit_cursor(name, "sync_inventory", last_due - timedelta(days=1))  # synced up to yesterday
        changed = rng.sample(stock, round(len(stock) * share))
        with erp.engine.begin() as conn:
            loader.upsert_stock(
                conn, [s.model_copy(update={"quantity": s.quantity + rng.randrange(1, 20)}) for s in changed]
            )
        print(
            f"set up {len(stock)} stock rows of {variants} variants at {locations} location(s), "
            f"{len(changed)} changed, in {time.monotonic() - t0:.1f} s"
        )

        emulator.executor.ledger.reset()
        t1 = time.monotonic()
        run = sync_inventory(SyncInventoryParams(shop=name), return_state=True)
        seconds = time.monotonic() - t1
        report = report_of(run)
        spent = emulator.executor.ledger.as_json()
        tasks = task_run_count(run.state_details.flow_run_id)
        release_shop(name)
    erp.close()

    unit = mutation_cost()
    minimum = math.ceil(len(changed) / 250) * unit
    print(f"report: updated {report.updated}, skipped {report.skipped}, failed {report.failed}")
    for operation, used in spent["by_operation"].items():
        print(f"  {operation}: {used['calls']} call(s), {used['actual']} points (requested {used['requested']})")
    print(f"API cost spent: {spent['actual']} points; minimum: {math.ceil(len(changed) / 250)} × {unit} = {minimum}")
    print(f"cost ratio (spent ÷ minimum): {spent['actual'] / minimum:.3f}" if minimum else "cost ratio: n/a")
    print(f"Prefect task runs in the flow run: {tasks}")
    print(f"flow run wall time: {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=50_000)
    parser.add_argument("--changed", type=float, default=0.02, help="share of stock rows changed in the ERP")
    parser.add_argument("--locations", type=int, default=2, choices=(1, 2, 3))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        with tempfile.TemporaryDirectory(prefix="bench-inventory-") as tmp:
            bench(args.variants, args.changed, args.locations, args.seed, Path(tmp))


if __name__ == "__main__":
    main()

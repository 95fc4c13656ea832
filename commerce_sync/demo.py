"""``commerce-sync demo``: every sync on the embedded default, end to end, in a few minutes.

What it does, in order:
1. a fresh sample SQL ERP (SQLite file in the demo directory) and a local Shopify emulator seeded with the
   shop's locations, customers and orders;
2. saves the blocks (``demo-erp``, ``demo-shop``) and the shop's queue-category locks on the Prefect API
   (``PREFECT_API_URL`` when set, else Prefect's local ephemeral server and its ~/.prefect database, which
   ``prefect server start`` then shows at http://127.0.0.1:4200);
3. runs every sync flow once in a sensible order; then the shop's orders take every turn of their life (new,
   test, cancelled, paid in another currency: ``demo_lifecycle``) and the order syncs run again (the "later"
   pass); then every flow once more to show the second pass changes nothing; and prints a table of what each
   run did and what the ERP made of each turn;
4. then the same for a second shop, ``demo-pohoda``: a POHODA mServer emulator seeded from the sample data
   (``demo-pohoda-erp``) ⇄ its own Shopify emulator, through the same flows, with its own table; between the
   passes POHODA's users issue delivery notes, execute, cancel and invoice orders. This company runs with POHODA
   settings that are not the defaults (its own store for imported items, an e-shop price level, …) and has a
   package card, whose shop stock is what its components make (``commerce_sync.demo_items``).

Both shops also hold products only the shop has: ``import_items`` makes them ERP items in the first pass and
finds nothing to do in the second.

The emulators live in memory, so each demo starts from a fresh ERP and state: a second ``make demo`` does the
same thing again, with the same result.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

# before Prefect is imported: no telemetry offline, and a loaded 2-core machine can need more than the default
# 20 s to start Prefect's ephemeral API
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# a slot held by a demo that was killed is given back once its lease expires, also after a server restart
os.environ.setdefault("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE", "prefect.server.concurrency.lease_storage.filesystem")

SHOP = "demo-shop"
ERP = "demo-erp"
CLIENT_ID = "demo-app"
CLIENT_SECRET = "demo-client-secret"  # the emulators' credentials: local test servers, not secrets
"""The demo shops are reached as a Dev Dashboard app is since 2026-01 (no more admin custom apps): the client ID and
secret are exchanged for a token that expires (the client-credentials grant, see connectors/shopify/auth.py)."""
POHODA_SHOP = "demo-pohoda"
POHODA_ERP = "demo-pohoda-erp"
PLAN = {"bucket_size": 20_000, "restore_rate": 1000.0}
"""The demo shops are on Shopify Plus (1000 points/s). On Standard (100 points/s, the emulator's default) the
same first pass spends about two of its minutes waiting for the cost bucket, as a real Standard shop would."""
POHODA_SAMPLE = {"items": 40, "customers": 16, "orders": 30}
"""Smaller than the SQL shop's: every POHODA request is one XML round trip, and the demo stays a few minutes."""


async def free_stale_slots(shops: list[str]) -> None:
    """Give back the demo shops' lock slots a killed demo still holds.

    The demo wipes its shops' ERP and state at start, so no other run of these shops can be going on; a slot
    still taken belongs to a demo stopped with kill -9 on a server that kept its leases in memory (Prefect's
    default), which would otherwise make this demo wait for it forever.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

    from domain.categories import Category, lock_name

    async with get_client() as client:
        for name in (lock_name(shop, category) for shop in shops for category in Category):
            limit = await client.read_global_concurrency_limit_by_name(name)
            if limit.active_slots:
                await client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(active_slots=0))
                print(f"freed {limit.active_slots} slot(s) of {name} held by an earlier demo that was stopped")


def available_flows() -> list[tuple[str, Callable[..., Any], type]]:
    """Every sync flow this checkout has, in the order a shop's day runs them, with its parameter model."""
    from commerce_sync.runner import flow_and_params
    from deployments.builder import RUN_ORDER

    found = []
    for sync_type in RUN_ORDER:
        if importlib.util.find_spec(f"flows.{sync_type}") is None:
            continue
        flow_fn, params_cls = flow_and_params(sync_type)
        found.append((sync_type, flow_fn, params_cls))
    return found


def run_demo(data_dir: Path | None = None, items: int = 200, customers: int = 50, orders: int = 100) -> list[dict]:
    from blocks import ErpDatabase
    from commerce_sync.demo_items import seed_shop_only
    from commerce_sync.demo_lifecycle import between_passes, print_outcomes
    from commerce_sync.samples.data import generate, write_sql_erp
    from commerce_sync.user_work import late_in_current_period, sql_user_works
    from connectors.erp.sql import default_data_dir
    from deployments.wiring import release_shop, wire_shop
    from emulators.shopify import EmulatorConfig, create_app, emulator_of, running_emulator
    from flows.runtime import report_of

    directory = (data_dir or default_data_dir() / "demo").resolve()
    if directory.exists():
        shutil.rmtree(directory)  # the emulator is in memory: ERP and state start fresh with it
    directory.mkdir(parents=True)
    erp_url = f"sqlite:///{directory / 'erp.db'}"

    started = time.monotonic()
    data = generate(items=items, customers=customers, orders=orders, seed=1)
    write_sql_erp(data, erp_url)
    print(f"sample ERP: {len(data.products)} items, {len(data.customers)} customers at {directory / 'erp.db'}")

    app = create_app(
        EmulatorConfig(shop_name="commerce-sync-demo", client_credentials={CLIENT_ID: CLIENT_SECRET}, **PLAN)
    )
    emulator = emulator_of(app)
    emulator.state.seed_locations(data.locations)
    emulator.state.seed_customers(data.customers[: len(data.customers) // 2])
    emulator.state.seed_orders(data.orders)
    emulator.state.seed_refunds(data.refunds)
    imported = seed_shop_only(emulator.state)  # import_items' work (commerce_sync.demo_items)
    rows: list[dict] = []
    with running_emulator(app=app) as base_url:
        print(
            f"Shopify emulator: {base_url}/admin/api/2026-04/graphql.json ({len(data.orders)} orders, "
            f"Shopify Plus: {PLAN['restore_rate']:.0f} points/s)"
        )
        shop_block = wire_shop(
            SHOP,
            ErpDatabase(url=erp_url),
            erp_name=ERP,
            overwrite=True,
            shop_url=base_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            schedule={
                "selectedFrequency": "Daily",
                "startDate": "2025-01-01",
                "syncHour": 2,
                "timeZone": "Europe/Prague",
            },
            location_mapping={loc.erp_key: loc.name for loc in data.locations},
            restore_rate=PLAN["restore_rate"],
        )
        asyncio.run(free_stale_slots([SHOP]))
        flows = available_flows()
        schedule = shop_block.schedule
        for attempt in ("first", "second"):
            if attempt == "second":
                later, lifecycle = between_passes(SHOP, emulator.state, data, flows)
                rows += later
            for name, flow_fn, params_cls in flows:
                t0 = time.monotonic()
                report = report_of(flow_fn(params_cls(shop=SHOP), return_state=True))
                rows.append(
                    {"pass": attempt, "flow": name, **report.counts, "seconds": round(time.monotonic() - t0, 1)}
                )
                if name == "create_sales_orders" and attempt == "first":
                    shipped = sql_user_works(erp_url, data.orders, at=late_in_current_period(schedule))
                    print(
                        f"ERP user: shipped {shipped['shipped']} orders, processed {shipped['processed']}, "
                        f"cancelled {shipped['cancelled']}, transferred {shipped['transferred']}"
                    )
        release_shop(SHOP)
    print(f"\n{SHOP} (SQL ERP ⇄ Shopify emulator)")
    _print_table(rows)
    print_outcomes(SHOP, lifecycle)
    print(f"import_items: shop products the ERP lacked, now ERP items: {', '.join(imported)}")
    pohoda_rows, pohoda_lifecycle = run_pohoda_shop(directory)
    print(f"\n{POHODA_SHOP} (POHODA mServer emulator ⇄ Shopify emulator)")
    _print_table(pohoda_rows)
    print_outcomes(POHODA_SHOP, pohoda_lifecycle)
    for shop, table in ((SHOP, rows), (POHODA_SHOP, pohoda_rows)):
        drift = sum(r["failed"] for r in table if r["flow"] == "reconcile" and r["pass"] == "first")
        if drift:
            print(
                f"{shop}: reconcile found {drift} difference(s) (artifact {shop}-reconcile-failures): what the "
                "ERP users changed after that day's syncs had run; the next day's runs send it"
            )
    changed = [
        f"{shop} {r['flow']}"
        for shop, table in ((SHOP, rows), (POHODA_SHOP, pohoda_rows))
        for r in table
        if r["pass"] == "second" and (r["created"] or r["updated"])
    ]
    print(f"\nDone in {time.monotonic() - started:.0f} s.")
    if changed:
        print(f"WARNING: the second pass changed records in: {', '.join(changed)} (expected none)")
    else:
        print("The second pass created and updated nothing: every sync is idempotent.")
    print(
        "See the runs and their artifacts: `prefect server start`, then http://127.0.0.1:4200 "
        "(or your PREFECT_API_URL's UI)."
    )
    return [{**row, "shop": SHOP} for row in rows] + [{**row, "shop": POHODA_SHOP} for row in pohoda_rows]


def run_pohoda_shop(directory: Path) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """The second demo shop: a POHODA mServer emulator seeded from the sample data ⇄ its own Shopify emulator,
    through the same flows (products come from POHODA's streamed stock export, in chunks)."""
    from zoneinfo import ZoneInfo

    from blocks import PohodaMServer
    from commerce_sync.demo_items import POHODA_SETTINGS, add_package, print_items, seed_e_shop_prices, seed_shop_only
    from commerce_sync.demo_lifecycle import between_passes
    from commerce_sync.samples.data import generate
    from commerce_sync.user_work import pohoda_user_works
    from deployments.wiring import release_shop, wire_shop
    from emulators import pohoda, shopify
    from flows.runtime import report_of

    os.environ.setdefault("COMMERCE_SYNC_POHODA_DOCUMENTS", "emulator")  # pictures go into its documents folder
    data = generate(seed=1, **POHODA_SAMPLE)
    # mServer serves one accounting unit, and the adapter writes only into the current fiscal year
    config = pohoda.PohodaEmulatorConfig(fiscal_year=datetime.now(ZoneInfo("Europe/Prague")).year)
    mserver_app = pohoda.create_app(config)
    mserver = pohoda.emulator_of(mserver_app).state
    seeded = mserver.seed_sample_data(data).counts()
    seed_e_shop_prices(mserver)  # the shop sells at POHODA's "E-shop" price level (POHODA_SETTINGS)
    package = add_package(mserver)
    shop_app = shopify.create_app(
        shopify.EmulatorConfig(
            shop_name="commerce-sync-demo-pohoda", client_credentials={CLIENT_ID: CLIENT_SECRET}, **PLAN
        )
    )
    shop_state = shopify.emulator_of(shop_app).state
    shop_state.seed_locations(data.locations)
    shop_state.seed_customers(data.customers[: len(data.customers) // 2])
    shop_state.seed_orders(data.orders)
    shop_state.seed_refunds(data.refunds)
    imported = seed_shop_only(shop_state)
    rows: list[dict] = []
    with pohoda.running_emulator(app=mserver_app) as mserver_url, shopify.running_emulator(app=shop_app) as shop_url:
        print(
            f"\nPOHODA mServer emulator: {mserver_url}/xml ({seeded['stock_cards']} stock cards, "
            f"{seeded['customers']} customers); Shopify emulator: {shop_url} ({len(data.orders)} orders)"
        )
        wire_shop(
            POHODA_SHOP,
            PohodaMServer(
                url=mserver_url,
                user=config.user,
                password=config.password,
                company_ico=config.company_ico,
                state_url=f"sqlite:///{directory / 'state-pohoda.db'}",
                **POHODA_SETTINGS,
            ),
            erp_name=POHODA_ERP,
            overwrite=True,
            shop_url=shop_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            schedule={
                "selectedFrequency": "Daily",
                "startDate": "2025-01-01",
                "syncHour": 3,
                "timeZone": "Europe/Prague",
            },
            location_mapping={loc.erp_key: loc.name for loc in data.locations},
            restore_rate=PLAN["restore_rate"],
        )
        asyncio.run(free_stale_slots([POHODA_SHOP]))
        try:
            for attempt in ("first", "second"):
                if attempt == "second":
                    later, lifecycle = between_passes(POHODA_SHOP, shop_state, data, available_flows())
                    rows += later
                for name, flow_fn, params_cls in available_flows():
                    t0 = time.monotonic()
                    report = report_of(flow_fn(params_cls(shop=POHODA_SHOP), return_state=True))
                    rows.append(
                        {"pass": attempt, "flow": name, **report.counts, "seconds": round(time.monotonic() - t0, 1)}
                    )
                    if name == "create_sales_orders" and attempt == "first":
                        done = pohoda_user_works(mserver, data.orders)
                        print(
                            f"POHODA user: issued {done['shipped']} delivery notes, executed {done['processed']} "
                            f"orders, cancelled {done['cancelled']}, invoiced {done['transferred']}"
                        )
        finally:
            release_shop(POHODA_SHOP)
    print_items(shop_state, mserver, package, imported)
    return rows, lifecycle


def _print_table(rows: list[dict]) -> None:
    headers = ["pass", "flow", "created", "updated", "skipped", "failed", "seconds"]
    widths = {h: max(len(h), *(len(str(r[h])) for r in rows)) for h in headers} if rows else {}
    print()
    print("  ".join(h.ljust(widths[h]) for h in headers))
    for row in rows:
        print("  ".join(str(row[h]).ljust(widths[h]) for h in headers))

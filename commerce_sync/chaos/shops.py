"""Shops to crash: the sample data in a SQL ERP or a POHODA mServer emulator, wired to a live Shopify emulator.

The same seed always builds the same shop, so a run that never failed (the reference) and a run full of
crashes start from identical data and can be compared record by record. Blocks get a fresh random suffix, so
shops of one process never share connectors, locks or state.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from blocks import ErpDatabase, PohodaMServer

ADAPTERS = ("sql", "pohoda")
TOKEN = "shpat_chaos_token_0000000"
SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2025-01-01", "syncHour": 0, "timeZone": "Europe/Prague"}


@dataclass(frozen=True)
class ShopSize:
    items: int = 12
    customers: int = 6
    orders: int = 8
    seed: int = 7


@dataclass
class ChaosShop:
    adapter: str
    name: str
    data: Any  # commerce_sync.samples.data.SampleData
    shop: Any  # emulators.shopify.Emulator
    mserver: Any | None  # emulators.pohoda.PohodaEmulator (the ``pohoda`` adapter)
    state_url: str
    erp_url: str | None = None  # the ``sql`` adapter's database (which also holds the state)
    ports: set[int] = field(default_factory=set)

    def restart(self) -> None:
        """What a new worker process starts with: no cached clients, engines, governors' last answers."""
        from deployments.wiring import release_shop

        release_shop(self.name)

    def warm(self, client_timeout: float) -> None:
        """Build the shop's connectors now, with a Shopify read timeout of ``client_timeout`` seconds (so the
        emulator's hanging requests time out in the client, as a slow Shopify does)."""
        import httpx

        from engine import resources

        client = resources.resources(self.name).shopify
        client.http.timeout = httpx.Timeout(client_timeout, connect=10.0)

    def shop_lifecycle(self) -> dict[str, int]:
        """The shop's merchant and buyers after the day's first order runs (``samples.lifecycle``): new orders
        (a test order, one cancelled before import, one paid in EUR) and two imported orders cancelled, one the
        ERP has not touched and one it processed. Returns how many turns of each kind were taken."""
        import time
        from collections import Counter
        from datetime import timedelta

        from commerce_sync.samples.lifecycle import apply_lifecycle, sample_scenarios
        from domain.models import OrderState
        from engine.resources import resources

        states = resources(self.name).erp.sales_order_states([o.shop_id for o in self.data.orders])
        taken = {s.order_id for s in sample_scenarios(self.data.orders, self.data.refunds)}
        untouched = [s.shop_order_id for s in states if s.state is None and s.shop_order_id not in taken]
        processed = [s.shop_order_id for s in states if s.state is OrderState.PROCESSED]
        state = self.shop.state
        # time passes before the merchant's next moves, so the later runs of every day read the same shop however
        # long its earlier runs took: Shopify's jobs (a cancel) finish, its search index catches up, and the
        # second of the day's last writes is over (Shopify stamps whole seconds; a change stamped in the second
        # a run's period ends is that run's next one's)
        with state.lock:
            for job in list(state.jobs.jobs.values()):
                job.finish()
        state.search_index.catch_up()
        time.sleep(1.05)
        at = state.now() - timedelta(seconds=3)  # past Shopify's search lag when the next runs read them
        return dict(Counter(s.kind for s in apply_lifecycle(state, self.data.products, untouched, processed, at)))

    def user_works(self) -> dict[str, int]:
        """The ERP's users between syncs: ship some sales orders, execute, cancel and invoice others."""
        from blocks import ShopifyShop
        from commerce_sync.user_work import late_in_current_period, pohoda_user_works, sql_user_works

        if self.mserver is not None:
            return pohoda_user_works(self.mserver.state, self.data.orders)
        at = late_in_current_period(ShopifyShop.load(self.name).schedule)
        return sql_user_works(self.erp_url, self.data.orders, at)


@contextmanager
def open_shop(
    adapter: str,
    directory: Path,
    size: ShopSize = ShopSize(),
    xsd_dir: Path | None = None,
) -> Iterator[ChaosShop]:
    """A fresh shop of ``adapter`` (``sql`` | ``pohoda``) with its files in ``directory``; torn down on exit."""
    from commerce_sync.samples.data import generate
    from commerce_sync.samples.shop_only import shop_only_products
    from deployments.wiring import wire_shop
    from emulators import shopify

    if adapter not in ADAPTERS:
        raise ValueError(f"adapter must be one of {ADAPTERS}, got {adapter!r}")
    directory.mkdir(parents=True, exist_ok=True)
    data = generate(items=size.items, customers=size.customers, orders=size.orders, seed=size.seed)
    shop_app = shopify.create_app(shopify.EmulatorConfig(tokens=[TOKEN], record_dir=None))
    emulator = shopify.emulator_of(shop_app)
    emulator.state.seed_locations(data.locations)
    emulator.state.seed_customers(data.customers[: len(data.customers) // 2])
    emulator.state.seed_orders(data.orders)
    emulator.state.seed_refunds(data.refunds)  # each one an ERP credit document on the day's sync_payments
    emulator.state.seed_products(shop_only_products())  # made in the shop, not in the ERP: import_items' work
    suffix = uuid.uuid4().hex[:10]
    with ExitStack() as stack:
        shop_url = stack.enter_context(shopify.running_emulator(app=shop_app))
        if adapter == "sql":
            shop, erp_block = _sql_erp(directory, data, suffix)
        else:
            shop, erp_block = _pohoda_erp(stack, directory, data, suffix, xsd_dir)
        shop.name = f"chaos-{adapter}-{suffix}"
        shop.shop = emulator
        shop.ports = {urlsplit(shop_url).port, *shop.ports}
        wire_shop(
            shop.name,
            erp_block,
            erp_name=f"chaos-erp-{suffix}",
            shop_url=shop_url,
            access_token=TOKEN,
            schedule=SCHEDULE,
            location_mapping={loc.erp_key: loc.name for loc in data.locations},
        )
        try:
            yield shop
        finally:
            shop.restart()


def _sql_erp(directory: Path, data: Any, suffix: str) -> tuple[ChaosShop, ErpDatabase]:
    from blocks import ErpDatabase
    from commerce_sync.samples.data import write_sql_erp

    url = f"sqlite:///{directory / f'erp-{suffix}.db'}"
    write_sql_erp(data, url)
    return ChaosShop("sql", "", data, None, None, state_url=url, erp_url=url), ErpDatabase(url=url)


def _pohoda_erp(
    stack: ExitStack,
    directory: Path,
    data: Any,
    suffix: str,
    xsd_dir: Path | None,
) -> tuple[ChaosShop, PohodaMServer]:
    from blocks import PohodaMServer
    from emulators import pohoda

    os.environ.setdefault("COMMERCE_SYNC_POHODA_DOCUMENTS", "emulator")  # pictures go into its documents folder
    # the adapter writes only into the current fiscal year, and mServer serves one accounting unit
    config = pohoda.PohodaEmulatorConfig(
        fiscal_year=datetime.now(ZoneInfo("Europe/Prague")).year, xsd_dir=xsd_dir, record_dir=None
    )
    app = pohoda.create_app(config)
    mserver = pohoda.emulator_of(app)
    mserver.state.seed_sample_data(data)
    url = stack.enter_context(pohoda.running_emulator(app=app))
    state_url = f"sqlite:///{directory / f'state-{suffix}.db'}"
    block = PohodaMServer(
        url=url, user=config.user, password=config.password, company_ico=config.company_ico, state_url=state_url
    )
    shop = ChaosShop("pohoda", "", data, None, mserver, state_url=state_url, ports={urlsplit(url).port})
    return shop, block

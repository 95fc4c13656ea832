"""A shop wired end to end for flow tests: SQL ERP with sample data, a live Shopify emulator, saved blocks and
the shop's concurrency limits on the session's Prefect test API.

``flow_shop`` is parametrised over SQLite and PostgreSQL through ``db_url``; ``sqlite_shop`` is the quick one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from blocks import ErpDatabase
from commerce_sync.samples.data import SampleData, generate, write_sql_erp
from connectors.erp.sql import SqlErpBackend
from connectors.state import StateStore
from deployments.wiring import release_shop, wire_shop
from emulators.shopify import Emulator, EmulatorConfig, create_app, emulator_of, running_emulator
from emulators.shopify.clock import Clock
from engine import resources

TOKEN = "shpat_flowtest_token_0000"


@pytest.fixture(autouse=True, scope="session")
def _prefect(prefect_harness: None) -> None:
    """Every flow test talks to the session's Prefect API."""


@dataclass
class FlowShop:
    name: str
    db_url: str
    data: SampleData
    emulator: Emulator
    base_url: str

    @property
    def erp(self) -> SqlErpBackend:
        return resources.resources(self.name).erp

    @property
    def state(self) -> StateStore:
        return resources.resources(self.name).state


def _make_shop(
    db_url: str,
    *,
    items: int = 12,
    customers: int = 6,
    orders: int = 8,
    seed: int = 7,
    token: str = TOKEN,
    app_credentials: tuple[str, str] | None = None,
    token_ttl_seconds: int = 86399,
    clock: Clock | None = None,
) -> Iterator[FlowShop]:
    """``app_credentials`` (client ID, secret): the shop is a Dev Dashboard app taking tokens that expire after
    ``token_ttl_seconds`` on the emulator's ``clock``; else it uses the legacy ``token``."""
    data = generate(items=items, customers=customers, orders=orders, seed=seed)
    write_sql_erp(data, db_url)
    app_id, app_secret = app_credentials or (None, None)
    clients = {app_id: app_secret} if app_id else {}
    config = EmulatorConfig(tokens=[token], client_credentials=clients, token_ttl_seconds=token_ttl_seconds)
    app = create_app(config, clock=clock)
    emulator = emulator_of(app)
    emulator.state.seed_locations(data.locations)
    emulator.state.seed_orders(data.orders)
    emulator.state.seed_refunds(data.refunds)
    suffix = uuid.uuid4().hex[:10]
    name = f"shop-{suffix}"
    with running_emulator(app=app) as base_url:
        wire_shop(
            name,
            ErpDatabase(url=db_url),
            erp_name=f"erp-{suffix}",
            shop_url=base_url,
            **({"client_id": app_id, "client_secret": app_secret} if app_id else {"access_token": token}),
            schedule={
                "selectedFrequency": "Daily",
                "startDate": "2025-01-01",
                "syncHour": 0,
                "timeZone": "Europe/Prague",
            },
        )
        try:
            yield FlowShop(name=name, db_url=db_url, data=data, emulator=emulator, base_url=base_url)
        finally:
            release_shop(name)


@pytest.fixture
def flow_shop(db_url: str) -> Iterator[FlowShop]:
    yield from _make_shop(db_url)


@pytest.fixture
def sqlite_shop(sqlite_url: str) -> Iterator[FlowShop]:
    yield from _make_shop(sqlite_url)

"""A shop wired end to end for flow tests: SQL ERP with sample data, a live Shopify emulator, saved blocks and
the shop's concurrency limits on the session's Prefect test API.

``flow_shop`` is parametrised over SQLite and PostgreSQL through ``db_url``; ``sqlite_shop`` is the quick one.
``shop_wire`` is the transport seam: the quick shop's Shopify client on a real HTTP transport whose timeout a
test sets and which shows a test each GraphQL operation before it is sent (to script the emulator's faults at
the right request), so the flow runs the same client, connectors and tasks a deployment runs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
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


@dataclass
class Wire:
    """What the quick shop's HTTP client does: ``timeout`` (seconds) per request, and ``on_request`` called with
    each GraphQL request's operation name and variables just before it goes out; ``operations`` lists them all."""

    timeout: float | None = None
    on_request: Callable[[str | None, dict[str, Any]], None] | None = None
    operations: list[str | None] = field(default_factory=list)


class _WireTransport(httpx.HTTPTransport):
    def __init__(self, wire: Wire) -> None:
        super().__init__()
        self.wire = wire

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.wire.timeout is not None:
            request.extensions["timeout"] = httpx.Timeout(self.wire.timeout).as_dict()
        if request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(request.content or b"{}")
            self.wire.operations.append(body.get("operationName"))
            if self.wire.on_request is not None:
                self.wire.on_request(body.get("operationName"), body.get("variables") or {})
        return super().handle_request(request)


@pytest.fixture
def shop_wire(sqlite_shop: FlowShop) -> Iterator[Wire]:
    """The quick shop's Shopify client built on a ``Wire`` (``engine.resources.set_http_factory``)."""
    wire, opened = Wire(), []

    def http_for(shop: str) -> httpx.Client | None:
        if shop != sqlite_shop.name:
            return None
        opened.append(httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), transport=_WireTransport(wire)))
        return opened[-1]

    resources.forget(sqlite_shop.name)
    resources.set_http_factory(http_for)
    try:
        yield wire
    finally:
        resources.set_http_factory(None)
        resources.forget(sqlite_shop.name)
        for client in opened:
            client.close()

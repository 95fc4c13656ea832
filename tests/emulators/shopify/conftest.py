"""Fixtures for the Shopify emulator's tests (and for anyone who needs a seeded shop).

- ``clock``: a ``FakeClock`` at 2026-03-01T00:00:00Z; ``clock.advance(s)`` moves record stamps and the bucket.
- ``config``: an ``EmulatorConfig`` with recording off (whatever ``COMMERCE_SYNC_RECORD_DIR`` says).
- ``app`` / ``emulator`` / ``shop``: the ASGI app, its ``Emulator`` (faults, buckets) and its ``ShopState``.
- ``client``: an in-process ``httpx.Client`` on the app; ``gql(query, variables)`` posts and returns the JSON.
- ``live_url``: the same app served by uvicorn in a thread on a free port (real sockets: timeouts, other
  processes); yields ``http://127.0.0.1:PORT``.
- ``seeded``: the shop with two locations, three products, two customers and three orders (see ``Seeded``),
  already in the search index (which otherwise lags writes by ``search_lag_seconds``).
- ``real_schema``: the real 2026-04 schema, built once per session (needs ``../shared``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from shopify_emu_support import START, Seeded, order_model, post, product_model

from domain import models as m
from emulators.shopify import (
    Emulator,
    EmulatorConfig,
    FakeClock,
    ShopState,
    create_app,
    emulator_client,
    emulator_of,
    running_emulator,
)

Gql = Callable[..., dict]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(record_dir=None)


@pytest.fixture
def app(config: EmulatorConfig, clock: FakeClock) -> Any:
    return create_app(config, clock=clock)


@pytest.fixture
def emulator(app: Any) -> Emulator:
    return emulator_of(app)


@pytest.fixture
def shop(emulator: Emulator) -> ShopState:
    return emulator.state


@pytest.fixture
def client(app: Any) -> Iterator[httpx.Client]:
    with emulator_client(app=app) as c:
        yield c


@pytest.fixture
def live_url(app: Any) -> Iterator[str]:
    with running_emulator(app=app) as base_url:
        yield base_url


@pytest.fixture
def gql(client: httpx.Client) -> Gql:
    """POST a document; asserts HTTP 200 and returns the parsed body (``data``, ``errors``, ``extensions``)."""

    def call(query: str, variables: dict | None = None, **kwargs: Any) -> dict:
        response = post(client, query, variables, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    return call


@pytest.fixture
def seeded(shop: ShopState) -> Seeded:
    locations = shop.seed_locations(["MAIN", "SECOND"])
    products = shop.seed_products([product_model("P1"), product_model("P2"), product_model("P3", sizes=("L",))])
    shop.seed_stock([m.StockLevel(sku="P1-S", location_key="MAIN", quantity=Decimal("7"))])
    shop.seed_customers([m.Customer(email="known@example.com", first_name="Known", phone="+420777123456")])
    orders = shop.seed_orders(
        [order_model(1001), order_model(1002, skus=("P1-S", "P2-M")), order_model(1003, paid=False)],
        location_key="MAIN",
    )
    shop.search_index.catch_up()  # the seeded shop existed before the test: its search index has caught up
    return Seeded(locations, products, orders)


@pytest.fixture(scope="session")
def real_schema(shared_dir: Any) -> Any:
    from graphql import build_schema

    text = (shared_dir / "reference" / "shopify" / "admin-2026-04.graphql").read_text(encoding="utf-8")
    return build_schema(text, assume_valid=True)

"""A Dev Dashboard app's tokens expire (the client-credentials grant, ``connectors/shopify/auth.py``): the flows
of a shop share one token, and a run whose tokens expire under it still completes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from connectors.shopify.auth import client_credentials_for, reset_credentials
from emulators.shopify.clock import SystemClock
from engine import resources
from flows.params import SyncParams
from flows.sync_orders import sync_orders
from flows.sync_products import SyncProductsParams, sync_products
from tests.flows.conftest import FlowShop, _make_shop

APP = ("dev-dashboard-app", "shpss_flowtest_client_secret")


@pytest.fixture(autouse=True)
def _fresh_token_sources() -> Iterator[None]:
    reset_credentials()
    yield
    reset_credentials()


@pytest.fixture
def app_shop(sqlite_url: str) -> Iterator[FlowShop]:
    yield from _make_shop(sqlite_url, app_credentials=APP)


class TickingClock(SystemClock):
    """Records stamped in real time, but the emulator's monotonic time moves 3000 s each time the emulator reads
    it (a few times per request), not with the machine's clock: a token issued for Shopify's 86399 s expires after
    some eight requests of the run however slow the machine is, while the client, on its own clock, still holds
    it for fresh. Every renewal is then one that Shopify forced with a 401, and the renewed token outlives the
    request retried on it (a token that lived 9 ms of real time expired again before the retry reached the
    emulator on a loaded machine)."""

    STEP = 3000.0

    def __init__(self) -> None:
        self._ticks = 0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            self._ticks += 1
            return self._ticks * self.STEP


@pytest.fixture
def short_lived_tokens_shop(sqlite_url: str) -> Iterator[FlowShop]:
    yield from _make_shop(sqlite_url, app_credentials=APP, clock=TickingClock())


def test_every_task_of_a_shop_uses_one_token(app_shop):
    sync_products(SyncProductsParams(shop=app_shop.name))
    sync_orders(SyncParams(shop=app_shop.name))
    assert app_shop.emulator.recorder.count > 2, "the runs made several GraphQL requests"
    assert app_shop.emulator.oauth.grants == 1
    shared = client_credentials_for(app_shop.base_url, *APP)
    assert resources.resources(app_shop.name).shopify.auth is shared


def test_a_run_whose_tokens_expire_under_it_completes(short_lived_tokens_shop):
    shop = short_lived_tokens_shop
    products = sync_products(SyncProductsParams(shop=shop.name), return_state=True)
    orders = sync_orders(SyncParams(shop=shop.name), return_state=True)
    assert products.is_completed() and orders.is_completed()
    assert shop.emulator.oauth.grants >= 2, "tokens expired during the runs and were renewed"
    assert resources.resources(shop.name).shopify.auth.fetches == shop.emulator.oauth.grants
    assert shop.emulator.state.counts()["products"] == len(shop.data.products)

"""Pages grow from the cost Shopify reports, and an answer in another API version than pinned is reported.

Against the emulator: its default (calibrated) cost model charges what Shopify was measured to charge, its
``pessimistic`` model the linear ``2 + first × node`` the ``# cost`` headers were computed with.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from commerce_sync.samples.data import generate
from connectors.shopify import CostGovernor, ShopifyClient
from connectors.shopify.cost_memory import CostMemory
from connectors.shopify.operations import MAX_QUERY_COST, catalog
from connectors.shopify.search import updated_at_filter
from connectors.shopify.testing import FakeTime
from connectors.shopify.throttle import governor_for, reset_governors
from emulators.shopify.config import DEFAULT_TOKEN, EmulatorConfig
from emulators.shopify.server import emulator_client, emulator_of

EVERYTHING = updated_at_filter(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
ORDERS = catalog.get("OrdersUpdatedSince")


def _shop(config: EmulatorConfig, orders: int = 60) -> httpx.Client:
    sample = generate(items=12, customers=5, orders=orders, seed=3)
    http = emulator_client(config)
    state = emulator_of(http.app).state
    state.seed_locations(sample.locations)
    state.seed_orders(sample.orders)
    return http


def _client(http: httpx.Client, fake_time: FakeTime, governor: CostGovernor | None = None, **kw) -> ShopifyClient:
    domain = emulator_of(http.app).config.domain
    governor = governor or CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep)
    return ShopifyClient(f"https://{domain}", DEFAULT_TOKEN, http=http, governor=governor, sleep=fake_time.sleep, **kw)


def _read(client: ShopifyClient) -> tuple[list[int], list[int]]:
    """(``first`` sent per page, ``requestedQueryCost`` answered per page) of reading every order."""
    sizes, costs = [], []
    after = None
    while True:
        first = client.page_size("OrdersUpdatedSince", {"query": EVERYTHING})
        response = client.request("OrdersUpdatedSince", {"query": EVERYTHING, "first": first, "after": after})
        sizes.append(first)
        costs.append(response.extensions["cost"]["requestedQueryCost"])
        info = response.data["orders"]["pageInfo"]
        if not info["hasNextPage"]:
            return sizes, costs
        after = info["endCursor"]


@pytest.fixture
def calibrated() -> Iterator[httpx.Client]:
    with _shop(EmulatorConfig(bucket_size=100_000, restore_rate=10_000)) as http:
        yield http


def test_the_first_page_is_the_headers_size_and_later_pages_grow_from_the_reported_cost(calibrated, fake_time):
    client = _client(calibrated, fake_time)
    seen = []
    for page in client.iter_pages("OrdersUpdatedSince", {"query": EVERYTHING}, "orders"):
        seen.append(len(page.items))
    assert seen[0] == ORDERS.max_first  # 11: the header's linear bound of 981 allows no more
    assert sum(seen) == 60 and len(seen) == 2  # the second page takes the other 49 at once
    assert client.estimated_cost("OrdersUpdatedSince", {"query": EVERYTHING, "first": 250}) <= MAX_QUERY_COST


def test_a_pessimistic_shop_keeps_pages_at_the_headers_size(fake_time):
    with _shop(EmulatorConfig(bucket_size=100_000, restore_rate=10_000, cost_model="pessimistic")) as http:
        client = _client(http, fake_time)
        seen = [len(page.items) for page in client.iter_pages("OrdersUpdatedSince", {"query": EVERYTHING}, "orders")]
    assert seen == [11] * 5 + [5]


def test_no_page_ever_asks_for_more_than_the_single_query_cap(fake_time):
    with _shop(EmulatorConfig(bucket_size=100_000, restore_rate=10_000), orders=300) as http:
        client = _client(http, fake_time)
        sizes, costs = _read(client)
    assert max(costs) <= MAX_QUERY_COST
    assert sizes == [11, 118, 250]  # 300 orders in 3 requests instead of 28
    assert len(sizes) == 3


def test_what_one_client_learnt_serves_every_client_of_the_shop_in_the_process(calibrated, fake_time):
    reset_governors()
    try:
        domain = emulator_of(calibrated.app).config.domain
        first = _client(calibrated, fake_time, governor_for(f"https://{domain}", DEFAULT_TOKEN))
        list(first.iter_pages("OrdersUpdatedSince", {"query": EVERYTHING}, "orders"))
        second = _client(calibrated, fake_time, governor_for(f"https://{domain}", DEFAULT_TOKEN))
        pages = list(second.iter_pages("OrdersUpdatedSince", {"query": EVERYTHING}, "orders"))
    finally:
        reset_governors()
    assert [len(p.items) for p in pages] == [60]


def test_a_reported_cost_bounds_larger_pages_in_proportion_and_smaller_ones_by_itself():
    memory = CostMemory()
    variables = {"query": "x", "after": None}
    assert memory.estimate(ORDERS, {**variables, "first": 11}) == ORDERS.cost
    assert memory.page_size(ORDERS, variables) == 11  # 981 at 11: 12 could cost 1071
    memory.learn(ORDERS, {**variables, "first": 11}, 68)
    assert memory.estimate(ORDERS, {**variables, "first": 11}) == 68
    assert memory.estimate(ORDERS, {**variables, "first": 5}) == 68
    assert memory.estimate(ORDERS, {**variables, "first": 110}) == 680
    assert memory.page_size(ORDERS, variables) == 161  # ⌈68 × 161 / 11⌉ = 996 ≤ 1000 < ⌈68 × 162 / 11⌉
    memory.learn(ORDERS, {**variables, "first": 161}, 120)
    assert memory.page_size(ORDERS, variables) == 250


def test_an_answer_in_another_api_version_than_pinned_is_reported_once_and_logged(fake_time, caplog):
    with _shop(EmulatorConfig(supported_api_versions=["2026-07", "2026-10"]), orders=1) as http:
        client = _client(http, fake_time)
        assert client.version_drift is None
        client.execute("OrdersUpdatedSince", {"query": EVERYTHING, "first": 1})
        client.execute("OrdersUpdatedSince", {"query": EVERYTHING, "first": 1})
    assert client.served_version == "2026-07"
    assert "2026-07" in client.version_drift and "2026-04" in client.version_drift
    assert [r.levelname for r in caplog.records if "falls forward" in r.getMessage()] == ["WARNING"]


def test_an_answer_in_the_pinned_version_reports_nothing(calibrated, fake_time):
    client = _client(calibrated, fake_time)
    client.execute("OrdersUpdatedSince", {"query": EVERYTHING, "first": 1})
    assert client.served_version == "2026-04" and client.version_drift is None

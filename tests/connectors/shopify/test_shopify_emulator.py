"""The connector against the Shopify emulator (a real graphql-core server over the 2026-04 subset), in process.

Seeded with the project's deterministic sample shop; time is fake on the client side, and the emulator's
bucket is sized so it never throttles unless a test asks for the fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commerce_sync.samples.data import SampleData, generate
from connectors.shopify import BulkRunner, CostGovernor, ShopifyClient, idempotency_key
from connectors.shopify.errors import AuthenticationError
from connectors.shopify.inputs import inventory_quantity
from connectors.shopify.mapping import more_lines_cursor, order_from_node, stock_from_level
from connectors.shopify.mutations import run_batch
from connectors.shopify.search import updated_at_filter
from connectors.shopify.testing import FakeTime
from emulators.shopify.config import DEFAULT_TOKEN, EmulatorConfig
from emulators.shopify.server import emulator_client, emulator_of

EVERYTHING = updated_at_filter(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate(items=12, customers=5, orders=23, seed=7)


@pytest.fixture
def shop(sample: SampleData, fake_time: FakeTime) -> Iterator[tuple[ShopifyClient, object]]:
    http = emulator_client(EmulatorConfig(bucket_size=100_000, restore_rate=10_000))
    emulator = emulator_of(http.app)
    emulator.state.seed_locations(sample.locations)
    emulator.state.seed_products(sample.products)
    emulator.state.seed_stock(sample.stock)
    emulator.state.seed_orders(sample.orders)
    client = ShopifyClient(
        f"https://{emulator.config.domain}",
        DEFAULT_TOKEN,
        http=http,
        governor=CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
    )
    with http:
        yield client, emulator


def _read_orders(client: ShopifyClient) -> list:
    orders = []
    for node in client.iter_nodes("OrdersUpdatedSince", {"query": EVERYTHING}, "orders", page_size=3):
        more = []
        if (cursor := more_lines_cursor(node)) is not None:
            for page in client.iter_pages("OrderLineItems", {"id": node["id"]}, "order.lineItems", after=cursor):
                more += page.items
        orders.append(order_from_node(node, more))
    return orders


def _summary(order) -> tuple:
    lines = [(ln.sku, ln.quantity, ln.unit_price, ln.discount, ln.tax_rate or Decimal(0)) for ln in order.lines]
    return order.currency, order.total, order.shipping_total, order.tax_total, order.financial_status, lines


def test_every_seeded_order_is_read_once_through_tiny_pages_and_maps_to_the_same_order(shop, sample):
    client, _ = shop
    orders = _read_orders(client)

    assert sorted(o.name for o in orders) == sorted(o.name for o in sample.orders)
    seeded = {o.name: o for o in sample.orders}
    assert {o.name: _summary(o) for o in orders} == {name: _summary(o) for name, o in seeded.items()}


def test_the_same_orders_arrive_through_a_bulk_operation_with_their_lines(shop, sample, fake_time):
    client, _ = shop
    runner = BulkRunner(client, poll_interval=2.0, sleep=fake_time.sleep, clock=fake_time.clock)

    records = list(runner.run("OrdersBulk", {"query": EVERYTHING}))

    bulk = {o.name: _summary(o) for o in map(order_from_node, records)}
    assert bulk == {o.name: _summary(o) for o in sample.orders}


def test_inventory_set_with_a_repeated_idempotency_key_is_applied_once(shop):
    client, _ = shop
    location = next(client.iter_nodes("Locations", {}, "locations"))["id"]
    level = stock_from_level(
        next(client.iter_nodes("LocationInventoryLevels", {"locationId": location}, "location.inventoryLevels")),
        location,
    )

    def set_on_hand(quantity: int, scope: str) -> None:
        rows = [inventory_quantity(level.inventory_item_id, location, quantity)]
        key = idempotency_key("InventorySetQuantities", rows, scope=scope)
        result = run_batch(
            client,
            "InventorySetQuantities",
            rows,
            atomic=True,
            list_path=("quantities",),
            key=lambda r: level.sku,
            payload_path="inventorySetQuantities",
            variables=lambda batch: {"reason": "correction", "quantities": list(batch), "idempotencyKey": key},
        )
        assert result.errors == []

    def on_hand() -> int:
        node = next(
            n
            for n in client.iter_nodes("LocationInventoryLevels", {"locationId": location}, "location.inventoryLevels")
            if n["item"]["id"] == level.inventory_item_id
        )
        return stock_from_level(node, location).on_hand

    set_on_hand(41, scope="run-1")
    set_on_hand(7, scope="run-2")  # someone else's later change
    set_on_hand(41, scope="run-1")  # a retry of run 1's batch: Shopify answers the first result, applies nothing
    assert on_hand() == 7


def test_a_refused_record_is_named_and_the_rest_of_the_batch_is_applied(shop):
    client, _ = shop
    location = next(client.iter_nodes("Locations", {}, "locations"))["id"]
    levels = [
        stock_from_level(n, location)
        for n in client.iter_nodes("LocationInventoryLevels", {"locationId": location}, "location.inventoryLevels")
    ][:2]
    rows = [
        (levels[0].sku, inventory_quantity(levels[0].inventory_item_id, location, 5)),
        ("GHOST-SKU", inventory_quantity("gid://shopify/InventoryItem/999999", location, 5)),
        (levels[1].sku, inventory_quantity(levels[1].inventory_item_id, location, 6)),
    ]

    result = run_batch(
        client,
        "InventorySetQuantities",
        rows,
        atomic=True,
        list_path=("quantities",),
        key=lambda r: r[0],
        payload_path="inventorySetQuantities",
        variables=lambda batch: {
            "reason": "correction",
            "quantities": [q for _, q in batch],
            "idempotencyKey": idempotency_key("InventorySetQuantities", [q for _, q in batch], scope="run-1"),
        },
    )

    assert [(e.record, e.field, e.code) for e in result.errors] == [
        ("GHOST-SKU", "inventoryItemId", "INVALID_INVENTORY_ITEM")
    ]
    assert [sku for sku, _ in result.applied] == [levels[0].sku, levels[1].sku]


def test_throttling_and_server_errors_injected_by_the_emulator_are_survived(shop, sample, fake_time):
    client, emulator = shop
    emulator.set_faults(throttled=0.3, error_5xx=0.2, rate_429=0.1, seed=3)

    orders = _read_orders(client)

    assert sorted(o.name for o in orders) == sorted(o.name for o in sample.orders)
    assert fake_time.sleeps  # it did wait: throttles and back-offs happened


def test_a_wrong_token_is_an_authentication_error(shop):
    client, emulator = shop
    intruder = ShopifyClient(client.shop_url, "shpat_wrong", http=client.http, governor=CostGovernor())
    with pytest.raises(AuthenticationError) as caught:
        intruder.execute("Locations", {"first": 1})
    assert "shpat_wrong" not in str(caught.value)

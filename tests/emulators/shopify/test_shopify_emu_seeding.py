"""Seeding the shop from the domain models, including the sample-data generator's output."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import pytest
from shopify_emu_support import order_model, product_model

from domain import models as m


@pytest.fixture(scope="module")
def sample():
    from commerce_sync.samples.data import generate

    return generate(items=12, customers=5, orders=20, seed=3)


def test_sample_data_seeds_every_order_with_its_ids_lines_and_a_fulfillment_order(gql, shop, sample):
    locations = shop.seed_locations(sample.locations)
    assert list(locations) == [loc.erp_key for loc in sample.locations]
    shop.seed_products(sample.products)
    shop.seed_stock(sample.stock)
    made = shop.seed_orders(sample.orders, location_key=sample.locations[0].erp_key)
    assert made == [o.shop_id for o in sample.orders]
    first = sample.orders[0]
    body = gql(
        """query($id: ID!) { order(id: $id) { name totalPriceSet { shopMoney { amount } }
        totalTaxSet { shopMoney { amount } } lineItems(first: 10) { nodes { id sku variant { sku } } }
        transactions { id } fulfillmentOrders(first: 2) { nodes { assignedLocation { name } } } } }""",
        {"id": first.shop_id},
    )["data"]["order"]
    assert body["name"] == first.name
    assert Decimal(body["totalPriceSet"]["shopMoney"]["amount"]) == first.total
    assert [(li["id"], li["sku"], li["variant"]["sku"]) for li in body["lineItems"]["nodes"]] == [
        (line.shop_id, line.sku, line.sku) for line in first.lines
    ]
    assert [t["id"] for t in body["transactions"]] == [t.shop_id for t in first.transactions]
    assert body["fulfillmentOrders"]["nodes"] == [{"assignedLocation": {"name": sample.locations[0].name}}]


def test_seeded_stock_lands_on_the_level_of_its_sku_and_location(shop, sample):
    shop.seed_locations(sample.locations)
    shop.seed_products(sample.products)
    shop.seed_stock(sample.stock)
    level = next(s for s in sample.stock if s.quantity > 0)
    variant = next(shop.variants_with_sku(level.sku))
    location = next(loc for loc in shop.locations.values() if loc.key == level.location_key)
    assert shop.levels_of_item(variant.inventory_item_id)[location.id].quantity("available") == level.shop_quantity()


def test_stock_for_an_unknown_sku_names_it(shop):
    shop.seed_locations(["MAIN"])
    with pytest.raises(ValueError, match="'NOPE'"):
        shop.seed_stock([m.StockLevel(sku="NOPE", location_key="MAIN", quantity=Decimal("1"))])


def test_an_order_seeded_as_fulfilled_has_a_fulfillment_and_nothing_left_to_ship(gql, shop):
    shop.seed_products([product_model("P1")])
    shop.seed_orders([order_model(7, fulfillment_status=m.FulfillmentStatus.FULFILLED)])
    body = gql(
        '{ order(id: "gid://shopify/Order/7") { displayFulfillmentStatus fulfillments { name } '
        "fulfillmentOrders(first: 1) { nodes { status } } } }"
    )["data"]["order"]
    assert body == {
        "displayFulfillmentStatus": "FULFILLED",
        "fulfillments": [{"name": "#7-F1"}],
        "fulfillmentOrders": {"nodes": [{"status": "CLOSED"}]},
    }


def test_order_customers_are_matched_by_email_not_duplicated(shop):
    shop.seed_customers([m.Customer(email="ada@example.com", first_name="Ada")])
    shop.seed_orders([order_model(1, customer_email="ADA@example.com"), order_model(2, customer_email="b@x.com")])
    assert sorted(c.email for c in shop.customers.values()) == ["ada@example.com", "b@x.com"]
    assert shop.orders[1].customer_id == next(c.id for c in shop.customers.values() if c.email == "ada@example.com")


def test_tax_inclusive_orders_report_the_tax_contained_in_their_lines(gql, shop):
    shop.seed_products([product_model("P1")])
    shop.seed_orders([order_model(9)])  # 2 × 10.00 at 21 %, total 20.00: tax-inclusive
    body = gql('{ order(id: "gid://shopify/Order/9") { taxLines { rate priceSet { shopMoney { amount } } } } }')
    assert body["data"]["order"]["taxLines"] == [{"rate": 0.21, "priceSet": {"shopMoney": {"amount": "3.47"}}}]


def test_seeded_products_carry_parameters_as_custom_metafields_and_keep_their_updated_at(gql, shop):
    from datetime import datetime

    stamp = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    gid = shop.seed_products([product_model("P9", updated_at=stamp)])["P9"]
    body = gql(
        'query($id: ID!) { product(id: $id) { handle updatedAt metafield(namespace: "custom", '
        'key: "material") { value } } }',
        {"id": gid},
    )
    assert body["data"]["product"] == {
        "handle": "p9",
        "updatedAt": "2025-05-01T12:00:00Z",
        "metafield": {"value": "wool"},
    }


def test_the_emulate_command_seeds_the_sample_catalogue_it_is_asked_for(monkeypatch):
    from typer.testing import CliRunner

    import emulators.shopify
    from commerce_sync.cli import app as cli

    served = []
    monkeypatch.setattr(emulators.shopify, "serve", lambda **kwargs: served.append(kwargs["app"]))

    result = CliRunner().invoke(cli, ["emulate", "shopify", "--port", "9", "--seed-items", "5"])

    assert result.exit_code == 0, result.output
    state = served[0].state.emulator.state
    assert len(state.products) == 5
    assert state.locations and all(state.levels_of_item(v.inventory_item_id) for v in state.variants.values())
    assert "seeded 5 products" in result.output
    CliRunner().invoke(cli, ["emulate", "shopify", "--port", "9"])
    assert served[1].state.emulator.state.products == {}  # without the option the shop starts empty

"""The emulated shop's webhooks pass the receiver's checks: one event per change, whatever Shopify repeats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from commerce_sync.samples.data import generate
from commerce_sync.webhooks import create_receiver
from emulators.serving import in_process_client
from emulators.shopify import Emulator, EmulatorConfig, create_app, emulator_client, emulator_of
from emulators.shopify.webhooks import WebhookConfig

SECRET = "shpss_shared_between_shop_and_receiver"
SUBSCRIBE = """mutation($topic: WebhookSubscriptionTopic!) { webhookSubscriptionCreate(topic: $topic,
  webhookSubscription: {uri: "http://127.0.0.1/webhooks/acme"}) { userErrors { message } } }"""


@pytest.fixture
def app() -> Starlette:
    webhooks = WebhookConfig(secret=SecretStr(SECRET), duplicate_share=1.0, retry_delays=[0.01])
    return create_app(EmulatorConfig(record_dir=None, webhooks=webhooks))


@pytest.fixture
def emulator(app: Starlette) -> Iterator[Emulator]:
    emulator = emulator_of(app)
    yield emulator
    emulator.webhooks.close()


def connect(emulator: Emulator, receiver_secret: str) -> list[dict]:
    events: list[dict] = []
    receiver = create_receiver({"acme": SecretStr(receiver_secret)}, events.append)
    emulator.webhooks.http = in_process_client(receiver, "http://127.0.0.1")
    return events


def new_orders(app: Starlette, count: int) -> None:
    data = generate(items=3, customers=2, orders=count, seed=3)
    with emulator_client(app=app) as shop:
        for topic in ("ORDERS_CREATE", "ORDERS_UPDATED"):
            body = shop.post(
                "/admin/api/2026-04/graphql.json",
                json={"query": SUBSCRIBE, "variables": {"topic": topic}},
                headers={"X-Shopify-Access-Token": emulator_of(app).config.tokens[0].get_secret_value()},
            ).json()
            assert body["data"]["webhookSubscriptionCreate"]["userErrors"] == []
        seed = {
            "locations": [location.name for location in data.locations],
            "products": [p.model_dump(mode="json") for p in data.products],
            "orders": [o.model_dump(mode="json") for o in data.orders],
        }
        assert shop.post("/_emulator/seed", json=seed).status_code == 200


def test_each_new_order_becomes_one_event_though_every_webhook_arrives_twice(app, emulator):
    events = connect(emulator, SECRET)
    new_orders(app, 3)
    assert emulator.webhooks.wait_idle(10)
    assert [a.status for a in emulator.webhooks.attempts] == [200] * 6
    assert [e["event"] for e in events] == ["shopify.webhook.orders.create"] * 3
    assert sorted(e["payload"]["record"] for e in events) == sorted(
        f"gid://shopify/Order/{o}" for o in emulator.state.orders
    )


def test_webhooks_signed_with_another_secret_start_nothing(app, emulator):
    events = connect(emulator, "not-the-apps-secret")
    new_orders(app, 1)
    assert emulator.webhooks.wait_idle(10)
    assert {a.status for a in emulator.webhooks.attempts} == {401}  # refused, retried, refused again
    assert events == []

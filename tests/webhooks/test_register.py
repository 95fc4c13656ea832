"""`commerce-sync webhooks register` subscribes a shop once per topic, and says what Shopify refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from typer.testing import CliRunner

from blocks import ShopifyShop
from commerce_sync.cli import app as cli
from commerce_sync.webhooks import register_webhooks, subscription_uri
from commerce_sync.webhooks.register import RegistrationError
from connectors.shopify.client import ShopifyClient
from deployments.webhooks import WEBHOOK_TOPICS
from emulators.shopify import (
    DEFAULT_TOKEN,
    Emulator,
    EmulatorConfig,
    create_app,
    emulator_client,
    emulator_of,
    running_emulator,
)

SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2026-01-01", "syncHour": 2, "timeZone": "Europe/Prague"}


@pytest.fixture
def app() -> Starlette:
    return create_app(EmulatorConfig(shop_name="register-test", record_dir=None))


@pytest.fixture
def emulator(app: Starlette) -> Emulator:
    return emulator_of(app)


@pytest.fixture
def client(app: Starlette, emulator: Emulator) -> Iterator[ShopifyClient]:
    with emulator_client(app=app) as http:
        yield ShopifyClient(f"https://{emulator.config.domain}", DEFAULT_TOKEN, http=http)


def test_every_topic_is_subscribed_once_and_a_second_run_changes_nothing(client, emulator):
    uri = subscription_uri("https://hooks.example.com/", "acme")
    assert uri == "https://hooks.example.com/webhooks/acme"
    first = register_webhooks(client, uri, list(WEBHOOK_TOPICS))
    assert [(s.topic, s.created) for s in first] == [(t, True) for t in WEBHOOK_TOPICS]
    again = register_webhooks(client, uri, list(WEBHOOK_TOPICS))
    assert [(s.topic, s.id, s.created) for s in again] == [(s.topic, s.id, False) for s in first]
    subscriptions = emulator.state.webhooks.subscriptions.values()
    assert sorted(s.topic for s in subscriptions) == sorted(t.replace("/", "_").upper() for t in WEBHOOK_TOPICS)
    assert {s.uri for s in subscriptions} == {uri}


def test_a_refused_subscription_names_the_topic_and_shopifys_reason(client):
    with pytest.raises(RegistrationError, match=r"orders/create subscription to http://hooks\.example\.com.*uri"):
        register_webhooks(client, "http://hooks.example.com/webhooks/acme", ["orders/create"])


def test_the_command_registers_the_shops_webhooks_and_reminds_of_the_secret(monkeypatch):
    app = create_app(EmulatorConfig(shop_name="register-cli", record_dir=None))
    with running_emulator(app=app) as base_url:
        block = ShopifyShop(
            shop_url=base_url, access_token=DEFAULT_TOKEN, schedule=SCHEDULE, erp_block="erp-database/x"
        )
        monkeypatch.setattr(ShopifyShop, "load", classmethod(lambda cls, name: block))
        args = ["webhooks", "register", "--shop", "acme", "--address", "https://hooks.example.com"]
        first = CliRunner().invoke(cli, args)
        assert first.exit_code == 0, first.output
        assert "subscribed: orders/create -> https://hooks.example.com/webhooks/acme" in first.output
        assert "set webhook_secret on the acme block" in first.output
        again = CliRunner().invoke(cli, [*args, "--topic", "refunds/create"])
        assert (
            again.output.splitlines()[0]
            == "already subscribed: refunds/create -> https://hooks.example.com/webhooks/acme"
        )
        refused = CliRunner().invoke(cli, [*args[:-1], "http://hooks.example.com"])
        assert refused.exit_code == 1 and "Shopify refused the orders/create subscription" in refused.output
        unknown = CliRunner().invoke(cli, [*args, "--topic", "carts/create"])
        assert unknown.exit_code != 0 and "carts/create" in unknown.output
    assert len(emulator_of(app).state.webhooks.subscriptions) == len(WEBHOOK_TOPICS)

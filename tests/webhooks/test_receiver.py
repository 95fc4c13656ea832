"""The receiver takes only Shopify's signed, new webhooks, and turns each into one Prefect event."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

import httpx
import pytest
from pydantic import SecretStr

from commerce_sync.webhooks import RecentIds, create_receiver, sign, verify
from deployments.webhooks import event_name, shop_resource_id
from emulators.serving import in_process_client

SECRET = "shpss_test_client_secret_0001"
BODY = json.dumps({"id": 1001, "admin_graphql_api_id": "gid://shopify/Order/1001", "email": "jana@example.com"})


def headers(body: str = BODY, *, topic: str = "orders/create", webhook_id: str = "wh-1", secret: str = SECRET) -> dict:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": "acme.myshopify.com",
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": "ev-1",
        "X-Shopify-Triggered-At": "2026-03-01T10:00:00Z",
    }


@pytest.fixture
def events() -> list[dict]:
    return []


@pytest.fixture
def client(events: list[dict]) -> httpx.Client:
    receiver = create_receiver({"acme": SecretStr(SECRET), "other": SecretStr("another-secret")}, events.append)
    return in_process_client(receiver, "http://receiver")


def test_a_signed_webhook_becomes_one_event_naming_the_shop_and_topic(client, events):
    answer = client.post("/webhooks/acme", content=BODY, headers=headers())
    assert (answer.status_code, answer.json()) == (200, {"status": "accepted"})
    [event] = events
    assert event["event"] == event_name("orders/create") == "shopify.webhook.orders.create"
    assert event["resource"]["prefect.resource.id"] == shop_resource_id("acme") == "shopify.shop.acme"
    assert event["resource"]["shopify.shop-domain"] == "acme.myshopify.com"
    assert event["payload"] == {
        "topic": "orders/create",
        "webhook_id": "wh-1",
        "shopify_event_id": "ev-1",
        "triggered_at": "2026-03-01T10:00:00Z",
        "api_version": "2026-04",
        "record": "gid://shopify/Order/1001",
    }
    assert "jana@example.com" not in json.dumps(event, default=str)  # ids only: the body stays out of Prefect


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h: h | {"X-Shopify-Hmac-Sha256": base64.b64encode(b"x" * 32).decode()}, id="bad"),
        pytest.param(lambda h: {k: v for k, v in h.items() if k != "X-Shopify-Hmac-Sha256"}, id="missing"),
        pytest.param(lambda h: h | {"X-Shopify-Hmac-Sha256": "not base64!"}, id="malformed"),
        pytest.param(lambda h: headers(secret="another-secret"), id="another-shops-secret"),
    ],
)
def test_a_bad_or_missing_signature_is_401_and_logged_without_the_body(client, events, caplog, tamper):
    with caplog.at_level(logging.INFO, logger="commerce_sync.webhooks"):
        answer = client.post("/webhooks/acme", content=BODY, headers=tamper(headers()))
    assert answer.status_code == 401
    assert events == []
    assert "refused a webhook for shop 'acme', topic 'orders/create'" in caplog.text
    assert "jana@example.com" not in caplog.text and SECRET not in caplog.text


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json(client, events):
    reformatted = json.dumps(json.loads(BODY), indent=2)  # same JSON, other bytes
    assert client.post("/webhooks/acme", content=reformatted, headers=headers()).status_code == 401
    assert events == []


def test_an_unknown_shop_is_refused_like_a_bad_signature(client, events):
    assert client.post("/webhooks/nobody", content=BODY, headers=headers()).status_code == 401
    assert events == []


def test_a_replayed_webhook_id_is_acknowledged_and_ignored(client, events):
    assert client.post("/webhooks/acme", content=BODY, headers=headers()).json() == {"status": "accepted"}
    replay = client.post("/webhooks/acme", content=BODY, headers=headers())
    assert (replay.status_code, replay.json()) == (200, {"status": "duplicate"})
    assert len(events) == 1
    client.post("/webhooks/acme", content=BODY, headers=headers(webhook_id="wh-2"))
    assert [e["payload"]["webhook_id"] for e in events] == ["wh-1", "wh-2"]


def test_a_forged_webhook_cannot_make_the_receiver_drop_the_real_one_later(client, events):
    forged = headers() | {"X-Shopify-Hmac-Sha256": sign(b"other", SecretStr(SECRET))}
    assert client.post("/webhooks/acme", content=BODY, headers=forged).status_code == 401
    assert client.post("/webhooks/acme", content=BODY, headers=headers()).json() == {"status": "accepted"}
    assert len(events) == 1


def test_a_topic_no_trigger_uses_is_acknowledged_without_an_event(client, events):
    answer = client.post("/webhooks/acme", content=BODY, headers=headers(topic="customers/create"))
    assert (answer.status_code, answer.json()) == (200, {"status": "ignored"})
    assert events == []


def test_the_same_webhook_always_gets_the_same_event_id_so_prefect_drops_a_forgotten_repeat(events):
    for _ in range(2):  # two receivers: the second has no memory of the first delivery
        in_process_client(create_receiver({"acme": SecretStr(SECRET)}, events.append), "http://r").post(
            "/webhooks/acme", content=BODY, headers=headers()
        )
    assert len(events) == 2 and events[0]["id"] == events[1]["id"]
    other_shop = in_process_client(create_receiver({"other": SecretStr(SECRET)}, events.append), "http://r")
    other_shop.post("/webhooks/other", content=BODY, headers=headers())
    assert events[2]["id"] != events[0]["id"]


def test_sign_and_verify_agree_with_shopifys_definition():
    secret = SecretStr("hush")
    expected = base64.b64encode(hmac.new(b"hush", b'{"a":1}', hashlib.sha256).digest()).decode()
    assert sign(b'{"a":1}', secret) == expected
    assert verify(b'{"a":1}', expected, secret)
    assert not verify(b'{"a":2}', expected, secret)
    assert not verify(b'{"a":1}', None, secret)
    assert not verify(b'{"a":1}', "", secret)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_remembered_ids_expire_and_the_memory_stays_bounded():
    clock = Clock()
    memory = RecentIds(ttl_seconds=60, max_ids=3, clock=clock)
    assert memory.first_time("a") and not memory.first_time("a")
    clock.now = 61
    assert memory.first_time("a")  # forgotten after the TTL
    for key in "bcd":
        memory.first_time(key)
    assert len(memory) == 3
    assert memory.first_time("a")  # the oldest went first when the bound was reached

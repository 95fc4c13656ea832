"""The emulated shop takes webhook subscriptions and delivers signed webhooks for its writes, at least once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from shopify_emu_support import order_model

from emulators.shopify import Emulator
from emulators.shopify.webhooks import DEFAULT_WEBHOOK_SECRET, WebhookConfig

ADDRESS = "https://hooks.example.com/webhooks/acme"
SUBSCRIBE = """mutation($topic: WebhookSubscriptionTopic!, $uri: String) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri format } userErrors { field message } } }"""
LIST = """query($uri: String) { webhookSubscriptions(first: 10, uri: $uri) { nodes { id topic uri } } }"""
CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: false) {
  job { id } orderCancelUserErrors { message } } }"""
JOB = "query($id: ID!) { job(id: $id) { done } }"


def cancel(gql: Callable[..., dict], order_id: str) -> None:
    """Cancels an order and polls its job until done: the cancellation (and its webhooks) happens then."""
    job = gql(CANCEL, {"id": order_id})["data"]["orderCancel"]["job"]
    for _ in range(10):
        if gql(JOB, {"id": job["id"]})["data"]["job"]["done"]:
            return
    raise AssertionError(f"the cancel job of {order_id} never finished")


class Inbox:
    """A receiver that records each request and answers the statuses it was given, then 200."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            self.requests.append(request)
            return httpx.Response(self.statuses.pop(0) if self.statuses else 200)

    def topics(self) -> list[tuple[str, int]]:
        """(topic, id of the record) of each request, in arrival order."""
        return [(r.headers["x-shopify-topic"], json.loads(r.content)["id"]) for r in self.requests]


@pytest.fixture
def inbox(emulator: Emulator) -> Iterator[Inbox]:
    box = Inbox()
    emulator.webhooks.http = httpx.Client(transport=httpx.MockTransport(box.handle))
    yield box
    emulator.webhooks.close()


def subscribe(gql, *topics: str, uri: str = ADDRESS) -> None:
    for topic in topics:
        assert gql(SUBSCRIBE, {"topic": topic, "uri": uri})["data"]["webhookSubscriptionCreate"]["userErrors"] == []


def delivered(emulator: Emulator, inbox: Inbox) -> list[tuple[str, int]]:
    assert emulator.webhooks.wait_idle(10)
    return inbox.topics()


def test_a_subscription_is_listed_and_a_duplicate_or_non_https_address_is_refused(gql):
    made = gql(SUBSCRIBE, {"topic": "ORDERS_CREATE", "uri": ADDRESS})["data"]["webhookSubscriptionCreate"]
    assert made["webhookSubscription"]["topic"] == "ORDERS_CREATE"
    assert made["webhookSubscription"]["format"] == "JSON"
    again = gql(SUBSCRIBE, {"topic": "ORDERS_CREATE", "uri": ADDRESS})["data"]["webhookSubscriptionCreate"]
    assert again["userErrors"] == [
        {"field": ["webhookSubscription", "uri"], "message": "Address for this topic has already been taken"}
    ]
    for bad in ("http://hooks.example.com/x", "", None):
        refused = gql(SUBSCRIBE, {"topic": "ORDERS_UPDATED", "uri": bad})["data"]["webhookSubscriptionCreate"]
        assert refused["webhookSubscription"] is None and refused["userErrors"][0]["field"] == [
            "webhookSubscription",
            "uri",
        ]
    subscribe(gql, "ORDERS_UPDATED", uri="http://127.0.0.1:9/webhooks/acme")  # a local receiver may be plain HTTP
    listed = gql(LIST, {"uri": ADDRESS})["data"]["webhookSubscriptions"]["nodes"]
    assert [(n["topic"], n["uri"]) for n in listed] == [("ORDERS_CREATE", ADDRESS)]


def test_a_new_order_is_delivered_signed_with_shopifys_headers(gql, client, seeded, emulator, inbox):
    subscribe(gql, "ORDERS_CREATE", "ORDERS_UPDATED")
    seeded_order = order_model(1004).model_dump(mode="json")
    assert client.post("/_emulator/seed", json={"orders": [seeded_order], "location_key": "MAIN"}).status_code == 200
    assert delivered(emulator, inbox) == [("orders/create", 1004)]  # a new order is not also "updated"
    request = inbox.requests[0]
    expected = hmac.new(DEFAULT_WEBHOOK_SECRET.encode(), request.content, hashlib.sha256).digest()
    assert base64.b64decode(request.headers["x-shopify-hmac-sha256"]) == expected
    assert request.headers["x-shopify-shop-domain"] == emulator.config.domain
    assert request.headers["x-shopify-api-version"] == "2026-04"
    assert request.headers["x-shopify-webhook-id"] and request.headers["x-shopify-event-id"]
    assert request.headers["x-shopify-triggered-at"].startswith("2026-03-01")
    assert json.loads(request.content)["admin_graphql_api_id"] == "gid://shopify/Order/1004"
    assert str(request.url) == ADDRESS


def test_a_cancellation_and_a_refund_raise_their_topics_and_orders_updated(gql, seeded, emulator, inbox):
    subscribe(gql, "ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE", "PRODUCTS_UPDATE")
    cancel(gql, "gid://shopify/Order/1003")
    assert sorted(delivered(emulator, inbox)) == [("orders/cancelled", 1003), ("orders/updated", 1003)]
    refund = """mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "r-1") {
        refund { id } userErrors { message } } }"""
    transaction = {"orderId": "gid://shopify/Order/1001", "kind": "REFUND", "gateway": "manual", "amount": "5.00"}
    made = gql(refund, {"input": {"orderId": "gid://shopify/Order/1001", "transactions": [transaction]}})
    refund_id = int(made["data"]["refundCreate"]["refund"]["id"].rsplit("/", 1)[1])
    assert sorted(delivered(emulator, inbox)[2:]) == [("orders/updated", 1001), ("refunds/create", refund_id)]
    refunds = [r for r in inbox.requests if r.headers["x-shopify-topic"] == "refunds/create"]
    assert json.loads(refunds[0].content)["order_id"] == 1001
    cancel(gql, "gid://shopify/Order/1002")  # 1003 is not cancelled again
    assert sorted(delivered(emulator, inbox)[4:]) == [("orders/cancelled", 1002), ("orders/updated", 1002)]


def test_a_product_edit_raises_products_update_and_an_order_write_does_not(gql, seeded, emulator, inbox):
    subscribe(gql, "PRODUCTS_UPDATE")
    cancel(gql, "gid://shopify/Order/1003")
    product = seeded.products["P1"]
    gql(
        'mutation($id: ID!) { productUpdate(product: {id: $id, title: "Renamed"}) { userErrors { message } } }',
        {"id": product},
    )
    assert delivered(emulator, inbox) == [("products/update", int(product.rsplit("/", 1)[1]))]
    assert json.loads(inbox.requests[0].content)["title"] == "Renamed"


def test_without_a_subscription_nothing_is_sent(gql, seeded, emulator, inbox):
    cancel(gql, "gid://shopify/Order/1003")
    assert emulator.webhooks.publish() == 0
    assert delivered(emulator, inbox) == []


def test_a_duplicated_delivery_keeps_its_webhook_id_and_body(gql, seeded, emulator, inbox):
    emulator.webhooks.config = WebhookConfig(duplicate_share=1.0)
    subscribe(gql, "ORDERS_CANCELLED")
    cancel(gql, "gid://shopify/Order/1003")
    assert delivered(emulator, inbox) == [("orders/cancelled", 1003)] * 2
    first, second = inbox.requests
    assert first.headers["x-shopify-webhook-id"] == second.headers["x-shopify-webhook-id"]
    assert first.content == second.content


def test_a_failed_delivery_is_retried_with_the_same_id_and_payload(gql, seeded, emulator, inbox):
    emulator.webhooks.config = WebhookConfig(retry_delays=[0.01, 0.01])
    inbox.statuses = [500, 503]
    subscribe(gql, "ORDERS_CANCELLED")
    cancel(gql, "gid://shopify/Order/1003")
    assert delivered(emulator, inbox) == [("orders/cancelled", 1003)] * 3
    assert len({r.headers["x-shopify-webhook-id"] for r in inbox.requests}) == 1
    assert [a.status for a in emulator.webhooks.attempts] == [500, 503, 200]

"""ShopifyClient: request shape, throttling, retries, authentication, errors, and secrecy of the token."""

from __future__ import annotations

import logging

import httpx
import pytest

from connectors.shopify.client import RetryPolicy, ShopifyClient, normalise_shop_url
from connectors.shopify.errors import (
    AccessDenied,
    AuthenticationError,
    ConnectionFailed,
    Fatal,
    HttpError,
    MaxCostExceeded,
    OperationError,
    QueryError,
    RequestTimeout,
    Retriable,
    ServerError,
    Throttled,
)
from connectors.shopify.testing import ENDPOINT, TOKEN, ScriptedShop, cost_extensions, ok, throttled

ORDER = {"order": {"id": "gid://shopify/Order/1", "name": "#1001"}}
QUANTITIES = {
    "reason": "correction",
    "quantities": [
        {
            "inventoryItemId": "gid://shopify/InventoryItem/1",
            "locationId": "gid://shopify/Location/1",
            "quantity": 5,
            "changeFromQuantity": None,
        }
    ],
    "idempotencyKey": "k-1",
}
FULFILLMENT = {
    "fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1"}]}
}


def test_a_query_is_posted_to_the_pinned_version_with_the_token_header(make_client):
    shop = ScriptedShop([ok(ORDER)])
    client = make_client(shop)

    data = client.execute("Order", {"id": "gid://shopify/Order/1"})

    assert data == ORDER
    assert shop.urls == [ENDPOINT]
    assert shop.headers[0]["X-Shopify-Access-Token"] == TOKEN
    assert shop.operations == ["Order"] and shop.variables == [{"id": "gid://shopify/Order/1"}]
    assert shop.requests[0]["query"].startswith("query Order($id: ID!)")


def test_the_api_version_is_configurable(make_client):
    shop = ScriptedShop([ok(ORDER)])
    make_client(shop, api_version="2026-07").execute("Order", {"id": "gid://shopify/Order/1"})
    assert shop.urls == ["https://demo-shop.myshopify.com/admin/api/2026-07/graphql.json"]


@pytest.mark.parametrize("version", ["2026-4", "2026-05", "latest"])
def test_a_malformed_api_version_is_refused(make_client, version):
    with pytest.raises(ValueError, match="api_version"):
        make_client(ScriptedShop(), api_version=version)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("demo.myshopify.com", "https://demo.myshopify.com"),
        ("https://Demo.myshopify.com/", "https://demo.myshopify.com"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
    ],
)
def test_shop_urls_are_normalised(given, expected):
    assert normalise_shop_url(given) == expected


@pytest.mark.parametrize("given", ["https://evil.example.com", "http://demo.myshopify.com", "http://127.0.0.1"])
def test_a_shop_url_that_is_neither_myshopify_nor_loopback_is_refused(given):
    with pytest.raises(ValueError, match="shop|loopback"):
        normalise_shop_url(given)


def test_a_throttled_200_is_waited_out_from_throttle_status_and_retried(make_client, fake_time):
    shop = ScriptedShop([throttled(requested=148, available=48, rate=50), ok(ORDER)])
    client = make_client(shop)

    assert client.execute("Order", {"id": "gid://shopify/Order/1"}) == ORDER

    assert shop.operations == ["Order", "Order"]
    assert fake_time.sleeps == [pytest.approx((148 - 48) / 50)]  # (requested − available) / restoreRate


def test_repeated_throttling_is_retried_until_it_succeeds(make_client, fake_time):
    shop = ScriptedShop([throttled(requested=148, available=0, rate=100)] * 4 + [ok(ORDER)])
    assert make_client(shop).execute("Order", {"id": "x"}) == ORDER
    assert len(shop.requests) == 5 and all(s >= 1.0 for s in fake_time.sleeps)


def test_http_429_honours_retry_after(make_client, fake_time):
    shop = ScriptedShop([httpx.Response(429, headers={"Retry-After": "4"}, text="Too Many Requests"), ok(ORDER)])
    assert make_client(shop).execute("Order", {"id": "x"}) == ORDER
    assert fake_time.slept >= 4.0 and len(shop.requests) == 2


def test_a_retry_after_longer_than_the_policy_allows_is_raised_for_the_caller_to_reschedule(make_client, fake_time):
    shop = ScriptedShop([httpx.Response(429, headers={"Retry-After": "3600"})])
    with pytest.raises(Throttled) as caught:
        make_client(shop, retry=RetryPolicy(max_retry_after=120)).execute("Order", {"id": "x"})
    assert caught.value.retry_after == 3600 and fake_time.slept < 3600


def test_http_429_without_retry_after_waits_a_second_and_retries(make_client, fake_time):
    shop = ScriptedShop([httpx.Response(429), ok(ORDER)])
    assert make_client(shop).execute("Order", {"id": "x"}) == ORDER
    assert fake_time.slept >= 1.0


def test_throttling_that_never_ends_raises_throttled_which_is_retriable(make_client):
    shop = ScriptedShop([throttled()] * 4)
    client = make_client(shop, retry=RetryPolicy(max_throttled=3))
    with pytest.raises(Throttled) as caught:
        client.execute("Order", {"id": "x"})
    assert isinstance(caught.value, Retriable) and len(shop.requests) == 4


def test_server_errors_back_off_exponentially_then_raise_a_retriable_error(make_client, fake_time):
    shop = ScriptedShop([httpx.Response(503)] * 4)
    client = make_client(shop, retry=RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_cap=30))

    with pytest.raises(ServerError) as caught:
        client.execute("Order", {"id": "x"})

    assert isinstance(caught.value, Retriable) and caught.value.status == 503
    assert len(shop.requests) == 4
    assert fake_time.sleeps == pytest.approx([0.375, 0.75, 1.5])  # rng 0.5: ¾ of 0.5, 1, 2 s


def test_back_off_is_capped(make_client, fake_time):
    shop = ScriptedShop([httpx.Response(500)] * 6)
    client = make_client(shop, retry=RetryPolicy(max_attempts=6, backoff_base=10, backoff_cap=15))
    with pytest.raises(ServerError):
        client.execute("Order", {"id": "x"})
    assert max(fake_time.sleeps) <= 15


def test_jitter_keeps_back_off_between_half_and_all_of_the_step():
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=60)
    assert policy.backoff(3, lambda: 0.0) == 2.0 and policy.backoff(3, lambda: 0.999) == pytest.approx(3.998)


def test_a_server_error_then_success_returns_the_data(make_client):
    shop = ScriptedShop([httpx.Response(502), ok(ORDER)])
    assert make_client(shop).execute("Order", {"id": "x"}) == ORDER


def test_timeouts_are_retried_then_raised_as_retriable(make_client):
    timeout = httpx.ReadTimeout("read timed out")
    shop = ScriptedShop([timeout] * 3)
    with pytest.raises(RequestTimeout):
        make_client(shop, retry=RetryPolicy(max_attempts=3)).execute("Order", {"id": "x"})
    assert len(shop.requests) == 3


def test_connection_errors_are_retried(make_client):
    shop = ScriptedShop([httpx.ConnectError("refused"), ok(ORDER)])
    assert make_client(shop).execute("Order", {"id": "x"}) == ORDER


def test_a_connection_that_keeps_failing_raises_connection_failed_which_is_retriable(make_client):
    shop = ScriptedShop([httpx.ConnectError("refused")] * 2)
    with pytest.raises(ConnectionFailed) as caught:
        make_client(shop, retry=RetryPolicy(max_attempts=2)).execute("Order", {"id": "x"})
    assert isinstance(caught.value, Retriable) and TOKEN not in str(caught.value)


def test_a_create_mutation_is_not_repeated_after_a_response_that_may_have_applied_it(make_client):
    shop = ScriptedShop([httpx.Response(503)])
    with pytest.raises(ServerError):
        make_client(shop).execute("FulfillmentCreate", FULFILLMENT)
    assert len(shop.requests) == 1


def test_a_create_mutation_is_not_repeated_after_a_read_timeout(make_client):
    shop = ScriptedShop([httpx.ReadTimeout("timed out")])
    with pytest.raises(RequestTimeout):
        make_client(shop).execute("FulfillmentCreate", FULFILLMENT)
    assert len(shop.requests) == 1


def test_a_create_mutation_is_retried_when_the_connection_was_never_made(make_client):
    shop = ScriptedShop([httpx.ConnectError("refused"), ok({"fulfillmentCreate": {"userErrors": []}})])
    make_client(shop).execute("FulfillmentCreate", FULFILLMENT)
    assert len(shop.requests) == 2


def test_an_idempotent_mutation_is_retried_with_the_same_key(make_client):
    payload = {"inventorySetQuantities": {"inventoryAdjustmentGroup": {"id": "g"}, "userErrors": []}}
    shop = ScriptedShop([httpx.Response(503), ok(payload)])
    make_client(shop).execute("InventorySetQuantities", QUANTITIES)
    assert [v["idempotencyKey"] for v in shop.variables] == ["k-1", "k-1"]


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_raises_authentication_error_at_once_without_the_token(make_client, status):
    body = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    shop = ScriptedShop([httpx.Response(status, json=body)])
    client = make_client(shop)

    with pytest.raises(AuthenticationError) as caught:
        client.execute("Order", {"id": "x"})

    assert isinstance(caught.value, Fatal) and caught.value.status == status
    assert len(shop.requests) == 1
    assert TOKEN not in str(caught.value) and "access token" in str(caught.value)


def test_a_token_echoed_in_an_error_body_is_scrubbed(make_client):
    shop = ScriptedShop([httpx.Response(401, text=f"bad token {TOKEN}")])
    with pytest.raises(AuthenticationError) as caught:
        make_client(shop).execute("Order", {"id": "x"})
    assert TOKEN not in str(caught.value) and "***" in str(caught.value)


def test_the_token_never_appears_in_the_clients_repr_or_logs(make_client, caplog):
    caplog.set_level(logging.DEBUG)
    shop = ScriptedShop([throttled(), httpx.Response(500), httpx.ReadTimeout("slow"), ok(ORDER)])
    client = make_client(shop)
    client.execute("Order", {"id": "x"})
    assert TOKEN not in repr(client) and TOKEN not in str(vars(client).get("_token"))
    assert TOKEN not in caplog.text


def test_access_denied_is_an_authentication_error(make_client):
    body = {"errors": [{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}]}
    with pytest.raises(AccessDenied, match="missing scope"):
        make_client(ScriptedShop([httpx.Response(200, json=body)])).execute("Order", {"id": "x"})


def test_graphql_errors_raise_query_error_keeping_partial_data_and_are_not_retried(make_client):
    body = {"data": {"order": None}, "errors": [{"message": "Invalid id: x", "path": ["order"]}]}
    shop = ScriptedShop([httpx.Response(200, json=body)])
    with pytest.raises(QueryError, match="Invalid id") as caught:
        make_client(shop).execute("Order", {"id": "x"})
    assert caught.value.data == {"order": None} and len(shop.requests) == 1


def test_a_query_over_the_cost_cap_is_a_fatal_max_cost_error(make_client):
    body = {
        "errors": [
            {
                "message": "Query cost is 1723, which exceeds the single query max cost limit (1000).",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 1723, "maxCost": 1000},
            }
        ]
    }
    with pytest.raises(MaxCostExceeded, match="1723"):
        make_client(ScriptedShop([httpx.Response(200, json=body)])).execute("Order", {"id": "x"})


def test_an_unexpected_status_is_a_fatal_http_error(make_client):
    with pytest.raises(HttpError) as caught:
        make_client(ScriptedShop([httpx.Response(404, text="Not Found")])).execute("Order", {"id": "x"})
    assert caught.value.status == 404 and isinstance(caught.value, Fatal)


def test_variables_the_document_does_not_declare_are_refused_before_sending(make_client):
    shop = ScriptedShop()
    with pytest.raises(OperationError, match="ordr_id"):
        make_client(shop).execute("Order", {"ordr_id": "x"})
    assert shop.requests == []


def test_an_idempotent_mutation_without_a_key_is_refused_before_sending(make_client):
    shop = ScriptedShop()
    with pytest.raises(OperationError, match="idempotencyKey"):
        make_client(shop).execute("InventorySetQuantities", {**QUANTITIES, "idempotencyKey": "  "})
    assert shop.requests == []


def test_an_input_list_over_250_items_is_refused_before_sending(make_client):
    shop = ScriptedShop()
    too_many = QUANTITIES["quantities"] * 251
    with pytest.raises(OperationError, match="250"):
        make_client(shop).execute("InventorySetQuantities", {**QUANTITIES, "quantities": too_many})
    assert shop.requests == []


def test_every_response_corrects_the_shops_governor(make_client):
    shop = ScriptedShop([ok(ORDER, requested=148, actual=12, available=3988, maximum=4000, rate=200)])
    client = make_client(shop)
    client.execute("Order", {"id": "x"})
    snapshot = client.governor.snapshot()
    assert (snapshot["maximum"], snapshot["available"], snapshot["restore_rate"]) == (4000, 3988, 200)


def test_the_cost_reported_by_shopify_is_reserved_next_time_instead_of_the_declared_one(make_client):
    shop = ScriptedShop([ok(ORDER, requested=37)])
    client = make_client(shop)
    assert client.estimated_cost("Order", {"id": "x"}) == client.operations.get("Order").cost  # its "# cost:" line
    client.execute("Order", {"id": "x"})
    assert client.estimated_cost("Order", {"id": "y"}) == 37


def test_clients_of_one_shop_share_one_governor():
    http = httpx.Client(transport=httpx.MockTransport(ScriptedShop()))
    a = ShopifyClient("shared.myshopify.com", TOKEN, http=http)
    b = ShopifyClient("https://shared.myshopify.com", TOKEN, http=http)
    assert a.governor is b.governor


def test_a_bulk_only_document_cannot_be_run_as_a_plain_query(make_client):
    with pytest.raises(OperationError, match="bulk"):
        make_client(ScriptedShop()).execute("OrdersBulk", {"query": "status:open"})


def test_extensions_are_available_with_request(make_client):
    shop = ScriptedShop([ok(ORDER, requested=20)])
    response = make_client(shop).request("Order", {"id": "x"})
    assert response.extensions == cost_extensions(requested=20)

"""The leaky bucket per access token: reserve the requested cost, refund to the actual, THROTTLED when short."""

from __future__ import annotations

import pytest
from shopify_emu_support import post

from emulators.shopify import EmulatorConfig, FakeClock
from emulators.shopify.bucket import LeakyBucket

PAGE = "{ products(first: 40) { nodes { id } } }"  # requests 42


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(
        record_dir=None, bucket_size=100, restore_rate=10, tokens=["token-a", "token-b"], cost_model="pessimistic"
    )  # linear costs keep the arithmetic below readable


def test_an_empty_bucket_answers_throttled_without_data_and_runs_nothing(client, seeded):
    assert (
        post(client, PAGE, token="token-a").json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 95
    )  # 42 reserved, 37 refunded: three products cost 5
    big = "{ products(first: 98) { nodes { id } } }"  # requests 100
    response = post(client, big, token="token-a")
    body = response.json()
    assert response.status_code == 200
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": 100,
        "actualQueryCost": None,
        "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 95, "restoreRate": 10},
    }


def test_the_bucket_restores_at_the_restore_rate(client, seeded, clock: FakeClock):
    big = "{ products(first: 98) { nodes { id } } }"
    assert "data" in post(client, big, token="token-a").json()  # 100 reserved, 95 refunded → 95 left
    assert post(client, big, token="token-a").json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    clock.advance(0.5)  # +5 points
    body = post(client, big, token="token-a").json()
    assert "data" in body
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 95


def test_a_mutation_that_throttles_changes_nothing(client, seeded, emulator, shop):
    assert emulator.buckets.for_token("token-a").try_reserve(95)  # another worker spent the budget
    tagging = 'mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["late"]) { userErrors { message } } }'
    body = post(client, tagging, token="token-a").json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 11
    assert shop.orders[1001].tags == []


def test_each_token_has_its_own_bucket(client, seeded):
    big = "{ products(first: 98) { nodes { id } } }"
    post(client, big, token="token-a")
    assert post(client, big, token="token-a").json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "data" in post(client, big, token="token-b").json()


def test_refunds_never_overfill_the_bucket():
    clock = FakeClock()
    bucket = LeakyBucket(50, 5, clock)
    assert bucket.try_reserve(30)
    bucket.refund(100)
    assert bucket.status().currently_available == 50
    clock.advance(3600)
    assert bucket.status().currently_available == 50

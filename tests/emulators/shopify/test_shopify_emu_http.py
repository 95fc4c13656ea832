"""The HTTP surface: auth, versions, bodies, seeded faults, recording, admin endpoints, the threaded server."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest
from shopify_emu_support import GRAPHQL_PATH, order_model, post, product_model

from emulators.shopify import DEFAULT_TOKEN, EmulatorConfig, FaultConfig, create_app, emulator_client, running_emulator
from emulators.shopify.faults import FaultInjector
from emulators.shopify.recording import REDACTED

SHOP = "{ shop { name myshopifyDomain } }"


def test_a_wrong_token_gets_401_with_shopifys_message(client):
    response = post(client, SHOP, token="shpat_wrong")
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    assert client.post(GRAPHQL_PATH, json={"query": SHOP}).status_code == 401


def test_a_retired_api_version_falls_forward_to_the_oldest_supported_and_says_so(client):
    response = client.post(
        "/admin/api/2025-01/graphql.json", json={"query": SHOP}, headers={"X-Shopify-Access-Token": DEFAULT_TOKEN}
    )
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2026-04"
    assert response.json()["data"]["shop"]["name"]


def test_a_supported_api_version_is_served_as_asked_and_the_oldest_is_the_fall_forward_target():
    config = EmulatorConfig(record_dir=None, supported_api_versions=["2026-07", "2026-04", "2026-01"])
    headers = {"X-Shopify-Access-Token": DEFAULT_TOKEN}
    with emulator_client(config) as client:
        asked = client.post("/admin/api/2026-07/graphql.json", json={"query": SHOP}, headers=headers)
        retired = client.post("/admin/api/2025-10/graphql.json", json={"query": SHOP}, headers=headers)
    assert asked.headers["X-Shopify-API-Version"] == "2026-07"
    assert retired.headers["X-Shopify-API-Version"] == "2026-01"


def test_a_path_that_is_no_api_version_is_a_404(client):
    response = client.post(
        "/admin/api/latest/graphql.json", json={"query": SHOP}, headers={"X-Shopify-Access-Token": DEFAULT_TOKEN}
    )
    assert response.status_code == 404


def test_a_body_without_a_query_is_a_400(client):
    response = client.post(
        GRAPHQL_PATH,
        content=b"{not json",
        headers={"X-Shopify-Access-Token": DEFAULT_TOKEN, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


def test_an_application_graphql_body_is_accepted(client):
    response = client.post(
        GRAPHQL_PATH,
        content=SHOP.encode(),
        headers={"X-Shopify-Access-Token": DEFAULT_TOKEN, "Content-Type": "application/graphql"},
    )
    assert response.json()["data"]["shop"] == {
        "name": "commerce-sync-demo",
        "myshopifyDomain": "commerce-sync-demo.myshopify.com",
    }


def test_validation_errors_come_back_as_shopify_words_them(gql):
    body = gql('{ products(first: 1, colour: "red") { nodes { id } } }')
    assert body == {
        "errors": [
            {
                "message": "Field 'products' doesn't accept argument 'colour'",
                "locations": [{"line": 1, "column": 22}],
                "extensions": {
                    "code": "argumentNotAccepted",
                    "name": "products",
                    "typeName": "Field",
                    "argumentName": "colour",
                },
            }
        ]
    }
    body = gql("query($n: Int!) { products(first: $n) { nodes { id } } }", {"n": "ten"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"


def _statuses(client, calls: int) -> list:
    """Per call: the HTTP status, or the GraphQL error code of a 200 that carries one."""
    outcome = []
    for _ in range(calls):
        response = post(client, SHOP)
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        outcome.append(
            body["errors"][0]["extensions"]["code"]
            if response.status_code == 200 and "errors" in body
            else response.status_code
        )
    return outcome


def test_faults_hit_at_the_configured_share():
    injector = FaultInjector(FaultConfig(seed=11, error_5xx=0.2, rate_429=0.1, throttled=0.1, drop_after_apply=0.3))
    draws = [injector.draw() for _ in range(2000)]
    share = Counter(
        "5xx" if d.status and d.status >= 500 else "429" if d.status == 429 else "throttled" if d.throttled else "ok"
        for d in draws
    )
    assert 360 <= share["5xx"] <= 440  # 20 %
    assert 120 <= share["429"] <= 200  # 10 % of the remaining 80 %
    assert 110 <= share["throttled"] <= 180  # 10 % of the remaining 72 %
    assert 540 <= sum(d.drop_after_apply for d in draws) <= 660  # 30 %


def test_the_same_seed_gives_the_same_faults_on_the_wire(client, emulator):
    faults = FaultConfig(seed=7, error_5xx=0.3, rate_429=0.2, throttled=0.2)
    emulator.set_faults(faults)
    first = _statuses(client, 30)
    emulator.set_faults(faults)
    assert _statuses(client, 30) == first
    assert len(set(first)) >= 3


def test_a_429_carries_retry_after_and_a_throttled_fault_looks_like_an_empty_bucket(client, emulator):
    emulator.set_faults(rate_429=1.0)
    limited = post(client, SHOP)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1.0"
    emulator.set_faults(rate_429=0.0, throttled=1.0)
    throttled = post(client, SHOP)
    assert throttled.status_code == 200
    assert throttled.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "data" not in throttled.json()


def test_drop_after_apply_applies_the_mutation_but_loses_the_answer(client, emulator, seeded, shop):
    emulator.set_faults(drop_after_apply=1.0)
    response = post(
        client, 'mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["sent"]) { userErrors { message } } }'
    )
    assert response.status_code == 502
    assert shop.orders[1001].tags == ["sent"]
    assert post(client, SHOP).status_code == 200  # queries are answered


def test_faults_can_be_switched_over_the_admin_endpoint(client, emulator):
    response = client.post("/_emulator/faults", json={"error_5xx": 1.0, "seed": 3})
    assert response.json()["error_5xx"] == 1.0
    assert post(client, SHOP).status_code in (500, 502, 503)
    assert client.post("/_emulator/faults", json={"error_5xx": 2}).status_code == 422
    client.post("/_emulator/faults", json={"error_5xx": 0})
    assert post(client, SHOP).status_code == 200


def test_every_request_is_recorded_with_the_token_redacted(tmp_path, clock):
    from emulators.shopify import emulator_client

    app = create_app(EmulatorConfig(record_dir=tmp_path, tokens=["shpat_secret_123"]), clock=clock)
    with emulator_client(app=app) as client:
        post(client, SHOP, token="shpat_secret_123", operation_name=None)
        post(
            client,
            "query Q($n: Int) { products(first: $n) { nodes { id } } }",
            {"n": 2},
            token="wrong",
            operation_name="Q",
        )
        assert client.get("/_emulator/requests").json() == {"count": 2}
    files = sorted(tmp_path.glob("shopify-*.json"))
    assert [f.name for f in files] == ["shopify-000001.json", "shopify-000002.json"]
    second = json.loads(files[1].read_text())
    assert (second["query"], second["variables"], second["operationName"]) == (
        "query Q($n: Int) { products(first: $n) { nodes { id } } }",
        {"n": 2},
        "Q",
    )
    assert second["headers"]["x-shopify-access-token"] == REDACTED
    assert not any(
        "shpat_secret_123" in f.read_text() or "wrong" in json.dumps(json.loads(f.read_text())["headers"])
        for f in files
    )


def test_seed_state_and_reset_over_http(client, shop):
    payload = {
        "locations": ["MAIN"],
        "products": [json.loads(product_model("H1").model_dump_json())],
        "stock": [{"sku": "H1-S", "location_key": "MAIN", "quantity": "4.7"}],
        "orders": [json.loads(order_model(501, skus=("H1-S",)).model_dump_json())],
    }
    made = client.post("/_emulator/seed", json=payload).json()
    assert made["orders"] == ["gid://shopify/Order/501"] and made["stock"] == 1
    state = client.get("/_emulator/state?snapshot=1").json()
    assert state["counts"]["products"] == 1 and state["counts"]["orders"] == 1
    assert state["snapshot"]["products"][0]["variants"][0]["available"] == {"MAIN": 4}
    refused = client.post("/_emulator/seed", json={"products": [{"erp_key": "X", "title": "No variants"}]})
    assert refused.status_code == 422
    assert client.post("/_emulator/reset").json() == {"reset": True}
    assert client.get("/_emulator/state").json()["counts"]["products"] == 0


def test_the_threaded_server_serves_real_http_and_hands_out_absolute_urls(seeded, live_url):
    base_url = live_url
    with httpx.Client(base_url=base_url, timeout=5) as http:
        started = post(
            http, 'mutation { bulkOperationRunQuery(query: "{ products { nodes { id } } }") { bulkOperation { id } } }'
        ).json()
        gid = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        url = post(http, f'{{ bulkOperation(id: "{gid}") {{ url }} }}').json()["data"]["bulkOperation"]["url"]
        assert url.startswith(base_url)
        assert len(http.get(url).text.splitlines()) == 3


def test_a_hanging_request_times_the_client_out(app, emulator):
    emulator.set_faults(timeout=1.0, timeout_seconds=0.5)
    with running_emulator(app=app) as base_url, httpx.Client(base_url=base_url, timeout=0.05) as http:
        with pytest.raises(httpx.ReadTimeout):
            post(http, SHOP)


def test_the_state_endpoint_tells_the_cost_charged_per_operation(client, shop):
    first = post(client, "query Q { shop { name } }", operation_name="Q").json()
    post(client, "query Q { shop { name } }")  # the name comes from the document when the body has none
    cost = client.get("/_emulator/state").json()["cost"]
    assert cost["by_operation"]["Q"]["calls"] == 2
    assert cost["actual"] == 2 * first["extensions"]["cost"]["actualQueryCost"]
    client.post("/_emulator/reset")
    assert client.get("/_emulator/state").json()["cost"]["actual"] == 0


def test_a_scripted_request_fails_as_told_over_the_admin_endpoint(client, emulator, seeded, shop):
    script = [
        {"request": 2, "fault": "status", "status": 502},
        {"request": 3, "fault": "lost_answer"},
    ]
    assert client.post("/_emulator/faults", json={"script": script}).status_code == 200
    tag = 'mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["late"]) { userErrors { message } } }'

    statuses = [post(client, SHOP).status_code, post(client, tag).status_code, post(client, tag).status_code]

    assert statuses == [200, 502, 502]
    assert shop.orders[1001].tags == ["late"]  # the 502 of request 2 applied nothing, request 3 applied it
    assert post(client, SHOP).status_code == 200
    refused = client.post("/_emulator/faults", json={"script": [{"request": 1, "fault": "status", "status": 404}]})
    assert refused.status_code == 422


def test_a_scripted_timeout_hangs_only_that_request(app, emulator):
    emulator.set_faults(script=[{"request": 2, "fault": "timeout"}], timeout_seconds=0.5)
    with running_emulator(app=app) as base_url, httpx.Client(base_url=base_url, timeout=0.2) as http:
        assert post(http, SHOP).status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            post(http, SHOP)
        assert post(http, SHOP).status_code == 200


def test_a_revoked_token_gets_shopifys_401_from_that_request_on(client, emulator):
    client.post("/_emulator/faults", json={"script": [{"request": 2, "fault": "revoke"}]})

    answers = [post(client, SHOP) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 401, 401]
    assert answers[2].json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }
    assert client.get("/_emulator/faults").json()["token_revoked"] is True
    client.post("/_emulator/faults", json={"token_revoked": False})
    assert post(client, SHOP).status_code == 200

"""Access scopes and order history: a field without its scope is ACCESS_DENIED naming the scope; without
``read_all_orders`` only the last 60 days of orders exist for the app."""

from __future__ import annotations

from datetime import timedelta

from shopify_emu_support import START, order_model, post

from emulators.shopify import EmulatorConfig, FakeClock, create_app, emulator_client, emulator_of
from emulators.shopify.access import DEFAULT_SCOPES

ORDERS = "{ orders(first: 10) { nodes { name } } ordersCount { count } }"


def _shop(scopes: list[str]):
    clock = FakeClock(START)
    app = create_app(EmulatorConfig(record_dir=None, scopes=scopes), clock=clock)
    emulator_of(app).state.seed_orders(
        [order_model(1, updated_at=START - timedelta(days=61)), order_model(2, updated_at=START - timedelta(days=59))]
    )
    return emulator_client(app=app)


def test_current_app_installation_lists_the_granted_scopes(gql):
    body = gql("{ currentAppInstallation { accessScopes { handle } } }")
    assert [s["handle"] for s in body["data"]["currentAppInstallation"]["accessScopes"]] == DEFAULT_SCOPES
    assert "read_all_orders" in DEFAULT_SCOPES


def test_a_field_without_its_scope_is_access_denied_naming_the_scope_and_the_rest_answers():
    with _shop([s for s in DEFAULT_SCOPES if s != "read_customers"]) as client:
        body = post(client, "{ customers(first: 1) { nodes { id } } shop { name } }", None).json()
    assert body["data"] is None  # customers is non-null: the null reaches the root
    (error,) = body["errors"]
    assert error["message"] == "Access denied for customers field. Required access: `read_customers` access scope."
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["extensions"]["requiredAccess"] == "`read_customers` access scope."
    with _shop([s for s in DEFAULT_SCOPES if s != "write_orders"]) as client:
        mutation = 'mutation { orderClose(input: {id: "gid://shopify/Order/2"}) { userErrors { message } } }'
        denied = post(client, mutation, None).json()
    assert denied["data"] == {"orderClose": None}
    assert denied["errors"][0]["extensions"]["requiredAccess"] == "`write_orders` access scope."


def test_without_read_all_orders_orders_older_than_60_days_are_not_there():
    with _shop([s for s in DEFAULT_SCOPES if s != "read_all_orders"]) as client:
        body = post(client, ORDERS, None).json()["data"]
        old = post(client, '{ order(id: "gid://shopify/Order/1") { name } }', None).json()["data"]
        nodes = post(client, '{ nodes(ids: ["gid://shopify/Order/1", "gid://shopify/Order/2"]) { id } }', None)
    assert (body["orders"]["nodes"], body["ordersCount"]["count"]) == ([{"name": "#2"}], 1)
    assert old == {"order": None}
    assert nodes.json()["data"]["nodes"] == [None, {"id": "gid://shopify/Order/2"}]
    with _shop(DEFAULT_SCOPES) as client:
        assert post(client, ORDERS, None).json()["data"]["ordersCount"]["count"] == 2

"""The pessimistic (linear) cost model: the documented rules, ``2 + first × node``, the cap, the cost extension.

The calibrated model, the emulator's default, is tested against Shopify's measured costs in
``test_shopify_emu_cost_calibration.py``; this file pins the linear model kept for "pessimistic shop" tests.
"""

from __future__ import annotations

import pytest

from emulators.shopify import EmulatorConfig, executable_schema
from emulators.shopify import actual_cost as _actual_cost
from emulators.shopify import requested_cost as _requested_cost


@pytest.fixture(scope="module")
def schema():
    return executable_schema()


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(record_dir=None, cost_model="pessimistic")


def requested_cost(*args, **kwargs) -> int:
    return _requested_cost(*args, **kwargs, model="pessimistic")


def actual_cost(*args, **kwargs) -> int:
    return _actual_cost(*args, **kwargs, model="pessimistic")


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        ("{ shop { name currencyCode } }", 1),  # an object 1, its scalar and enum fields 0
        ('{ product(id: "gid://shopify/Product/1") { title } }', 1),
        ('{ product(id: "gid://shopify/Product/1") { title featuredMedia { id } } }', 2),
        ("{ products(first: 10) { nodes { id } } }", 12),  # 2 + 10 × 1
        ("{ products(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }", 12),
        ("{ products(first: 10) { nodes { id variants(first: 5) { nodes { sku } } } } }", 2 + 10 * (1 + 2 + 5)),
        ("{ products(last: 3) { nodes { id } } }", 5),
        ('{ order(id: "gid://shopify/Order/1") { transactions(first: 4) { id } } }', 1 + 4),
        ('{ nodes(ids: ["gid://shopify/Order/1", "gid://shopify/Order/2"]) { id } }', 2),
        ('{ order(id: "gid://shopify/Order/1") { transactions { id } taxLines { title } } }', 1 + 1 + 1),
    ],
)
def test_requested_cost_follows_shopifys_rules(schema, document, cost):
    assert requested_cost(schema, document) == cost


def test_connection_size_comes_from_variables_and_argument_defaults(schema):
    document = "query($n: Int = 7) { orders(first: $n) { nodes { id } } }"
    assert requested_cost(schema, document, {"n": 50}) == 52
    assert requested_cost(schema, document, {}) == 9


def test_a_mutation_costs_ten_plus_what_its_payload_selects(schema):
    bare = 'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { message } } }'
    rich = (
        'mutation { productUpdate(product: {id: "gid://shopify/Product/1"}) { product { id '
        "variants(first: 10) { nodes { id } } } userErrors { message } } }"
    )
    assert requested_cost(schema, bare) == 11
    assert requested_cost(schema, rich) == 10 + (1 + 12) + 1


def test_an_abstract_selection_costs_its_most_expensive_type_condition(schema):
    document = """{ node(id: "gid://shopify/Product/1") {
        ... on Product { variants(first: 3) { nodes { id } } }
        ... on Order { customer { id } }
    } }"""
    assert requested_cost(schema, document) == 1 + (2 + 3)


def test_named_fragments_count_like_inline_selections(schema):
    document = """query { products(first: 2) { nodes { ...P } } }
        fragment P on Product { id featuredMedia { id } }"""
    assert requested_cost(schema, document) == 2 + 2 * 2


def test_actual_cost_counts_the_nodes_returned_and_never_exceeds_the_request(schema):
    document = "{ products(first: 10) { nodes { id featuredMedia { id } } } }"
    data = {"products": {"nodes": [{"id": "a", "featuredMedia": None}, {"id": "b", "featuredMedia": {"id": "m"}}]}}
    assert actual_cost(schema, document, {}, data) == 2 + 1 + 2
    assert actual_cost(schema, document, {}, data) <= requested_cost(schema, document)


def test_a_query_over_the_cap_is_refused_before_it_runs_and_spends_nothing(gql, seeded):
    body = gql("{ products(first: 250) { nodes { id variants(first: 10) { nodes { id } } } } }")
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["message"].startswith(
        "Query cost is 3252, which exceeds the single query max cost limit (1000)"
    )
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 3252 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"]["currentlyAvailable"] == cost["throttleStatus"]["maximumAvailable"]


def test_every_answer_carries_the_cost_extension(gql, seeded):
    body = gql("{ products(first: 50) { nodes { id title } } }")
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 52
    assert cost["actualQueryCost"] == 2 + 3  # three products exist
    assert cost["throttleStatus"] == {"maximumAvailable": 2000, "currentlyAvailable": 1995, "restoreRate": 100}

"""Inventory writes under the 2026-04 rules: @idempotent required, changeFromQuantity explicit, all or nothing."""

from __future__ import annotations

import pytest

SET = """mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange item { sku } } }
    userErrors { field message code }
  }
}"""


def set_input(*quantities: dict, name: str = "available", reason: str = "correction") -> dict:
    return {
        "name": name,
        "reason": reason,
        "referenceDocumentUri": "erp://stock/2026-03-01",
        "quantities": list(quantities),
    }


@pytest.fixture
def target(seeded, shop) -> dict:
    return {"inventoryItemId": seeded.item_gid(shop, "P1-S"), "locationId": seeded.locations["MAIN"]}


def available(shop, seeded, sku: str, location: str = "MAIN") -> int:
    item = seeded.variant(shop, sku).inventory_item_id
    return shop.levels_of_item(item)[shop.find(seeded.locations[location]).id].quantity("available")


def test_set_quantities_applies_and_reports_the_changes(gql, seeded, shop, target):
    body = gql(SET, {"input": set_input({**target, "quantity": 12, "changeFromQuantity": 7}), "key": "k1"})
    result = body["data"]["inventorySetQuantities"]
    assert result["userErrors"] == []
    assert result["inventoryAdjustmentGroup"]["changes"] == [
        {"name": "available", "delta": 5, "quantityAfterChange": 12, "item": {"sku": "P1-S"}},
        {"name": "on_hand", "delta": 5, "quantityAfterChange": 12, "item": {"sku": "P1-S"}},
    ]
    assert available(shop, seeded, "P1-S") == 12


def test_setting_on_hand_moves_available_by_the_same_delta(gql, seeded, shop, target):
    body = gql(
        SET,
        {"input": set_input({**target, "quantity": 3, "changeFromQuantity": None}, name="on_hand"), "key": "k-on-hand"},
    )
    assert body["data"]["inventorySetQuantities"]["userErrors"] == []
    assert available(shop, seeded, "P1-S") == 3


def test_without_the_idempotent_directive_the_mutation_is_refused(gql, seeded, shop, target):
    document = SET.replace(", $key: String!", "").replace(" @idempotent(key: $key)", "")
    body = gql(document, {"input": set_input({**target, "quantity": 1, "changeFromQuantity": None})})
    assert body["data"] == {"inventorySetQuantities": None}
    assert (
        body["errors"][0]["message"] == "The @idempotent directive is required for this mutation but was not provided."
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert available(shop, seeded, "P1-S") == 7


def test_a_blank_idempotency_key_is_refused(gql, seeded, target):
    body = gql(SET, {"input": set_input({**target, "quantity": 1, "changeFromQuantity": None}), "key": "  "})
    assert body["errors"][0]["message"] == "The idempotency key cannot be an empty string or whitespace only."


def test_a_repeated_key_answers_the_first_result_without_applying_twice(gql, seeded, shop, target):
    adjust = """mutation($key: String!, $input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
        inventoryAdjustmentGroup { id } userErrors { code } } }"""
    variables = {
        "key": "adj-1",
        "input": {
            "name": "available",
            "reason": "received",
            "changes": [{**target, "delta": 4, "changeFromQuantity": None}],
        },
    }
    first = gql(adjust, variables)["data"]["inventoryAdjustQuantities"]
    again = gql(adjust, variables)["data"]["inventoryAdjustQuantities"]
    assert again == first
    assert available(shop, seeded, "P1-S") == 11


def test_the_same_key_with_other_arguments_is_refused(gql, seeded, shop, target):
    gql(SET, {"input": set_input({**target, "quantity": 9, "changeFromQuantity": None}), "key": "same"})
    body = gql(SET, {"input": set_input({**target, "quantity": 2, "changeFromQuantity": None}), "key": "same"})
    assert body["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert available(shop, seeded, "P1-S") == 9


def test_change_from_quantity_must_be_sent_explicitly(gql, seeded, target):
    body = gql(SET, {"input": set_input({**target, "quantity": 1}), "key": "no-cas"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_FIELD_ARGUMENTS"
    assert "changeFromQuantity" in body["errors"][0]["message"]


def test_a_stale_change_from_quantity_is_refused(gql, seeded, shop, target):
    body = gql(SET, {"input": set_input({**target, "quantity": 1, "changeFromQuantity": 6}), "key": "stale"})
    result = body["data"]["inventorySetQuantities"]
    assert result["inventoryAdjustmentGroup"] is None
    assert result["userErrors"] == [
        {
            "field": ["input", "quantities", "0", "changeFromQuantity"],
            "message": "The specified compare quantity does not match the current quantity.",
            "code": "CHANGE_FROM_QUANTITY_STALE",
        }
    ]
    assert available(shop, seeded, "P1-S") == 7


def test_bad_inputs_are_user_errors_and_nothing_is_applied(gql, seeded, shop, target):
    good = {**target, "quantity": 50, "changeFromQuantity": None}
    unknown_item = {
        **target,
        "inventoryItemId": "gid://shopify/InventoryItem/999",
        "quantity": 1,
        "changeFromQuantity": None,
    }
    negative = {
        "inventoryItemId": seeded.item_gid(shop, "P2-S"),
        "locationId": seeded.locations["MAIN"],
        "quantity": -1,
        "changeFromQuantity": None,
    }
    body = gql(SET, {"input": set_input(good, unknown_item, negative, reason="because"), "key": "bad"})
    errors = body["data"]["inventorySetQuantities"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_REASON", ["input", "reason"]),
        ("INVALID_INVENTORY_ITEM", ["input", "quantities", "1", "inventoryItemId"]),
        ("INVALID_QUANTITY_NEGATIVE", ["input", "quantities", "2", "quantity"]),
    ]
    assert available(shop, seeded, "P1-S") == 7


def test_an_item_not_stocked_at_a_location_needs_activating_first(gql, seeded, shop):
    item = shop.inventory_items[seeded.variant(shop, "P3-L").inventory_item_id]
    location = shop.find(seeded.locations["SECOND"])
    shop.levels_of_item(item.id)[location.id].is_active = False
    target = {"inventoryItemId": item.gid, "locationId": location.gid}
    body = gql(SET, {"input": set_input({**target, "quantity": 4, "changeFromQuantity": None}), "key": "a"})
    assert body["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "ITEM_NOT_STOCKED_AT_LOCATION"
    activate = """mutation($item: ID!, $loc: ID!) { inventoryActivate(inventoryItemId: $item, locationId: $loc,
        available: 2) @idempotent(key: "act-1") { inventoryLevel { quantities(names: ["available"]) { quantity } }
        userErrors { message } } }"""
    result = gql(activate, {"item": item.gid, "loc": location.gid})["data"]["inventoryActivate"]
    assert result == {"inventoryLevel": {"quantities": [{"quantity": 2}]}, "userErrors": []}
    body = gql(SET, {"input": set_input({**target, "quantity": 4, "changeFromQuantity": 2}), "key": "b"})
    assert body["data"]["inventorySetQuantities"]["userErrors"] == []


def test_setting_the_current_quantity_returns_no_adjustment_group(gql, seeded, target):
    body = gql(SET, {"input": set_input({**target, "quantity": 7, "changeFromQuantity": 7}), "key": "noop"})
    assert body["data"]["inventorySetQuantities"] == {"inventoryAdjustmentGroup": None, "userErrors": []}


def test_more_than_250_quantities_are_refused_as_shopify_does(gql, seeded, target):
    quantities = [{**target, "quantity": 1, "changeFromQuantity": None}] * 251
    body = gql(SET, {"input": set_input(*quantities), "key": "big"})
    assert body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert body["errors"][0]["message"] == "The input array size of 251 is greater than the maximum allowed of 250."


def test_inventory_reads_show_levels_per_location(gql, seeded, shop):
    body = gql(
        """query($sku: String) { inventoryItems(first: 5, query: $sku) { nodes { sku
        inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available", "on_hand"]) {
        name quantity } } } } } }""",
        {"sku": "sku:P1-S"},
    )
    levels = body["data"]["inventoryItems"]["nodes"][0]["inventoryLevels"]["nodes"]
    assert levels[0] == {
        "location": {"name": "MAIN"},
        "quantities": [{"name": "available", "quantity": 7}, {"name": "on_hand", "quantity": 7}],
    }
    assert [lv["location"]["name"] for lv in levels] == ["MAIN", "SECOND"]

"""userErrors become one RecordError per refused record; the rest of the batch goes on; keys are stable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.shopify.errors import RecordError, UserError
from connectors.shopify.idempotency import idempotency_key
from connectors.shopify.mutations import attribute, record_errors, run_batch
from connectors.shopify.testing import ScriptedShop, ok

LOCATION = "gid://shopify/Location/1"


def quantity(item: int, qty: int) -> dict:
    return {
        "inventoryItemId": f"gid://shopify/InventoryItem/{item}",
        "locationId": LOCATION,
        "quantity": qty,
        "changeFromQuantity": None,
    }


def set_quantities_variables(batch):
    return {
        "reason": "correction",
        "quantities": [q for _, q in batch],
        "idempotencyKey": idempotency_key("InventorySetQuantities", [q for _, q in batch], scope="run-1"),
    }


def inventory_payload(errors: list[dict]) -> dict:
    group = None if errors else {"id": "gid://shopify/InventoryAdjustmentGroup/1", "changes": []}
    return ok({"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": errors}})


def test_mutate_returns_the_payload_and_its_user_errors(make_client):
    error = {"field": ["product", "title"], "message": "Title can't be blank", "code": None}
    shop = ScriptedShop([ok({"productUpdate": {"product": None, "userErrors": [error]}})])
    payload, errors = make_client(shop).mutate("ProductUpdate", {"product": {"id": "p", "title": ""}}, "productUpdate")
    assert payload == {"product": None, "userErrors": [error]}
    assert errors == [UserError(message="Title can't be blank", field=("product", "title"))]


def test_a_single_record_error_names_the_record_and_the_field():
    errors = record_errors(
        "ITEM-7", [UserError("Title can't be blank", ("product", "title"))], operation="ProductUpdate"
    )
    assert errors == [RecordError("ITEM-7", "title", "Title can't be blank", None, "ProductUpdate")]
    assert str(errors[0]) == "ProductUpdate: record 'ITEM-7' field 'title': Title can't be blank"


def test_user_errors_are_attributed_to_records_by_their_index_in_the_batch():
    errors = [
        UserError("Quantity must be positive", ("input", "quantities", "1", "quantity"), "INVALID_QUANTITY_NEGATIVE"),
        UserError("Bad value", ("metafields", "0", "value"), "INVALID_VALUE", element_index=0),
    ]
    by_index, general = attribute(errors[:1], ["SKU-A", "SKU-B"], ("input", "quantities"), operation="Op")
    assert by_index == {
        1: [RecordError("SKU-B", "quantity", "Quantity must be positive", "INVALID_QUANTITY_NEGATIVE", "Op")]
    }
    assert general == []
    by_index, _ = attribute(errors[1:], ["color", "size"], ("metafields",), operation="MetafieldsSet")
    assert by_index[0][0].record == "color" and by_index[0][0].field == "value"


def test_an_atomic_batch_is_resent_without_the_refused_record_and_the_others_are_applied(make_client):
    batch = [("SKU-A", quantity(1, 5)), ("SKU-B", quantity(2, -3)), ("SKU-C", quantity(3, 8))]
    refused = {
        "field": ["input", "quantities", "1", "quantity"],
        "message": "Quantity is negative",
        "code": "INVALID_QUANTITY_NEGATIVE",
    }
    shop = ScriptedShop([inventory_payload([refused]), inventory_payload([])])

    result = run_batch(
        make_client(shop),
        "InventorySetQuantities",
        batch,
        variables=set_quantities_variables,
        payload_path="inventorySetQuantities",
        list_path=("quantities",),
        key=lambda r: r[0],
        atomic=True,
    )

    assert [k for k, _ in result.applied] == ["SKU-A", "SKU-C"]
    assert result.errors == [
        RecordError("SKU-B", "quantity", "Quantity is negative", "INVALID_QUANTITY_NEGATIVE", "InventorySetQuantities")
    ]
    assert [len(v["quantities"]) for v in shop.variables] == [3, 2]
    first_key, second_key = (v["idempotencyKey"] for v in shop.variables)
    assert first_key != second_key  # the smaller batch is a different batch


def test_the_input_path_of_the_document_is_what_user_errors_are_matched_against(make_client):
    # InventorySetQuantities passes $quantities inside an input object literal: Shopify reports the field as
    # ["input", "quantities", i, …]; run_batch callers name the list as it appears in the error path.
    errors = [UserError("Not stocked", ("input", "quantities", "0", "locationId"), "ITEM_NOT_STOCKED_AT_LOCATION")]
    by_index, _ = attribute(errors, ["SKU-A"], ("input", "quantities"), operation="InventorySetQuantities")
    assert by_index[0][0].field == "locationId"


def test_a_partial_batch_is_not_resent(make_client):
    batch = [("A", {"id": "v1", "price": "1.00"}), ("B", {"id": "v2", "price": "-1"})]
    refused = {"field": ["variants", "1", "price"], "message": "Price must be positive", "code": "INVALID_INPUT"}
    shop = ScriptedShop([ok({"productVariantsBulkUpdate": {"productVariants": [], "userErrors": [refused]}})])

    result = run_batch(
        make_client(shop),
        "ProductVariantsBulkUpdate",
        batch,
        variables=lambda b: {"productId": "p", "variants": [v for _, v in b]},
        payload_path="productVariantsBulkUpdate",
        list_path=("variants",),
        key=lambda r: r[0],
        atomic=False,
    )

    assert [k for k, _ in result.applied] == ["A"] and result.failed_records == {"B"} and len(shop.requests) == 1


def test_an_error_naming_no_record_refuses_every_record_of_the_batch(make_client):
    refused = {"field": ["input", "reason"], "message": "Reason is invalid", "code": "INVALID_REASON"}
    shop = ScriptedShop([inventory_payload([refused])])
    batch = [("SKU-A", quantity(1, 5)), ("SKU-B", quantity(2, 6))]

    result = run_batch(
        make_client(shop),
        "InventorySetQuantities",
        batch,
        variables=set_quantities_variables,
        payload_path="inventorySetQuantities",
        list_path=("input", "quantities"),
        key=lambda r: r[0],
        atomic=True,
    )

    assert result.applied == [] and result.failed_records == {"SKU-A", "SKU-B"}
    assert all(e.code == "INVALID_REASON" for e in result.errors)


def test_the_idempotency_key_is_the_same_for_the_same_batch_in_any_order():
    a = [quantity(1, 5), quantity(2, 6)]
    assert idempotency_key("InventorySetQuantities", a, scope="2026-01-01") == idempotency_key(
        "InventorySetQuantities", list(reversed(a)), scope="2026-01-01"
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda: ("InventorySetQuantities", [quantity(1, 5), quantity(2, 7)], "2026-01-01"),  # another quantity
        lambda: ("InventorySetQuantities", [quantity(1, 5)], "2026-01-01"),  # a smaller batch
        lambda: ("InventoryAdjustQuantities", [quantity(1, 5), quantity(2, 6)], "2026-01-01"),  # another operation
        lambda: ("InventorySetQuantities", [quantity(1, 5), quantity(2, 6)], "2026-01-02"),  # the next run
    ],
)
def test_the_idempotency_key_differs_for_a_different_batch(change):
    base = idempotency_key("InventorySetQuantities", [quantity(1, 5), quantity(2, 6)], scope="2026-01-01")
    operation, records, scope = change()
    assert idempotency_key(operation, records, scope=scope) != base


def test_the_idempotency_key_treats_equal_decimals_alike_and_needs_a_scope():
    assert idempotency_key("X", [{"q": Decimal("5.0")}], scope="s") == idempotency_key(
        "X", [{"q": Decimal("5")}], scope="s"
    )
    with pytest.raises(ValueError, match="scope"):
        idempotency_key("X", [{"q": 1}], scope=" ")

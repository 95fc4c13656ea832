"""Every mutation that names a record answers a userError on the id field when the record does not exist,
and changes nothing."""

from __future__ import annotations

import pytest

MISSING = "gid://shopify/{}/987654"

CASES = [
    ("productDelete", 'productDelete(input: {id: "%s"}) { userErrors { field message } }', "Product", ["id"]),
    (
        "productUpdate",
        'productUpdate(product: {id: "%s", title: "x"}) { userErrors { field message } }',
        "Product",
        ["id"],
    ),
    (
        "productVariantsBulkCreate",
        'productVariantsBulkCreate(productId: "%s", variants: []) { userErrors { field message } }',
        "Product",
        ["productId"],
    ),
    (
        "productVariantsBulkUpdate",
        'productVariantsBulkUpdate(productId: "%s", variants: []) { userErrors { field message } }',
        "Product",
        ["productId"],
    ),
    (
        "productCreateMedia",
        'productCreateMedia(productId: "%s", media: []) { mediaUserErrors { field message } }',
        "Product",
        ["productId"],
    ),
    (
        "inventoryActivate",
        'inventoryActivate(inventoryItemId: "%s", locationId: "gid://shopify/Location/1") '
        '@idempotent(key: "k") { userErrors { field message } }',
        "InventoryItem",
        ["inventoryItemId"],
    ),
    (
        "collectionUpdate",
        'collectionUpdate(input: {id: "%s", title: "x"}) { userErrors { field message } }',
        "Collection",
        ["id"],
    ),
    ("collectionDelete", 'collectionDelete(input: {id: "%s"}) { userErrors { field message } }', "Collection", ["id"]),
    ("fileDelete", 'fileDelete(fileIds: ["%s"]) { userErrors { field message } }', "MediaImage", ["fileIds"]),
    (
        "customerUpdate",
        'customerUpdate(input: {id: "%s", note: "x"}) { userErrors { field message } }',
        "Customer",
        ["id"],
    ),
    ("orderClose", 'orderClose(input: {id: "%s"}) { userErrors { field message } }', "Order", ["id"]),
    ("orderMarkAsPaid", 'orderMarkAsPaid(input: {id: "%s"}) { userErrors { field message } }', "Order", ["id"]),
    (
        "refundCreate",
        'refundCreate(input: {orderId: "%s"}) @idempotent(key: "r") { userErrors { field message } }',
        "Order",
        ["orderId"],
    ),
    (
        "fulfillmentTrackingInfoUpdate",
        'fulfillmentTrackingInfoUpdate(fulfillmentId: "%s", trackingInfoInput: '
        '{number: "1"}) { userErrors { field message } }',
        "Fulfillment",
        ["fulfillmentId"],
    ),
    ("bulkOperationCancel", 'bulkOperationCancel(id: "%s") { userErrors { field message } }', "BulkOperation", ["id"]),
    ("tagsRemove", 'tagsRemove(id: "%s", tags: ["a"]) { userErrors { field message } }', "Customer", ["id"]),
]


@pytest.mark.parametrize(("name", "call", "type_name", "field"), CASES, ids=[c[0] for c in CASES])
def test_a_missing_record_is_a_user_error_on_its_id_field(gql, seeded, shop, name, call, type_name, field):
    before = shop.counts()
    body = gql("mutation { " + call % MISSING.format(type_name) + " }")
    payload = body["data"][name]
    errors = payload.get("userErrors", payload.get("mediaUserErrors"))
    assert errors and errors[0]["field"] == field
    assert "exist" in errors[0]["message"]
    assert shop.counts() == before


def test_media_added_with_the_deprecated_mutation_is_still_attached(gql, seeded):
    body = gql(
        """mutation($id: ID!) { productCreateMedia(productId: $id, media: [{originalSource:
        "https://cdn.example.com/p1.jpg", mediaContentType: IMAGE, alt: "P1"}]) {
        media { alt status } product { mediaCount { count } } mediaUserErrors { message } } }""",
        {"id": seeded.products["P1"]},
    )
    assert body["data"]["productCreateMedia"] == {
        "media": [{"alt": "P1", "status": "UPLOADED"}],  # processed after the answer
        "product": {"mediaCount": {"count": 1}},
        "mediaUserErrors": [],
    }


def test_customer_update_changes_the_fields_it_names(gql, seeded, shop):
    gid = next(c.gid for c in shop.customers.values() if c.email == "known@example.com")
    body = gql(
        """mutation($id: ID!) { customerUpdate(input: {id: $id, lastName: "Known-Better", tags: ["vip"]}) {
        customer { firstName lastName tags email } userErrors { message } } }""",
        {"id": gid},
    )
    assert body["data"]["customerUpdate"] == {
        "customer": {"firstName": "Known", "lastName": "Known-Better", "tags": ["vip"], "email": "known@example.com"},
        "userErrors": [],
    }

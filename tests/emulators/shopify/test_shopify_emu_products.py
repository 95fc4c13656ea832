"""Product and variant mutations apply to the shop and refuse bad input with userErrors."""

from __future__ import annotations

PRODUCT_SET = """mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) {
    product { id title handle status vendor tags updatedAt
      options { name values }
      variants(first: 10) { nodes { id sku price barcode selectedOptions { name value } } } }
    userErrors { field message code }
  }
}"""


def set_input(title: str = "Mug", **extra) -> dict:
    return {
        "title": title,
        "vendor": "Acme",
        "status": "ACTIVE",
        "tags": ["erp"],
        "productOptions": [{"name": "Colour", "values": [{"name": "Red"}, {"name": "Blue"}]}],
        "variants": [
            {"optionValues": [{"optionName": "Colour", "name": "Red"}], "sku": "MUG-R", "price": "9.90"},
            {
                "optionValues": [{"optionName": "Colour", "name": "Blue"}],
                "sku": "MUG-B",
                "price": "9.90",
                "barcode": "8590000000017",
            },
        ],
        **extra,
    }


def test_product_set_creates_a_product_with_its_variants(gql, seeded, shop, clock):
    result = gql(PRODUCT_SET, {"input": set_input()})["data"]["productSet"]
    assert result["userErrors"] == []
    product = result["product"]
    assert (product["title"], product["handle"], product["vendor"], product["tags"]) == ("Mug", "mug", "Acme", ["erp"])
    assert product["options"] == [{"name": "Colour", "values": ["Red", "Blue"]}]
    assert [(v["sku"], v["price"], v["selectedOptions"]) for v in product["variants"]["nodes"]] == [
        ("MUG-R", "9.90", [{"name": "Colour", "value": "Red"}]),
        ("MUG-B", "9.90", [{"name": "Colour", "value": "Blue"}]),
    ]
    assert product["updatedAt"] == "2026-03-01T00:00:00Z"


def test_product_set_on_an_existing_product_replaces_its_variants_and_moves_updated_at(gql, seeded, clock):
    created = gql(PRODUCT_SET, {"input": set_input()})["data"]["productSet"]["product"]
    red = created["variants"]["nodes"][0]["id"]
    clock.advance(3600)
    changed = set_input(title="Mug XL")
    changed["variants"] = [
        {"id": red, "optionValues": [{"optionName": "Colour", "name": "Red"}], "sku": "MUG-R", "price": "12.50"}
    ]
    result = gql(PRODUCT_SET, {"input": changed, "identifier": {"id": created["id"]}})["data"]["productSet"]
    product = result["product"]
    assert result["userErrors"] == []
    assert product["id"] == created["id"]
    assert [(v["id"], v["price"]) for v in product["variants"]["nodes"]] == [(red, "12.50")]
    assert product["options"] == [{"name": "Colour", "values": ["Red"]}]
    assert product["updatedAt"] == "2026-03-01T01:00:00Z"


def test_a_sku_used_by_another_product_is_refused(gql, seeded, shop):
    clash = set_input()
    clash["variants"][1]["sku"] = "P1-S"
    result = gql(PRODUCT_SET, {"input": clash})["data"]["productSet"]
    assert result["product"] is None
    assert result["userErrors"][0]["field"] == ["input", "variants", "1", "sku"]
    assert result["userErrors"][0]["code"] == "DUPLICATED_VALUE"
    assert "P1-S" in result["userErrors"][0]["message"]
    assert len(shop.products) == 3


def test_a_negative_price_and_an_unknown_option_are_refused(gql, seeded):
    bad = set_input()
    bad["variants"][0]["price"] = "-1"
    bad["variants"][1]["optionValues"] = [{"optionName": "Size", "name": "XL"}]
    errors = gql(PRODUCT_SET, {"input": bad})["data"]["productSet"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "variants", "1", "optionValues", "0"], "OPTION_DOES_NOT_EXIST"),
        (["input", "variants", "0", "price"], "INVALID_VARIANT"),
    ]


def test_product_set_with_an_unknown_id_is_refused(gql, seeded):
    result = gql(PRODUCT_SET, {"input": set_input(), "identifier": {"id": "gid://shopify/Product/999"}})
    assert result["data"]["productSet"]["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"


def test_product_create_gives_a_default_variant_and_product_update_changes_fields(gql, seeded, shop):
    created = gql("""mutation { productCreate(product: {title: "Plain", tags: ["a", "b"]}) {
        product { id hasOnlyDefaultVariant variants(first: 5) { nodes { title } } } userErrors { message } } }""")
    product = created["data"]["productCreate"]["product"]
    assert product["hasOnlyDefaultVariant"] is True
    assert product["variants"]["nodes"] == [{"title": "Default Title"}]
    updated = gql(
        """mutation($id: ID!) { productUpdate(product: {id: $id, title: "Plainer", status: DRAFT}) {
        product { title status } userErrors { message } } }""",
        {"id": product["id"]},
    )
    assert updated["data"]["productUpdate"] == {"product": {"title": "Plainer", "status": "DRAFT"}, "userErrors": []}


def test_product_create_without_a_title_and_update_of_a_missing_product_are_user_errors(gql, seeded):
    body = gql('mutation { productCreate(product: {title: " "}) { product { id } userErrors { field message } } }')
    assert body["data"]["productCreate"] == {
        "product": None,
        "userErrors": [{"field": ["title"], "message": "Title can't be blank"}],
    }
    body = gql(
        'mutation { productUpdate(product: {id: "gid://shopify/Product/999", title: "x"}) '
        "{ product { id } userErrors { field message } } }"
    )
    assert body["data"]["productUpdate"]["userErrors"] == [{"field": ["id"], "message": "Product does not exist"}]


def test_product_delete_removes_the_product_its_variants_and_inventory(gql, seeded, shop):
    gid = seeded.products["P2"]
    body = gql(
        "mutation($id: ID!) { productDelete(input: {id: $id}) { deletedProductId userErrors { message } } }",
        {"id": gid},
    )
    assert body["data"]["productDelete"] == {"deletedProductId": gid, "userErrors": []}
    assert shop.find(gid) is None
    assert not any(v.sku and v.sku.startswith("P2-") for v in shop.variants.values())
    assert (
        gql('{ productVariants(first: 10, query: "sku:P2-S") { nodes { id } } }')["data"]["productVariants"]["nodes"]
        == []
    )


BULK_CREATE = """mutation($id: ID!, $variants: [ProductVariantsBulkInput!]!,
    $strategy: ProductVariantsBulkCreateStrategy = DEFAULT) {
  productVariantsBulkCreate(productId: $id, variants: $variants, strategy: $strategy) {
    productVariants { sku price } product { variants(first: 10) { nodes { sku } } }
    userErrors { field message code } } }"""

BULK_UPDATE = """mutation($id: ID!, $variants: [ProductVariantsBulkInput!]!, $partial: Boolean) {
  productVariantsBulkUpdate(productId: $id, variants: $variants, allowPartialUpdates: $partial) {
    productVariants { id price barcode } userErrors { field message code } } }"""


def test_bulk_create_adds_variants_and_refuses_an_existing_combination(gql, seeded):
    gid = seeded.products["P3"]
    ok = gql(
        BULK_CREATE,
        {
            "id": gid,
            "variants": [
                {
                    "optionValues": [{"optionName": "Size", "name": "XL"}],
                    "price": "11",
                    "inventoryItem": {"sku": "P3-XL"},
                }
            ],
        },
    )
    result = ok["data"]["productVariantsBulkCreate"]
    assert result["userErrors"] == []
    assert [v["sku"] for v in result["product"]["variants"]["nodes"]] == ["P3-L", "P3-XL"]
    dupe = gql(
        BULK_CREATE,
        {
            "id": gid,
            "variants": [
                {
                    "optionValues": [{"optionName": "Size", "name": "XL"}],
                    "price": "11",
                    "inventoryItem": {"sku": "P3-XL2"},
                }
            ],
        },
    )
    assert dupe["data"]["productVariantsBulkCreate"]["userErrors"][0]["code"] == "VARIANT_ALREADY_EXISTS"


def test_bulk_create_replaces_a_standalone_default_variant(gql, seeded):
    created = gql('mutation { productCreate(product: {title: "Solo"}) { product { id } } }')
    gid = created["data"]["productCreate"]["product"]["id"]
    body = gql(
        BULK_CREATE,
        {
            "id": gid,
            "variants": [
                {
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    "price": "5",
                    "inventoryItem": {"sku": "SOLO-S"},
                },
                {
                    "optionValues": [{"optionName": "Size", "name": "M"}],
                    "price": "5",
                    "inventoryItem": {"sku": "SOLO-M"},
                },
            ],
        },
    )
    result = body["data"]["productVariantsBulkCreate"]
    assert [v["sku"] for v in result["product"]["variants"]["nodes"]] == ["SOLO-S", "SOLO-M"]
    removed = gql(
        BULK_CREATE,
        {
            "id": seeded.products["P3"],
            "strategy": "REMOVE_STANDALONE_VARIANT",
            "variants": [
                {
                    "optionValues": [{"optionName": "Size", "name": "XS"}],
                    "price": "5",
                    "inventoryItem": {"sku": "P3-XS"},
                }
            ],
        },
    )
    assert [v["sku"] for v in removed["data"]["productVariantsBulkCreate"]["product"]["variants"]["nodes"]] == ["P3-XS"]


def test_bulk_update_changes_prices_and_is_all_or_nothing_unless_partial(gql, seeded, shop):
    gid = seeded.products["P1"]
    small, medium = (seeded.variant(shop, "P1-S").gid, seeded.variant(shop, "P1-M").gid)
    refused = gql(
        BULK_UPDATE, {"id": gid, "variants": [{"id": small, "price": "15.00"}, {"id": medium, "price": "-3"}]}
    )
    errors = refused["data"]["productVariantsBulkUpdate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["variants", "1", "price"], "GREATER_THAN_OR_EQUAL_TO")]
    assert str(seeded.variant(shop, "P1-S").price) == "10.00"
    partial = gql(
        BULK_UPDATE,
        {
            "id": gid,
            "partial": True,
            "variants": [{"id": small, "price": "15.00", "barcode": "123"}, {"id": medium, "price": "-3"}],
        },
    )
    assert partial["data"]["productVariantsBulkUpdate"]["productVariants"] == [
        {"id": small, "price": "15.00", "barcode": "123"}
    ]
    assert str(seeded.variant(shop, "P1-S").price) == "15.00"


def test_bulk_update_refuses_a_variant_of_another_product_and_a_taken_sku(gql, seeded, shop):
    body = gql(
        BULK_UPDATE,
        {
            "id": seeded.products["P1"],
            "variants": [
                {"id": seeded.variant(shop, "P2-S").gid, "price": "1"},
                {"id": seeded.variant(shop, "P1-M").gid, "inventoryItem": {"sku": "P2-M"}},
            ],
        },
    )
    errors = body["data"]["productVariantsBulkUpdate"]["userErrors"]
    assert [e["code"] for e in errors] == ["PRODUCT_VARIANT_DOES_NOT_EXIST", "INVALID_INPUT"]

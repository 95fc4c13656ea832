"""Collections, metafields, tags and images: each mutation applies, and bad input gets userErrors."""

from __future__ import annotations

import hashlib

COLLECTION_CREATE = """mutation($input: CollectionInput!) { collectionCreate(input: $input) {
  collection { id title handle products(first: 10) { nodes { id } } } userErrors { field message } } }"""


def test_collections_are_created_updated_filled_and_deleted(gql, seeded, shop):
    created = gql(COLLECTION_CREATE, {"input": {"title": "Mugs", "products": [seeded.products["P1"]]}})
    collection = created["data"]["collectionCreate"]["collection"]
    assert collection["handle"] == "mugs"
    assert collection["products"]["nodes"] == [{"id": seeded.products["P1"]}]
    updated = gql(
        """mutation($id: ID!) { collectionUpdate(input: {id: $id, title: "Cups"}) {
        collection { title } userErrors { message } } }""",
        {"id": collection["id"]},
    )
    assert updated["data"]["collectionUpdate"] == {"collection": {"title": "Cups"}, "userErrors": []}
    added = gql(
        """mutation($id: ID!, $p: [ID!]!) { collectionAddProducts(id: $id, productIds: $p) {
        collection { productsCount { count } } userErrors { message } } }""",
        {"id": collection["id"], "p": [seeded.products["P2"], seeded.products["P1"]]},
    )
    assert added["data"]["collectionAddProducts"]["collection"]["productsCount"] == {"count": 2}
    listed = gql('{ product(id: "gid://shopify/Product/2") { collections(first: 5) { nodes { title } } } }')
    assert listed["data"]["product"]["collections"]["nodes"] == [{"title": "Cups"}]
    deleted = gql(
        "mutation($id: ID!) { collectionDelete(input: {id: $id}) { deletedCollectionId } }", {"id": collection["id"]}
    )
    assert deleted["data"]["collectionDelete"]["deletedCollectionId"] == collection["id"]
    assert shop.collections == {}


def test_collection_errors_name_the_field(gql, seeded):
    body = gql(COLLECTION_CREATE, {"input": {"title": "", "products": ["gid://shopify/Product/404"]}})
    assert body["data"]["collectionCreate"]["userErrors"] == [
        {"field": ["title"], "message": "Title can't be blank"},
        {"field": ["products", "0"], "message": "Product gid://shopify/Product/404 does not exist"},
    ]
    body = gql(
        'mutation { collectionAddProducts(id: "gid://shopify/Collection/9", productIds: []) '
        "{ userErrors { field message } } }"
    )
    assert body["data"]["collectionAddProducts"]["userErrors"] == [
        {"field": ["id"], "message": "Collection does not exist"}
    ]


METAFIELDS_SET = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
  metafields { key namespace value type compareDigest } userErrors { field message code elementIndex } } }"""


def test_metafields_set_creates_and_updates_and_honours_compare_digest(gql, seeded):
    owner = seeded.products["P1"]
    first = gql(
        METAFIELDS_SET,
        {"m": [{"ownerId": owner, "namespace": "erp", "key": "weight", "type": "number_decimal", "value": "1.5"}]},
    )["data"]["metafieldsSet"]
    digest = first["metafields"][0]["compareDigest"]
    second = gql(
        METAFIELDS_SET,
        {"m": [{"ownerId": owner, "namespace": "erp", "key": "weight", "value": "2.0", "compareDigest": digest}]},
    )["data"]["metafieldsSet"]
    assert second["userErrors"] == [] and second["metafields"][0]["value"] == "2.0"
    stale = gql(
        METAFIELDS_SET,
        {"m": [{"ownerId": owner, "namespace": "erp", "key": "weight", "value": "3", "compareDigest": digest}]},
    )["data"]["metafieldsSet"]
    assert stale["userErrors"][0]["code"] == "STALE_OBJECT"
    read = gql(
        '{ product(id: "gid://shopify/Product/1") { metafield(namespace: "erp", key: "weight") { value } '
        "metafields(first: 5) { nodes { namespace key } } } }"
    )["data"]["product"]
    assert read["metafield"] == {"value": "2.0"}
    assert {(n["namespace"], n["key"]) for n in read["metafields"]["nodes"]} == {
        ("custom", "material"),
        ("erp", "weight"),
    }


def test_metafields_set_refuses_bad_values_unknown_owners_and_more_than_25(gql, seeded):
    owner = seeded.products["P1"]
    body = gql(
        METAFIELDS_SET,
        {
            "m": [
                {"ownerId": owner, "namespace": "erp", "key": "n", "type": "number_integer", "value": "1.5"},
                {
                    "ownerId": "gid://shopify/Product/404",
                    "namespace": "erp",
                    "key": "n",
                    "type": "number_integer",
                    "value": "1",
                },
            ]
        },
    )["data"]["metafieldsSet"]
    assert body["metafields"] is None
    assert [(e["code"], e["elementIndex"]) for e in body["userErrors"]] == [("INVALID_VALUE", 0), ("INVALID", 1)]
    many = [
        {"ownerId": owner, "namespace": "erp", "key": f"k{i}", "type": "single_line_text_field", "value": "v"}
        for i in range(26)
    ]
    assert gql(METAFIELDS_SET, {"m": many})["data"]["metafieldsSet"]["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"


def test_tags_add_and_remove_move_updated_at(gql, seeded, shop, clock):
    clock.advance(60)
    added = gql(
        'mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["ERP:transferred", "x"]) '
        "{ node { id } userErrors { message } } }"
    )
    assert added["data"]["tagsAdd"] == {"node": {"id": "gid://shopify/Order/1001"}, "userErrors": []}
    assert shop.orders[1001].tags == ["ERP:transferred", "x"]
    assert shop.orders[1001].updated_at == clock.now()
    gql('mutation { tagsRemove(id: "gid://shopify/Order/1001", tags: ["x"]) { userErrors { message } } }')
    assert shop.orders[1001].tags == ["ERP:transferred"]
    missing = gql('mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { field message } } }')
    assert missing["data"]["tagsAdd"]["userErrors"] == [{"field": ["id"], "message": "Resource does not exist"}]


def test_an_image_uploaded_through_a_staged_target_is_attached_and_served_back(gql, client, seeded):
    png = b"\x89PNG\r\n\x1a\n" + b"pixels" * 10
    staged = gql("""mutation { stagedUploadsCreate(input: [{resource: IMAGE, filename: "mug.png",
        mimeType: "image/png", httpMethod: PUT}]) { stagedTargets { url resourceUrl parameters { name value } } } }""")
    target = staged["data"]["stagedUploadsCreate"]["stagedTargets"][0]
    assert client.put(target["url"], content=png, headers={"Content-Type": "image/png"}).status_code == 200
    attached = gql(
        """mutation($id: ID!, $src: String!) { productUpdate(product: {id: $id},
        media: [{originalSource: $src, mediaContentType: IMAGE, alt: "Mug"}]) {
        product { media(first: 5) { nodes { ... on MediaImage { id alt status image { url } } } } }
        userErrors { message } } }""",
        {"id": seeded.products["P1"], "src": target["resourceUrl"]},
    )
    media = attached["data"]["productUpdate"]["product"]["media"]["nodes"][0]
    assert (media["alt"], media["status"], media["image"]) == ("Mug", "UPLOADED", None)  # processed later
    read = """query($id: ID!) { node(id: $id) { ... on MediaImage { status image { url } } } }"""
    assert gql(read, {"id": media["id"]})["data"]["node"] == {"status": "PROCESSING", "image": None}
    media = gql(read, {"id": media["id"]})["data"]["node"]
    assert media["status"] == "READY"
    served = client.get(media["image"]["url"])
    assert hashlib.sha256(served.content).hexdigest() == hashlib.sha256(png).hexdigest()
    assert served.headers["content-type"] == "image/png"


def test_files_can_be_created_attached_detached_and_deleted(gql, seeded, shop):
    created = gql("""mutation { fileCreate(files: [{originalSource: "https://cdn.example.com/a.jpg", alt: "A"}]) {
        files { id alt fileStatus } userErrors { message } } }""")["data"]["fileCreate"]["files"][0]
    assert created["fileStatus"] == "UPLOADED"
    read = """query($id: ID!) { node(id: $id) { ... on MediaImage { fileStatus } } }"""
    statuses = [gql(read, {"id": created["id"]})["data"]["node"]["fileStatus"] for _ in range(3)]
    assert statuses == ["PROCESSING", "READY", "READY"]
    file_update = """mutation($f: [FileUpdateInput!]!) { fileUpdate(files: $f) { files { id } userErrors { code } } }"""
    gql(file_update, {"f": [{"id": created["id"], "referencesToAdd": [seeded.products["P2"]]}]})
    assert shop.find(seeded.products["P2"]).media_ids == [shop.find(created["id"]).id]
    gql(file_update, {"f": [{"id": created["id"], "referencesToRemove": [seeded.products["P2"]]}]})
    assert shop.find(seeded.products["P2"]).media_ids == []
    missing = gql(file_update, {"f": [{"id": "gid://shopify/MediaImage/77"}]})
    assert missing["data"]["fileUpdate"]["userErrors"] == [{"code": "FILE_DOES_NOT_EXIST"}]
    gql("mutation($ids: [ID!]!) { fileDelete(fileIds: $ids) { deletedFileIds } }", {"ids": [created["id"]]})
    assert shop.media == {}


def test_a_non_url_media_source_is_refused(gql, seeded):
    body = gql(
        """mutation($id: ID!) { productCreateMedia(productId: $id, media: [{originalSource: "mug.png",
        mediaContentType: IMAGE}]) { mediaUserErrors { field code } } }""",
        {"id": seeded.products["P1"]},
    )
    assert body["data"]["productCreateMedia"]["mediaUserErrors"] == [
        {"field": ["media", "0", "originalSource"], "code": "INVALID"}
    ]

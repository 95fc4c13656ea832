"""Publications as Shopify documents them: a shop's sales channels, products and collections published to none
until ``publishablePublish`` (or an ``autoPublish`` channel) puts them there, and publishing again changes nothing."""

from __future__ import annotations

PUBLICATIONS = "{ publications(first: 10) { nodes { id autoPublish catalog { title status } } } }"
PUBLISHED = """query($id: ID!, $pub: ID!) { node(id: $id) { ... on Publishable {
    publishedOnPublication(publicationId: $pub)
    resourcePublications(first: 5) { nodes { isPublished publishDate publication { id } } } } } }"""
PUBLISH = """mutation($id: ID!, $input: [PublicationInput!]!) { publishablePublish(id: $id, input: $input) {
    userErrors { field message } } }"""
CREATE = """mutation { productCreate(product: {title: "Mug", status: ACTIVE}) { product { id } } }"""


def channels(gql) -> dict[str, str]:
    nodes = gql(PUBLICATIONS)["data"]["publications"]["nodes"]
    return {node["catalog"]["title"]: node["id"] for node in nodes}


def test_a_shop_has_the_online_store_and_point_of_sale_and_a_new_product_is_on_neither(gql):
    found = channels(gql)
    assert set(found) == {"Online Store", "Point of Sale"}
    product = gql(CREATE)["data"]["productCreate"]["product"]["id"]
    for publication in found.values():
        node = gql(PUBLISHED, {"id": product, "pub": publication})["data"]["node"]
        assert node == {"publishedOnPublication": False, "resourcePublications": {"nodes": []}}


def test_publishing_puts_a_product_on_the_channel_and_a_repeat_changes_nothing(gql, shop, clock):
    online = channels(gql)["Online Store"]
    product = gql(CREATE)["data"]["productCreate"]["product"]["id"]

    assert gql(PUBLISH, {"id": product, "input": [{"publicationId": online}]})["data"] == {
        "publishablePublish": {"userErrors": []}
    }
    first = gql(PUBLISHED, {"id": product, "pub": online})["data"]["node"]
    clock.advance(60)
    gql(PUBLISH, {"id": product, "input": [{"publicationId": online}]})

    assert first["publishedOnPublication"] is True
    assert first["resourcePublications"]["nodes"] == [
        {"isPublished": True, "publishDate": "2026-03-01T00:00:00Z", "publication": {"id": online}}
    ]
    assert gql(PUBLISHED, {"id": product, "pub": online})["data"]["node"] == first  # the first date stays
    assert shop.find(product).published_at is not None  # publishedAt is the Online Store date


def test_an_unknown_publication_is_refused_naming_its_input_and_nothing_is_published(gql, shop):
    online = channels(gql)["Online Store"]
    created = gql('mutation { collectionCreate(input: {title: "Mugs"}) { collection { id } } }')
    collection = created["data"]["collectionCreate"]["collection"]["id"]
    body = gql(
        PUBLISH,
        {"id": collection, "input": [{"publicationId": online}, {"publicationId": "gid://shopify/Publication/99"}]},
    )
    assert body["data"]["publishablePublish"]["userErrors"] == [
        {"field": ["input", "1", "publicationId"], "message": "Publication does not exist"}
    ]
    assert shop.find(collection).publications == {}  # collections are unpublished by default too


def test_a_channel_that_publishes_automatically_gets_every_new_product(gql, shop):
    pos = shop.add_publication("Wholesale", auto_publish=True)
    product = gql(CREATE)["data"]["productCreate"]["product"]["id"]
    assert set(shop.find(product).publications) == {pos.id}

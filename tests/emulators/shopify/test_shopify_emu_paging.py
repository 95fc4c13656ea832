"""Cursor pagination: first/after, last/before, reverse, sort keys, nodes and edges, limits."""

from __future__ import annotations

import pytest
from shopify_emu_support import product_model

from emulators.shopify import FakeClock, ShopState

WALK = """query($after: String, $sort: ProductSortKeys, $reverse: Boolean) {
  products(first: 7, after: $after, sortKey: $sort, reverse: $reverse) {
    nodes { id title }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


@pytest.fixture
def many(shop: ShopState, clock: FakeClock) -> list[str]:
    gids = []
    for i in range(25):
        gids += shop.seed_products([product_model(f"K{i:02d}", sizes=("S",))]).values()
        clock.advance(60)
    return gids


def walk(gql, variables: dict | None = None) -> list[list[str]]:
    pages, after = [], None
    while True:
        body = gql(WALK, {**(variables or {}), "after": after})
        connection = body["data"]["products"]
        pages.append([n["id"] for n in connection["nodes"]])
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]


def test_walking_the_pages_returns_every_record_exactly_once(gql, many):
    pages = walk(gql)
    seen = [gid for page in pages for gid in page]
    assert [len(p) for p in pages] == [7, 7, 7, 4]
    assert seen == many


def test_reverse_walks_the_same_records_backwards(gql, many):
    seen = [gid for page in walk(gql, {"reverse": True}) for gid in page]
    assert seen == list(reversed(many))


def test_sorting_by_updated_at_puts_a_freshly_updated_record_last(gql, many, shop, clock):
    clock.advance(60)
    first = shop.find(many[0], "Product")
    shop.touch(first)
    seen = [gid for page in walk(gql, {"sort": "UPDATED_AT"}) for gid in page]
    assert seen == many[1:] + many[:1]


def test_edges_and_nodes_list_the_same_records_and_edge_cursors_resume_the_walk(gql, many):
    body = gql("{ products(first: 5) { edges { cursor node { id } } nodes { id } } }")
    edges = body["data"]["products"]["edges"]
    assert [e["node"]["id"] for e in edges] == [n["id"] for n in body["data"]["products"]["nodes"]] == many[:5]
    resumed = gql(WALK, {"after": edges[2]["cursor"]})["data"]["products"]["nodes"]
    assert [n["id"] for n in resumed] == many[3:10]


def test_last_and_before_page_backwards(gql, many):
    body = gql("{ products(last: 4) { nodes { id } pageInfo { hasPreviousPage startCursor } } }")
    tail = body["data"]["products"]
    assert [n["id"] for n in tail["nodes"]] == many[-4:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    before = gql(
        "query($b: String) { products(last: 3, before: $b) { nodes { id } } }", {"b": tail["pageInfo"]["startCursor"]}
    )
    assert [n["id"] for n in before["data"]["products"]["nodes"]] == many[-7:-4]


def test_a_record_created_during_the_walk_is_not_skipped(gql, many, shop):
    first = gql(WALK)["data"]["products"]
    created = list(shop.seed_products([product_model("NEW", sizes=("S",))]).values())[0]
    rest, after = [], first["pageInfo"]["endCursor"]
    while after:
        connection = gql(WALK, {"after": after})["data"]["products"]
        rest += [n["id"] for n in connection["nodes"]]
        after = connection["pageInfo"]["endCursor"] if connection["pageInfo"]["hasNextPage"] else None
    seen = [n["id"] for n in first["nodes"]] + rest
    assert seen == many + [created]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 251", "The `first` argument must be between 0 and 250."),
        ("", "you must provide one of first or last"),
        ('first: 5, after: "not-a-cursor"', "Invalid cursor"),
    ],
)
def test_bad_paging_arguments_are_errors_naming_the_problem(gql, many, arguments, message):
    call = f"products({arguments})" if arguments else "products"
    body = gql(f"{{ {call} {{ nodes {{ id }} }} }}")
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith(message)
    assert body["errors"][0]["path"] == ["products"]


def test_listings_with_different_filters_or_after_a_write_are_not_mixed_up(gql, seeded, shop):
    shop.find(seeded.locations["SECOND"]).is_active = False
    shop.bump()
    active = gql("{ locations(first: 5) { nodes { name } } }")["data"]["locations"]["nodes"]
    everything = gql("{ locations(first: 5, includeInactive: true) { nodes { name } } }")["data"]["locations"]["nodes"]
    assert (active, everything) == ([{"name": "MAIN"}], [{"name": "MAIN"}, {"name": "SECOND"}])
    open_orders = '{ orders(first: 5, query: "status:open") { nodes { id } } }'
    assert len(gql(open_orders)["data"]["orders"]["nodes"]) == 3
    gql('mutation { orderClose(input: {id: "gid://shopify/Order/1001"}) { userErrors { message } } }')
    shop.search_index.catch_up()  # the cache is what is tested here, not the index's lag
    assert [n["id"] for n in gql(open_orders)["data"]["orders"]["nodes"]] == seeded.orders[1:]

"""Categories end to end: the ERP category tree → manual collections (hierarchy in ``erp.*`` metafields) with
the items of each category in its collection, against the emulator and the SQL ERP."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from connectors.erp.sql import tables as t
from connectors.shopify.inputs import collection_handle
from engine.resources import resources
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_categories import sync_categories
from tests.flows.test_products import set_publications

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def put_products_in_shop(shop) -> dict[str, str]:
    """The products as sync_products would leave them: created in the shop and mapped (item key → GID)."""
    gids = shop.emulator.state.seed_products(shop.data.products)
    shop.state.put_mappings(shop.name, "product", gids.items())
    return gids


def collections_by_handle(shop) -> dict[str, object]:
    return {c.handle: c for c in shop.emulator.state.collections.values()}


def collection_metafields(shop, collection) -> dict[str, str]:
    found = shop.emulator.state.metafields_of("COLLECTION", collection.id)
    return {key: mf.value for (namespace, key), mf in found.items() if namespace == "erp"}


def product_ids(shop, collection) -> set[str]:
    return {shop.emulator.state.products[i].gid for i in collection.product_ids}


def last_period(shop) -> SyncParams:
    run = shop.state.list_runs(shop.name, "sync_categories", limit=10)[-1]
    return SyncParams(shop=shop.name, period_start=run.period_start, period_end=run.period_end)


def test_the_category_tree_becomes_collections_with_their_products_and_a_second_run_sends_nothing(flow_shop):
    gids = put_products_in_shop(flow_shop)
    categories = {c.erp_key: c for c in flow_shop.data.categories}

    first = sync_categories(SyncParams(shop=flow_shop.name))

    assert first.failed == 0 and first.created == len(categories)
    found = collections_by_handle(flow_shop)
    assert len(flow_shop.emulator.state.collections) == len(categories)
    for category in categories.values():
        collection = found[collection_handle(category)]
        assert collection.title == category.name
        chain = [category]
        while chain[0].parent_key:
            chain.insert(0, categories[chain[0].parent_key])
        assert collection_metafields(flow_shop, collection) == {
            "category_key": category.erp_key,
            "key_path": "/".join(c.erp_key for c in chain),
            "path": " > ".join(c.name for c in chain),
        }
        members = {gids[p.erp_key] for p in flow_shop.data.products if category.erp_key in p.category_keys}
        assert product_ids(flow_shop, collection) == members

    version = flow_shop.emulator.state.version
    again = sync_categories(last_period(flow_shop))
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert flow_shop.emulator.state.version == version  # nothing was written to the shop


def test_a_category_whose_parent_is_missing_is_reported_with_its_children_and_the_rest_is_synced(sqlite_shop):
    item = sqlite_shop.data.products[0].erp_key
    with sqlite_shop.erp.engine.begin() as conn:
        conn.execute(
            sa.insert(t.categories),
            [
                {"erp_key": "LOST", "name": "Ztracená", "parent_key": "GONE", "position": 0, "updated_at": NOW},
                {"erp_key": "LOST-SUB", "name": "Podkategorie", "parent_key": "LOST", "position": 0, "updated_at": NOW},
            ],
        )
        conn.execute(sa.insert(t.item_categories).values(item_key=item, category_key="LOST", position=1))
    gids = put_products_in_shop(sqlite_shop)

    report = report_of(sync_categories(SyncParams(shop=sqlite_shop.name), return_state=True))

    assert sorted((f.record, f.field, f.reason) for f in report.failures) == [
        ("category LOST", "parent_key", "parent 'GONE' does not exist"),
        ("category LOST-SUB", "parent_key", "parent 'GONE' (of ancestor 'LOST') does not exist"),
    ]
    assert report.created == len(sqlite_shop.data.categories)
    found = collections_by_handle(sqlite_shop)
    home = sqlite_shop.data.products[0].category_keys[0]
    home_collection = found[collection_handle(next(c for c in sqlite_shop.data.categories if c.erp_key == home))]
    assert gids[item] in product_ids(sqlite_shop, home_collection)  # its valid category still got it
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_categories").extra["retry"] == [item]


def test_a_collection_created_by_a_run_whose_answer_was_lost_is_adopted_not_duplicated(sqlite_shop):
    category = sqlite_shop.data.categories[0]
    shopify = resources(sqlite_shop.name).shopify
    payload, _ = shopify.mutate(
        "CollectionCreate",
        {"input": {"title": category.name, "handle": collection_handle(category)}},
        "collectionCreate",
    )  # applied, but no mapping was recorded
    put_products_in_shop(sqlite_shop)

    report = sync_categories(SyncParams(shop=sqlite_shop.name))

    assert report.failed == 0 and report.created == len(sqlite_shop.data.categories) - 1
    assert len(sqlite_shop.emulator.state.collections) == len(sqlite_shop.data.categories)
    mapped = sqlite_shop.state.shop_ids(sqlite_shop.name, "collection", [category.erp_key])
    assert mapped == {category.erp_key: payload["collection"]["id"]}


def test_a_dry_run_compares_and_writes_nothing(sqlite_shop):
    put_products_in_shop(sqlite_shop)
    version = sqlite_shop.emulator.state.version

    report = sync_categories(SyncParams(shop=sqlite_shop.name, dry_run=True))

    assert report.created == report.updated == report.failed == 0
    assert any("would create or update" in note for note in report.notes)
    assert sqlite_shop.emulator.state.collections == {}
    assert sqlite_shop.emulator.state.version == version
    assert sqlite_shop.state.all_mappings(sqlite_shop.name, "collection").empty


def test_new_collections_are_published_to_the_configured_sales_channel_once(sqlite_shop):
    put_products_in_shop(sqlite_shop)
    state = sqlite_shop.emulator.state
    online = next(p for p in state.publications.values() if p.name == "Online Store")

    first = sync_categories(SyncParams(shop=sqlite_shop.name))

    assert first.failed == 0
    assert all(set(c.publications) == {online.id} for c in state.collections.values())  # unpublished by default
    version = state.version
    again = sync_categories(last_period(sqlite_shop))
    assert again.failed == 0 and state.version == version  # nothing published twice


def test_collections_whose_create_answers_were_lost_are_found_at_once_despite_the_search_lag(sqlite_shop):
    """The emulator's search index lags writes (search_lag_seconds): the lookup after a lost answer reads the
    collection by identifier, so it is adopted, never created a second time."""
    # publishing nowhere, so the lost answers are the creates' only: a publish is retry-safe and would just be
    # retried with back-off (minutes of waiting, for another test's point)
    set_publications(sqlite_shop, [])
    sqlite_shop.emulator.set_faults(drop_after_apply=1.0)  # every create applied, every answer lost (502)

    report = sync_categories(SyncParams(shop=sqlite_shop.name))

    assert (report.created, report.failed) == (len(sqlite_shop.data.categories), 0)
    handles = [c.handle for c in sqlite_shop.emulator.state.collections.values()]
    assert sorted(handles) == sorted(collection_handle(c) for c in sqlite_shop.data.categories)
    mapped = sqlite_shop.state.shop_ids(
        sqlite_shop.name, "collection", [c.erp_key for c in sqlite_shop.data.categories]
    )
    assert len(mapped) == len(sqlite_shop.data.categories)

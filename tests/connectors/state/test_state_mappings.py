"""Id mappings (ERP key ⇄ shop GID) and content hashes, written in bulk and read both ways."""

from __future__ import annotations

import pandas as pd
import pytest

from connectors.state import StateStore

SHOP = "shop-a"


def variant(n: int) -> str:
    return f"gid://shopify/ProductVariant/{n}"


def test_bulk_upsert_of_5000_mappings_is_found_in_both_directions(store: StateStore):
    pairs = [(f"SKU-{n:05d}", variant(n)) for n in range(5000)]
    assert store.put_mappings(SHOP, "variant", pairs) == 5000
    keys = [k for k, _ in pairs]
    assert store.shop_ids(SHOP, "variant", keys) == dict(pairs)
    assert store.erp_keys(SHOP, "variant", [v for _, v in pairs]) == {v: k for k, v in pairs}
    frame = store.all_mappings(SHOP, "variant")
    assert len(frame) == 5000 and list(frame.columns) == ["erp_key", "shop_id"]


def test_bulk_upsert_over_existing_mappings_updates_them_in_place(store: StateStore):
    store.put_mappings(SHOP, "variant", [(f"SKU-{n:05d}", variant(n)) for n in range(5000)])
    repointed = [(f"SKU-{n:05d}", variant(100_000 + n)) for n in range(0, 5000, 2)]
    store.put_mappings(SHOP, "variant", repointed)
    assert store.shop_ids(SHOP, "variant", ["SKU-00000", "SKU-00001"]) == {
        "SKU-00000": variant(100_000),
        "SKU-00001": variant(1),
    }
    assert len(store.all_mappings(SHOP, "variant")) == 5000
    assert store.erp_keys(SHOP, "variant", [variant(0)]) == {}


def test_unmapped_keys_are_simply_absent_from_lookups(store: StateStore):
    store.put_mappings(SHOP, "product", [("ITEM-1", "gid://shopify/Product/1")])
    assert store.shop_ids(SHOP, "product", ["ITEM-1", "ITEM-2"]) == {"ITEM-1": "gid://shopify/Product/1"}
    assert store.erp_keys(SHOP, "product", ["gid://shopify/Product/2"]) == {}


def test_mapping_a_shop_id_to_a_new_erp_key_drops_its_old_pairing(store: StateStore):
    store.put_mappings(SHOP, "customer", [("C-1", "gid://shopify/Customer/7")])
    store.put_mappings(SHOP, "customer", [("C-2", "gid://shopify/Customer/7")])
    assert store.erp_keys(SHOP, "customer", ["gid://shopify/Customer/7"]) == {"gid://shopify/Customer/7": "C-2"}
    assert store.shop_ids(SHOP, "customer", ["C-1"]) == {}


def test_a_batch_pairing_one_key_with_two_partners_is_refused_whole(sqlite_store: StateStore):
    with pytest.raises(ValueError, match="erp_key 'SKU-1' is paired with both"):
        sqlite_store.put_mappings(
            SHOP, "variant", [("SKU-1", variant(1)), ("SKU-2", variant(2)), ("SKU-1", variant(3))]
        )
    with pytest.raises(ValueError, match="shop_id .*ProductVariant/1' is paired with both"):
        sqlite_store.put_mappings(SHOP, "variant", [("SKU-1", variant(1)), ("SKU-2", variant(1))])
    assert sqlite_store.all_mappings(SHOP, "variant").empty


def test_blank_keys_are_refused_naming_the_mapping_and_field(sqlite_store: StateStore):
    with pytest.raises(ValueError, match=r"variant mapping 'SKU-1' -> '': shop_id must be a non-empty string"):
        sqlite_store.put_mappings(SHOP, "variant", [("SKU-1", "")])


def test_mappings_are_separate_per_shop_and_entity(store: StateStore):
    store.put_mappings("shop-a", "product", [("ITEM-1", "gid://shopify/Product/1")])
    store.put_mappings("shop-b", "product", [("ITEM-1", "gid://shopify/Product/99")])
    store.put_mappings("shop-a", "collection", [("ITEM-1", "gid://shopify/Collection/5")])
    assert store.shop_ids("shop-b", "product", ["ITEM-1"]) == {"ITEM-1": "gid://shopify/Product/99"}
    assert store.shop_ids("shop-a", "collection", ["ITEM-1"]) == {"ITEM-1": "gid://shopify/Collection/5"}


def test_all_mappings_frame_supports_set_differences(store: StateStore):
    store.put_mappings(SHOP, "location", [("WH-1", "gid://shopify/Location/1"), ("WH-2", "gid://shopify/Location/2")])
    frame = store.all_mappings(SHOP, "location")
    erp_side = pd.Series(["WH-2", "WH-3"])
    assert sorted(erp_side[~erp_side.isin(frame["erp_key"])]) == ["WH-3"]
    assert store.all_mappings(SHOP, "order").empty


def test_deleted_mappings_are_gone_in_both_directions(store: StateStore):
    store.put_mappings(SHOP, "product", [("ITEM-1", "gid://shopify/Product/1"), ("ITEM-2", "gid://shopify/Product/2")])
    assert store.delete_mappings(SHOP, "product", ["ITEM-1", "ITEM-404"]) == 1
    assert store.erp_keys(SHOP, "product", ["gid://shopify/Product/1", "gid://shopify/Product/2"]) == {
        "gid://shopify/Product/2": "ITEM-2"
    }


def test_hashes_are_stored_overwritten_and_read_back_by_key(store: StateStore):
    store.put_hashes(SHOP, "image", {"ITEM-1/0": "a" * 64, "ITEM-1/1": "b" * 64})
    store.put_hashes(SHOP, "image", {"ITEM-1/1": "c" * 64})
    assert store.get_hashes(SHOP, "image", ["ITEM-1/1", "ITEM-9/0"]) == {"ITEM-1/1": "c" * 64}
    assert store.get_hashes(SHOP, "image") == {"ITEM-1/0": "a" * 64, "ITEM-1/1": "c" * 64}


def test_last_sent_inventory_values_allow_sending_only_what_differs(store: StateStore):
    store.put_hashes(SHOP, "inventory", {f"SKU-{n}@WH-1": str(n) for n in range(3000)})
    now = {f"SKU-{n}@WH-1": str(n if n % 1000 else n + 1) for n in range(3000)}
    sent = store.get_hashes(SHOP, "inventory", now)
    assert sorted(k for k, v in now.items() if sent.get(k) != v) == ["SKU-0@WH-1", "SKU-1000@WH-1", "SKU-2000@WH-1"]


def test_hashes_are_separate_per_shop_and_entity_and_can_be_forgotten(store: StateStore):
    store.put_hashes("shop-a", "image", {"ITEM-1/0": "a" * 64})
    store.put_hashes("shop-b", "image", {"ITEM-1/0": "b" * 64})
    store.put_hashes("shop-a", "product", {"ITEM-1": "c" * 64})
    assert store.get_hashes("shop-b", "image") == {"ITEM-1/0": "b" * 64}
    assert store.delete_hashes("shop-a", "image", ["ITEM-1/0"]) == 1
    assert store.get_hashes("shop-a", "image") == {}
    assert store.get_hashes("shop-a", "product") == {"ITEM-1": "c" * 64}


def test_a_hash_that_is_not_text_is_refused_naming_the_key(sqlite_store: StateStore):
    with pytest.raises(ValueError, match="inventory 'SKU-1@WH-1': hash must be a string"):
        sqlite_store.put_hashes(SHOP, "inventory", {"SKU-1@WH-1": 5})

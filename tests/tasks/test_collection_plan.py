"""The categories flow's plan, without Prefect: which categories become collections, with which paths."""

from __future__ import annotations

from domain.models import Category
from tasks.categories import plan_collections


def cat(key: str, parent: str | None = None, position: int = 0) -> Category:
    return Category(erp_key=key, name=key.title(), parent_key=parent, position=position)


def test_collections_come_parents_first_then_by_position_with_their_key_and_name_paths():
    plans, bad = plan_collections(
        [cat("chairs", "furniture", 2), cat("tables", "furniture", 1), cat("furniture"), cat("oak", "tables")]
    )
    assert bad == []
    assert [(p.key, p.key_path, p.name_path) for p in plans] == [
        ("furniture", ["furniture"], ["Furniture"]),
        ("tables", ["furniture", "tables"], ["Furniture", "Tables"]),
        ("chairs", ["furniture", "chairs"], ["Furniture", "Chairs"]),
        ("oak", ["furniture", "tables", "oak"], ["Furniture", "Tables", "Oak"]),
    ]


def test_the_path_travels_in_the_collections_metafields():
    plans, _ = plan_collections([cat("furniture"), cat("tables", "furniture")])
    metafields = {m["key"]: m["value"] for m in plans[1].collection_input()["metafields"]}
    assert metafields == {"category_key": "tables", "key_path": "furniture/tables", "path": "Furniture > Tables"}


def test_an_orphan_and_its_descendants_are_reported_and_the_rest_of_the_tree_is_kept():
    plans, bad = plan_collections([cat("furniture"), cat("lamps", "lighting"), cat("desk-lamps", "lamps")])
    assert [p.key for p in plans] == ["furniture"]
    assert bad == [
        ("lamps", "parent 'lighting' does not exist"),
        ("desk-lamps", "parent 'lighting' (of ancestor 'lamps') does not exist"),
    ]


def test_categories_whose_parents_form_a_cycle_are_reported():
    plans, bad = plan_collections([cat("a", "b"), cat("b", "a"), cat("root")])
    assert [p.key for p in plans] == ["root"]
    assert bad == [("a", "parents form a cycle"), ("b", "parents form a cycle")]


def test_a_changed_name_changes_the_digest_and_an_unchanged_tree_keeps_it():
    first, _ = plan_collections([cat("furniture")])
    again, _ = plan_collections([cat("furniture")])
    renamed, _ = plan_collections([Category(erp_key="furniture", name="Nábytek")])
    assert first[0].digest == again[0].digest != renamed[0].digest

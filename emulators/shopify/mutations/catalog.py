"""Collections, metafields and tags.

Collections are custom (manual) collections; a ``ruleSet`` (smart collection) is refused with a userError
because the emulator does not evaluate rules. ``metafieldsSet`` takes at most 25 entries, creates or updates by
owner + namespace + key, honours ``compareDigest`` and checks values against their type.
"""

from __future__ import annotations

from typing import Any

from .. import catalog_ops as ops
from .. import records as r
from ..context import ctx, user_error
from ..resolvers.common import compare_digest
from ..schema import resolver
from ..state import OWNER_TYPES
from .support import metafield_errors, metafield_value_error

METAFIELDS_SET_LIMIT = 25
TAGGABLE = ("Product", "Order", "Customer")


def _collection_errors(state: Any, data: dict, creating: bool) -> list[dict]:
    errors = []
    if (creating or "title" in data) and not (data.get("title") or "").strip():
        errors.append(user_error(["title"], "Title can't be blank"))
    if data.get("ruleSet") is not None:
        errors.append(user_error(["ruleSet"], "Smart collections are not supported by the emulator"))
    if not creating and data.get("products") is not None:
        errors.append(
            user_error(["products"], "Products can only be set when creating a collection; use collectionAddProducts")
        )
    for i, pid in enumerate(data.get("products") or []):
        if state.find(pid, "Product") is None:
            errors.append(user_error(["products", i], f"Product {pid} does not exist"))
    existing = None if creating else state.find(data.get("id"), "Collection")
    owner_id = existing.id if existing else 0
    errors += metafield_errors(state, "COLLECTION", owner_id, data.get("metafields") or [], ["metafields"])
    return errors


def _apply_collection(state: Any, collection: r.Collection, data: dict) -> None:
    if data.get("title") is not None:
        collection.title = data["title"]
    if data.get("descriptionHtml") is not None:
        collection.description_html = data["descriptionHtml"]
    if data.get("sortOrder") is not None:
        collection.sort_order = data["sortOrder"]
    if data.get("templateSuffix") is not None:
        collection.template_suffix = data["templateSuffix"]
    if data.get("handle"):
        collection.handle = ops.unique_handle(state, data["handle"], "collections", exclude=collection.id)
    for mf in data.get("metafields") or []:
        ops.set_metafield(
            state, collection, "COLLECTION", mf.get("namespace") or "$app", mf["key"], mf.get("type") or "", mf["value"]
        )
    state.touch(collection)


@resolver("Mutation", "collectionCreate")
def collection_create(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    errors = _collection_errors(state, input, creating=True)
    if errors:
        return {"collection": None, "userErrors": errors}
    now = state.now()
    collection = r.Collection(
        id=state.next_id("collections"),
        title=input["title"],
        created_at=now,
        updated_at=now,
        handle=ops.unique_handle(state, input.get("handle") or input["title"], "collections"),
    )
    state.collections[collection.id] = collection
    _apply_collection(state, collection, input)
    collection.product_ids = [state.find(p, "Product").id for p in dict.fromkeys(input.get("products") or [])]
    return {"collection": collection, "userErrors": []}


@resolver("Mutation", "collectionUpdate")
def collection_update(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    collection = state.find(input.get("id"), "Collection") if input.get("id") else None
    if collection is None:
        return {"collection": None, "job": None, "userErrors": [user_error(["id"], "Collection does not exist")]}
    errors = _collection_errors(state, input, creating=False)
    if errors:
        return {"collection": collection, "job": None, "userErrors": errors}
    _apply_collection(state, collection, input)
    return {"collection": collection, "job": None, "userErrors": []}


@resolver("Mutation", "collectionDelete")
def collection_delete(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    collection = state.find(input["id"], "Collection")
    if collection is None:
        return {"deletedCollectionId": None, "userErrors": [user_error(["id"], "Collection does not exist")]}
    state.drop_metafields_of("COLLECTION", collection.id)
    del state.collections[collection.id]
    return {"deletedCollectionId": collection.gid, "userErrors": []}


@resolver("Mutation", "collectionAddProducts")
def collection_add_products(_: Any, info: Any, id: str, productIds: list[str]) -> dict:
    state = ctx(info).state
    collection = state.find(id, "Collection")
    if collection is None:
        return {"collection": None, "userErrors": [user_error(["id"], "Collection does not exist")]}
    missing = [
        user_error(["productIds", i], f"Product {p} does not exist")
        for i, p in enumerate(productIds)
        if state.find(p, "Product") is None
    ]
    if missing:
        return {"collection": None, "userErrors": missing}
    for pid in productIds:
        product = state.find(pid, "Product")
        if product.id not in collection.product_ids:
            collection.product_ids.append(product.id)
    state.touch(collection)
    return {"collection": collection, "userErrors": []}


# ---- metafieldsSet ----------------------------------------------------------------------------------------


@resolver("Mutation", "metafieldsSet")
def metafields_set(_: Any, info: Any, metafields: list[dict]) -> dict:
    state = ctx(info).state
    if len(metafields) > METAFIELDS_SET_LIMIT:
        return {
            "metafields": None,
            "userErrors": [
                user_error(
                    ["metafields"],
                    f"Exceeded the maximum metafields input limit of {METAFIELDS_SET_LIMIT}.",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            ],
        }
    errors, plan = [], []
    for i, entry in enumerate(metafields):
        owner = state.find(entry["ownerId"], *OWNER_TYPES)
        namespace = entry.get("namespace") or "$app"
        if owner is None:
            errors.append(user_error(["metafields", i, "ownerId"], "Owner does not exist.", "INVALID", elementIndex=i))
            continue
        existing = state.metafields_of(OWNER_TYPES[owner.GQL_TYPE], owner.id).get((namespace, entry["key"]))
        type_ = entry.get("type") or (existing.type if existing else None)
        if not type_:
            errors.append(user_error(["metafields", i, "type"], "Type can't be blank.", "BLANK", elementIndex=i))
            continue
        problem = metafield_value_error(type_, entry["value"])
        if problem:
            code = "INVALID_TYPE" if problem.startswith("Type") else "INVALID_VALUE"
            errors.append(user_error(["metafields", i, "value"], problem, code, elementIndex=i))
        digest = entry.get("compareDigest")
        if digest is not None and (existing is None or compare_digest(existing) != digest):
            errors.append(
                user_error(
                    ["metafields", i, "compareDigest"],
                    "The resource has been updated since it "
                    "was loaded. Try again with an updated `compareDigest` value.",
                    "STALE_OBJECT",
                    elementIndex=i,
                )
            )
        plan.append((owner, namespace, entry, type_))
    if errors:
        return {"metafields": None, "userErrors": errors}
    made = [
        ops.set_metafield(state, owner, OWNER_TYPES[owner.GQL_TYPE], namespace, entry["key"], type_, entry["value"])
        for owner, namespace, entry, type_ in plan
    ]
    return {"metafields": made, "userErrors": []}


# ---- tags -------------------------------------------------------------------------------------------------


def _tag_list(tags: list[str]) -> list[str]:
    return [t.strip() for value in tags for t in value.split(",") if t.strip()]


@resolver("Mutation", "tagsAdd")
def tags_add(_: Any, info: Any, id: str, tags: list[str]) -> dict:
    state = ctx(info).state
    node = state.find(id, *TAGGABLE)
    if node is None:
        return {"node": None, "userErrors": [user_error(["id"], "Resource does not exist")]}
    added = [t for t in _tag_list(tags) if t not in node.tags]
    if added:
        node.tags = [*node.tags, *added]
        state.touch(node)
    return {"node": node, "userErrors": []}


@resolver("Mutation", "tagsRemove")
def tags_remove(_: Any, info: Any, id: str, tags: list[str]) -> dict:
    state = ctx(info).state
    node = state.find(id, *TAGGABLE)
    if node is None:
        return {"node": None, "userErrors": [user_error(["id"], "Resource does not exist")]}
    remove = set(_tag_list(tags))
    if remove & set(node.tags):
        node.tags = [t for t in node.tags if t not in remove]
        state.touch(node)
    return {"node": node, "userErrors": []}

"""Product mutations: ``productSet`` (declarative upsert), ``productCreate``, ``productUpdate``, ``productDelete``.

``productSet`` replaces what it is given: the listed variants become the product's variants (matched by id,
else by option values; others are deleted), listed collections its collections, listed files its media.
"""

from __future__ import annotations

from typing import Any

from .. import catalog_ops as ops
from .. import records as r
from ..context import RequestContext, ctx, user_error
from ..gids import gid
from ..resolvers.common import resolve_shop
from ..schema import resolver
from .media import add_media_inputs, media_input_errors, set_product_files
from .support import metafield_errors
from .variant_input import VariantChecker, apply_variant_fields, option_pairs, set_variant_quantities

_SET_CODES = {"price": "INVALID_VARIANT", "sku": "DUPLICATED_VALUE", "location": "NOT_FOUND"}
_PLAIN_FIELDS = {
    "title": "title",
    "descriptionHtml": "description_html",
    "vendor": "vendor",
    "productType": "product_type",
    "status": "status",
    "templateSuffix": "template_suffix",
}


def _apply_plain(state: Any, product: r.Product, data: dict) -> None:
    for key, attr in _PLAIN_FIELDS.items():
        if data.get(key) is not None:
            setattr(product, attr, data[key])
    if data.get("tags") is not None:
        product.tags = _tags(data["tags"])
    if data.get("handle"):
        product.handle = ops.unique_handle(state, data["handle"], exclude=product.id)
    for mf in data.get("metafields") or []:
        ops.set_metafield(
            state, product, "PRODUCT", mf.get("namespace") or "$app", mf["key"], mf.get("type") or "", mf["value"]
        )
    state.touch(product)


def _tags(values: list[str]) -> list[str]:
    tags = [t.strip() for value in values for t in value.split(",") if t.strip()]
    return list(dict.fromkeys(tags))


def _join_collections(state: Any, product: r.Product, join: list[str], leave: list[str] = ()) -> None:
    for cid in join:
        collection = state.find(cid, "Collection")
        if collection is not None and product.id not in collection.product_ids:
            collection.product_ids.append(product.id)
            state.touch(collection)
    for cid in leave:
        collection = state.find(cid, "Collection")
        if collection is not None and product.id in collection.product_ids:
            collection.product_ids.remove(product.id)
            state.touch(collection)


def _unknown_collections(state: Any, ids: list[str] | None, path: list, code: str | None) -> list[dict]:
    return [
        user_error([*path, i], f"Collection {cid} does not exist", code)
        for i, cid in enumerate(ids or [])
        if state.find(cid, "Collection") is None
    ]


# ---- productSet -------------------------------------------------------------------------------------------


@resolver("Mutation", "productSet")
def product_set(_: Any, info: Any, input: dict, identifier: dict | None = None, synchronous: bool = True) -> dict:
    state = ctx(info).state
    product, errors = _find_for_set(state, input, identifier or {})
    if not errors:
        errors = _check_set(state, product, input)
    if errors:
        return {"product": None, "productSetOperation": None, "userErrors": errors}
    if product is None:
        product = ops.create_product(
            state, title=input["title"], handle=(identifier or {}).get("handle") or input.get("handle")
        )
        publish_where_automatic(state, product)
    _apply_set(ctx(info), product, input)
    if synchronous:
        return {"product": product, "productSetOperation": None, "userErrors": []}
    operation = {
        "id": gid("ProductSetOperation", state.next_id("_operations")),
        "status": "COMPLETE",
        "product": product,
        "userErrors": [],
    }
    return {"product": None, "productSetOperation": operation, "userErrors": []}


def _find_for_set(state: Any, data: dict, identifier: dict) -> tuple[r.Product | None, list[dict]]:
    wanted = identifier.get("id") or data.get("id")
    if wanted:
        product = state.find(wanted, "Product")
        if product is None:
            return None, [
                user_error(
                    ["identifier", "id"] if identifier.get("id") else ["input", "id"],
                    "Product does not exist",
                    "PRODUCT_DOES_NOT_EXIST",
                )
            ]
        return product, []
    handle = identifier.get("handle")
    if handle:
        return next((p for p in state.products.values() if p.handle == handle), None), []
    return None, []


def _check_set(state: Any, product: r.Product | None, data: dict) -> list[dict]:
    errors: list[dict] = []
    if product is None and not data.get("title"):
        errors.append(user_error(["input", "title"], "Title can't be blank", "MISSING_FIELD_REQUIRED"))
    options = data.get("productOptions")
    variants = data.get("variants")
    if variants is not None and options is None and product is None:
        errors.append(
            user_error(
                ["input", "productOptions"],
                "Product options input is required when updating variants",
                "PRODUCT_OPTIONS_INPUT_MISSING",
            )
        )
        return errors
    declared = (
        {o["name"]: [v["name"] for v in o.get("values") or []] for o in options}
        if options is not None
        else {o.name: o.values for o in product.options}
        if product
        else {}
    )
    own = set(product.variant_ids) if product else set()
    checker = VariantChecker(state, product, _SET_CODES, replaced=own)
    for i, v in enumerate(variants or []):
        path = ["input", "variants", i]
        vid = None
        if v.get("id"):
            target = state.find(v["id"], "ProductVariant")
            if target is None or target.id not in own:
                errors.append(
                    user_error([*path, "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
                )
            else:
                vid = target.id
        for j, (name, value) in enumerate(option_pairs(product, v.get("optionValues")) or []):
            if name not in declared:
                errors.append(
                    user_error([*path, "optionValues", j], f"Option '{name}' does not exist", "OPTION_DOES_NOT_EXIST")
                )
            elif options is not None and value not in declared[name]:
                errors.append(
                    user_error(
                        [*path, "optionValues", j],
                        f"Option value '{value}' does not exist",
                        "OPTION_VALUE_DOES_NOT_EXIST",
                    )
                )
        checker.check(i, v, ["input", "variants"], v.get("sku"), vid)
        for k, q in enumerate(v.get("inventoryQuantities") or []):
            checker.check_location([*path, "inventoryQuantities", k, "locationId"], q["locationId"])
            if q["name"] not in ("available", "on_hand"):
                errors.append(
                    user_error(
                        [*path, "inventoryQuantities", k, "name"],
                        "Quantity name must be available or on_hand",
                        "INVALID_INPUT",
                    )
                )
    errors.extend(checker.errors)
    errors.extend(_unknown_collections(state, data.get("collections"), ["input", "collections"], "NOT_FOUND"))
    errors.extend(
        metafield_errors(
            state, "PRODUCT", product.id if product else 0, data.get("metafields") or [], ["input", "metafields"]
        )
    )
    errors.extend(
        media_input_errors(
            data.get("files") or [],
            ["input", "files"],
            source_key="originalSource",
            code="INVALID_INPUT",
            allow_id=True,
        )
    )
    return errors


def _apply_set(context: RequestContext, product: r.Product, data: dict) -> None:
    state = context.state
    _apply_plain(state, product, data)
    if data.get("productOptions") is not None:
        ops.set_options(
            state, product, [(o["name"], [v["name"] for v in o.get("values") or []]) for o in data["productOptions"]]
        )
    if data.get("variants") is not None:
        _replace_variants(state, product, data["variants"])
    elif not product.variant_ids:
        first_values = [(o.name, o.values[0]) for o in product.options if o.values]
        ops.create_variant(state, product, price=0, option_values=first_values or None)
    if data.get("collections") is not None:
        current = [c.gid for c in state.collections.values() if product.id in c.product_ids]
        _join_collections(state, product, data["collections"], [c for c in current if c not in data["collections"]])
    if data.get("files") is not None:
        set_product_files(context, product, data["files"])


def _replace_variants(state: Any, product: r.Product, inputs: list[dict]) -> None:
    existing = {state.variants[v].id: state.variants[v] for v in product.variant_ids}
    by_options = {tuple(v.option_values): v for v in existing.values()}
    matched: list[tuple[r.Variant | None, dict, list]] = []
    for data in inputs:
        pairs = option_pairs(product, data.get("optionValues")) or []
        target = state.find(data["id"], "ProductVariant") if data.get("id") else by_options.get(tuple(pairs))
        matched.append((target, data, pairs))
    keep = {t.id for t, _, _ in matched if t is not None}
    for vid in [v for v in product.variant_ids if v not in keep]:
        ops.delete_variant(state, state.variants[vid])
    order: list[int] = []
    for target, data, pairs in matched:
        if target is None:
            target = ops.create_variant(state, product, price=data.get("price") or 0, option_values=pairs or None)
        elif pairs:
            target.option_values = pairs
            target.title = " / ".join(v for _, v in pairs)
        apply_variant_fields(state, target, data, data.get("sku"))
        set_variant_quantities(
            state,
            target,
            [
                (state.find(q["locationId"], "Location"), q["name"], q["quantity"])
                for q in data.get("inventoryQuantities") or []
            ],
        )
        order.append(target.id)
    product.variant_ids = order
    for position, vid in enumerate(order, start=1):
        state.variants[vid].position = position
    ops.merge_option_values(state, product, [p for vid in order for p in state.variants[vid].option_values])
    ops.prune_option_values(state, product)


# ---- productCreate / productUpdate / productDelete --------------------------------------------------------


@resolver("Mutation", "productCreate")
def product_create(_: Any, info: Any, product: dict | None = None, media: list[dict] | None = None) -> dict:
    state = ctx(info).state
    data = product or {}
    errors = []
    if not (data.get("title") or "").strip():
        errors.append(user_error(["title"], "Title can't be blank"))
    errors += _unknown_collections(state, data.get("collectionsToJoin"), ["collectionsToJoin"], None)
    errors += metafield_errors(state, "PRODUCT", 0, data.get("metafields") or [], ["metafields"])
    errors += media_input_errors(media or [], ["media"])
    if errors:
        return {"product": None, "userErrors": errors}
    record = ops.create_product(state, title=data["title"], handle=data.get("handle"))
    publish_where_automatic(state, record)
    _apply_plain(state, record, data)
    options = [(o["name"], [v["name"] for v in o.get("values") or []]) for o in data.get("productOptions") or []]
    if options:
        ops.set_options(state, record, options)
    ops.create_variant(state, record, price=0, option_values=[(n, vals[0]) for n, vals in options if vals] or None)
    _join_collections(state, record, data.get("collectionsToJoin") or [])
    add_media_inputs(ctx(info), record, media or [])
    return {"product": record, "userErrors": []}


@resolver("Mutation", "productUpdate")
def product_update(
    _: Any, info: Any, product: dict | None = None, media: list[dict] | None = None, identifier: dict | None = None
) -> dict:
    state = ctx(info).state
    data = product or {}
    wanted = data.get("id") or (identifier or {}).get("id")
    record = state.find(wanted, "Product") if wanted else None
    if record is None and (identifier or {}).get("handle"):
        record = next((p for p in state.products.values() if p.handle == identifier["handle"]), None)
    if record is None:
        return {"product": None, "userErrors": [user_error(["id"], "Product does not exist")]}
    errors = []
    if "title" in data and not (data["title"] or "").strip():
        errors.append(user_error(["title"], "Title can't be blank"))
    errors += _unknown_collections(state, data.get("collectionsToJoin"), ["collectionsToJoin"], None)
    errors += metafield_errors(state, "PRODUCT", record.id, data.get("metafields") or [], ["metafields"])
    errors += media_input_errors(media or [], ["media"])
    if errors:
        return {"product": record, "userErrors": errors}
    _apply_plain(state, record, data)
    _join_collections(state, record, data.get("collectionsToJoin") or [], data.get("collectionsToLeave") or [])
    add_media_inputs(ctx(info), record, media or [])
    return {"product": record, "userErrors": []}


@resolver("Mutation", "productDelete")
def product_delete(_: Any, info: Any, input: dict, synchronous: bool = True) -> dict:
    state = ctx(info).state
    record = state.find(input["id"], "Product")
    if record is None:
        return {"deletedProductId": None, "userErrors": [user_error(["id"], "Product does not exist")]}
    ops.delete_product(state, record)
    return {"deletedProductId": record.gid, "userErrors": []}


# ---- publishablePublish -----------------------------------------------------------------------------------


def publish(state: Any, record: Any, publication: r.Publication, date: Any = None) -> None:
    """Publish ``record`` (a product or collection) to ``publication``; publishing again keeps the first date
    unless a new one is given, so a repeat changes nothing (the mutation "creates or updates publications").
    A product's ``publishedAt`` is its Online Store date (https://shopify.dev/docs/api/admin-graphql/latest/objects/Product)."""
    if date is None and publication.id in record.publications:
        return
    record.publications[publication.id] = date or state.now()
    if isinstance(record, r.Product) and publication.name == "Online Store":
        record.published_at = record.publications[publication.id]
    state.touch(record)


def publish_where_automatic(state: Any, product: r.Product) -> None:
    """A new product goes to every publication whose ``autoPublish`` is on, and to no other."""
    for publication in state.publications.values():
        if publication.auto_publish:
            publish(state, product, publication)


@resolver("Mutation", "publishablePublish")
def publishable_publish(_: Any, info: Any, id: str, input: list[dict]) -> dict:
    """https://shopify.dev/docs/api/admin-graphql/latest/mutations/publishablePublish (``write_publications``):
    every input is checked before anything is published."""
    state = ctx(info).state
    shop = resolve_shop(None, info)
    record = state.find(id, "Product", "Collection")
    if record is None:
        return {"publishable": None, "shop": shop, "userErrors": [user_error(["id"], "Resource does not exist")]}
    errors, targets = [], []
    for i, item in enumerate(input):
        publication = state.find(item.get("publicationId"), "Publication")
        if publication is None:
            errors.append(user_error(["input", i, "publicationId"], "Publication does not exist"))
        elif (
            item.get("publishDate") and item["publishDate"] > state.now() and not publication.supports_future_publishing
        ):
            errors.append(user_error(["input", i, "publishDate"], "Publication does not support future publishing"))
        else:
            targets.append((publication, item.get("publishDate")))
    if errors:
        return {"publishable": record, "shop": shop, "userErrors": errors}
    for publication, date in targets:
        publish(state, record, publication, date)
    return {"publishable": record, "shop": shop, "userErrors": []}

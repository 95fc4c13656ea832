"""Read side of the catalog: products, variants, options, collections and their search fields."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import records as r
from ..context import by_id, connection, count, count_matching, ctx, time_key
from ..schema import resolver
from ..search import Field, dt, num, text

# ---- search fields and sort keys --------------------------------------------------------------------------


def _skus(state: Any, product: r.Product) -> list[str | None]:
    return [state.variants[v].sku for v in product.variant_ids]


def product_fields(state: Any) -> dict[str, Field]:
    return {
        "id": num(by_id),
        "product_id": num(by_id),
        "updated_at": dt(lambda p: p.updated_at),
        "created_at": dt(lambda p: p.created_at),
        "published_at": dt(lambda p: p.published_at),
        "title": text(lambda p: p.title),
        "handle": text(lambda p: p.handle),
        "vendor": text(lambda p: p.vendor),
        "product_type": text(lambda p: p.product_type),
        "status": text(lambda p: p.status),
        "tag": text(lambda p: p.tags),
        "sku": text(lambda p: _skus(state, p)),
        "barcode": text(lambda p: [state.variants[v].barcode for v in p.variant_ids]),
    }


PRODUCT_SORTS = {
    "ID": by_id,
    "UPDATED_AT": lambda p: time_key(p.updated_at),
    "CREATED_AT": lambda p: time_key(p.created_at),
    "PUBLISHED_AT": lambda p: time_key(p.published_at),
    "TITLE": lambda p: p.title.lower(),
    "VENDOR": lambda p: p.vendor.lower(),
    "PRODUCT_TYPE": lambda p: p.product_type.lower(),
}


def variant_fields(state: Any) -> dict[str, Field]:
    return {
        "id": num(by_id),
        "product_id": num(lambda v: v.product_id),
        "sku": text(lambda v: v.sku),
        "barcode": text(lambda v: v.barcode),
        "title": text(lambda v: v.title),
        "updated_at": dt(lambda v: v.updated_at),
        "created_at": dt(lambda v: v.created_at),
        "inventory_quantity": num(lambda v: state.available(v)),
        "product_status": text(lambda v: state.products[v.product_id].status),
    }


VARIANT_SORTS = {
    "ID": by_id,
    "SKU": lambda v: v.sku or "",
    "TITLE": lambda v: v.title.lower(),
    "POSITION": lambda v: v.position,
}

COLLECTION_FIELDS: dict[str, Field] = {
    "id": num(by_id),
    "title": text(lambda c: c.title),
    "handle": text(lambda c: c.handle),
    "updated_at": dt(lambda c: c.updated_at),
    "collection_type": text(lambda c: "custom"),
    "product_id": num(lambda c: c.product_ids),
}

COLLECTION_SORTS = {"ID": by_id, "TITLE": lambda c: c.title.lower(), "UPDATED_AT": lambda c: time_key(c.updated_at)}


def plain_text(markup: str, truncate_at: int | None = None) -> str:
    """``description`` is ``descriptionHtml`` without tags, optionally cut like Shopify's ``truncateAt``."""
    value = html.unescape(re.sub(r"<[^>]+>", " ", markup or ""))
    value = re.sub(r"\s+", " ", value).strip()
    if truncate_at is not None and len(value) > truncate_at:
        value = value[: max(truncate_at - 1, 0)].rstrip() + "…"
    return value


# ---- queries ----------------------------------------------------------------------------------------------


@resolver("QueryRoot", "products")
def resolve_products(_: Any, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(
        info,
        state.products.values(),
        args,
        sorts=PRODUCT_SORTS,
        fields=product_fields(state),
        default_text=[lambda p: p.title],
    )


@resolver("QueryRoot", "productsCount")
def resolve_products_count(_: Any, info: Any, **args: Any) -> dict:
    state = ctx(info).state
    return count_matching(state.products.values(), args, product_fields(state), [lambda p: p.title])


@resolver("QueryRoot", "product")
def resolve_product(_: Any, info: Any, id: str) -> r.Product | None:
    return ctx(info).state.find(id, "Product")


@resolver("QueryRoot", "productVariants")
def resolve_product_variants(_: Any, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(
        info,
        state.variants.values(),
        args,
        sorts=VARIANT_SORTS,
        fields=variant_fields(state),
        default_text=[lambda v: v.title, lambda v: v.sku],
    )


@resolver("QueryRoot", "productVariant")
def resolve_product_variant(_: Any, info: Any, id: str) -> r.Variant | None:
    return ctx(info).state.find(id, "ProductVariant")


@resolver("QueryRoot", "collections")
def resolve_collections(_: Any, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(
        info,
        state.collections.values(),
        args,
        sorts=COLLECTION_SORTS,
        fields=COLLECTION_FIELDS,
        default_text=[lambda c: c.title],
    )


@resolver("QueryRoot", "collection")
def resolve_collection(_: Any, info: Any, id: str) -> r.Collection | None:
    return ctx(info).state.find(id, "Collection")


@resolver("QueryRoot", "collectionByIdentifier")
def resolve_collection_by_identifier(_: Any, info: Any, identifier: dict) -> r.Collection | None:
    """By id or handle, read from the database (not the lagging search index). ``customId`` (a unique metafield
    value) is not modelled: it finds nothing."""
    state = ctx(info).state
    if identifier.get("id") is not None:
        return state.find(identifier["id"], "Collection")
    handle = identifier.get("handle")
    return next((c for c in state.collections.values() if handle is not None and c.handle == handle), None)


# ---- Product ----------------------------------------------------------------------------------------------


@resolver("Product", "description")
@resolver("Collection", "description")
def resolve_description(rec: Any, info: Any, truncateAt: int | None = None) -> str:
    return plain_text(rec.description_html, truncateAt)


@resolver("Product", "variants")
def resolve_product_variant_list(product: r.Product, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(info, [state.variants[v] for v in product.variant_ids], args, sorts=VARIANT_SORTS)


@resolver("Product", "variantsCount")
def resolve_variants_count(product: r.Product, info: Any) -> dict:
    return count(len(product.variant_ids))


@resolver("Product", "options")
def resolve_options(product: r.Product, info: Any, first: int | None = None) -> list[r.ProductOption]:
    return product.options[:first] if first is not None else product.options


@resolver("ProductOption", "optionValues")
def resolve_option_values(option: r.ProductOption, info: Any) -> list[dict]:
    state = ctx(info).state
    product = next((p for p in state.products.values() if option in p.options), None)
    used = set()
    if product is not None:
        used = {
            value for v in product.variant_ids for name, value in state.variants[v].option_values if name == option.name
        }
    return [
        {"id": f"gid://shopify/ProductOptionValue/{option.id * 1000 + i}", "name": value, "hasVariants": value in used}
        for i, value in enumerate(option.values, start=1)
    ]


@resolver("Product", "collections")
def resolve_product_collections(product: r.Product, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    found = [c for c in state.collections.values() if product.id in c.product_ids]
    return connection(info, found, args, sorts=COLLECTION_SORTS, fields=COLLECTION_FIELDS)


def _media_of(state: Any, ids: list[int]) -> list[r.MediaImage]:
    return [state.media[m] for m in ids if m in state.media]


@resolver("Product", "media")
def resolve_product_media(product: r.Product, info: Any, **args: Any) -> Any:
    position = {m: i for i, m in enumerate(product.media_ids)}
    sorts = {"POSITION": lambda m: position[m.id], "ID": by_id}
    return connection(info, _media_of(ctx(info).state, product.media_ids), {"sortKey": "POSITION", **args}, sorts=sorts)


@resolver("Product", "mediaCount")
def resolve_media_count(product: r.Product, info: Any) -> dict:
    return count(len(_media_of(ctx(info).state, product.media_ids)))


@resolver("Product", "featuredMedia")
def resolve_featured_media(product: r.Product, info: Any) -> r.MediaImage | None:
    media = _media_of(ctx(info).state, product.media_ids)
    return media[0] if media else None


@resolver("Product", "totalInventory")
def resolve_total_inventory(product: r.Product, info: Any) -> int:
    state = ctx(info).state
    return sum(state.available(state.variants[v]) for v in product.variant_ids)


@resolver("Product", "tracksInventory")
def resolve_tracks_inventory(product: r.Product, info: Any) -> bool:
    state = ctx(info).state
    return any(state.inventory_items[state.variants[v].inventory_item_id].tracked for v in product.variant_ids)


@resolver("Product", "hasOnlyDefaultVariant")
def resolve_only_default(product: r.Product, info: Any) -> bool:
    return [(o.name, o.values) for o in product.options] == [("Title", ["Default Title"])]


# ---- ProductVariant ---------------------------------------------------------------------------------------


@resolver("ProductVariant", "displayName")
def resolve_display_name(variant: r.Variant, info: Any) -> str:
    product = ctx(info).state.products[variant.product_id]
    return f"{product.title} - {variant.title}"


@resolver("ProductVariant", "inventoryQuantity")
def resolve_inventory_quantity(variant: r.Variant, info: Any) -> int:
    return ctx(info).state.available(variant)


@resolver("ProductVariant", "availableForSale")
def resolve_available_for_sale(variant: r.Variant, info: Any) -> bool:
    state = ctx(info).state
    item = state.inventory_items[variant.inventory_item_id]
    if state.products[variant.product_id].status != "ACTIVE":
        return False
    return not item.tracked or variant.inventory_policy == "CONTINUE" or state.available(variant) > 0


@resolver("ProductVariant", "inventoryItem")
def resolve_variant_item(variant: r.Variant, info: Any) -> r.InventoryItem:
    return ctx(info).state.inventory_items[variant.inventory_item_id]


@resolver("ProductVariant", "product")
def resolve_variant_product(variant: r.Variant, info: Any) -> r.Product:
    return ctx(info).state.products[variant.product_id]


@resolver("ProductVariant", "selectedOptions")
def resolve_selected_options(variant: r.Variant, info: Any) -> list[dict]:
    return [{"name": name, "value": value} for name, value in variant.option_values]


@resolver("ProductVariant", "media")
def resolve_variant_media(variant: r.Variant, info: Any, **args: Any) -> Any:
    return connection(info, _media_of(ctx(info).state, variant.media_ids), args)


# ---- Collection -------------------------------------------------------------------------------------------


@resolver("Collection", "products")
def resolve_collection_products(collection: r.Collection, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    position = {p: i for i, p in enumerate(collection.product_ids)}
    sorts = {**PRODUCT_SORTS, "COLLECTION_DEFAULT": lambda p: position[p.id], "MANUAL": lambda p: position[p.id]}
    found = [state.products[p] for p in collection.product_ids if p in state.products]
    return connection(info, found, args, sorts=sorts)


@resolver("Collection", "productsCount")
def resolve_collection_count(collection: r.Collection, info: Any) -> dict:
    return count(len(collection.product_ids))


@resolver("Collection", "hasProduct")
def resolve_has_product(collection: r.Collection, info: Any, id: str) -> bool:
    product = ctx(info).state.find(id, "Product")
    return product is not None and product.id in collection.product_ids


# ---- publications -------------------------------------------------------------------------------------------
# A product or collection is visible on a sales channel only once published to the channel's publication;
# collections are unpublished by default (https://shopify.dev/docs/api/admin-graphql/latest/objects/Collection),
# and an API-made product only reaches the publications that ``autoPublish``
# (https://shopify.dev/docs/api/admin-graphql/latest/objects/Publication). Publications are listed by the
# ``publications`` query and named by their catalog's title
# (https://shopify.dev/docs/apps/build/sales-channels/product-publishing).


@dataclass(eq=False)
class ResourcePublication:
    """One publication of a product or collection, as ``resourcePublications`` lists it."""

    publication: r.Publication
    publishable: Any
    publish_date: datetime
    is_published: bool

    @property
    def id(self) -> int:
        return self.publication.id


def is_published(state: Any, record: Any, publication_id: int) -> bool:
    date = record.publications.get(publication_id)
    return date is not None and date <= state.now()


@resolver("QueryRoot", "publications")
def resolve_publications(_: Any, info: Any, catalogType: str | None = None, **args: Any) -> Any:
    found = ctx(info).state.publications.values() if catalogType in (None, "APP") else []
    return connection(info, found, args)


@resolver("QueryRoot", "publication")
def resolve_publication(_: Any, info: Any, id: str) -> r.Publication | None:
    return ctx(info).state.find(id, "Publication")


@resolver("Product", "publishedOnPublication")
@resolver("Collection", "publishedOnPublication")
def resolve_published_on(record: Any, info: Any, publicationId: str) -> bool:
    state = ctx(info).state
    publication = state.find(publicationId, "Publication")
    return publication is not None and is_published(state, record, publication.id)


@resolver("Product", "resourcePublications")
@resolver("Collection", "resourcePublications")
def resolve_resource_publications(record: Any, info: Any, onlyPublished: bool = True, **args: Any) -> Any:
    state = ctx(info).state
    rows = [
        ResourcePublication(state.publications[pid], record, date, is_published(state, record, pid))
        for pid, date in record.publications.items()
        if pid in state.publications
    ]
    return connection(info, [row for row in rows if row.is_published or not onlyPublished], args)

"""Catalog writes shared by the mutations and by seeding: products, variants with their inventory items,
inventory levels, media and metafields. Callers validate first; these functions only apply.

Rules copied from the real shop's behaviour:
- a product without options gets ``Title: [Default Title]`` and one variant titled "Default Title";
- a new variant's inventory item is stocked (an active level) at every active location;
- ``on_hand`` is ``available`` plus the held states, so setting one moves the other by the same delta;
- any change to a variant moves its product's ``updatedAt`` too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from . import records as r

DEFAULT_OPTION = ("Title", "Default Title")


def slugify(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_value.lower()).strip("-") or "item"


def unique_handle(state: Any, wanted: str, table: str = "products", exclude: int | None = None) -> str:
    base = slugify(wanted)
    taken = {rec.handle for rec in getattr(state, table).values() if rec.id != exclude}
    handle, n = base, 1
    while handle in taken:
        handle, n = f"{base}-{n}", n + 1
    return handle


def create_product(state: Any, *, title: str, wanted_id: int | None = None, **fields: Any) -> r.Product:
    now = state.now()
    handle = unique_handle(state, fields.pop("handle", None) or title)
    product = r.Product(
        id=state.claim_id("products", wanted_id),
        title=title,
        handle=handle,
        created_at=now,
        updated_at=now,
        **fields,
    )
    state.products[product.id] = product
    return product


def set_options(state: Any, product: r.Product, options: Iterable[tuple[str, list[str]]]) -> None:
    """Replace the product's option list, keeping the ids of options whose name stays."""
    old = {o.name: o for o in product.options}
    new = []
    for position, (name, values) in enumerate(options, start=1):
        option = old.get(name) or r.ProductOption(id=state.next_id("_options"), name=name, position=position)
        option.position, option.values = position, list(dict.fromkeys(values))
        new.append(option)
    product.options = new


def merge_option_values(state: Any, product: r.Product, pairs: Iterable[tuple[str, str]]) -> None:
    """Add option names/values that variants use but the product does not list yet."""
    options = [(o.name, list(o.values)) for o in product.options]
    names = [name for name, _ in options]
    for name, value in pairs:
        if name not in names:
            options.append((name, []))
            names.append(name)
        values = options[names.index(name)][1]
        if value not in values:
            values.append(value)
    set_options(state, product, options)


def prune_option_values(state: Any, product: r.Product) -> None:
    """Drop option values (and options) no variant uses any more, as Shopify does after a delete."""
    used: dict[str, list[str]] = {}
    for vid in product.variant_ids:
        for name, value in state.variants[vid].option_values:
            used.setdefault(name, [])
            if value not in used[name]:
                used[name].append(value)
    set_options(
        state,
        product,
        [(o.name, [v for v in o.values if v in used.get(o.name, [])]) for o in product.options if o.name in used],
    )


def create_variant(
    state: Any,
    product: r.Product,
    *,
    price: Decimal,
    option_values: list[tuple[str, str]] | None = None,
    wanted_id: int | None = None,
    tracked: bool = True,
    requires_shipping: bool = True,
    unit_cost: Decimal | None = None,
    **fields: Any,
) -> r.Variant:
    now = state.now()
    pairs = option_values or [DEFAULT_OPTION]
    variant_id = state.claim_id("variants", wanted_id)
    item = r.InventoryItem(
        id=state.next_id("inventory_items"),
        variant_id=variant_id,
        created_at=now,
        updated_at=now,
        tracked=tracked,
        requires_shipping=requires_shipping,
        unit_cost=unit_cost,
    )
    variant = r.Variant(
        id=variant_id,
        product_id=product.id,
        title=" / ".join(v for _, v in pairs),
        price=price,
        inventory_item_id=item.id,
        created_at=now,
        updated_at=now,
        option_values=pairs,
        position=len(product.variant_ids) + 1,
        **fields,
    )
    state.inventory_items[item.id] = item
    state.variants[variant.id] = variant
    product.variant_ids.append(variant.id)
    merge_option_values(state, product, pairs)
    for location in state.locations.values():
        if location.is_active:
            activate(state, item, location)
    state.touch(product)
    return variant


def set_variant_options(state: Any, variant: r.Variant, pairs: list[tuple[str, str]]) -> None:
    variant.option_values = pairs
    variant.title = " / ".join(v for _, v in pairs)
    product = state.products[variant.product_id]
    merge_option_values(state, product, pairs)
    prune_option_values(state, product)


def delete_variant(state: Any, variant: r.Variant) -> None:
    product = state.products[variant.product_id]
    product.variant_ids.remove(variant.id)
    for position, vid in enumerate(product.variant_ids, start=1):
        state.variants[vid].position = position
    state.drop_levels_of_item(variant.inventory_item_id)
    state.inventory_items.pop(variant.inventory_item_id, None)
    state.drop_metafields_of("PRODUCTVARIANT", variant.id)
    del state.variants[variant.id]
    prune_option_values(state, product)
    state.touch(product)


def delete_product(state: Any, product: r.Product) -> None:
    for vid in list(product.variant_ids):
        delete_variant(state, state.variants[vid])
    for collection in state.collections.values():
        if product.id in collection.product_ids:
            collection.product_ids.remove(product.id)
    for media_id in product.media_ids:
        media = state.media.get(media_id)
        if media is not None and product.id in media.product_ids:
            media.product_ids.remove(product.id)
    state.drop_metafields_of("PRODUCT", product.id)
    del state.products[product.id]
    state.bump()


def sku_owner(state: Any, sku: str | None, ignore: set[int] = frozenset()) -> r.Variant | None:
    """The variant already using ``sku``, when SKUs must be unique and another variant has it."""
    if not sku or not state.unique_skus:
        return None
    return next((v for v in state.variants_with_sku(sku) if v.id not in ignore), None)


# ---- inventory --------------------------------------------------------------------------------------------


def activate(
    state: Any, item: r.InventoryItem, location: r.Location, available: int = 0, on_hand: int | None = None
) -> r.InventoryLevel:
    level = state.levels_of_item(item.id).get(location.id)
    if level is None:
        now = state.now()
        level = r.InventoryLevel(
            id=state.next_id("inventory_levels"),
            item_id=item.id,
            location_id=location.id,
            created_at=now,
            updated_at=now,
            quantities={"available": available},
        )
        state.add_level(level)
    elif not level.is_active:
        level.is_active = True
        state.touch(level)
    if on_hand is not None:
        set_quantity(state, level, "on_hand", on_hand)
    return level


def set_quantity(state: Any, level: r.InventoryLevel, name: str, quantity: int) -> list[tuple[str, int, int]]:
    """Set ``available`` or ``on_hand`` (or a held state); returns (name, delta, after) of every quantity moved."""
    before = level.quantity(name)
    delta = quantity - before
    if delta == 0:
        return []
    if name in ("available", "on_hand"):
        level.quantities["available"] = level.quantities.get("available", 0) + delta
        changes = [("available", delta, level.quantity("available")), ("on_hand", delta, level.quantity("on_hand"))]
    else:
        level.quantities[name] = quantity
        changes = [(name, delta, quantity)]
        if name in r.HELD_STATES:
            changes.append(("on_hand", delta, level.quantity("on_hand")))
    item = state.inventory_items[level.item_id]
    state.touch(level, item)
    return changes


# ---- media and metafields ---------------------------------------------------------------------------------


def create_media(
    state: Any,
    *,
    alt: str | None = None,
    source_url: str | None = None,
    upload_key: str | None = None,
    filename: str | None = None,
) -> r.MediaImage:
    now = state.now()
    content = state.uploads.get(upload_key) if upload_key else None
    media = r.MediaImage(
        id=state.next_id("media"),
        created_at=now,
        updated_at=now,
        alt=alt,
        source_url=source_url,
        upload_key=upload_key if content else None,
        filename=filename,
        mime_type=content[1] if content else _mime_of(filename or source_url or ""),
        file_size=len(content[0]) if content else None,
    )
    state.media[media.id] = media
    return media


def attach_media(state: Any, product: r.Product, media: r.MediaImage) -> None:
    if media.id not in product.media_ids:
        product.media_ids.append(media.id)
    if product.id not in media.product_ids:
        media.product_ids.append(product.id)
    state.touch(product)


def detach_media(state: Any, product: r.Product, media: r.MediaImage) -> None:
    if media.id in product.media_ids:
        product.media_ids.remove(media.id)
    if product.id in media.product_ids:
        media.product_ids.remove(product.id)
    for vid in product.variant_ids:
        if media.id in state.variants[vid].media_ids:
            state.variants[vid].media_ids.remove(media.id)
    state.touch(product)


def _mime_of(name: str) -> str | None:
    lowered = name.lower().split("?")[0]
    for ext, mime in (
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".gif", "image/gif"),
        (".webp", "image/webp"),
    ):
        if lowered.endswith(ext):
            return mime
    return None


def set_metafield(
    state: Any, owner: Any, owner_type: str, namespace: str, key: str, type_: str, value: str
) -> r.Metafield:
    mf = state.metafields_of(owner_type, owner.id).get((namespace, key))
    now = state.now()
    if mf is None:
        mf = r.Metafield(
            id=state.next_id("metafields"),
            owner_type=owner_type,
            owner_id=owner.id,
            namespace=namespace,
            key=key,
            type=type_,
            value=value,
            created_at=now,
            updated_at=now,
        )
        state.add_metafield(mf)
    else:
        mf.type, mf.value = type_ or mf.type, value
        state.touch(mf)
    state.touch(owner)
    return mf

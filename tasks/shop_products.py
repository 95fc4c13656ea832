"""Shop products as ERP items, and who masters which field of an item both sides have (``item_master``).

Used by ``import_items`` (shop → ERP), ``sync_products`` (ERP → shop) and ``create_sales_orders``' unknown SKUs.

With ``item_master: shop`` the shop masters what a merchant edits in the Shopify admin: **title, description,
each variant's price and compare-at price**, and variants added in the shop. ``import_items`` writes them into
the ERP; ``sync_products`` sends an item's other fields and never these (an item it sends whole takes them from
the shop product first). The ERP keeps the rest: status (active or archived), vendor, barcodes, the variants it
has and their options, VAT, stock, categories, parameters. With ``erp`` (the default) the ERP masters everything
of an item it has; ``import_items`` only adds the items the ERP lacks.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection

from connectors.erp.errors import RecordError
from connectors.shopify.mapping import nodes_of
from connectors.shopify.nodes import read_nodes
from domain.models import Product, Variant
from engine.resources import ShopResources
from tasks.product_digests import HASH_ENTITY, dump_digests, sent_state

__all__ = [
    "complete_variants",
    "map_item",
    "read_shop_products",
    "shop_fields_over",
    "shop_masters",
    "shop_product_from_node",
]


def shop_masters(res: ShopResources) -> bool:
    """Whether the shop is this shop's item master (its block's ``item_master``)."""
    return res.shop.item_master == "shop"


def complete_variants(res: ShopResources, node: dict) -> dict:
    """``node`` with every variant: a product read with its first 25 gets the rest from
    ``ProductVariantsOfProduct`` (an item made of part of its variants would lose the others in the shop, as
    ``sync_products`` sends variants declaratively)."""
    variants = node.get("variants") or {}
    if not (variants.get("pageInfo") or {}).get("hasNextPage"):
        return node
    pages = res.shopify.iter_pages(
        "ProductVariantsOfProduct", {"id": node["id"]}, ("product", "variants"), after=variants["pageInfo"]["endCursor"]
    )
    more = [variant for page in pages for variant in page.items]
    return {**node, "variants": {"nodes": [*nodes_of(variants), *more], "pageInfo": {"hasNextPage": False}}}


def read_shop_products(res: ShopResources, ids: list[str]) -> dict[str, dict | None]:
    """Shop products by GID with every variant (``ProductsByIds``, a batch per request); None for a GID that
    names no product any more."""
    if not ids:
        return {}
    found = read_nodes(res.shopify, "ProductsByIds", ids)
    return {gid: complete_variants(res, node) if node else None for gid, node in found.items()}


def shop_product_from_node(node: dict, vat_rate: Decimal | None) -> Product:
    """The ERP item a shop product becomes; raises ``RecordError`` naming the product for a variant without SKU."""
    variants = nodes_of(node.get("variants"))
    if any(not v.get("sku") for v in variants) or not variants:
        raise RecordError(f"product {node.get('title') or node['id']}", "sku", "every variant needs a SKU")
    return Product(
        erp_key=variants[0]["sku"],
        title=node["title"],
        description=node.get("descriptionHtml") or None,
        vendor=node.get("vendor") or None,
        vat_rate=vat_rate,
        active=node.get("status") == "ACTIVE",
        variants=[_variant(v) for v in variants],
    )


def _variant(node: dict) -> Variant:
    return Variant(
        sku=node["sku"],
        barcode=node.get("barcode") or None,
        title=None if node.get("title") in (None, "Default Title") else node["title"],
        price=Decimal(str(node["price"])),
        compare_at_price=Decimal(str(node["compareAtPrice"])) if node.get("compareAtPrice") else None,
        options=_options(node),
    )


def _options(variant: dict) -> dict[str, str]:
    """The variant's option values; a single variant's implied "Title: Default Title" is no option."""
    chosen = {o["name"]: o["value"] for o in variant.get("selectedOptions") or ()}
    return {} if chosen == {"Title": "Default Title"} else chosen


def shop_fields_over(item: Product, node: dict, known_skus: set[str] | None = None) -> Product:
    """``item`` with the fields the shop masters taken from its shop product ``node``: title, description,
    the prices of the variants both have, and the shop's variants whose SKU no ERP item has (``known_skus``:
    every SKU the ERP knows, the item's own counted) nor whose barcode the item has."""
    shop = {v["sku"]: v for v in nodes_of(node.get("variants")) if v.get("sku")}
    variants = [
        v.model_copy(
            update={"price": _variant(shop[v.sku]).price, "compare_at_price": _variant(shop[v.sku]).compare_at_price}
        )
        if v.sku in shop
        else v
        for v in item.variants
    ]
    known = {v.sku for v in item.variants} | (known_skus or set())
    barcodes = {v.barcode for v in item.variants if v.barcode}
    added = [_variant(n) for sku, n in shop.items() if sku not in known and (n.get("barcode") or None) not in barcodes]
    if added and any(set(v.options) != set(item.variants[0].options) for v in added):
        added = []  # a variant the item's options cannot express: the ERP's variants stay as they are
    return item.model_copy(
        update={
            "title": node.get("title") or item.title,
            "description": node.get("descriptionHtml") or None,
            "variants": variants + added,
        }
    )


def map_item(res: ShopResources, shop: str, erp_key: str, node: dict, conn: Connection | None = None) -> None:
    """The product, variant and inventory-item mappings ``sync_products``, ``sync_inventory`` and ``sync_images``
    use, and the digests of what the shop product holds (``tasks.product_digests``), unless the item is mapped
    already (to this product or, by ``sync_products``, to another one). With the digests, ``sync_products`` sends
    the item only where the ERP's differs from the shop product, whenever its window first lists the item."""
    if res.state.shop_ids(shop, "product", [erp_key]):
        return
    variants = [v for v in nodes_of(node.get("variants")) if v.get("sku")]
    held = sent_state(shop_product_from_node(node, None), shop_masters(res))
    res.state.put_hashes(shop, HASH_ENTITY, {erp_key: dump_digests(held)}, conn=conn)
    res.state.put_mappings(shop, "product", [(erp_key, node["id"])], conn=conn)
    res.state.put_mappings(shop, "variant", [(v["sku"], v["id"]) for v in variants], conn=conn)
    res.state.put_mappings(shop, "inventory_item", [(v["sku"], v["inventoryItem"]["id"]) for v in variants], conn=conn)

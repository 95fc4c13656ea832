"""Items from the shop into the ERP (BC's item sync "From Shopify", POHODA's e-shop → stock import).

For each shop product changed in the run's window, its variants are looked up in the ERP by SKU, then by
barcode. A product the ERP does not have becomes an item (key = its first SKU, so a re-run finds it by SKU
again), with its variants' barcodes and prices, the run's VAT rate and its description; the item is mapped to
the product in the same unit of work, so ``sync_products`` and ``sync_images`` treat it as theirs. A product the
ERP has is left alone when the ERP is the item master (``item_master: erp``, the default) and written over
when the shop is. A run that dies after the ERP write finds the item by SKU next time and maps it then.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from prefect import task
from sqlalchemy import Connection

from connectors.erp.errors import RecordError
from connectors.shopify.mapping import nodes_of
from domain.models import Product, Variant
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

__all__ = ["complete_variants", "import_shop_products", "map_item", "shop_product_from_node", "shop_products_changed"]


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@task(**IO_TASK)
def shop_products_changed(ctx: SyncContext) -> list[dict]:
    """The shop's products updated in the run's window, with their first 25 variants."""
    terms = [f"updated_at:<'{_stamp(ctx.period_end)}'"] if ctx.period_end else []
    if ctx.period_start is not None:
        terms.insert(0, f"updated_at:>='{_stamp(ctx.period_start)}'")
    shopify = resources(ctx.shop).shopify
    return list(shopify.iter_nodes("ProductsUpdatedSince", {"query": " AND ".join(terms)}, "products"))


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
        variants=[
            Variant(
                sku=v["sku"],
                barcode=v.get("barcode") or None,
                title=None if v.get("title") in (None, "Default Title") else v["title"],
                price=Decimal(str(v["price"])),
                compare_at_price=Decimal(str(v["compareAtPrice"])) if v.get("compareAtPrice") else None,
                options=_options(v),
            )
            for v in variants
        ],
    )


def _options(variant: dict) -> dict[str, str]:
    """The variant's option values; a single variant's implied "Title: Default Title" is no option."""
    chosen = {o["name"]: o["value"] for o in variant.get("selectedOptions") or ()}
    return {} if chosen == {"Title": "Default Title"} else chosen


@task(**IO_TASK)
def import_shop_products(ctx: SyncContext, nodes: list[dict], vat_rate: Decimal) -> tuple[SyncReport, list[str]]:
    """Create the ERP items the shop's products lack (or, when the shop is item master, update them); returns
    the report and the keys of the items written, whose images come next."""
    res = resources(ctx.shop)
    report, written = SyncReport(), []
    shop_wins = res.shop.item_master == "shop"
    for node in nodes:
        try:
            node = complete_variants(res, node)
            wanted = shop_product_from_node(node, vat_rate)
            outcome = _import_one(res, ctx, node, wanted, shop_wins)
        except RecordError as exc:
            report.fail(exc.record, exc.reason, field=exc.field)
            continue
        if outcome == "created":
            report.created += 1
        elif outcome == "updated":
            report.updated += 1
        else:
            report.skipped += 1
        if outcome in ("created", "updated"):
            written.append(wanted.erp_key)
    return report, written


def _import_one(res: ShopResources, ctx: SyncContext, node: dict, wanted: Product, shop_wins: bool) -> str:
    skus = [v.sku for v in wanted.variants]
    by_sku = res.erp.get_products_by_sku(skus)
    key = by_sku[0].erp_key if by_sku else None
    if key is None:
        barcodes = [v.barcode for v in wanted.variants if v.barcode]
        key = next(iter(res.erp.item_keys_by_barcode(barcodes).values()), None) if barcodes else None
    if key is not None and not shop_wins:
        if not ctx.dry_run:  # an item this import wrote before a crash, or one the ERP had: mapped once
            map_item(res, ctx.shop, key, node)
        return "unchanged"
    if ctx.dry_run:
        return "created" if key is None else "updated"
    if key is not None:
        current = res.erp.get_products([key])
        base = current[0] if current else wanted
        wanted = base.model_copy(
            update={
                "title": wanted.title,
                "description": wanted.description,
                "vat_rate": wanted.vat_rate,
                "active": wanted.active,
                "variants": wanted.variants,
                "updated_at": None,
            }
        )
    with res.erp.unit_of_work(res.state) as work:
        erp_key = work.erp.upsert_item(wanted)
        map_item(res, ctx.shop, erp_key, node, conn=work.conn)
    return "created" if key is None else "updated"


def map_item(res: ShopResources, shop: str, erp_key: str, node: dict, conn: Connection | None = None) -> None:
    """The product, variant and inventory-item mappings ``sync_products``, ``sync_inventory`` and ``sync_images``
    use, unless the item is mapped already (to this product or, by ``sync_products``, to another one)."""
    if res.state.shop_ids(shop, "product", [erp_key]):
        return
    variants = [v for v in nodes_of(node.get("variants")) if v.get("sku")]
    res.state.put_mappings(shop, "product", [(erp_key, node["id"])], conn=conn)
    res.state.put_mappings(shop, "variant", [(v["sku"], v["id"]) for v in variants], conn=conn)
    res.state.put_mappings(shop, "inventory_item", [(v["sku"], v["inventoryItem"]["id"]) for v in variants], conn=conn)

"""Items from the shop into the ERP (BC's item sync "From Shopify", POHODA's e-shop → stock import).

For each shop product changed in the run's window, its variants are looked up in the ERP by SKU, then by
barcode. A product the ERP does not have becomes an item (key = its first SKU, so a re-run finds it by SKU
again), with its variants' barcodes and prices, the run's VAT rate and its description; the item is mapped to
the product in the same unit of work, so ``sync_products`` and ``sync_images`` treat it as theirs. A product the
ERP has is left alone when the ERP is the item master (``item_master: erp``, the default); when the shop is,
the fields the shop masters (``tasks.shop_products``: title, description, prices, variants added in the shop)
are written over the ERP item, and nothing when they already agree. A run that dies after the ERP write finds
the item by SKU next time and maps it then.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from prefect import task

from connectors.erp.errors import RecordError
from domain.models import Product
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources
from tasks.shop_products import complete_variants, map_item, shop_fields_over, shop_masters, shop_product_from_node

__all__ = ["import_shop_products", "shop_products_changed"]


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


@task(**IO_TASK)
def import_shop_products(ctx: SyncContext, nodes: list[dict], vat_rate: Decimal) -> tuple[SyncReport, list[str]]:
    """Create the ERP items the shop's products lack (or, when the shop is item master, update them); returns
    the report and the keys of the items written, whose images come next."""
    res = resources(ctx.shop)
    report, written = SyncReport(), []
    shop_wins = shop_masters(res)
    for node in nodes:
        try:
            node = complete_variants(res, node)
            wanted = shop_product_from_node(node, vat_rate)
            outcome, key = _import_one(res, ctx, node, wanted, shop_wins)
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
            written.append(key)
    return report, written


def _import_one(res: ShopResources, ctx: SyncContext, node: dict, wanted: Product, shop_wins: bool) -> tuple[str, str]:
    """``created``, ``updated`` or ``unchanged``, and the ERP item's key."""
    skus = [v.sku for v in wanted.variants]
    by_sku = res.erp.get_products_by_sku(skus)
    key = by_sku[0].erp_key if by_sku else None
    if key is None:
        barcodes = [v.barcode for v in wanted.variants if v.barcode]
        key = next(iter(res.erp.item_keys_by_barcode(barcodes).values()), None) if barcodes else None
    if key is None:
        if not ctx.dry_run:
            with res.erp.unit_of_work(res.state) as work:
                map_item(res, ctx.shop, work.erp.upsert_item(wanted), node, conn=work.conn)
        return "created", wanted.erp_key
    current = res.erp.get_products([key]) if shop_wins else []
    merged = shop_fields_over(current[0], node, _known(by_sku)) if current else None
    if merged is None or merged == current[0]:
        if not ctx.dry_run:  # an item this import wrote before a crash, or one the ERP had: mapped once
            map_item(res, ctx.shop, key, node)
        return "unchanged", key
    if not ctx.dry_run:
        with res.erp.unit_of_work(res.state) as work:
            work.erp.upsert_item(merged.model_copy(update={"updated_at": None}))
            map_item(res, ctx.shop, key, node, conn=work.conn)
    return "updated", key


def _known(items: list[Product]) -> set[str]:
    return {v.sku for item in items for v in item.variants}

"""Reconcile repairs: re-send what a re-send fixes, through the syncs' own writers.

Prices and missing variants go out with ``push_products`` after forgetting what was sent; stock with
``set_quantities_batch``. So a repair is exactly as idempotent and as careful as the syncs themselves, and a
refusal is reported the way the sync would report it. Nothing here decides what drifted (``domain.drift``) or
which differences a check repairs (``tasks.reconcile.checks``).

A repair writes under its own idempotency scope, one per run (``repair_context``): a repair a later run repeats
must be sent, not answered with the first one's result, and it never poses as another sync type.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import task

from domain.drift import Difference, DriftKind
from domain.reconcile import ErpCatalog
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources
from tasks.inventory import BATCH, set_quantities_batch
from tasks.inventory import HASH_ENTITY as INVENTORY_HASHES
from tasks.products import HASH_ENTITY as PRODUCT_HASHES
from tasks.products import push_products
from tasks.reconcile.reads import ERP_PAGE


@dataclass(frozen=True)
class ItemsResent:
    repaired: list[str]
    """``Difference.ref`` of the differences put right."""
    recreated: list[str]
    """SKUs whose variant was created anew: it holds no stock yet."""
    notes: list[str]


@dataclass(frozen=True)
class StockResent:
    sent: list[str]
    """``SKU@location`` keys the shop applied."""
    notes: list[str]


def repair_context(ctx: SyncContext) -> SyncContext:
    """The run's context, with idempotency keys scoped to this run's repair."""
    return ctx.model_copy(update={"idempotency_scope": f"reconcile-repair-{ctx.run_id}"})


def resend_items(
    ctx: SyncContext, differences: list[Difference], erp: ErpCatalog, shop_products: list[str]
) -> ItemsResent:
    """Send the items of these price and missing-variant differences whole again (``shop_products``: every
    Product GID the shop has now, to tell a deleted product from a live one)."""
    owner = dict(zip(erp.variants.sku, erp.variants.owner, strict=False))
    keys = sorted({owner[d.key] for d in differences})
    missing = sorted(d.key for d in differences if d.kind is DriftKind.VARIANT_MISSING_IN_SHOP)
    forget_sent_items(ctx, keys, missing, shop_products)
    report, retry = push_products(ctx, keys)
    done = [] if ctx.dry_run else [d.ref for d in differences if owner[d.key] not in retry]
    return ItemsResent(
        repaired=done,
        recreated=[sku for sku in missing if owner[sku] not in retry],
        notes=[f"repair of item {f.record} refused: {f.reason}" for f in report.failures],
    )


def resend_stock(ctx: SyncContext, keys: list[str], locations: dict[str, str]) -> StockResent:
    """Set the shop's ``on_hand`` to the ERP's stock for these ``SKU@location`` keys, a batch at a time."""
    rows = inventory_repair_rows(ctx, sorted(set(keys)), locations) if keys else []
    sent: list[str] = []
    notes: list[str] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        report = set_quantities_batch(ctx, batch)
        notes += [f"repair of stock {f.record} refused: {f.reason}" for f in report.failures]
        refused = {f.record for f in report.failures}
        sent += [r["key"] for r in batch if r["key"] not in refused and not ctx.dry_run]
    return StockResent(sent, notes)


@task(**IO_TASK)
def forget_sent_items(
    ctx: SyncContext, item_keys: list[str], missing_skus: list[str], shop_products: list[str]
) -> None:
    """Make the syncs send these items whole again: drop what was sent (``push_products`` then re-sends the item
    with ``productSet``), the mappings of items whose shop product is gone (so the item is created anew instead
    of refused as "product does not exist"), and the stock last sent for SKUs missing in the shop (their new
    inventory items hold none, whatever ``sync_inventory`` remembers sending)."""
    res = resources(ctx.shop)
    if ctx.dry_run:
        return
    live = set(shop_products)
    mapped = res.state.shop_ids(ctx.shop, "product", item_keys)
    gone = [key for key, product_id in mapped.items() if product_id not in live]
    skus = [v.sku for p in res.erp.get_products(gone) for v in p.variants] if gone else []
    stock = [f"{sku}@{location.erp_key}" for sku in {*missing_skus, *skus} for location in res.erp.list_locations()]
    with res.state.begin() as conn:
        res.state.delete_hashes(ctx.shop, PRODUCT_HASHES, item_keys, conn=conn)
        res.state.delete_hashes(ctx.shop, INVENTORY_HASHES, stock, conn=conn)
        res.state.delete_mappings(ctx.shop, "product", gone, conn=conn)
        for entity in ("variant", "inventory_item"):
            res.state.delete_mappings(ctx.shop, entity, skus, conn=conn)


@task(**IO_TASK)
def inventory_repair_rows(ctx: SyncContext, keys: list[str], locations: dict[str, str]) -> list[dict]:
    """``set_quantities_batch`` rows for these ``SKU@location`` keys, from the ERP's stock as it is now."""
    res = resources(ctx.shop)
    wanted = set(keys)
    skus = sorted({key.rsplit("@", 1)[0] for key in keys})
    items = res.state.shop_ids(ctx.shop, "inventory_item", skus)
    found = {
        f"{lv.sku}@{lv.location_key}": lv.shop_quantity()
        for page in res.erp.iter_stock(skus, list(locations), limit=ERP_PAGE)
        for lv in page.items
    }
    rows = []
    for key in sorted(wanted):
        sku, location_key = key.rsplit("@", 1)
        if sku in items and location_key in locations:
            rows.append(
                {
                    "key": key,
                    "sku": sku,
                    "location_key": location_key,
                    "inventory_item_id": items[sku],
                    "location_id": locations[location_key],
                    "quantity": found.get(key, 0),
                }
            )
    return rows

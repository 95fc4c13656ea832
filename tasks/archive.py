"""Items gone from the ERP: their shop products are archived, never deleted, and only once.

Why it is done this way:
- Archived, not deleted: orders, refunds and reports in the shop keep pointing at the product, and the
  merchant can bring it back by hand. An item the ERP still holds but took out of sale (SQL ``active`` false,
  a POHODA card off the internet) is archived by the ordinary push (``tasks.products``), since its status
  changed; this task is for the items that disappeared.
- An item deleted in the ERP is never listed as changed, so the run asks the ERP which of the mapped items it
  still holds (``ErpBackend.existing_item_keys``: one key query in SQL; a full sweep of POHODA's card index,
  headers only, since POHODA lists no deleted cards).
- ``productUpdate`` sets an absolute status: retry-safe. The item's ``product`` hash then reads ``archived``,
  so the next run sends nothing; an item that comes back is listed as changed, finds no digests it can use
  and is sent whole by ``productSet``, ACTIVE again.
- A product already deleted in the shop only loses its mappings.
"""

from __future__ import annotations

from prefect import task

from connectors.shopify.mutations import record_errors
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources
from tasks.product_digests import HASH_ENTITY, sent_skus
from tasks.products import forget_product, product_gone

ARCHIVED = "archived"
"""The ``product`` hash of an item whose shop product this task archived."""


@task(**IO_TASK)
def archive_removed_items(ctx: SyncContext) -> SyncReport:
    """Archive the shop products of the mapped items the ERP no longer holds, each once."""
    res = resources(ctx.shop)
    mapped = res.state.all_mappings(ctx.shop, "product")
    products = dict(zip(mapped["erp_key"], mapped["shop_id"], strict=True))
    stored = res.state.get_hashes(ctx.shop, HASH_ENTITY, list(products))
    held = res.erp.existing_item_keys(list(products))
    removed = sorted(key for key in products if key not in held and stored.get(key) != ARCHIVED)
    report = SyncReport()
    if ctx.dry_run:
        report.skipped += len(removed)
        if removed:
            report.notes.append(f"dry run: would archive {len(removed)} product(s) whose item left the ERP")
        return report
    for key in removed:
        report = report + _archive(res, ctx.shop, key, products[key], stored.get(key))
    if report.updated:
        report.notes.append(f"{report.updated} product(s) archived: their item is no longer in the ERP")
    return report


def _archive(res: ShopResources, shop: str, erp_key: str, product_id: str, stored: str | None) -> SyncReport:
    report = SyncReport()
    _, user_errors = res.shopify.mutate(
        "ProductUpdate", {"product": {"id": product_id, "status": "ARCHIVED"}}, "productUpdate"
    )
    errors = record_errors(erp_key, user_errors, operation="productUpdate")
    if product_gone(errors):
        forget_product(res, shop, erp_key, sent_skus(stored))
        report.notes.append(f"item {erp_key} left the ERP and its shop product is gone too: mapping dropped")
    elif errors:
        report.fail(erp_key, "; ".join(e.reason for e in errors), field=errors[0].field)
    else:
        res.state.put_hashes(shop, HASH_ENTITY, {erp_key: ARCHIVED})
        report.updated += 1
    return report

"""sync_categories: the ERP category tree → Shopify collections, and each item into its categories'
collections (Pohoda "Export kategorií").

Every run compares the whole tree (it is small) and writes only collections whose digest changed; the
hierarchy is carried in collection metafields (``erp.key_path``, ``erp.path``; see ``tasks.categories``).
Membership follows the items changed in the period (every item on the first run) plus the items the last run
could not place (retry keys: product or collection not there yet).
"""

from __future__ import annotations

from prefect import flow

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.categories import add_products_to_collections, category_members, read_category_tree, upsert_collections
from tasks.parameters import PAGE

COLLECTIONS_PER_TASK = 50
CATEGORIES_PER_TASK = 20


@flow(name="sync-categories", log_prints=True)
def sync_categories(params: SyncParams) -> SyncReport:
    with sync_run(params, "sync_categories") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        report, plans = read_category_tree(ctx)
        run.add(report)
        for start in range(0, len(plans), COLLECTIONS_PER_TASK):
            run.add(upsert_collections(ctx, plans[start : start + COLLECTIONS_PER_TASK]))

        members: dict[str, set[str]] = {}
        for start in range(0, len(ctx.retry_keys), PAGE):
            report, found, _ = category_members(ctx, item_keys=ctx.retry_keys[start : start + PAGE])
            run.add(report)
            _merge(members, found)
        cursor = None
        while True:
            report, found, cursor = category_members(ctx, cursor=cursor)
            run.add(report)
            _merge(members, found)
            if cursor is None:
                break
        keys = sorted(members)
        for start in range(0, len(keys), CATEGORIES_PER_TASK):
            chunk = {k: sorted(members[k]) for k in keys[start : start + CATEGORIES_PER_TASK]}
            run.add(*add_products_to_collections(ctx, chunk))
    return run.report


def _merge(members: dict[str, set[str]], found: dict[str, list[str]]) -> None:
    for category_key, item_keys in found.items():
        members.setdefault(category_key, set()).update(item_keys)

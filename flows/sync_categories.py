"""sync_categories: the ERP category tree → Shopify collections, and each item into its categories'
collections (Pohoda "Export kategorií").

Every run compares the whole tree (it is small) and writes only collections whose digest changed; the
hierarchy is carried in collection metafields (``erp.key_path``, ``erp.path``; see ``tasks.categories``).
Membership follows the items changed in the period (every item on the first run) plus the items the last run
could not place (retry keys: product or collection not there yet).
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import chunks, sync_run
from tasks.categories import (
    MembersPage,
    add_products_to_collections,
    category_members,
    read_category_tree,
    upsert_collections,
)
from tasks.parameters import PAGE

COLLECTIONS_PER_TASK = 50
CATEGORIES_PER_TASK = 20


@flow(name="sync-categories", log_prints=True)
def sync_categories(params: SyncParams) -> SyncReport | State:
    """Mirror the ERP category tree as shop collections and put each item into its categories' collections."""
    with sync_run(params, "sync_categories") as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        tree = run.add(read_category_tree(ctx))
        for plans in chunks(tree.plans, COLLECTIONS_PER_TASK):
            run.add(upsert_collections(ctx, plans))

        pages = [run.add(category_members(ctx, item_keys=keys)) for keys in chunks(ctx.retry_keys, PAGE)]
        members = _by_category([*pages, *run.pages(category_members)])
        for categories in chunks(sorted(members), CATEGORIES_PER_TASK):
            run.add(add_products_to_collections(ctx, {k: members[k] for k in categories}))
    return run.final_state


def _by_category(pages: list[MembersPage]) -> dict[str, list[str]]:
    """Each category's items over every page, once each and sorted, so each collection is read once."""
    members: dict[str, set[str]] = {}
    for page in pages:
        for category_key, item_keys in page.members.items():
            members.setdefault(category_key, set()).update(item_keys)
    return {key: sorted(item_keys) for key, item_keys in members.items()}

"""Category tasks: the ERP category tree → Shopify manual collections, and items → their collections.

Shopify collections are flat, so the hierarchy travels in **collection metafields** (namespace ``erp``):
``category_key``, ``key_path`` (``"ROOT/CHILD/LEAF"``, keys from the root) and ``path`` (``"Root > Child >
Leaf"``, names), from which a theme can build menus and breadcrumbs. The title stays the category's own name,
which is what a shopper should read. Handles are ``erp-<key>-<name>`` (``inputs.collection_handle``).

Why it is done this way:
- A category whose parent does not exist (or whose parents form a cycle) is reported with its descendants;
  the rest of the tree is synced (``build_category_tree`` would refuse the whole tree).
- ``collectionCreate`` is not retry-safe: before creating, the collection is looked up by handle, so a create
  whose answer was lost is adopted instead of duplicated; one that timed out is looked for until it shows
  (``connectors.shopify.lost_answers``), since Shopify may still apply it after the client gave up. Both looks
  go by ``collectionByIdentifier(handle)``, one request per unmapped category, not by one search: Shopify's
  search index lags writes, so a search soon after the lost create misses it and a second one is made. Unchanged
  collections are skipped by their digest (hash entity ``collection``).
- ``collectionAddProducts`` is not retry-safe either: the collection's current products are read first and
  only the others are sent. Membership is grouped per collection, so each collection is read once per run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from prefect import task
from pydantic import BaseModel

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import NotFound
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.inputs import METAFIELD_NAMESPACE, collection_handle, collection_input
from connectors.shopify.lost_answers import create_or_adopt
from connectors.shopify.mutations import attribute, record_errors
from domain.models import Category, build_category_tree
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import Outcome, PageOutcome
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources
from tasks.parameters import changed_products
from tasks.publishing import COLLECTIONS, mark_new, publish_marked

PATH_SEPARATOR = " > "
PRODUCTS_PER_CALL = 250


class CollectionPlan(BaseModel):
    """One valid category with its path from the root: what its collection should look like."""

    category: Category
    name_path: list[str]
    key_path: list[str]

    @property
    def key(self) -> str:
        return self.category.erp_key

    @property
    def handle(self) -> str:
        return collection_handle(self.category)

    def collection_input(self, collection_id: str | None = None) -> dict[str, Any]:
        values = {
            "category_key": self.key,
            "key_path": "/".join(self.key_path),
            "path": PATH_SEPARATOR.join(self.name_path),
        }
        return {
            **collection_input(self.category, collection_id=collection_id),
            "metafields": [
                {"namespace": METAFIELD_NAMESPACE, "key": key, "type": "single_line_text_field", "value": value}
                for key, value in values.items()
            ],
        }

    @property
    def digest(self) -> str:
        body = {k: v for k, v in self.collection_input().items() if k != "handle"}
        return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def plan_collections(categories: Sequence[Category]) -> tuple[list[CollectionPlan], list[tuple[str, str]]]:
    """The categories that form a valid tree, parents first, and ``(category key, reason)`` for the others."""
    by_key = {c.erp_key: c for c in categories}
    plans: list[CollectionPlan] = []
    bad: list[tuple[str, str]] = []
    for category in categories:
        chain, node, reason = [category], category, None
        while node.parent_key is not None and reason is None:
            parent = by_key.get(node.parent_key)
            if parent is None:
                whose = "" if node is category else f" (of ancestor {node.erp_key!r})"
                reason = f"parent {node.parent_key!r}{whose} does not exist"
            elif parent in chain:
                reason = "parents form a cycle"
            else:
                chain.append(parent)
                node = parent
        if reason:
            bad.append((category.erp_key, reason))
        else:
            chain.reverse()
            plans.append(
                CollectionPlan(
                    category=category, name_path=[c.name for c in chain], key_path=[c.erp_key for c in chain]
                )
            )
    build_category_tree([p.category for p in plans])  # the kept part is a tree; raises only on a bug here
    plans.sort(key=lambda p: (len(p.key_path), p.category.position, p.key))
    return plans, bad


@dataclass(frozen=True, kw_only=True)
class CategoryTree(Outcome):
    """The ERP tree as collection plans, parents first."""

    plans: list[CollectionPlan] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class MembersPage(PageOutcome[str]):
    """One batch of ERP items by category: ``{category key: [item keys]}``."""

    members: dict[str, list[str]] = field(default_factory=dict)


@task(**IO_TASK)
def read_category_tree(ctx: SyncContext) -> CategoryTree:
    """The ERP tree as collection plans; broken categories (and their descendants) are reported."""
    report = SyncReport()
    try:
        categories = resources(ctx.shop).erp.list_categories()
    except ErpRecordError as exc:
        report.fail(exc.record, exc.reason, field=exc.field)
        return CategoryTree(report=report)
    plans, bad = plan_collections(categories)
    for key, reason in bad:
        report.fail(f"category {key}", reason, field="parent_key")
    return CategoryTree(report=report, plans=plans)


@task(**IO_TASK)
def upsert_collections(ctx: SyncContext, plans: list[CollectionPlan]) -> SyncReport:
    """Create or update the collections of one batch of categories; unchanged ones are skipped."""
    res = resources(ctx.shop)
    report = SyncReport()
    keys = [p.key for p in plans]
    mapped = res.state.shop_ids(ctx.shop, "collection", keys)
    sent = res.state.get_hashes(ctx.shop, "collection", keys)
    todo = [p for p in plans if p.key not in mapped or sent.get(p.key) != p.digest]
    report.skipped += len(plans) - len(todo)
    found = {p.handle: gid for p in todo if p.key not in mapped and (gid := _collection_by_handle(res, p.handle))}
    if ctx.dry_run:
        report.skipped += len(todo)
        if todo:
            report.notes.append(f"dry run: would create or update {len(todo)} collection(s)")
        return report
    for plan in todo:
        existing = mapped.get(plan.key) or found.get(plan.handle)
        try:
            if existing:
                collection_id = _mutate_collection(res, "CollectionUpdate", plan, plan.collection_input(existing))
                report.updated += 1
            else:
                create = partial(_mutate_collection, res, "CollectionCreate", plan, plan.collection_input())
                collection_id = create_or_adopt(res.shopify, create, partial(_collection_by_handle, res, plan.handle))
                report.created += 1
        except ShopRecordError as exc:
            if plan.key in mapped and exc.field == "id":  # deleted in the shop: create it again next run
                res.state.delete_mappings(ctx.shop, "collection", [plan.key])
            report.fail(f"category {plan.key}", exc.reason, field=exc.field)
            continue
        with res.state.begin() as conn:
            res.state.put_mappings(ctx.shop, "collection", [(plan.key, collection_id)], conn=conn)
            res.state.put_hashes(ctx.shop, "collection", {plan.key: plan.digest}, conn=conn)
            if plan.key not in mapped:  # created or adopted: collections start unpublished
                mark_new(res, ctx.shop, COLLECTIONS, [plan.key], conn=conn)
    published, _ = publish_marked(res, ctx.shop, COLLECTIONS, keys)  # every run visits the whole tree
    return report + published


def _collection_by_handle(res: ShopResources, handle: str) -> str | None:
    """The collection carrying ``handle`` now (not through the lagging search index), else None."""
    node = res.shopify.execute("CollectionByHandle", {"handle": handle}).get("collectionByIdentifier")
    return str(node["id"]) if node else None


def _mutate_collection(res: ShopResources, operation: str, plan: CollectionPlan, data: dict[str, Any]) -> str:
    path = "collectionCreate" if operation == "CollectionCreate" else "collectionUpdate"
    payload, user_errors = res.shopify.mutate(operation, {"input": data}, path)
    if user_errors:
        raise record_errors(plan.key, user_errors, operation=operation)[0]
    return str(payload["collection"]["id"])


@task(**IO_TASK)
def category_members(ctx: SyncContext, item_keys: list[str] | None = None, cursor: str | None = None) -> MembersPage:
    """The categories of one batch of ERP items: ``item_keys`` (last run's retry keys), else one page of the
    items changed in the period, from ``cursor``."""
    res = resources(ctx.shop)
    report = SyncReport()
    page = changed_products(res, ctx, item_keys, cursor, report)
    members: dict[str, list[str]] = {}
    for product in page.items:
        for category_key in product.category_keys:
            members.setdefault(category_key, []).append(product.erp_key)
    return MembersPage(report=report, next_cursor=page.next_cursor, members=members)


@task(**IO_TASK)
def add_products_to_collections(ctx: SyncContext, members: dict[str, list[str]]) -> Outcome:
    """Put each item into the collections of its categories; items that could not be placed are retry keys.

    An item not in the shop yet, or in a category without a collection (a broken category), is skipped with a
    retry key, so it joins once the product or the collection exists.
    """
    res = resources(ctx.shop)
    report, retry = SyncReport(), set()
    collections = res.state.shop_ids(ctx.shop, "collection", members)
    products = res.state.shop_ids(ctx.shop, "product", {k for keys in members.values() for k in keys})
    for category_key, item_keys in sorted(members.items()):
        retry.update(k for k in item_keys if k not in products or category_key not in collections)
        wanted = {products[k]: k for k in item_keys if k in products}
        if category_key not in collections or not wanted:
            continue
        try:
            present = _collection_products(res, collections[category_key])
        except NotFound:  # forget it, so the next run creates it again and then fills it
            if not ctx.dry_run:
                res.state.delete_mappings(ctx.shop, "collection", [category_key])
            report.fail(f"category {category_key}", "its collection was deleted in the shop", field="collection")
            retry.update(wanted.values())
            continue
        missing = [gid for gid in wanted if gid not in present]
        report.skipped += len(wanted) - len(missing)
        if ctx.dry_run:
            report.skipped += len(missing)
            if missing:
                report.notes.append(f"dry run: would add {len(missing)} product(s) to category {category_key}")
            continue
        for start in range(0, len(missing), PRODUCTS_PER_CALL):
            chunk = missing[start : start + PRODUCTS_PER_CALL]
            refused = _add(res, collections[category_key], {g: wanted[g] for g in chunk})
            report.updated += len(chunk) - len(refused)
            for item_key, error in refused.items():
                report.fail(f"item {item_key}", error.reason, field=f"collections.{category_key}")
                retry.add(item_key)
    if retry:
        report.notes.append(
            f"{len(retry)} item(s) not put into collections yet (product or collection missing); retried next run"
        )
    return Outcome(report=report, retry_keys=sorted(retry))


def _collection_products(res: ShopResources, collection_id: str) -> set[str]:
    return {
        n["id"] for n in res.shopify.iter_nodes("CollectionProducts", {"id": collection_id}, ("collection", "products"))
    }


def _add(res: ShopResources, collection_id: str, products: dict[str, str]) -> dict[str, ShopRecordError]:
    """One ``collectionAddProducts`` call for ``{product GID: item key}``; the refused items with their error."""
    keys = list(products.values())
    variables = {"id": collection_id, "productIds": list(products)}
    _, user_errors = res.shopify.mutate("CollectionAddProducts", variables, "collectionAddProducts")
    by_index, general = attribute(user_errors, keys, ("productIds",), operation="CollectionAddProducts")
    refused = {keys[i]: errors[0] for i, errors in by_index.items()}
    for error in general:
        refused.update({k: ShopRecordError(k, None, error.message, error.code, "CollectionAddProducts") for k in keys})
    return refused

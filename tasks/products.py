"""Product tasks: list the ERP items changed in a period; push one chunk of items to the shop.

What is sent, and when:
- What an item last sent is kept in the hash table (entity ``product``) as digests — of its fields (title,
  description, vendor, status), of its variant structure (SKUs and options) and of each variant's price,
  compare-at price and barcode. An item whose digests all match is skipped without a call. A changed price
  updates only that variant (``productVariantsBulkUpdate``), changed fields only the product
  (``productUpdate``); a changed variant structure, or an item we hold no digests for, re-sends the whole item
  with ``productSet`` (declarative: the ERP is the master of the variants).
- An unmapped item is first looked up in the shop by its SKUs (``ProductVariantsBySku``), so a product made by
  a run whose answer was lost, or one the merchant created by hand, is adopted instead of duplicated. A new
  product is created by ``productSet`` keyed by a handle derived from the item, so a client retry of a create
  whose answer was lost finds the product the first attempt made.
- When the shop is the item master (``item_master: shop``, ``tasks.shop_products``), title, description and
  prices are the shop's: they are left out of the digests and of ``productUpdate``/``productVariantsBulkUpdate``,
  and an item sent whole (``productSet``: a new structure, or a product adopted or never sent) first takes them,
  and the variants the shop added, from its shop product (``ProductsByIds``, read by id for the chunk).
- Mappings (``product``: item key → Product GID, ``variant``: SKU → ProductVariant GID, ``inventory_item``:
  SKU → InventoryItem GID) and the digests are written in one transaction per item, after Shopify accepted
  it. A refused item keeps its old digests, is reported with Shopify's reason and retried next run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.inputs import product_handle, product_set_input, variant_price_input
from connectors.shopify.mapping import nodes_of
from connectors.shopify.mutations import record_errors, run_batch
from connectors.shopify.search import any_of
from domain.models import Product, Variant
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources
from tasks.product_digests import HASH_ENTITY, dump_digests, parse_digests, sent_state
from tasks.publishing import PRODUCTS, mark_new, publish_marked
from tasks.shop_products import read_shop_products, shop_fields_over, shop_masters

LIST_PAGE = 500
SKU_LOOKUP = 50
"""SKUs per ``ProductVariantsBySku`` query: short search strings, and the page asks for no more than that."""
VARIANTS_PER_CALL = 250
GONE = "PRODUCT_DOES_NOT_EXIST"
VARIANT_GONE = "PRODUCT_VARIANT_DOES_NOT_EXIST"


def plan(
    product: Product,
    product_id: str | None,
    variant_ids: dict[str, str],
    last: dict | None,
    shop_masters: bool = False,
) -> str:
    """``create`` (unmapped: adopt or create), ``set`` (whole item), ``update`` (changed parts) or ``skip``."""
    if product_id is None:
        return "create"
    new = sent_state(product, shop_masters)
    if last is None or last["structure"] != new["structure"] or any(v.sku not in variant_ids for v in product.variants):
        return "set"
    return "skip" if last == new else "update"


# ---- tasks ----------------------------------------------------------------------------------------------


@task(**IO_TASK)
def list_changed_item_keys(ctx: SyncContext) -> tuple[SyncReport, list[str]]:
    """Keys of the items changed in the period (every item on the first run) plus last run's retry keys."""
    res = resources(ctx.shop)
    since = None if ctx.is_first_run else ctx.period_start
    report, keys = SyncReport(), []
    for page in res.erp.iter_products_changed(since, LIST_PAGE, until=ctx.period_end):
        keys.extend(p.erp_key for p in page.items)
        for message in page.rejected:
            report_rejected(report, message)
    listed = set(keys)
    retried = [k for k in dict.fromkeys(ctx.retry_keys) if k not in listed]
    if retried:
        report.notes.append(f"{len(retried)} item(s) failed last run and are tried again")
    return report, list(dict.fromkeys([*keys, *retried]))


def report_rejected(report: SyncReport, message: str) -> None:
    """An item the ERP listing could not read, as "record: field: reason" (``RecordError``'s own format)."""
    record, _, rest = message.partition(": ")
    field, sep, reason = rest.partition(": ")
    if sep:
        report.fail(record, reason, field=field)
    else:
        report.fail(record, message)


@task(**IO_TASK)
def push_products(ctx: SyncContext, keys: list[str]) -> tuple[SyncReport, list[str]]:
    """Push one chunk of items; returns its report and the keys of the items to retry next run."""
    res = resources(ctx.shop)
    report, retry = SyncReport(), []
    products = _load(res, keys, report, retry)
    item_keys = [p.erp_key for p in products]
    last = {k: parse_digests(v) for k, v in res.state.get_hashes(ctx.shop, HASH_ENTITY, item_keys).items()}
    product_ids = res.state.shop_ids(ctx.shop, "product", item_keys)
    variant_ids = res.state.shop_ids(ctx.shop, "variant", [v.sku for p in products for v in p.variants])
    masters = shop_masters(res)
    plans = {
        p.erp_key: plan(p, product_ids.get(p.erp_key), variant_ids, last.get(p.erp_key), masters) for p in products
    }
    found = _variants_in_shop(res, [v.sku for p in products if plans[p.erp_key] == "create" for v in p.variants])
    shop = _shop_products(res, products, plans, product_ids, found) if masters else {}
    done: Counter[str] = Counter()
    for product in products:
        key = product.erp_key
        try:
            sent = _Sent(product_ids.get(key), variant_ids, last.get(key), masters, shop)
            done[_push_one(res, ctx, product, plans[key], sent, found)] += 1
        except ShopRecordError as exc:
            report.fail(key, exc.reason, field=exc.field)
            retry.append(key)
        except ValueError as exc:  # an item the shop cannot take as it is (options missing on a variant)
            report.fail(key, str(exc), field="variants")
            retry.append(key)
    report.created += done["created"]
    report.updated += done["updated"] + done["adopted"]
    report.skipped += done["skip"] + sum(n for action, n in done.items() if action.startswith("would "))
    if done["adopted"]:
        report.notes.append(f"{done['adopted']} existing shop product(s) adopted by SKU instead of created")
    if ctx.dry_run and (planned := {a[6:]: n for a, n in done.items() if a.startswith("would ")}):
        report.notes.append("dry run, nothing sent: would " + ", ".join(f"{a} {n}" for a, n in sorted(planned.items())))
    published, unpublished = publish_marked(res, ctx.shop, PRODUCTS, item_keys, dry_run=ctx.dry_run)
    return report + published, list(dict.fromkeys([*retry, *unpublished]))


# ---- one item ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sent:
    """What the shop has of one item: its product and variants (mappings), the digests last sent, and, when the
    shop masters title, description and prices, the shop products read for this chunk (by product GID)."""

    product_id: str | None
    variant_ids: dict[str, str]
    last: dict | None
    shop_masters: bool = False
    shop_products: dict[str, dict | None] = field(default_factory=dict)


def _push_one(
    res: ShopResources, ctx: SyncContext, product: Product, action: str, sent: _Sent, found: dict[str, list[dict]]
) -> str:
    product_id, variant_ids = sent.product_id, sent.variant_ids
    if action == "create":
        product_id = _adoptable(res, ctx.shop, product, found)
        if product_id is not None:
            action = "adopt"
            variant_ids = {
                v.sku: n["id"]
                for v in product.variants
                for n in found.get(v.sku, [])
                if n["product"]["id"] == product_id
            }
    if action == "skip":
        return "skip"
    if ctx.dry_run:
        return f"would {action}"
    if action == "update":
        _update_parts(res, ctx.shop, product, product_id, variant_ids, sent)
        return "updated"
    node = sent.shop_products.get(product_id) if product_id else None
    if node is not None:  # the shop masters title, description and prices: the item goes whole with the shop's
        product = shop_fields_over(product, node)
        variant_ids = {**{v["sku"]: v["id"] for v in nodes_of(node.get("variants")) if v.get("sku")}, **variant_ids}
    identifier = {"id": product_id} if product_id else {"handle": product_handle(product)}
    _product_set(res, ctx.shop, product, identifier, variant_ids, sent, new=action != "set")
    return {"create": "created", "adopt": "adopted"}.get(action, "updated")


def _shop_products(
    res: ShopResources,
    products: list[Product],
    plans: dict[str, str],
    product_ids: dict[str, str],
    found: dict[str, list[dict]],
) -> dict[str, dict | None]:
    """The shop products this chunk sends whole to products the shop has (``set``, or ``create`` that will
    adopt one by SKU), read by id in batches, for the fields the shop masters."""
    ids = [product_ids[p.erp_key] for p in products if plans[p.erp_key] == "set"]
    ids += [
        n["product"]["id"]
        for p in products
        if plans[p.erp_key] == "create"
        for v in p.variants
        for n in found.get(v.sku, [])
    ]
    return read_shop_products(res, ids)


def _product_set(
    res: ShopResources,
    shop: str,
    product: Product,
    identifier: dict[str, str],
    variant_ids: dict[str, str],
    sent: _Sent,
    *,
    new: bool = False,
) -> None:
    """``new``: created or adopted by this run, so it waits to be published (``tasks.publishing``)."""
    data = product_set_input(product, variant_ids=variant_ids)
    if "handle" in identifier:
        data["handle"] = identifier["handle"]
    payload, errors = res.shopify.mutate("ProductSet", {"identifier": identifier, "input": data}, "productSet")
    last = sent.last
    if errors:
        raise _refused(res, shop, product, last, record_errors(product.erp_key, errors, operation="productSet"))
    node = payload["product"]
    variants = nodes_of(node["variants"])
    if len(variants) < len(product.variants):  # more than the mutation's answer lists
        variants = list(res.shopify.iter_nodes("ProductVariantsOfProduct", {"id": node["id"]}, ("product", "variants")))
    by_sku = {v["sku"]: v for v in variants if v.get("sku")}
    missing = [v.sku for v in product.variants if v.sku not in by_sku]
    if missing:
        raise ShopRecordError(product.erp_key, "variants", f"the shop did not keep SKU(s) {', '.join(missing)}")
    stale = sorted(set((last or {}).get("variants", {})) - set(by_sku))
    with res.state.begin() as conn:
        res.state.put_mappings(shop, "product", [(product.erp_key, node["id"])], conn=conn)
        res.state.put_mappings(shop, "variant", [(v.sku, by_sku[v.sku]["id"]) for v in product.variants], conn=conn)
        res.state.put_mappings(
            shop, "inventory_item", [(v.sku, by_sku[v.sku]["inventoryItem"]["id"]) for v in product.variants], conn=conn
        )
        res.state.delete_mappings(shop, "variant", stale, conn=conn)
        res.state.delete_mappings(shop, "inventory_item", stale, conn=conn)
        digests = sent_state(product, sent.shop_masters)
        res.state.put_hashes(shop, HASH_ENTITY, {product.erp_key: dump_digests(digests)}, conn=conn)
        if new:
            mark_new(res, shop, PRODUCTS, [product.erp_key], conn=conn)


def _update_parts(
    res: ShopResources,
    shop: str,
    product: Product,
    product_id: str | None,
    variant_ids: dict[str, str],
    was: _Sent,
) -> None:
    """productUpdate for changed fields, productVariantsBulkUpdate for the changed variants only; neither
    carries what the shop masters when it does."""
    assert product_id is not None and was.last is not None  # planned "update": mapped, with digests
    last, masters = was.last, was.shop_masters
    new = sent_state(product, masters)
    sent = {**last, "variants": dict(last["variants"])}
    errors: list[ShopRecordError] = []
    if last["fields"] != new["fields"]:
        _, user_errors = res.shopify.mutate(
            "ProductUpdate", {"product": _fields_input(product, product_id, masters)}, "productUpdate"
        )
        errors += record_errors(product.erp_key, user_errors, operation="productUpdate")
        if not user_errors:
            sent["fields"] = new["fields"]
    changed = [v for v in product.variants if last["variants"].get(v.sku) != new["variants"][v.sku]]
    for start in range(0, len(changed), VARIANTS_PER_CALL):
        result = run_batch(
            res.shopify,
            "ProductVariantsBulkUpdate",
            changed[start : start + VARIANTS_PER_CALL],
            variables=lambda batch: {
                "productId": product_id,
                "variants": [_variant_input(variant_ids[v.sku], v, masters) for v in batch],
            },
            payload_path="productVariantsBulkUpdate",
            list_path=("variants",),
            key=lambda v: v.sku,
            atomic=False,
        )
        for variant in result.applied:
            sent["variants"][variant.sku] = new["variants"][variant.sku]
        errors += result.errors
    if sent != last:
        res.state.put_hashes(shop, HASH_ENTITY, {product.erp_key: dump_digests(sent)})
    if errors:
        raise _refused(res, shop, product, last, errors)


def _refused(
    res: ShopResources, shop: str, product: Product, last: dict | None, errors: list[ShopRecordError]
) -> ShopRecordError:
    """One error for the item naming every refusal. A product or variant deleted in the shop also loses its
    mapping, so the next run creates it again."""
    message = "; ".join(f"{e.record}: {e.reason}" if e.record != product.erp_key else e.reason for e in errors)
    if gone_variants := [e.record for e in errors if e.code == VARIANT_GONE]:
        with res.state.begin() as conn:
            res.state.delete_mappings(shop, "variant", gone_variants, conn=conn)
            res.state.delete_mappings(shop, "inventory_item", gone_variants, conn=conn)
    if product_gone(errors):
        forget_product(
            res, shop, product.erp_key, [v.sku for v in product.variants] + list((last or {}).get("variants", {}))
        )
        message += " (the shop product is gone: mapping dropped, the next run creates it again)"
    first = errors[0]
    return ShopRecordError(product.erp_key, first.field, message or "refused", first.code, first.operation)


def product_gone(errors: list[ShopRecordError]) -> bool:
    """Whether Shopify refused because the product no longer exists."""
    return any(e.code == GONE or e.reason.strip().lower() == "product does not exist" for e in errors)


def forget_product(res: ShopResources, shop: str, erp_key: str, skus: list[str]) -> None:
    """Drop what maps an item to a shop product that is gone: its mappings, its variants' and its digests."""
    with res.state.begin() as conn:
        res.state.delete_mappings(shop, "product", [erp_key], conn=conn)
        res.state.delete_mappings(shop, "variant", skus, conn=conn)
        res.state.delete_mappings(shop, "inventory_item", skus, conn=conn)
        res.state.delete_hashes(shop, HASH_ENTITY, [erp_key], conn=conn)


# ---- helpers -------------------------------------------------------------------------------------------------


def _load(res: ShopResources, keys: list[str], report: SyncReport, retry: list[str]) -> list[Product]:
    """The chunk's items from the ERP; an invalid one is reported alone, a deleted one skipped."""
    try:
        products = res.erp.get_products(keys)
    except ErpRecordError:
        products = []
        for key in keys:
            try:
                products += res.erp.get_products([key])
            except ErpRecordError as exc:
                report.fail(key, exc.reason, field=exc.field)
                retry.append(key)
    gone = len(set(keys) - {p.erp_key for p in products} - set(retry))
    if gone:
        report.skipped += gone
        report.notes.append(f"{gone} item(s) listed as changed are no longer in the ERP")
    return products


def _variants_in_shop(res: ShopResources, skus: list[str]) -> dict[str, list[dict]]:
    """Shop variants carrying exactly these SKUs (search matches loosely, so each hit is checked)."""
    found: dict[str, list[dict]] = {}
    unique = list(dict.fromkeys(skus))
    for start in range(0, len(unique), SKU_LOOKUP):
        group = unique[start : start + SKU_LOOKUP]
        wanted = set(group)
        for node in res.shopify.iter_nodes(
            "ProductVariantsBySku", {"query": any_of("sku", group)}, "productVariants", page_size=len(group)
        ):
            if node.get("sku") in wanted:
                found.setdefault(node["sku"], []).append(node)
    return found


def _adoptable(res: ShopResources, shop: str, product: Product, found: dict[str, list[dict]]) -> str | None:
    """The one shop product already carrying this item's SKUs, or None when there is none."""
    owners = sorted({n["product"]["id"] for v in product.variants for n in found.get(v.sku, [])})
    if not owners:
        return None
    if len(owners) > 1:
        raise ShopRecordError(
            product.erp_key,
            "variants",
            f"its SKUs belong to {len(owners)} shop products ({', '.join(owners)}); merge them in the shop first",
            "AMBIGUOUS_SKU",
        )
    other = res.state.erp_keys(shop, "product", owners).get(owners[0])
    if other is not None and other != product.erp_key:
        raise ShopRecordError(
            product.erp_key,
            "variants",
            f"its SKUs belong to shop product {owners[0]}, which is mapped to ERP item {other}",
            "SKU_MAPPED_ELSEWHERE",
        )
    return owners[0]


def _fields_input(product: Product, product_id: str, shop_masters: bool = False) -> dict[str, Any]:
    whole = product_set_input(product)
    names = ("status", "vendor") if shop_masters else ("title", "status", "descriptionHtml", "vendor")
    return {"id": product_id, **{k: whole[k] for k in names if k in whole}}


def _variant_input(variant_id: str, variant: Variant, shop_masters: bool = False) -> dict[str, Any]:
    if shop_masters:
        return {"id": variant_id, "barcode": variant.barcode}
    return {**variant_price_input(variant_id, variant), "barcode": variant.barcode}

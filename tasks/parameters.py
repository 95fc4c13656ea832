"""Parameter tasks: ERP parameters, supplier and producer of one batch of items → product metafields and vendor.

What a product gets (Pohoda "Parametry a dodavatelé"):
- each ERP parameter as a metafield in namespace ``erp`` (key ``inputs.metafield_key(name)``, value with its
  unit), plus ``erp.supplier`` and ``erp.producer`` holding the parties' names;
- the producer's name as the product's ``vendor`` (the item's own vendor wins when it has one, as
  ``sync_products`` does, so the two flows never flip the vendor back and forth).

Only changed products are written: hash entity ``parameters`` keeps, per item, a digest of what was last sent
(including the product GID, so a product created again gets its parameters again). ``metafieldsSet`` takes at
most 25 metafields and refuses a call with one bad metafield, so the batch's metafields go in calls of 25 and
a refused one is dropped and the call re-sent (``mutations.run_batch``); its item fails, the others are
written. An item that is not in the shop yet (no ``product`` mapping) is skipped with a retry key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.inputs import METAFIELDS_PER_CALL, metafields_set_inputs
from connectors.shopify.mutations import record_errors, run_batch
from domain.models import Page, Parameter, PartyKind, Product
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import PageOutcome
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

PAGE = 100
"""ERP items per task: a page of changed items, or of retry keys."""

PARTY_KEYS = {PartyKind.SUPPLIER: "supplier", PartyKind.PRODUCER: "producer"}


def changed_products(
    res: ShopResources, ctx: SyncContext, item_keys: Sequence[str] | None, cursor: str | None, report: SyncReport
) -> Page[Product]:
    """The ERP items a catalogue task works on: ``item_keys`` (retry keys of the last run), else one page of
    the items changed in the run's period (every item on the first run) without the retry keys.

    Items the ERP cannot turn into products are reported and left out, so they never hold up the others.
    """
    if item_keys is not None:
        products: list[Product] = []
        try:
            products = res.erp.get_products(item_keys)
        except ErpRecordError:  # name the bad one(s) and keep the rest
            for key in item_keys:
                try:
                    products += res.erp.get_products([key])
                except ErpRecordError as exc:
                    report.fail(exc.record, exc.reason, field=exc.field)
        return Page[Product](items=products)
    since = None if ctx.is_first_run else ctx.period_start
    page = res.erp.list_products_changed(since, cursor, PAGE, until=ctx.period_end)
    retried = set(ctx.retry_keys)  # the flow handled these first, in their own batches
    page.items = [p for p in page.items if p.erp_key not in retried]
    for message in page.rejected:
        record, _, rest = message.partition(": ")
        field, _, reason = rest.partition(": ")
        report.fail(record, reason or rest, field=field if reason else None)
    return page


@dataclass
class ParameterPlan:
    item_key: str
    product_id: str
    metafields: list[dict[str, Any]]
    vendor: str | None

    @property
    def digest(self) -> str:
        body = {
            "product": self.product_id,
            "vendor": self.vendor,
            "metafields": sorted((m["key"], m["value"]) for m in self.metafields),
        }
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def plan_parameters(product: Product, product_id: str, parties: dict[tuple[str, str], str]) -> ParameterPlan:
    """What the product should carry; ``ValueError`` naming the field when the item cannot be expressed."""
    extra: list[Parameter] = []
    for kind, name in PARTY_KEYS.items():
        key = product.supplier_key if kind is PartyKind.SUPPLIER else product.producer_key
        if key is None:
            continue
        party = parties.get((kind.value, key))
        if party is None:
            raise ValueError(f"{name}_key: {key!r} is no ERP {name}")
        extra.append(Parameter(name=name, value=party))
    try:
        metafields = metafields_set_inputs(product_id, [*product.parameters, *extra])
    except ValueError as exc:
        raise ValueError(f"parameters: {exc}") from None
    producer = parties.get((PartyKind.PRODUCER.value, product.producer_key or ""))
    return ParameterPlan(product.erp_key, product_id, metafields, product.vendor or producer)


@task(**IO_TASK)
def sync_parameters_batch(
    ctx: SyncContext, item_keys: list[str] | None = None, cursor: str | None = None
) -> PageOutcome[str]:
    """Metafields and vendor of one batch of items: ``item_keys`` (last run's retry keys), else one page of the
    items changed in the period, from ``cursor``."""
    res = resources(ctx.shop)
    report, retry = SyncReport(), []
    page = changed_products(res, ctx, item_keys, cursor, report)
    mapped = res.state.shop_ids(ctx.shop, "product", [p.erp_key for p in page.items])
    parties = {(p.kind.value, p.erp_key): p.name for p in res.erp.list_parties()} if mapped else {}
    plans: list[ParameterPlan] = []
    for product in page.items:
        if product.erp_key not in mapped:
            retry.append(product.erp_key)
            continue
        try:
            plans.append(plan_parameters(product, mapped[product.erp_key], parties))
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            report.fail(f"item {product.erp_key}", reason, field=field)
            retry.append(product.erp_key)
    if retry:
        report.notes.append(f"{len(retry)} item(s) skipped: not in the shop yet or invalid; retried next run")
    sent = res.state.get_hashes(ctx.shop, "parameters", [p.item_key for p in plans])
    changed = [p for p in plans if sent.get(p.item_key) != p.digest]
    report.skipped += len(plans) - len(changed)
    if ctx.dry_run:
        report.skipped += len(changed)
        if changed:
            report.notes.append(f"dry run: would update the parameters of {len(changed)} product(s)")
        return PageOutcome(report=report, next_cursor=page.next_cursor, retry_keys=retry)
    failed = _set_metafields(res, changed) | _set_vendors(res, [p for p in changed if p.vendor])
    for item_key, error in sorted(failed.items()):
        report.fail(f"item {item_key}", error.reason, field=error.field)
        retry.append(item_key)
    done = {p.item_key: p.digest for p in changed if p.item_key not in failed}
    res.state.put_hashes(ctx.shop, "parameters", done)
    report.updated += len(done)
    return PageOutcome(report=report, next_cursor=page.next_cursor, retry_keys=retry)


def _set_metafields(res: ShopResources, plans: list[ParameterPlan]) -> dict[str, ShopRecordError]:
    """Every plan's metafields in calls of 25 (a product with more spans calls); failures by item key."""
    rows = [(plan.item_key, metafield) for plan in plans for metafield in plan.metafields]
    failed: dict[str, ShopRecordError] = {}
    for start in range(0, len(rows), METAFIELDS_PER_CALL):
        chunk = list(range(start, min(start + METAFIELDS_PER_CALL, len(rows))))
        result = run_batch(
            res.shopify,
            "MetafieldsSet",
            chunk,
            atomic=True,
            list_path=("metafields",),
            key=str,
            variables=lambda batch: {"metafields": [rows[i][1] for i in batch]},
            payload_path="metafieldsSet",
        )
        for error in result.errors:
            item_key, metafield = rows[int(error.record)]
            error.field = f"metafields.{metafield['key']}" + (f".{error.field}" if error.field else "")
            failed.setdefault(item_key, error)
    return failed


def _set_vendors(res: ShopResources, plans: list[ParameterPlan]) -> dict[str, ShopRecordError]:
    failed: dict[str, ShopRecordError] = {}
    for plan in plans:
        variables = {"product": {"id": plan.product_id, "vendor": plan.vendor}}
        _, user_errors = res.shopify.mutate("ProductUpdate", variables, "productUpdate")
        if user_errors:
            failed[plan.item_key] = record_errors(plan.item_key, user_errors, operation="ProductUpdate")[0]
    return failed

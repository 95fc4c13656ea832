"""Shipment task: a batch of unsynced ERP shipments → Shopify fulfillments (BC report 30109).

Each shipment is spread over the order's open fulfillment-order lines and sent as one ``fulfillmentCreate``
per location (``connectors.shopify.fulfillment.plan_fulfillments``), with tracking. The outcome goes back to
the ERP (``mark_shipment_synced``) so the shipment is not listed again: sent (the fulfillment ids), or failed
with the reason when nothing can be sent (unknown order, nothing left to fulfil, Shopify refused it) — a
broken shipment is reported once, not retried every run (BC's -1/-2).

Never fulfilled twice: ``fulfillmentCreate`` is not retry-safe (a lost answer may hide an applied mutation).
Before the first send, the plan and the ids of the order's existing fulfillments are written to the state
store (hash entity ``fulfillment_intent``, key = shipment ERP key). After a lost answer — in this task, in a
retried task or in the next run after a crash — the order's fulfillments are read again; the ones created
since are the plans already applied (sent one after another, one fulfillment each), and only the rest is sent.
The intent is removed when the outcome is recorded, in the same transaction when ERP and state share one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from prefect import task

from connectors.shopify.errors import NotFound, Retriable
from connectors.shopify.fulfillment import plan_fulfillments
from connectors.shopify.mutations import record_errors
from connectors.shopify.paging import dig
from domain.models import Shipment
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import PageOutcome
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

INTENT = "fulfillment_intent"
"""Hash entity: shipment ERP key → JSON ``{"before": [fulfillment GIDs], "plans": [FulfillmentInput]}``."""
MAX_LOST_ANSWERS = 3
"""Lost answers tolerated per shipment in one task before the task gives up (and Prefect retries it)."""


@dataclass
class _Outcome:
    sent: list[str] = field(default_factory=list)
    error: str | None = None
    unplaced: list[str] = field(default_factory=list)
    marked: bool = True
    planned: int = 0


@task(**IO_TASK)
def sync_shipments_batch(
    ctx: SyncContext, size: int, notify_customer: bool, cursor: list[str] | None = None
) -> PageOutcome[list[str]]:
    """Send up to ``size`` unsynced shipments (oldest first) that this run has not passed over yet.

    The ERP lists unsynced shipments without a cursor of its own, so the cursor is the ERP keys this run left
    unsynced so far (a dry run marks nothing): the next batch moves on past them. It is None once the ERP
    listed no further shipments. A retried task lists again, so shipments it already recorded are not sent
    twice.
    """
    res = resources(ctx.shop)
    skip = cursor or []
    listed = res.erp.list_unsynced_shipments(size + len(skip))
    exhausted = len(listed) < size + len(skip)
    passed = set(skip)
    report, unmarked = SyncReport(), []
    for shipment in [s for s in listed if s.erp_key not in passed][:size]:
        outcome = _ship(res, ctx, shipment, notify_customer)
        label = f"shipment {shipment.erp_key} (order {shipment.order_shop_id})"
        if not outcome.marked:
            unmarked.append(shipment.erp_key)
        if outcome.error is not None:
            report.fail(label, outcome.error, field="lines")
            continue
        if ctx.dry_run:
            report.skipped += 1
            report.notes.append(f"dry run: {label} would be sent as {outcome.planned} fulfillment(s)")
        else:
            report.created += 1
        if outcome.unplaced:
            verb = "would be sent" if ctx.dry_run else "sent"
            report.fail(label, f"{verb} without: " + "; ".join(outcome.unplaced), field="lines")
    return PageOutcome(report=report, next_cursor=None if exhausted else [*skip, *unmarked])


def _ship(res: ShopResources, ctx: SyncContext, shipment: Shipment, notify_customer: bool) -> _Outcome:
    try:
        existing = _fulfillment_ids(res, shipment.order_shop_id)
    except NotFound:
        return _record(res, ctx, shipment, _Outcome(error=f"order {shipment.order_shop_id} does not exist in the shop"))
    intent = _load_intent(res, ctx.shop, shipment.erp_key)
    if intent is None:
        planned = _plan(res, ctx, shipment, notify_customer)
        if isinstance(planned, _Outcome):
            return planned
        intent = {"before": existing, "plans": planned[0], "unplaced": planned[1]}
        if not ctx.dry_run:  # written before the first send: a lost answer is found again from here
            res.state.put_hashes(ctx.shop, INTENT, {shipment.erp_key: json.dumps(intent)})
    if ctx.dry_run:
        return _Outcome(marked=False, planned=len(intent["plans"]), unplaced=list(intent["unplaced"]))
    return _record(res, ctx, shipment, _send(res, shipment, intent, existing))


def _plan(
    res: ShopResources, ctx: SyncContext, shipment: Shipment, notify_customer: bool
) -> tuple[list[dict[str, Any]], list[str]] | _Outcome:
    """The ``FulfillmentInput`` per location and what cannot be placed, or the failed outcome if nothing can."""
    nodes = list(
        res.shopify.iter_nodes("OrderFulfillmentOrders", {"id": shipment.order_shop_id}, ("order", "fulfillmentOrders"))
    )
    location = _location_id(res, ctx.shop, shipment)
    plans, errors = plan_fulfillments(shipment, nodes, notify_customer=notify_customer, location_id=location)
    unplaced = [f"{e.field}: {e.reason}" for e in errors]
    if not plans:
        reason = "nothing left to fulfil" + (": " + "; ".join(unplaced) if unplaced else "")
        return _record(res, ctx, shipment, _Outcome(error=reason))
    return [p.fulfillment for p in plans], unplaced


def _send(res: ShopResources, shipment: Shipment, intent: dict[str, Any], existing: list[str]) -> _Outcome:
    """Send the plans the order's fulfillments do not show yet, one by one; re-read after a lost answer."""
    before = set(intent["before"])
    outcome = _Outcome(sent=[i for i in existing if i not in before], unplaced=list(intent["unplaced"]))
    lost = 0
    while len(outcome.sent) < len(intent["plans"]):
        plan = intent["plans"][len(outcome.sent)]
        try:
            payload, user_errors = res.shopify.mutate("FulfillmentCreate", {"fulfillment": plan}, "fulfillmentCreate")
        except Retriable:
            lost += 1
            if lost >= MAX_LOST_ANSWERS:
                raise  # the intent stays: the retried task (or the next run) re-reads before sending
            outcome.sent = [i for i in _fulfillment_ids(res, shipment.order_shop_id) if i not in before]
            continue
        if user_errors:
            errors = record_errors(shipment.erp_key, user_errors, operation="FulfillmentCreate")
            refused = "; ".join(f"{e.field}: {e.reason}" if e.field else e.reason for e in errors)
            if outcome.sent:
                outcome.unplaced.append(f"refused by Shopify: {refused}")
            else:
                outcome.error = f"refused by Shopify: {refused}"
            break
        outcome.sent.append(str(payload["fulfillment"]["id"]))
    return outcome


def _record(res: ShopResources, ctx: SyncContext, shipment: Shipment, outcome: _Outcome) -> _Outcome:
    """Write the outcome to the ERP and drop the intent (together when they share a database)."""
    if ctx.dry_run:
        outcome.marked = False
        return outcome
    fulfillment_id = ",".join(outcome.sent) if outcome.sent and outcome.error is None else None
    error = outcome.error
    with res.erp.unit_of_work(res.state) as work:
        work.erp.mark_shipment_synced(shipment.erp_key, fulfillment_id, error)
        # without a shared transaction a crash leaves the intent behind: never read again
        res.state.delete_hashes(ctx.shop, INTENT, [shipment.erp_key], conn=work.conn)
    return outcome


def _load_intent(res: ShopResources, shop: str, erp_key: str) -> dict[str, Any] | None:
    raw = res.state.get_hashes(shop, INTENT, [erp_key]).get(erp_key)
    return json.loads(raw) if raw else None


def _fulfillment_ids(res: ShopResources, order_id: str) -> list[str]:
    data = res.shopify.execute("OrderFulfillments", {"id": order_id})
    return [str(f["id"]) for f in dig(data, ("order", "fulfillments"), operation="OrderFulfillments") or ()]


def _location_id(res: ShopResources, shop: str, shipment: Shipment) -> str | None:
    """The Shopify location the ERP shipped from (``location`` mapping, else the block's location mapping)."""
    key = shipment.location_key
    if not key:
        return None
    found = res.state.shop_ids(shop, "location", [key]).get(key) or res.shop.location_mapping.get(key)
    return found if found and found.startswith("gid://") else None

"""The demo's order lifecycle: after a shop's first pass, its orders take every turn they can, the order syncs
run again (the "later" pass, as the next runs of a shop's day would), and the demo says what the ERP made of
each turn.

Kept apart from ``demo.py`` (which runs the passes) so the lifecycle can be read, and tested, on its own:
``later_pass`` applies ``samples.lifecycle`` to the shop's emulator and runs ``LATER_FLOWS``; ``outcomes``
reads the answer back through the ERP port and the sync state, so it says the same thing for either ERP.
The second pass that follows must then change nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from commerce_sync.samples.data import SampleData
from commerce_sync.samples.lifecycle import Scenario, apply_lifecycle, sample_scenarios
from connectors.state import StagedStatus
from domain.models import OrderState

__all__ = ["LATER_FLOWS", "between_passes", "later_pass", "outcomes", "print_outcomes"]

LATER_FLOWS = (
    "sync_customers",
    "sync_orders",
    "create_sales_orders",
    "sync_payments",
    "sync_shipments",
    "sync_order_status",
    "sync_inventory",
    "reconcile",
)
"""The runs of a shop's day after the lifecycle's turns: the order syncs, then the hourly stock run (what the
day's orders reserved, shipped and cancelled moved in the ERP) and a reconcile that judges the lot."""

Flows = Sequence[tuple[str, Callable[..., Any], type]]


def later_pass(shop: str, shop_state: Any, data: SampleData, flows: Flows) -> tuple[list[dict], list[Scenario]]:
    """Apply the lifecycle's turns to the shop (stamped a few seconds ago, so the next runs read them past
    Shopify's search lag), run ``LATER_FLOWS``, and return their table rows and the turns taken."""
    from engine.resources import resources
    from flows.runtime import report_of

    erp = resources(shop).erp
    states = erp.sales_order_states([o.shop_id for o in data.orders])
    sampled = sample_scenarios(data.orders, data.refunds)
    taken = {s.order_id for s in sampled}
    untouched = [s.shop_order_id for s in states if s.state is None and s.shop_order_id not in taken]
    processed = [s.shop_order_id for s in states if s.state is OrderState.PROCESSED and s.shop_order_id not in taken]
    at = shop_state.now() - timedelta(seconds=3)
    scenarios = sampled + apply_lifecycle(shop_state, data.products, untouched, processed, at)
    rows = []
    by_name = {name: (flow_fn, params_cls) for name, flow_fn, params_cls in flows}
    for name in (n for n in LATER_FLOWS if n in by_name):  # in the day's order here: stock after the orders
        flow_fn, params_cls = by_name[name]
        started = time.monotonic()
        report = report_of(flow_fn(params_cls(shop=shop), return_state=True))
        rows.append({"pass": "later", "flow": name, **report.counts, "seconds": round(time.monotonic() - started, 1)})
    return rows, scenarios


def between_passes(
    shop: str, shop_state: Any, data: SampleData, flows: Flows
) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """The demo's step between its two passes: the lifecycle's turns, the later pass, and what came of them."""
    rows, scenarios = later_pass(shop, shop_state, data, flows)
    return rows, outcomes(shop, scenarios, data)


def outcomes(shop: str, scenarios: Sequence[Scenario], data: SampleData) -> list[tuple[str, str, str]]:
    """(turn, order, what the ERP holds now) per scenario, read through the ERP port and the sync state."""
    from engine.resources import resources

    res = resources(shop)
    states = {s.shop_order_id: s for s in res.erp.sales_order_states([s.order_id for s in scenarios])}
    refund_ids = [s.refund_id for s in scenarios if s.refund_id]
    booked = {b.refund_id for b in res.erp.list_refunds(refund_ids)} if refund_ids else set()
    refunds = {r.shop_id: r for r in data.refunds}
    found = []
    for scenario in scenarios:
        staged = res.state.staged_order(shop, scenario.order_id)
        sales_order = states.get(scenario.order_id)
        key = sales_order.erp_key if sales_order else (staged.erp_key if staged else None)
        if staged is not None and staged.status is StagedStatus.SKIPPED:
            said = f"not imported ({staged.skip_reason})"
        elif scenario.kind.startswith("cancelled after"):
            said = _cancellation(sales_order, staged, key)
        elif scenario.refund_id is not None:
            refund = refunds[scenario.refund_id]
            units = sum(x.quantity for x in refund.lines if x.restocked)
            said = (
                f"credit document for {refund.total} {refund.currency} against {key}"
                + (f", {units} unit(s) to receive back into stock" if units else "")
                if scenario.refund_id in booked
                else "no credit document"
            )
        elif key is not None:
            said = _payments(res.erp, key, scenario)
        else:
            said = f"staged {staged.status.value}" if staged else "never staged"
        found.append((scenario.kind, scenario.name, said))
    return found


def _cancellation(sales_order: Any, staged: Any, key: str | None) -> str:
    if sales_order is not None and sales_order.state is OrderState.CANCELLED:
        return f"ERP sales order {key} cancelled"
    if sales_order is None and staged is not None and staged.status is StagedStatus.CANCELLED:
        return f"ERP sales order {key} cancelled (taken off the books)"
    if staged is not None and staged.status is StagedStatus.CONFLICT:
        return f"left to a person: {staged.conflict_reason}"
    return f"ERP sales order {key} {sales_order.state.value if sales_order and sales_order.state else 'open'}"


def _payments(erp: Any, key: str, scenario: Scenario) -> str:
    payments = erp.list_payments([key])
    money = ", ".join(f"{p.amount} {p.currency}" for p in payments if p.amount is not None)
    said = f"ERP sales order {key}, " + (
        f"payment(s) booked: {money}" if money else f"{len(payments)} payment(s) booked"
    )
    if scenario.kind == "gift-card payment":
        said += " (as a gift-card redemption, not cash)"
    if scenario.kind == "second currency":
        said += " (in the shop's CZK; the buyer's EUR kept beside)"
    return said


def print_outcomes(shop: str, found: Sequence[tuple[str, str, str]]) -> None:
    """The lifecycle table of a shop's summary: each turn, its order, what the ERP made of it."""
    print(f"\n{shop}: what the ERP made of each turn of an order's life")
    width = max((len(kind) for kind, _, _ in found), default=0)
    for kind, name, said in found:
        print(f"  {kind.ljust(width)}  {name:<6}  {said}")

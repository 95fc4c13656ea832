"""The checks of a reconcile run, pure: what each one compares, what it found, and the run's drift report.

A check reads the shop side and the ERP side (the tasks do that, in bulk), then one function here compares them
and returns a ``CheckResult``: records compared, the differences (``domain.drift`` decides what is drift), notes,
why the check cannot run on this adapter, and which differences a repair put right. ``add_up`` turns the results
of a run into what it publishes (markdown, table) and its counts — records in sync are *skipped*, repaired ones
*updated*, differences left *failed*, so a run with drift ends partial and monitoring sees it.

Nothing here does I/O or knows Prefect: every rule is tested on small frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import pandas as pd
from pydantic import BaseModel, Field

from domain import drift, lifecycle_drift
from domain.drift import Difference, DriftKind
from domain.report import SyncReport

__all__ = [
    "CheckName",
    "CheckResult",
    "Drift",
    "ErpCancellations",
    "ErpCatalog",
    "ErpOrders",
    "ErpPayments",
    "ErpRefunds",
    "ShopOrders",
    "Stock",
    "add_up",
    "check_cancellations",
    "check_catalog",
    "check_fulfillments",
    "check_inventory",
    "check_orders",
    "check_payments",
    "check_refunds",
    "hidden_note",
    "left_to_a_person",
]


class CheckName(StrEnum):
    CATALOG = "catalog"
    INVENTORY = "inventory"
    ORDERS = "orders"
    PAYMENTS = "payments"
    FULFILLMENTS = "fulfillments"
    CANCELLATIONS = "cancellations"
    REFUNDS = "refunds"


class CheckResult(BaseModel):
    """What one check did. ``cannot_run`` says why the adapter cannot answer it (then nothing was compared);
    ``repaired`` holds the ``Difference.ref`` of the differences a repair put right."""

    check: CheckName
    compared: int = 0
    not_checked: int = 0
    """Records of the period this check could not compare (e.g. orders Shopify no longer shows the app); the
    notes say why. Never drift."""
    differences: list[Difference] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    cannot_run: str | None = None
    repaired: list[str] = Field(default_factory=list)

    @property
    def left(self) -> list[Difference]:
        """The differences no repair put right."""
        done = set(self.repaired)
        return [d for d in self.differences if d.ref not in done]


# ---- the two sides, as the reads hand them over ---------------------------------------------------------------


@dataclass(frozen=True)
class ErpCatalog:
    """Every ERP variant (``drift.CATALOG_COLUMNS``, owner = item key) and the shop products the sync manages."""

    variants: pd.DataFrame
    managed: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stock:
    """One side's levels (``drift.STOCK_COLUMNS``) and the SKUs its catalogue has: stock is compared only for
    SKUs both catalogues have (a SKU one side lacks is the catalogue check's difference, not stock drift)."""

    levels: pd.DataFrame
    skus: frozenset[str]


@dataclass(frozen=True)
class ShopOrders:
    """The period's shop orders with their transactions and fulfillments (``drift.*_COLUMNS``), which of them are
    cancelled and their refunds (``lifecycle_drift.CANCELLED_COLUMNS``, ``REFUND_COLUMNS``).

    ``hidden`` names the period's orders the sync knows (staged) that the shop did not show, and ``hidden_why``
    says why (Shopify shows an app without ``read_all_orders`` only 60 days of orders; set whenever the period
    reaches back that far): they are not compared, so they are neither in sync nor drift."""

    orders: pd.DataFrame
    transactions: pd.DataFrame
    fulfillments: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    hidden: tuple[str, ...] = ()
    hidden_why: str = ""
    cancelled: pd.DataFrame = field(default_factory=lambda: drift.frame([], lifecycle_drift.CANCELLED_COLUMNS))
    refunds: pd.DataFrame = field(default_factory=lambda: drift.frame([], lifecycle_drift.REFUND_COLUMNS))


@dataclass(frozen=True)
class ErpOrders:
    """The period's orders the ERP or staging knows (``drift.ERP_ORDER_COLUMNS``); how far ``sync_orders`` read."""

    orders: pd.DataFrame
    read_until: datetime | None


@dataclass(frozen=True)
class ErpPayments:
    """Payments booked against the period's sales orders; how far ``sync_payments`` read."""

    sales_orders: pd.DataFrame
    booked: pd.DataFrame
    read_until: datetime | None


@dataclass(frozen=True)
class ErpCancellations:
    """The state of the period's ERP sales orders with staging's word on each (``ERP_STATE_COLUMNS``), and how far
    ``sync_orders`` (shop cancellations) and ``sync_order_status`` (ERP cancellations) have read."""

    states: pd.DataFrame
    orders_read_until: datetime | None
    status_read_until: datetime | None


@dataclass(frozen=True)
class ErpRefunds:
    """The period's sales orders (``order_id``, ``erp_key``), the credit documents booked for their refunds
    (``BOOKED_REFUND_COLUMNS``) and how far ``sync_payments`` has read."""

    sales_orders: pd.DataFrame
    booked: pd.DataFrame
    read_until: datetime | None


# ---- one compare per check -------------------------------------------------------------------------------------


def check_catalog(shop: pd.DataFrame, erp: ErpCatalog) -> CheckResult:
    differences = drift.compare_catalog(erp.variants, shop, set(erp.managed))
    return CheckResult(check=CheckName.CATALOG, compared=len(erp.variants), differences=differences)


def check_inventory(shop: Stock, erp: Stock) -> CheckResult:
    both = erp.skus & shop.skus
    return CheckResult(
        check=CheckName.INVENTORY,
        compared=int(erp.levels.sku.isin(both).sum()),
        differences=drift.compare_inventory(erp.levels, shop.levels, set(both)),
    )


def check_orders(shop: ShopOrders, erp: ErpOrders) -> CheckResult:
    notes = []
    if late := drift.unread(shop.orders, erp.read_until):
        notes.append(
            f"{late} order(s) changed after sync_orders last read them: not judged "
            "(reconcile this period again after sync_orders)"
        )
    if shop.hidden_why:
        notes.append(hidden_note(shop))
    return CheckResult(
        check=CheckName.ORDERS,
        compared=len(shop.orders),
        not_checked=len(shop.hidden),
        differences=drift.compare_orders(shop.orders, erp.orders, erp.read_until),
        notes=notes,
    )


HIDDEN_NAMES_SHOWN = 10


def hidden_note(shop: ShopOrders) -> str:
    """How many of the period's orders were not compared, which (the first few), and why."""
    if not shop.hidden:
        return f"{shop.hidden_why}: the period's older orders are not read (none of them known to the sync)"
    names = ", ".join(shop.hidden[:HIDDEN_NAMES_SHOWN]) + (", …" if len(shop.hidden) > HIDDEN_NAMES_SHOWN else "")
    return (
        f"{len(shop.hidden)} order(s) of the period not checked ({names}): {shop.hidden_why}; "
        "neither are their payments and fulfillments compared. Not drift"
    )


def check_payments(shop: ShopOrders, erp: ErpPayments) -> CheckResult:
    differences = drift.compare_payments(shop.orders, shop.transactions, erp.sales_orders, erp.booked, erp.read_until)
    return CheckResult(
        check=CheckName.PAYMENTS, compared=int(shop.transactions.money_in.sum()), differences=differences
    )


def check_fulfillments(shop: ShopOrders, outcomes: pd.DataFrame) -> CheckResult:
    differences = drift.compare_fulfillments(shop.fulfillments, outcomes)
    return CheckResult(check=CheckName.FULFILLMENTS, compared=len(outcomes), differences=differences)


def check_cancellations(shop: ShopOrders, erp: ErpCancellations) -> CheckResult:
    """Shop cancellations of sales orders ⇄ ERP cancellations; compared: orders cancelled on either side."""
    states = erp.states[erp.states.order_id.isin(set(shop.orders.order_id))]
    either = set(shop.cancelled.order_id) & set(states.order_id) | set(states[states.state == "cancelled"].order_id)
    notes = []
    if late := lifecycle_drift.unjudged_erp_cancellations(shop.orders, shop.cancelled, states, erp.status_read_until):
        notes.append(
            f"{late} order(s) cancelled in the ERP and open in the shop, changed after sync_order_status last read "
            "(or the ERP does not say when): not judged"
        )
    differences = lifecycle_drift.compare_cancellations(
        shop.orders, shop.cancelled, states, erp.orders_read_until, erp.status_read_until
    )
    return CheckResult(check=CheckName.CANCELLATIONS, compared=len(either), differences=differences, notes=notes)


def check_refunds(shop: ShopOrders, erp: ErpRefunds) -> CheckResult:
    """Refunds on the period's sales orders ⇄ the ERP's credit documents; compared: those refunds."""
    sales = set(erp.sales_orders.dropna(subset=["erp_key"]).order_id)
    differences = lifecycle_drift.compare_refunds(
        shop.orders, shop.refunds, erp.sales_orders, erp.booked, erp.read_until
    )
    return CheckResult(
        check=CheckName.REFUNDS, compared=int(shop.refunds.order_id.isin(sales).sum()), differences=differences
    )


def left_to_a_person(result: CheckResult, repairs: Iterable[DriftKind], how: str) -> CheckResult:
    """After a repair: name the kinds of difference this check never repairs, and what puts them right."""
    left = sorted({d.kind for d in result.differences} - set(repairs))
    if not left:
        return result
    note = f"{result.check} not repaired automatically: {', '.join(left)} ({how})"
    return result.model_copy(update={"notes": [*result.notes, note]})


# ---- the run's report -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """The results of a run's checks added up: what it publishes and its counts."""

    differences: list[Difference]
    compared: dict[str, int]
    repaired: frozenset[str]
    notes: list[str]
    not_checked: dict[str, int] = field(default_factory=dict)

    def markdown(self, title: str) -> str:
        return drift.drift_markdown(title, self.differences, self.compared, self.notes, self.not_checked)

    def rows(self) -> list[dict[str, str]]:
        return [{**d.as_row(), "repaired": "yes" if d.ref in self.repaired else "no"} for d in self.differences]

    def report(self) -> SyncReport:
        report = SyncReport(
            updated=len([d for d in self.differences if d.ref in self.repaired]),
            skipped=max(0, sum(self.compared.values()) - len(self.differences)),
            notes=list(self.notes),
        )
        for d in self.differences:
            if d.ref not in self.repaired:
                reason = f"{d.detail} (ERP: {d.erp_value or '—'}, shop: {d.shop_value or '—'})"
                report.fail(d.key, reason, field=d.kind.value)
        return report


def add_up(results: Sequence[CheckResult]) -> Drift:
    """One report over every check: differences in report order, records compared per check that ran, and the
    notes — first the totals, then each check's, then the checks this adapter cannot run."""
    differences = drift.in_report_order(d for r in results for d in r.differences)
    compared = {r.check.value: r.compared for r in results if r.cannot_run is None}
    not_checked = {r.check.value: r.not_checked for r in results if r.cannot_run is None and r.not_checked}
    counts = ", ".join(f"{name} {count}" for name, count in compared.items()) or "no check"
    unchecked = "".join(f"; {count} {name} not checked" for name, count in not_checked.items())
    notes = [
        f"{len(differences)} difference(s) in {counts} compared{unchecked}",
        *[note for r in results for note in r.notes],
        *[f"{r.check} not compared: {r.cannot_run}" for r in results if r.cannot_run is not None],
    ]
    repaired = frozenset(ref for r in results for ref in r.repaired)
    return Drift(differences, compared, repaired, notes, not_checked)

"""Drift between the ERP and the shop: pure comparisons (pandas set differences), no I/O, no Prefect.

Each reconcile check's compare (``domain.reconcile``) hands the frames both sides were read into here; each
``compare_*`` returns one ``Difference`` per record that disagrees, keyed the way the syncs key it: SKU,
``SKU@location``, order GID, transaction GID, shipment key or fulfillment GID (``domain.lifecycle_drift`` adds
cancellations and refunds after import, keyed by order and refund GID). Keys are unique per kind, so a table of
differences can be diffed run to run.

What counts as drift is what the syncs would have made equal by now, nothing more:
- only shop variants of products the sync manages (mapped to an ERP item) can be "missing in the ERP" — a
  merchant's own products are not drift;
- an order is expected in the ERP once ``sync_orders`` covered its last change and it was either staged or
  is open (the first order sync imports open orders only); a payment once ``sync_payments`` covered its order
  and the order is an ERP sales order; a fulfillment for every shipment the shipment sync marked as sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

__all__ = [
    "CATALOG_COLUMNS",
    "Difference",
    "DriftKind",
    "ERP_ORDER_COLUMNS",
    "FULFILLMENT_COLUMNS",
    "OUTCOME_COLUMNS",
    "PAYMENT_COLUMNS",
    "SHOP_ORDER_COLUMNS",
    "STOCK_COLUMNS",
    "TRANSACTION_COLUMNS",
    "compare_catalog",
    "compare_fulfillments",
    "compare_inventory",
    "compare_orders",
    "compare_payments",
    "counts_by_kind",
    "covered_by",
    "amount_text",
    "drift_markdown",
    "frame",
    "in_report_order",
    "unread",
]

CATALOG_COLUMNS = ["sku", "owner", "price", "compare_at_price"]
"""Both catalogue sides; ``owner`` is the ERP item key, or the shop's Product GID."""
STOCK_COLUMNS = ["sku", "location_key", "quantity"]
SHOP_ORDER_COLUMNS = ["order_id", "name", "updated_at", "open"]
ERP_ORDER_COLUMNS = ["order_id", "erp_key", "staged_status", "staged_error"]
TRANSACTION_COLUMNS = ["transaction_id", "order_id", "amount", "currency", "money_in"]
PAYMENT_COLUMNS = ["transaction_id", "order_erp_key", "amount", "currency"]
FULFILLMENT_COLUMNS = ["fulfillment_id", "order_id", "status"]
OUTCOME_COLUMNS = ["erp_key", "order_id", "state", "fulfillment_ids"]


NOT_IMPORTED_ON_PURPOSE = ("skipped", "cancelled")
"""Staging statuses of orders that are not sales orders by rule: skipped by the shop's import conditions (test,
cancelled before import, payment status …) or cancelled before their sales order was made."""


class DriftKind(StrEnum):
    VARIANT_MISSING_IN_SHOP = "variant_missing_in_shop"
    VARIANT_MISSING_IN_ERP = "variant_missing_in_erp"
    PRICE = "price"
    INVENTORY = "inventory"
    ORDER_NOT_IMPORTED = "order_not_imported"
    FULFILLMENT_MISSING = "fulfillment_missing"
    FULFILLMENT_NOT_FROM_ERP = "fulfillment_not_from_erp"
    PAYMENT_NOT_BOOKED = "payment_not_booked"
    PAYMENT_NOT_IN_SHOP = "payment_not_in_shop"
    PAYMENT_AMOUNT = "payment_amount"
    CANCELLATION_NOT_IN_ERP = "cancellation_not_in_erp"
    CANCELLATION_NOT_IN_SHOP = "cancellation_not_in_shop"
    REFUND_NOT_BOOKED = "refund_not_booked"
    REFUND_AMOUNT = "refund_amount"


class Difference(BaseModel):
    """One record on which ERP and shop disagree; values are display strings (None: the side has none)."""

    model_config = ConfigDict(frozen=True)

    kind: DriftKind
    key: str
    erp_value: str | None = None
    shop_value: str | None = None
    detail: str = ""

    @property
    def ref(self) -> str:
        """``kind:key``: unique in a run, so a repair can say which differences it put right."""
        return f"{self.kind.value}:{self.key}"

    def as_row(self) -> dict[str, str]:
        return {
            "kind": self.kind.value,
            "key": self.key,
            "erp": self.erp_value or "—",
            "shop": self.shop_value or "—",
            "detail": self.detail,
        }


def frame(rows: Iterable[Any], columns: list[str]) -> pd.DataFrame:
    """Rows (tuples or dicts) as a frame that keeps its columns even when there are no rows."""
    return pd.DataFrame.from_records(list(rows), columns=columns)


def money(value: Any) -> str | None:
    """A canonical text for an amount, so ``199``, ``199.00`` and ``Decimal('199.0000')`` compare equal."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


# ---- catalogue --------------------------------------------------------------------------------------------


def compare_catalog(erp: pd.DataFrame, shop: pd.DataFrame, managed: set[str]) -> list[Difference]:
    """Variants by SKU, then price and compare-at price of the SKUs both sides have.

    ``managed``: Product GIDs the sync maps to an ERP item (only their variants can be missing in the ERP).
    """
    shop = shop[shop.sku.notna() & (shop.sku != "")].drop_duplicates("sku")
    both = erp.merge(shop, on="sku", how="outer", suffixes=("_erp", "_shop"), indicator="side")
    out: list[Difference] = []
    for row in both[both.side == "left_only"].itertuples():
        out.append(
            Difference(
                kind=DriftKind.VARIANT_MISSING_IN_SHOP,
                key=row.sku,
                erp_value=row.owner_erp,
                detail=f"ERP item {row.owner_erp} has this SKU; no shop variant has it",
            )
        )
    extra = both[(both.side == "right_only") & both.owner_shop.isin(managed)]
    for row in extra.itertuples():
        out.append(
            Difference(
                kind=DriftKind.VARIANT_MISSING_IN_ERP,
                key=row.sku,
                shop_value=row.owner_shop,
                detail="a variant of a synced product; the ERP has no such SKU",
            )
        )
    for row in both[both.side == "both"].itertuples():
        fields = [
            (name, money(getattr(row, f"{name}_erp")), money(getattr(row, f"{name}_shop")))
            for name in ("price", "compare_at_price")
        ]
        differ = [(name, erp_value, shop_value) for name, erp_value, shop_value in fields if erp_value != shop_value]
        if differ:
            out.append(
                Difference(
                    kind=DriftKind.PRICE,
                    key=row.sku,
                    erp_value="; ".join(f"{name}={value or '—'}" for name, value, _ in differ),
                    shop_value="; ".join(f"{name}={value or '—'}" for name, _, value in differ),
                    detail=f"ERP item {row.owner_erp}",
                )
            )
    return sorted(out, key=_order)


def compare_inventory(erp: pd.DataFrame, shop: pd.DataFrame, skus: set[str]) -> list[Difference]:
    """Shop ``on_hand`` against the ERP's shop quantity per ``(SKU, ERP location)``, for SKUs on both sides.

    A level one side does not have counts as 0 there: the shop cannot sell what is not stocked, and an ERP
    without a stock row holds none.
    """
    both = erp[erp.sku.isin(skus)].merge(
        shop[shop.sku.isin(skus)], on=["sku", "location_key"], how="outer", suffixes=("_erp", "_shop"), indicator="side"
    )
    both["erp_q"] = both.quantity_erp.fillna(0).astype("int64")
    both["shop_q"] = both.quantity_shop.fillna(0).astype("int64")
    out = []
    for row in both[both.erp_q != both.shop_q].itertuples():
        detail = {"left_only": "not stocked at this shop location", "right_only": "no ERP stock row"}.get(
            str(row.side), ""
        )
        out.append(
            Difference(
                kind=DriftKind.INVENTORY,
                key=f"{row.sku}@{row.location_key}",
                erp_value=str(row.erp_q),
                shop_value=str(row.shop_q),
                detail=detail,
            )
        )
    return sorted(out, key=_order)


# ---- orders, payments, fulfillments -----------------------------------------------------------------------


def covered_by(orders: pd.DataFrame, until: datetime | None) -> pd.Series:
    """Orders whose last change a sync with cursor ``until`` has read (none when it never ran)."""
    if until is None:
        return pd.Series(False, index=orders.index)
    return orders.updated_at.map(lambda at: at < until).astype(bool)


def unread(orders: pd.DataFrame, until: datetime | None) -> int:
    """How many orders changed after a sync with cursor ``until`` last read (not judged by this reconcile)."""
    return int((~covered_by(orders, until)).sum())


def compare_orders(shop: pd.DataFrame, erp: pd.DataFrame, covered_until: datetime | None) -> list[Difference]:
    """Shop orders of the period that should be ERP sales orders by now and are not.

    ``erp`` has a row per shop order that is a sales order (``erp_key``) or that staging knows (status, error).
    """
    both = shop.merge(erp, on="order_id", how="left")
    on_purpose = both.staged_status.isin(NOT_IMPORTED_ON_PURPOSE)  # the shop's import conditions, a cancellation
    missing = (
        both.erp_key.isna() & covered_by(both, covered_until) & (both.open | both.staged_status.notna()) & ~on_purpose
    )
    out = []
    for row in both[missing].itertuples():
        status = row.staged_status if isinstance(row.staged_status, str) else None
        detail = "never staged by sync_orders" if status is None else f"staged, {status}"
        if isinstance(row.staged_error, str) and row.staged_error:
            detail += f": {row.staged_error}"
        out.append(Difference(kind=DriftKind.ORDER_NOT_IMPORTED, key=row.order_id, shop_value=row.name, detail=detail))
    return sorted(out, key=_order)


def compare_payments(
    shop_orders: pd.DataFrame,
    transactions: pd.DataFrame,
    erp_orders: pd.DataFrame,
    booked: pd.DataFrame,
    covered_until: datetime | None,
) -> list[Difference]:
    """Money in on the period's sales orders ⇄ the payments booked against them.

    Missing bookings count only for orders ``sync_payments`` has read since their last change; a booking is
    checked against every money-in transaction of its order, however recent.
    """
    sales = erp_orders[erp_orders.erp_key.notna()][["order_id", "erp_key"]]
    orders = shop_orders.merge(sales, on="order_id")
    money_in = transactions[transactions.money_in & transactions.order_id.isin(set(orders.order_id))]
    covered = set(orders[covered_by(orders, covered_until)].order_id)
    booked = booked[booked.order_erp_key.isin(set(orders.erp_key))]
    both = money_in.merge(booked, on="transaction_id", how="outer", suffixes=("_shop", "_erp"), indicator="side")
    known = set(transactions.transaction_id)
    out = []
    for row in both.itertuples():
        if row.side == "left_only" and row.order_id in covered:
            out.append(
                Difference(
                    kind=DriftKind.PAYMENT_NOT_BOOKED,
                    key=row.transaction_id,
                    shop_value=amount_text(row.amount_shop, row.currency_shop),
                    detail=f"money in on order {row.order_id}; the ERP booked no payment for it",
                )
            )
        elif row.side == "right_only":
            detail = (
                "the shop transaction is no money in (not a successful sale or capture)"
                if row.transaction_id in known
                else "no such transaction on the shop order"
            )
            out.append(
                Difference(
                    kind=DriftKind.PAYMENT_NOT_IN_SHOP,
                    key=row.transaction_id,
                    erp_value=amount_text(row.amount_erp, row.currency_erp),
                    detail=f"booked against {row.order_erp_key}; {detail}",
                )
            )
        elif (
            row.side == "both"
            and money(row.amount_erp) is not None
            and (money(row.amount_erp) != money(row.amount_shop) or row.currency_erp != row.currency_shop)
        ):
            out.append(
                Difference(
                    kind=DriftKind.PAYMENT_AMOUNT,
                    key=row.transaction_id,
                    erp_value=amount_text(row.amount_erp, row.currency_erp),
                    shop_value=amount_text(row.amount_shop, row.currency_shop),
                    detail=f"order {row.order_id}, booked against {row.order_erp_key}",
                )
            )
    return sorted(out, key=_order)


def compare_fulfillments(fulfillments: pd.DataFrame, outcomes: pd.DataFrame) -> list[Difference]:
    """Shipments the ERP marked as sent ⇄ the fulfillments of their shop orders.

    ``outcomes`` are the ERP shipments of the period's orders; ``fulfillments`` those orders' fulfillments.
    """
    sent = (
        outcomes[outcomes.state == "synced"]
        .explode("fulfillment_ids")
        .rename(columns={"fulfillment_ids": "fulfillment_id"})
    )
    live = fulfillments[fulfillments.status != "CANCELLED"]
    out = []
    for (erp_key, order_id), group in sent.groupby(["erp_key", "order_id"], sort=True):
        gone = sorted(set(group.fulfillment_id.dropna()) - set(live.fulfillment_id))
        if gone or group.fulfillment_id.isna().all():
            has = sorted(live[live.order_id == order_id].fulfillment_id)
            out.append(
                Difference(
                    kind=DriftKind.FULFILLMENT_MISSING,
                    key=erp_key,
                    erp_value=", ".join(gone) or "sent, no fulfillment recorded",
                    shop_value=", ".join(has) or None,
                    detail=f"order {order_id}: the shipment is marked as sent; the shop lacks "
                    f"{'these fulfillments' if gone else 'its fulfillment'}",
                )
            )
    known = set(outcomes.explode("fulfillment_ids").fulfillment_ids.dropna())
    for row in live[~live.fulfillment_id.isin(known)].itertuples():
        out.append(
            Difference(
                kind=DriftKind.FULFILLMENT_NOT_FROM_ERP,
                key=row.fulfillment_id,
                shop_value=row.order_id,
                detail="no ERP shipment was sent as this fulfillment",
            )
        )
    return sorted(out, key=_order)


# ---- reporting --------------------------------------------------------------------------------------------


def counts_by_kind(differences: Iterable[Difference]) -> dict[str, int]:
    """Every kind with its count (zero included), in the order of ``DriftKind``."""
    counted = Counter(d.kind for d in differences)
    return {kind.value: counted.get(kind, 0) for kind in DriftKind}


def drift_markdown(
    title: str,
    differences: list[Difference],
    checked: dict[str, int],
    notes: list[str],
    not_checked: dict[str, int] | None = None,
) -> str:
    """The drift report: records compared per check (and, when some could not be, how many were not checked),
    differences per kind, notes (e.g. checks left out, why records were not checked)."""
    unchecked = not_checked or {}
    if unchecked:
        table = [
            "| check | records compared | not checked |",
            "|---|---:|---:|",
            *[f"| {name} | {count} | {unchecked.get(name, 0)} |" for name, count in checked.items()],
        ]
    else:
        table = ["| check | records compared |", "|---|---:|", *[f"| {n} | {c} |" for n, c in checked.items()]]
    lines = [
        f"# {title}",
        "",
        f"**{len(differences)} difference(s)**",
        "",
        *table,
        "",
        "| kind | differences |",
        "|---|---:|",
        *[f"| {kind} | {count} |" for kind, count in counts_by_kind(differences).items()],
    ]
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    if differences:
        lines += ["", "The differences are listed in the differences table artifact."]
    return "\n".join(lines)


def amount_text(value: Any, currency: Any) -> str | None:
    text = money(value)
    return None if text is None else f"{text} {currency}" if isinstance(currency, str) else text


def _order(difference: Difference) -> tuple[int, str]:
    return _KINDS.index(difference.kind), difference.key


_KINDS = list(DriftKind)


def in_report_order(differences: Iterable[Difference]) -> list[Difference]:
    """By kind (in ``DriftKind`` order, catalogue first), then key."""
    return sorted(differences, key=_order)

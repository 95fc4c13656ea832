"""Drift in the order lifecycle after import: cancellations and refunds, ERP ⇄ shop (pure, no I/O).

The same rule as ``domain.drift``: only what the syncs would have made equal by now is drift.

- A shop order cancelled after it became an ERP sales order is expected cancelled in the ERP once ``sync_orders``
  has read the cancellation (``create_sales_orders`` then cancels it, or leaves it to a person when the ERP
  shipped or invoiced it — that is still drift, and the staging row's reason says why). An adapter that cancels
  by deleting the document (POHODA) no longer lists the order: nothing to compare.
- An ERP sales order cancelled in the ERP is expected cancelled in the shop once ``sync_order_status`` has read
  the change (the ERP's state change time before its cursor); an adapter that does not know when the state
  changed leaves such orders unjudged, and the result says how many.
- A refund on a sales order is expected as an ERP credit document once ``sync_payments`` has read the order
  since its last change (a refund changes the order); its money paid back is compared where the adapter keeps it.

Keys: the order GID for cancellations, the refund GID for refunds.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from domain.drift import Difference, DriftKind, amount_text, covered_by, in_report_order, money

__all__ = [
    "BOOKED_REFUND_COLUMNS",
    "CANCELLED_COLUMNS",
    "ERP_STATE_COLUMNS",
    "REFUND_COLUMNS",
    "compare_cancellations",
    "compare_refunds",
    "unjudged_erp_cancellations",
]

CANCELLED_COLUMNS = ["order_id", "cancelled_at"]
"""The shop orders of the period that are cancelled."""
REFUND_COLUMNS = ["refund_id", "order_id", "amount", "currency"]
"""The shop refunds of the period's orders; ``amount`` is the money paid back (``Refund.totalRefundedSet``)."""
ERP_STATE_COLUMNS = ["order_id", "erp_key", "state", "state_changed_at", "staged_status", "staged_reason"]
"""The ERP sales orders of the period's shop orders with their state (None: open) and what staging says."""
BOOKED_REFUND_COLUMNS = ["refund_id", "order_erp_key", "amount", "currency"]

CANCELLED = "cancelled"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _staging_says(status: object, reason: object) -> str:
    status, reason = _text(status), _text(reason)
    if status == "cancelling":
        return "queued: create_sales_orders cancels it on its next run"
    if status == "conflict" and reason:
        return reason
    if status is None:
        return "the cancellation was never staged"
    return f"staged {status}" + (f": {reason}" if reason else "")


def _erp_cancelled_at(both: pd.DataFrame) -> pd.Series:
    return both.state.eq(CANCELLED) & both.state_changed_at.notna()


def compare_cancellations(
    shop_orders: pd.DataFrame,
    cancelled: pd.DataFrame,
    erp: pd.DataFrame,
    orders_read_until: datetime | None,
    status_read_until: datetime | None,
) -> list[Difference]:
    """Cancellations one side has and the other should have by now (see the module docstring)."""
    both = shop_orders.merge(erp, on="order_id").merge(cancelled, on="order_id", how="left")
    in_shop = both.cancelled_at.notna()
    in_erp = both.state.eq(CANCELLED)
    out = []
    for row in both[in_shop & ~in_erp & covered_by(both, orders_read_until)].itertuples():
        out.append(
            Difference(
                kind=DriftKind.CANCELLATION_NOT_IN_ERP,
                key=row.order_id,
                erp_value=f"{row.erp_key} {_text(row.state) or 'open'}",
                shop_value=f"{row.name} cancelled",
                detail=_staging_says(row.staged_status, row.staged_reason),
            )
        )
    read = _erp_read(both, status_read_until)
    for row in both[in_erp & ~in_shop & read].itertuples():
        out.append(
            Difference(
                kind=DriftKind.CANCELLATION_NOT_IN_SHOP,
                key=row.order_id,
                erp_value=f"{row.erp_key} cancelled",
                shop_value=f"{row.name} {'open' if row.open else 'closed'}",
                detail="cancelled in the ERP; sync_order_status has read it, the shop order is not cancelled",
            )
        )
    return in_report_order(out)


def _erp_read(both: pd.DataFrame, until: datetime | None) -> pd.Series:
    """ERP state changes ``sync_order_status`` has read (its cursor after the change)."""
    if until is None:
        return pd.Series(False, index=both.index)
    return _erp_cancelled_at(both) & both.state_changed_at.map(lambda at: at is not None and at < until).astype(bool)


def unjudged_erp_cancellations(
    shop_orders: pd.DataFrame, cancelled: pd.DataFrame, erp: pd.DataFrame, status_read_until: datetime | None
) -> int:
    """ERP-cancelled orders still open in the shop whose change ``sync_order_status`` may not have read yet."""
    both = shop_orders.merge(erp, on="order_id")
    open_in_shop = ~both.order_id.isin(set(cancelled.order_id))
    return int((both.state.eq(CANCELLED) & open_in_shop & ~_erp_read(both, status_read_until)).sum())


def compare_refunds(
    shop_orders: pd.DataFrame,
    refunds: pd.DataFrame,
    sales_orders: pd.DataFrame,
    booked: pd.DataFrame,
    payments_read_until: datetime | None,
) -> list[Difference]:
    """Refunds on the period's sales orders ⇄ the ERP credit documents booked for them.

    ``sales_orders`` maps the period's shop orders that are ERP sales orders (``order_id``, ``erp_key``).
    """
    orders = shop_orders.merge(sales_orders[["order_id", "erp_key"]].dropna(), on="order_id")
    covered = set(orders[covered_by(orders, payments_read_until)].order_id)
    names = dict(zip(orders.order_id, orders.name, strict=False))
    expected = refunds[refunds.order_id.isin(set(orders.order_id))]
    both = expected.merge(booked, on="refund_id", how="left", suffixes=("_shop", "_erp"), indicator="side")
    out = []
    for row in both.itertuples():
        if row.side == "left_only" and row.order_id in covered:
            out.append(
                Difference(
                    kind=DriftKind.REFUND_NOT_BOOKED,
                    key=row.refund_id,
                    shop_value=amount_text(row.amount_shop, row.currency_shop),
                    detail=f"refund on order {names.get(row.order_id)}; the ERP has no credit document for it",
                )
            )
        elif (
            row.side == "both"
            and money(row.amount_erp) is not None
            and (money(row.amount_erp) != money(row.amount_shop) or row.currency_erp != row.currency_shop)
        ):
            out.append(
                Difference(
                    kind=DriftKind.REFUND_AMOUNT,
                    key=row.refund_id,
                    erp_value=amount_text(row.amount_erp, row.currency_erp),
                    shop_value=amount_text(row.amount_shop, row.currency_shop),
                    detail=f"money paid back on order {names.get(row.order_id)}",
                )
            )
    return in_report_order(out)

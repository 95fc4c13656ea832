"""Shop refunds in the ``sql`` ERP: one credit memo per refund, with its lines and the money paid back.

Why it is shaped so:
- The memo header is inserted with ``ON CONFLICT (shop_refund_id) DO NOTHING`` in the same transaction as its
  lines and refund rows, so a refund is booked whole or not at all and a second booking writes nothing.
- The sales order is never changed: it keeps what was ordered, the memo says what came back. Restocked lines
  carry their ``restock_type``; the ERP receives those units into stock when it processes the memo (the sync
  writes no stock), so a return is counted once, by the ERP.
- Money paid back is one ``erp_refunds`` row per successful REFUND transaction, unique by its GID.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from connectors.erp.errors import RecordError
from connectors.erp.port import BookedRefund
from connectors.erp.sql import tables as t
from connectors.erp.sql.dml import chunked, insert_ignore
from connectors.erp.sql.numbering import next_key
from connectors.erp.sql.orders import presentment
from domain.refunds import Refund

__all__ = ["booked_refunds", "record_refund"]


def record_refund(conn: sa.Connection, refund: Refund, order_erp_key: str, now: datetime) -> bool:
    """Write the credit memo of ``refund``; False when this refund was booked before (nothing written)."""
    so, memos = t.sales_orders, t.credit_memos
    if conn.execute(sa.select(so.c.erp_key).where(so.c.erp_key == order_erp_key)).first() is None:
        raise RecordError(f"refund {refund.shop_id}", "order_erp_key", f"no ERP sales order {order_erp_key!r}")
    if conn.execute(sa.select(memos.c.erp_key).where(memos.c.shop_refund_id == refund.shop_id)).first():
        return False
    key = next_key(conn, "credit_memo")
    header = {
        "erp_key": key,
        "shop_refund_id": refund.shop_id,
        "order_key": order_erp_key,
        "currency": refund.currency,
        "goods_total": refund.goods_total,
        "shipping_total": refund.shipping + refund.shipping_tax,
        "adjustment_total": refund.adjustments,
        "total": refund.total,
        "restock": any(line.restocked for line in refund.lines),
        "note": refund.note,
        "refunded_at": refund.processed_at,
        "created_at": now,
    }
    if not insert_ignore(conn, memos, header, ("shop_refund_id",)):
        return False  # a concurrent run booked it between the read and the insert
    lines = [
        {
            "memo_key": key,
            "line_no": number,
            "sku": line.sku,
            "title": line.title or line.sku or line.line_shop_id,
            "quantity": line.quantity,
            "amount": line.amount,
            "tax_amount": line.tax,
            "currency": refund.currency,
            "restock_type": line.restock_type.value,
            "shop_line_id": line.line_shop_id,
        }
        for number, line in enumerate(refund.lines, start=1)
    ]
    if lines:
        conn.execute(sa.insert(t.credit_memo_lines), lines)
    for tx in refund.payments:
        row = {
            "shop_transaction_id": tx.shop_id,
            "memo_key": key,
            "order_key": order_erp_key,
            "gateway": tx.gateway,
            "amount": tx.amount,
            "currency": tx.currency,
            **presentment(tx),
            "refunded_at": tx.processed_at,
            "created_at": now,
        }
        insert_ignore(conn, t.refunds, row, ("shop_transaction_id",))
    return True


def booked_refunds(conn: sa.Connection, refund_ids: Sequence[str]) -> list[BookedRefund]:
    """The credit memos of these shop refunds, each with the money its refund rows paid back."""
    memos, paid = t.credit_memos, t.refunds
    back = sa.select(paid.c.memo_key, sa.func.sum(paid.c.amount).label("amount")).group_by(paid.c.memo_key).subquery()
    query = sa.select(memos.c.shop_refund_id, memos.c.order_key, memos.c.currency, back.c.amount).outerjoin(
        back, back.c.memo_key == memos.c.erp_key
    )
    rows: list[sa.Row[Any]] = []
    for chunk in chunked(sorted(set(refund_ids))):
        rows += conn.execute(query.where(memos.c.shop_refund_id.in_(chunk))).all()
    return [
        BookedRefund(
            refund_id=r.shop_refund_id,
            order_erp_key=r.order_key,
            amount=Decimal(str(r.amount or 0)),
            currency=r.currency,
        )
        for r in sorted(rows, key=lambda r: r.shop_refund_id)
    ]

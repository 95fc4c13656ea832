"""Sales orders and payments in the ``sql`` ERP: created from shop orders, idempotent by the shop's ids.

Why it is shaped so:
- Everything is validated (customer, every SKU) *before* the first write, so an unknown SKU leaves nothing
  behind even when the caller's transaction goes on and commits its other work.
- The header is inserted with ``ON CONFLICT (shop_order_id) DO NOTHING``; the unique constraint, not a prior
  read, decides who created the document, so two runs racing on the same order still make one document.
- Payments likewise are unique by the shop transaction id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from connectors.erp.errors import RecordError, UnknownSkuError, record_error, validated
from connectors.erp.paging import cursor_datetime, decode_cursor, encode_cursor
from connectors.erp.port import BookedPayment, Cancellation, SalesOrder, SalesOrderState
from connectors.erp.sql import tables as t
from connectors.erp.sql.dml import chunked, insert_ignore
from connectors.erp.sql.numbering import next_key
from domain.models import Order, OrderState, OrderStatusChange, Page, Transaction

__all__ = [
    "create_sales_order",
    "delete_sales_order",
    "get_sales_order_by_shop_id",
    "record_payment",
    "status_changes",
]

_so = t.sales_orders


def _label(order: Order) -> str:
    return f"{order.name} ({order.shop_id})"


def _order_key(conn: sa.Connection, shop_id: str) -> str | None:
    return conn.execute(sa.select(_so.c.erp_key).where(_so.c.shop_order_id == shop_id)).scalar()


def _known_skus(conn: sa.Connection, skus: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for chunk in chunked(sorted(set(skus))):
        known.update(conn.scalars(sa.select(t.variants.c.sku).where(t.variants.c.sku.in_(chunk))))
    return known


def _validate(conn: sa.Connection, order: Order, customer_key: str | None) -> None:
    if customer_key is not None:
        found = conn.execute(sa.select(t.customers.c.erp_key).where(t.customers.c.erp_key == customer_key)).first()
        if found is None:
            raise RecordError(f"order {_label(order)}", "customer_key", f"no ERP customer {customer_key!r}")
    known = _known_skus(conn, [line.sku for line in order.lines if line.sku])
    for index, line in enumerate(order.lines):
        if line.sku and line.sku not in known:
            raise UnknownSkuError(_label(order), line.sku, index)


def _address(address: Any) -> dict[str, Any] | None:
    return address.model_dump(exclude_none=True) if address is not None else None


def create_sales_order(conn: sa.Connection, order: Order, customer_key: str | None, now: datetime) -> str:
    existing = _order_key(conn, order.shop_id)
    if existing is not None:
        return existing
    _validate(conn, order, customer_key)
    erp_key = next_key(conn, "sales_order")
    header = {
        "erp_key": erp_key,
        "shop_order_id": order.shop_id,
        "shop_order_name": order.name,
        "customer_key": customer_key,
        "order_date": order.created_at,
        "currency": order.currency,
        "presentment_currency": order.presentment_currency,
        "total": order.total,
        "shipping_total": order.shipping_total,
        "tax_total": order.tax_total,
        "billing_address": _address(order.billing_address),
        "shipping_address": _address(order.shipping_address),
        "note": order.note,
        "lines_signature": order.lines_signature(),
        "state": None,
        "state_changed_at": None,
        "created_at": now,
        "updated_at": now,
    }
    if not insert_ignore(conn, _so, header, ("shop_order_id",)):
        # another run created it between our read and our insert: theirs is the document
        return _order_key(conn, order.shop_id) or erp_key
    lines = [
        {
            "order_key": erp_key,
            "line_no": index + 1,
            "sku": line.sku or None,
            "title": line.title[:255],
            "quantity": Decimal(line.quantity),
            "unit_price": line.unit_price,
            "discount": line.discount,
            "tax_rate": line.tax_rate,
            "currency": order.currency,
            "shop_line_id": line.shop_id,
        }
        for index, line in enumerate(order.lines)
    ]
    if lines:
        conn.execute(t.sales_order_lines.insert(), lines)
    return erp_key


def get_sales_order_by_shop_id(conn: sa.Connection, shop_id: str) -> SalesOrder | None:
    row = conn.execute(sa.select(_so).where(_so.c.shop_order_id == shop_id)).first()
    if row is None:
        return None
    sol = t.sales_order_lines
    line_rows = conn.execute(sa.select(sol).where(sol.c.order_key == row.erp_key).order_by(sol.c.line_no))
    lines = [
        {
            "shop_id": r.shop_line_id,
            "sku": r.sku,
            "title": r.title,
            "quantity": int(r.quantity),
            "unit_price": r.unit_price,
            "discount": r.discount,
            "tax_rate": r.tax_rate,
        }
        for r in line_rows
    ]
    return validated(
        f"sales order {row.erp_key}",
        SalesOrder,
        erp_key=row.erp_key,
        shop_order_id=row.shop_order_id,
        shop_order_name=row.shop_order_name,
        customer_key=row.customer_key,
        currency=row.currency,
        total=row.total,
        shipping_total=row.shipping_total,
        lines_signature=row.lines_signature,
        state=row.state or None,
        state_changed_at=row.state_changed_at,
        created_at=row.created_at,
        lines=lines,
    )


def delete_sales_order(conn: sa.Connection, erp_key: str) -> bool:
    for table, field in ((t.payments, "payments"), (t.shipments, "shipments")):
        if conn.execute(sa.select(sa.literal(1)).select_from(table).where(table.c.order_key == erp_key)).first():
            raise RecordError(f"sales order {erp_key}", field, f"has {field}; refusing to delete it")
    conn.execute(t.sales_order_lines.delete().where(t.sales_order_lines.c.order_key == erp_key))
    return conn.execute(_so.delete().where(_so.c.erp_key == erp_key)).rowcount == 1


def cancel_sales_order(conn: sa.Connection, erp_key: str, reason: str, now: datetime) -> Cancellation:
    """``state`` becomes ``cancelled`` (with ``cancel_reason``) unless the order is shipped (``processed``, or
    a row in ``erp_shipments``) or invoiced (``transferred``); see docs/erp-sql-schema.md."""
    row = conn.execute(sa.select(_so.c.state).where(_so.c.erp_key == erp_key)).one_or_none()
    if row is None or row.state == "cancelled":  # gone (deleted by hand) is as good as cancelled
        return Cancellation(erp_key=erp_key, cancelled=True, already=True)
    shipped = conn.execute(
        sa.select(sa.literal(1)).select_from(t.shipments).where(t.shipments.c.order_key == erp_key)
    ).first()
    if row.state == "transferred":
        return Cancellation(erp_key=erp_key, cancelled=False, refused="invoiced in the ERP")
    if row.state == "processed" or shipped:
        return Cancellation(erp_key=erp_key, cancelled=False, refused="shipped by the ERP")
    conn.execute(
        _so.update()
        .where(_so.c.erp_key == erp_key, _so.c.state.is_(None))
        .values(state="cancelled", state_changed_at=now, cancel_reason=reason, updated_at=now)
    )
    return Cancellation(erp_key=erp_key, cancelled=True)


def status_changes(
    conn: sa.Connection, since: datetime | None, cursor: str | None, limit: int
) -> Page[OrderStatusChange]:
    query = sa.select(_so.c.erp_key, _so.c.shop_order_id, _so.c.state, _so.c.state_changed_at).where(
        _so.c.shop_order_id.is_not(None), _so.c.state.is_not(None), _so.c.state_changed_at.is_not(None)
    )
    if since is not None:
        query = query.where(_so.c.state_changed_at >= since)
    if cursor is not None:
        raw_at, after_key = decode_cursor("order-states", cursor, 2)
        after_at = cursor_datetime("order-states", raw_at)
        query = query.where(
            sa.or_(
                _so.c.state_changed_at > after_at,
                sa.and_(_so.c.state_changed_at == after_at, _so.c.erp_key > after_key),
            )
        )
    rows = conn.execute(query.order_by(_so.c.state_changed_at, _so.c.erp_key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    changes: list[OrderStatusChange] = []
    rejected: list[str] = []
    for r in rows:
        try:
            changes.append(
                OrderStatusChange(
                    order_shop_id=r.shop_order_id, erp_key=r.erp_key, state=r.state, changed_at=r.state_changed_at
                )
            )
        except ValidationError as exc:  # e.g. a state your ERP view maps to something unknown
            rejected.append(str(record_error(f"sales order {r.erp_key}", exc)))
    next_cursor = encode_cursor("order-states", rows[-1].state_changed_at, rows[-1].erp_key) if more else None
    return Page[OrderStatusChange](items=changes, next_cursor=next_cursor, rejected=rejected)


def presentment(tx: Transaction) -> dict[str, Any]:
    """The amount the buyer paid in their own currency, beside the booked one (None when it is the same)."""
    if not tx.in_other_currency:
        return {"presentment_amount": None, "presentment_currency": None}
    return {"presentment_amount": tx.presentment_amount, "presentment_currency": tx.presentment_currency}


def record_payment(conn: sa.Connection, tx: Transaction, order_erp_key: str, now: datetime) -> bool:
    if conn.execute(sa.select(_so.c.erp_key).where(_so.c.erp_key == order_erp_key)).first() is None:
        raise RecordError(f"transaction {tx.shop_id}", "order_erp_key", f"no ERP sales order {order_erp_key!r}")
    row = {
        "shop_transaction_id": tx.shop_id,
        "order_key": order_erp_key,
        "kind": tx.kind.value,
        "status": tx.status.value,
        "gateway": tx.gateway,
        "method": "gift_card" if tx.is_gift_card else "gateway",
        "amount": tx.amount,
        "currency": tx.currency,
        **presentment(tx),
        "paid_at": tx.processed_at,
        "created_at": now,
    }
    return insert_ignore(conn, t.payments, row, ("shop_transaction_id",))


def sales_order_keys(conn: sa.Connection, shop_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunked(sorted(set(shop_ids))):
        query = sa.select(_so.c.shop_order_id, _so.c.erp_key).where(_so.c.shop_order_id.in_(chunk))
        found.update({row.shop_order_id: row.erp_key for row in conn.execute(query)})
    return found


def sales_order_states(conn: sa.Connection, shop_ids: Sequence[str]) -> list[SalesOrderState]:
    rows: list[Any] = []
    columns = (_so.c.shop_order_id, _so.c.erp_key, _so.c.state, _so.c.state_changed_at)
    for chunk in chunked(sorted(set(shop_ids))):
        rows += conn.execute(sa.select(*columns).where(_so.c.shop_order_id.in_(chunk))).all()
    return [
        SalesOrderState(
            shop_order_id=r.shop_order_id,
            erp_key=r.erp_key,
            state=OrderState(r.state) if r.state else None,
            state_changed_at=r.state_changed_at if r.state else None,
        )
        for r in sorted(rows, key=lambda r: r.shop_order_id)
    ]


def booked_payments(conn: sa.Connection, order_keys: Sequence[str]) -> list[BookedPayment]:
    p = t.payments
    rows: list[Any] = []
    for chunk in chunked(sorted(set(order_keys))):
        rows += conn.execute(sa.select(p).where(p.c.order_key.in_(chunk))).all()
    return [
        BookedPayment(
            transaction_id=r.shop_transaction_id, order_erp_key=r.order_key, amount=r.amount, currency=r.currency
        )
        for r in sorted(rows, key=lambda r: r.shop_transaction_id)
    ]

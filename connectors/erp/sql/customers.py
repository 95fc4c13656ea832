"""Customers in the ``sql`` ERP: matching a shop customer, creating and updating ERP customers.

Why: the shop and the ERP disagree on the spelling of the same person — ``Jana.Novak@Example.cz`` vs
``jana.novak@example.cz``, ``+420 777 123 456`` vs ``777123456``. Matching therefore compares stored match
keys (casefolded email, last 9 phone digits), email first, like BC's "By EMail/Phone" mapping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.erp.errors import validated
from connectors.erp.sql import tables as t
from connectors.erp.sql.dml import upsert_many
from connectors.erp.sql.numbering import next_key
from domain.models import Customer, phone_digits

__all__ = ["address_rows", "customer_row", "find_customer", "get_customer", "replace_addresses", "upsert_customer"]

_ADDRESS_FIELDS = ("first_name", "last_name", "company", "street", "street2", "city", "zip", "country_code", "phone")


def get_customer(conn: sa.Connection, erp_key: str) -> Customer | None:
    row = conn.execute(sa.select(t.customers).where(t.customers.c.erp_key == erp_key)).first()
    return _customer(conn, row) if row is not None else None


def _customer(conn: sa.Connection, row: Any) -> Customer:
    a = t.customer_addresses
    addresses = conn.execute(sa.select(a).where(a.c.customer_key == row.erp_key).order_by(a.c.position))
    return validated(
        f"customer {row.erp_key}",
        Customer,
        erp_key=row.erp_key,
        email=row.email,
        phone=row.phone,
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        addresses=[{f: getattr(r, f) for f in _ADDRESS_FIELDS} for r in addresses],
        updated_at=row.updated_at,
    )


def find_customer(conn: sa.Connection, email: str | None, phone: str | None) -> Customer | None:
    c = t.customers.c
    email_key = email.strip().casefold() if email and email.strip() else None
    if email_key:
        row = conn.execute(sa.select(t.customers).where(c.email_key == email_key).order_by(c.erp_key).limit(1)).first()
        if row is not None:
            return _customer(conn, row)
    phone_key = phone_digits(phone)
    if phone_key:
        row = conn.execute(sa.select(t.customers).where(c.phone_key == phone_key).order_by(c.erp_key).limit(1)).first()
        if row is not None:
            return _customer(conn, row)
    return None


def customer_row(customer: Customer, erp_key: str, updated_at: datetime) -> dict[str, Any]:
    return {
        "erp_key": erp_key,
        "email": customer.email,
        "email_key": customer.email_key,
        "phone": customer.phone,
        "phone_key": customer.phone_key or None,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "updated_at": updated_at,
    }


def address_rows(erp_key: str, customer: Customer) -> list[dict[str, Any]]:
    return [
        {"customer_key": erp_key, "position": i, **{f: getattr(addr, f) for f in _ADDRESS_FIELDS}}
        for i, addr in enumerate(customer.addresses)
    ]


def upsert_customer(conn: sa.Connection, customer: Customer, now: datetime) -> str:
    """Insert or overwrite the customer and replace its addresses; a new customer gets the next ``C`` key.

    ``updated_at`` becomes ``now`` (the ERP's change time), not the shop's, so an ERP-side change listing
    never sees a write of ours as older than its cursor.
    """
    erp_key = customer.erp_key or next_key(conn, "customer")
    upsert_many(conn, t.customers, [customer_row(customer, erp_key, now)], ("erp_key",))
    replace_addresses(conn, erp_key, customer)
    return erp_key


def replace_addresses(conn: sa.Connection, erp_key: str, customer: Customer) -> None:
    a = t.customer_addresses
    conn.execute(a.delete().where(a.c.customer_key == erp_key))
    rows = address_rows(erp_key, customer)
    if rows:
        conn.execute(a.insert(), rows)

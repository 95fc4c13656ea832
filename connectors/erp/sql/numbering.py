"""ERP document numbers ("číselné řady"): the next free key of a series, safe under concurrent writers.

Why a counter table and not ``max(key) + 1``: two runs creating orders at once would both read the same
maximum. ``UPDATE ... SET last_number = last_number + 1`` takes the row's write lock first, so the second
writer waits and gets the next number. Keys a user inserted by hand are skipped, never overwritten.
"""

from __future__ import annotations

import sqlalchemy as sa

from connectors.erp.sql import tables as t
from connectors.erp.sql.dml import insert_ignore

__all__ = ["SERIES", "next_key"]

# series -> (key prefix, table whose primary key the number becomes)
SERIES: dict[str, tuple[str, sa.Table]] = {
    "customer": ("C", t.customers),
    "sales_order": ("SO", t.sales_orders),
    "shipment": ("DL", t.shipments),
    "credit_memo": ("CM", t.credit_memos),
}


def next_key(conn: sa.Connection, series: str) -> str:
    """Allocate the next number of ``series`` in the caller's transaction and return it as a key."""
    prefix, table = SERIES[series]
    ns = t.number_series
    bump = ns.update().where(ns.c.series == series).values(last_number=ns.c.last_number + 1)
    while True:
        if not conn.execute(bump).rowcount:
            insert_ignore(conn, ns, {"series": series, "last_number": 0}, ("series",))
            conn.execute(bump)
        number = conn.execute(sa.select(ns.c.last_number).where(ns.c.series == series)).scalar_one()
        key = f"{prefix}{number:06d}"
        taken = conn.execute(sa.select(table.c.erp_key).where(table.c.erp_key == key)).first()
        if taken is None:
            return key

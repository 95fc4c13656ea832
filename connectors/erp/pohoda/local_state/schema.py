"""The ``cs_pohoda_*`` tables; each is keyed by ``scope`` (the company IČO) first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connectors.erp.sql.tables import UtcDateTime

__all__ = ["addresses", "cards", "listing_rows", "listings", "marks", "metadata", "orders", "payments", "shipments"]

metadata = sa.MetaData()
_KEY = sa.String(255)


def _scoped(name: str, *columns: sa.Column[Any], indexes: Sequence[tuple[str, ...]] = ()) -> sa.Table:
    table = sa.Table(name, metadata, sa.Column("scope", _KEY, primary_key=True), *columns)
    for number, index in enumerate(indexes):
        sa.Index(f"ix_{name}_{number}", *(table.c[c] for c in ("scope", *index)))
    return table


cards = _scoped(
    "cs_pohoda_cards",
    sa.Column("card_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", _KEY, nullable=False),
    sa.Column("store", _KEY),
    sa.Column("product_key", _KEY, nullable=False),
    indexes=[("product_key",), ("code",)],
)
addresses = _scoped(
    "cs_pohoda_addresses",
    sa.Column("address_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("erp_key", _KEY, nullable=False),
    sa.Column("email_key", _KEY),
    sa.Column("phone_key", _KEY),
    indexes=[("email_key",), ("phone_key",), ("erp_key",)],
)
marks = _scoped("cs_pohoda_marks", sa.Column("name", _KEY, primary_key=True), sa.Column("value", sa.Text))
orders = _scoped(
    "cs_pohoda_orders",
    sa.Column("shop_order_id", _KEY, primary_key=True),
    sa.Column("erp_key", _KEY),
    sa.Column("revision", sa.Integer, nullable=False, default=0),
    sa.Column("lines_signature", sa.String(64)),
    sa.Column("created_at", UtcDateTime),
    indexes=[("erp_key",)],
)
payments = _scoped(
    "cs_pohoda_payments",
    sa.Column("transaction_id", _KEY, primary_key=True),
    sa.Column("order_key", _KEY, nullable=False),
    sa.Column("booked_at", UtcDateTime, nullable=False),
    indexes=[("order_key",)],
)
shipments = _scoped(
    "cs_pohoda_shipments",
    sa.Column("shipment_key", _KEY, primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("fulfillment_id", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("synced_at", UtcDateTime, nullable=False),
)
listings = _scoped(
    "cs_pohoda_listings",
    sa.Column("listing_id", sa.String(32), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("as_of", UtcDateTime),
)
listing_rows = _scoped(
    "cs_pohoda_listing_rows",
    sa.Column("listing_id", sa.String(32), primary_key=True),
    sa.Column("k1", _KEY, primary_key=True),
    sa.Column("k2", _KEY, primary_key=True, default=""),
    sa.Column("quantity", sa.Numeric(18, 4)),
)

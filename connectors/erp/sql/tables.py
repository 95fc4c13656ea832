"""The ``sql`` ERP's tables (prefix ``erp_``): one SQLAlchemy Core definition for SQLite and PostgreSQL.

Why these shapes (docs/erp-sql-schema.md explains every column to users):
- Natural keys (item code, SKU, warehouse code) are the primary keys, because they are what a user's own ERP
  has and what a view over it can provide; surrogate ids appear only where nothing natural exists (payments).
- Tables the sync only *reads* (items, variants, stock, shipments, ...) carry ``updated_at``, which "changed
  since" listings page on, and have no foreign keys, so any of them can be a view over a user's own ERP.
  A change to a variant, price, category or parameter must bump its item's ``updated_at``.
- Tables the sync *writes* (customers, sales orders, payments, credit memos, refunds, images,
  ``erp_shipment_sync``) are plain tables: an ERP imports from them, or the embedded ERP simply is them. What
  the sync learns about a record it only reads (a shipment was sent) goes into a table of its own, never into
  the read table.
- ``email_key`` / ``phone_key`` hold the match keys (casefolded email, last 9 phone digits), so matching a
  customer is an indexed equality on every dialect (SQLite's ``lower()`` only knows ASCII).
- Money is ``Numeric(18, 4)``; datetimes go through :class:`UtcDateTime`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "Decimals",
    "Money",
    "UtcDateTime",
    "categories",
    "credit_memo_lines",
    "credit_memos",
    "customer_addresses",
    "customers",
    "images",
    "item_categories",
    "items",
    "locations",
    "metadata",
    "number_series",
    "parameters",
    "parties",
    "payments",
    "refunds",
    "sales_order_lines",
    "sales_orders",
    "shipment_lines",
    "shipment_sync",
    "shipments",
    "stock",
    "variants",
]

SHIPMENT_SYNC_STATES = ("synced", "failed", "skipped")
ORDER_STATES = ("processed", "transferred", "cancelled")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every dialect.

    SQLite has no time zones: it stores the naive UTC wall time (fixed-width text, so ``<`` in SQL still
    orders correctly) and hands it back naive; PostgreSQL's ``timestamptz`` comes back in the session's zone.
    Both are normalised to UTC here, and naive input is refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: the ERP tables hold UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a user's SQLite view may hand back text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Decimals(sa.types.TypeDecorator[Decimal]):
    """``NUMERIC(p, s)`` that always reads back as ``Decimal``, whatever a user's view hands over.

    A view's ``NULL AS compare_at_price`` is typed ``text`` in PostgreSQL, a computed price may be a float or
    a string; the stock Numeric refuses or floats those. Floats (SQLite's storage) are read via their shortest
    repr and rounded to the column's scale, so ``59.9`` does not come back as ``59.899999…``.

    Text that is no number (SQLite keeps ``'abc'`` in a NUMERIC column, a view may compute one) is handed over
    as it is: raising here would fail the whole page of rows, while the model built from the row refuses the
    value with the record and the field named, and the rest of the page goes on.
    """

    impl = sa.Numeric
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        numeric = self.impl_instance  # the sa.Numeric(p, s) built from our arguments (typed as any TypeEngine)
        quantum = Decimal(1).scaleb(-((numeric.scale if isinstance(numeric, sa.Numeric) else None) or 0))

        def process(value: Any) -> Decimal | None:
            if value is None or isinstance(value, Decimal):
                return value
            try:
                if isinstance(value, float):
                    return Decimal(repr(value)).quantize(quantum)
                return Decimal(str(value).strip())
            except InvalidOperation:  # 'abc', or a float infinity that has no scale
                return value  # handed over as it is: the model reading the row names record and field

        return process


def Money() -> Decimals:
    return Decimals(18, 4)


KEY = 64
NAME = 255

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


def _updated_at() -> sa.Column[datetime]:
    return sa.Column("updated_at", UtcDateTime(), nullable=False)


# ---- read by the sync (the catalogue) ---------------------------------------------------------------------

locations = sa.Table(
    "erp_locations",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("name", sa.String(NAME), nullable=False),
    _updated_at(),
)

parties = sa.Table(
    "erp_parties",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("name", sa.String(NAME), nullable=False),
    _updated_at(),
    sa.CheckConstraint("kind in ('supplier', 'producer')", name="kind"),
)

categories = sa.Table(
    "erp_categories",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("name", sa.String(NAME), nullable=False),
    sa.Column("parent_key", sa.String(KEY), nullable=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    _updated_at(),
)

items = sa.Table(
    "erp_items",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("title", sa.String(NAME), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("vendor", sa.String(NAME)),
    sa.Column("supplier_key", sa.String(KEY)),
    sa.Column("producer_key", sa.String(KEY)),
    sa.Column("vat_rate", Decimals(5, 2)),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _updated_at(),
    sa.Index(None, "updated_at", "erp_key"),
)

variants = sa.Table(
    "erp_variants",
    metadata,
    sa.Column("sku", sa.String(NAME), primary_key=True),
    sa.Column("item_key", sa.String(KEY), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("barcode", sa.String(64)),
    sa.Column("title", sa.String(NAME)),
    sa.Column("options", sa.JSON),
    sa.Column("price", Money(), nullable=False),
    sa.Column("compare_at_price", Money()),
    _updated_at(),
)

item_categories = sa.Table(
    "erp_item_categories",
    metadata,
    sa.Column("item_key", sa.String(KEY), primary_key=True),
    sa.Column("category_key", sa.String(KEY), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
)

parameters = sa.Table(
    "erp_parameters",
    metadata,
    sa.Column("item_key", sa.String(KEY), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(NAME), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("unit", sa.String(32)),
)

stock = sa.Table(
    "erp_stock",
    metadata,
    sa.Column("sku", sa.String(NAME), primary_key=True),
    sa.Column("location_key", sa.String(KEY), primary_key=True),
    sa.Column("quantity", Money(), nullable=False),
    _updated_at(),
)

# ---- written by the sync ----------------------------------------------------------------------------------

images = sa.Table(
    "erp_images",
    metadata,
    sa.Column("item_key", sa.String(KEY), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("filename", sa.String(NAME)),
    sa.Column("mime_type", sa.String(64)),
    sa.Column("url", sa.Text),
    sa.Column("content", sa.LargeBinary),
    sa.Column("content_hash", sa.String(64)),
    _updated_at(),
)

number_series = sa.Table(
    "erp_number_series",
    metadata,
    sa.Column("series", sa.String(16), primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

customers = sa.Table(
    "erp_customers",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("email", sa.String(320)),
    sa.Column("email_key", sa.String(320), index=True),
    sa.Column("phone", sa.String(64)),
    sa.Column("phone_key", sa.String(16), index=True),
    sa.Column("first_name", sa.String(NAME)),
    sa.Column("last_name", sa.String(NAME)),
    sa.Column("company", sa.String(NAME)),
    _updated_at(),
)

customer_addresses = sa.Table(
    "erp_customer_addresses",
    metadata,
    sa.Column("customer_key", sa.ForeignKey("erp_customers.erp_key", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("first_name", sa.String(NAME)),
    sa.Column("last_name", sa.String(NAME)),
    sa.Column("company", sa.String(NAME)),
    sa.Column("street", sa.String(NAME)),
    sa.Column("street2", sa.String(NAME)),
    sa.Column("city", sa.String(NAME)),
    sa.Column("zip", sa.String(32)),
    sa.Column("country_code", sa.String(2)),
    sa.Column("phone", sa.String(64)),
)

sales_orders = sa.Table(
    "erp_sales_orders",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("shop_order_id", sa.String(NAME), unique=True),
    sa.Column("shop_order_name", sa.String(NAME)),
    sa.Column("customer_key", sa.ForeignKey("erp_customers.erp_key")),
    sa.Column("order_date", UtcDateTime()),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("presentment_currency", sa.String(3)),
    sa.Column("total", Money(), nullable=False),
    sa.Column("shipping_total", Money(), nullable=False, server_default="0"),
    sa.Column("tax_total", Money(), nullable=False, server_default="0"),
    sa.Column("billing_address", sa.JSON),
    sa.Column("shipping_address", sa.JSON),
    sa.Column("note", sa.Text),
    sa.Column("lines_signature", sa.String(64)),
    sa.Column("state", sa.String(16)),
    sa.Column("state_changed_at", UtcDateTime()),
    sa.Column("cancel_reason", sa.Text),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    _updated_at(),
    sa.CheckConstraint("state is null or state in ('processed', 'transferred', 'cancelled')", name="state"),
    sa.Index(None, "state_changed_at", "erp_key"),
)

sales_order_lines = sa.Table(
    "erp_sales_order_lines",
    metadata,
    sa.Column("order_key", sa.ForeignKey("erp_sales_orders.erp_key", ondelete="CASCADE"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(NAME)),
    sa.Column("title", sa.String(NAME), nullable=False),
    sa.Column("quantity", Money(), nullable=False),
    sa.Column("unit_price", Money(), nullable=False),
    sa.Column("discount", Money(), nullable=False, server_default="0"),
    sa.Column("tax_rate", Decimals(7, 4)),
    sa.Column("currency", sa.String(3)),
    sa.Column("shop_line_id", sa.String(NAME)),
)

payments = sa.Table(
    "erp_payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("shop_transaction_id", sa.String(NAME), nullable=False, unique=True),
    sa.Column("order_key", sa.ForeignKey("erp_sales_orders.erp_key"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("gateway", sa.String(NAME)),
    sa.Column("method", sa.String(16), nullable=False, server_default="gateway"),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("presentment_amount", Money()),
    sa.Column("presentment_currency", sa.String(3)),
    sa.Column("paid_at", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.CheckConstraint("method in ('gateway', 'gift_card')", name="method"),
)

credit_memos = sa.Table(
    "erp_credit_memos",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("shop_refund_id", sa.String(NAME), nullable=False, unique=True),
    sa.Column("order_key", sa.ForeignKey("erp_sales_orders.erp_key"), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("goods_total", Money(), nullable=False),
    sa.Column("shipping_total", Money(), nullable=False),
    sa.Column("adjustment_total", Money(), nullable=False),
    sa.Column("total", Money(), nullable=False),
    sa.Column("restock", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("refunded_at", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

credit_memo_lines = sa.Table(
    "erp_credit_memo_lines",
    metadata,
    sa.Column("memo_key", sa.ForeignKey("erp_credit_memos.erp_key", ondelete="CASCADE"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(NAME)),
    sa.Column("title", sa.String(NAME), nullable=False),
    sa.Column("quantity", Money(), nullable=False),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("tax_amount", Money(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("restock_type", sa.String(16), nullable=False),
    sa.Column("shop_line_id", sa.String(NAME)),
)

refunds = sa.Table(
    "erp_refunds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("shop_transaction_id", sa.String(NAME), nullable=False, unique=True),
    sa.Column("memo_key", sa.ForeignKey("erp_credit_memos.erp_key"), nullable=False, index=True),
    sa.Column("order_key", sa.ForeignKey("erp_sales_orders.erp_key"), nullable=False, index=True),
    sa.Column("gateway", sa.String(NAME)),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("presentment_amount", Money()),
    sa.Column("presentment_currency", sa.String(3)),
    sa.Column("refunded_at", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

shipments = sa.Table(
    "erp_shipments",
    metadata,
    sa.Column("erp_key", sa.String(KEY), primary_key=True),
    sa.Column("shop_order_id", sa.String(NAME), index=True),
    sa.Column("order_key", sa.String(KEY), index=True),
    sa.Column("location_key", sa.String(KEY)),
    sa.Column("tracking_company", sa.String(NAME)),
    sa.Column("tracking_number", sa.String(NAME)),
    sa.Column("tracking_url", sa.Text),
    sa.Column("shipped_at", UtcDateTime(), nullable=False),
    _updated_at(),
    sa.Index(None, "shipped_at", "erp_key"),
)

shipment_lines = sa.Table(
    "erp_shipment_lines",
    metadata,
    sa.Column("shipment_key", sa.String(KEY), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(NAME), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("order_line_shop_id", sa.String(NAME)),
)

# ---- written by the sync, about records it only reads ------------------------------------------------------

shipment_sync = sa.Table(
    "erp_shipment_sync",
    metadata,
    sa.Column("shipment_key", sa.String(KEY), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("fulfillment_id", sa.String(NAME)),
    sa.Column("error", sa.Text),
    sa.Column("synced_at", UtcDateTime(), nullable=False),
    sa.CheckConstraint("state in ('synced', 'failed', 'skipped')", name="state"),
)

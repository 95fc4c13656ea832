"""The POHODA adapter's own bookkeeping: ``cs_pohoda_*`` tables beside the sync state (the issue's "local state store").

Why the adapter keeps state of its own, when the SQL adapter keeps none:
- POHODA cannot filter stock cards by a user field (``VPrItemKey``) nor address-book entries by e-mail or phone
  (``ftr:filter`` has no such elements; ``queryFilter`` is SQL on POHODA's tables). So the adapter mirrors the
  few keys it must search by — card → product key, address → e-mail/phone keys — in two index tables,
  refreshed incrementally with ``lastChanges`` from a watermark kept in ``cs_pohoda_marks``. A row may outlive
  its record (POHODA reports no deletions): every hit is re-read from POHODA before it is used.
- POHODA has no flag for "sent to the shop": a delivery note's sync outcome lives in ``cs_pohoda_shipments``.
- POHODA cannot sort a stock export by code, nor report when a card changed: a listing that must page in the
  port's order takes a snapshot (``cs_pohoda_listings`` + rows) on its first page and serves later pages from it.
- What a document was created from (the shop order's ``lines_signature``, the import revision after a
  deliberate delete) and which shop transactions were booked against an order are remembered per shop id.

Every row carries ``scope`` (the company IČO), so one database can serve several accounting units.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from connectors.erp.sql.tables import UtcDateTime
from connectors.state import make_engine

__all__ = ["LocalState", "metadata"]

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

LISTING_TTL = timedelta(days=1)
"""A listing snapshot nobody paged to its end is dropped after this long (its cursor then expires)."""


def _now() -> datetime:
    return datetime.now(UTC)


class LocalState:
    """The ``cs_pohoda_*`` tables of one accounting unit (``scope`` = its IČO) on one SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine, scope: str) -> None:
        if not scope.strip():
            raise ValueError("scope must not be empty (use the company IČO)")
        self.engine = engine
        self.scope = scope.strip()

    @classmethod
    def from_url(cls, url: str, scope: str) -> LocalState:
        local = cls(make_engine(url), scope)
        local.create_schema()
        return local

    def create_schema(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()

    # ---- plumbing -------------------------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _upsert(self, conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table)
        keys = [c.name for c in table.primary_key.columns]
        updates = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys}
        statement = (
            insert.on_conflict_do_update(index_elements=keys, set_=updates)
            if updates
            else insert.on_conflict_do_nothing(index_elements=keys)
        )
        for start in range(0, len(rows), 500):
            conn.execute(statement, [{"scope": self.scope, **row} for row in rows[start : start + 500]])

    def _where(self, table: sa.Table) -> sa.ColumnElement[bool]:
        return table.c.scope == self.scope

    # ---- watermarks and other single values -----------------------------------------------------------------

    def mark(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(marks.c.value).where(self._where(marks), marks.c.name == name))

    def set_mark(self, name: str, value: str | None) -> None:
        with self._tx() as conn:
            if value is None:
                conn.execute(marks.delete().where(self._where(marks), marks.c.name == name))
            else:
                self._upsert(conn, marks, [{"name": name, "value": value}])

    # ---- card index: card → product key ----------------------------------------------------------------------

    def put_cards(self, rows: Iterable[tuple[int, str, str | None, str]], *, replace: bool = False) -> None:
        """``(card_id, code, store, product_key)`` rows; ``replace`` drops every other card of the scope."""
        data = [{"card_id": i, "code": c, "store": s, "product_key": k} for i, c, s, k in rows]
        with self._tx() as conn:
            if replace:
                conn.execute(cards.delete().where(self._where(cards)))
            self._upsert(conn, cards, data)

    def codes_of(self, product_keys: Iterable[str]) -> dict[str, list[str]]:
        """Card codes (SKUs) per product key, each code once, in card-id order."""
        found: dict[str, list[str]] = {}
        keys = sorted(set(product_keys))
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                query = (
                    sa.select(cards.c.product_key, cards.c.code)
                    .where(self._where(cards), cards.c.product_key.in_(keys[start : start + 500]))
                    .order_by(cards.c.card_id)
                )
                for row in conn.execute(query):
                    codes = found.setdefault(row.product_key, [])
                    if row.code not in codes:
                        codes.append(row.code)
        return found

    def card_product_keys(self) -> dict[int, str]:
        """Every indexed card's product key, by card id."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(cards.c.card_id, cards.c.product_key).where(self._where(cards)))
            return {row.card_id: row.product_key for row in rows}

    # ---- address index: address → customer key and match keys ----------------------------------------------

    def put_addresses(self, rows: Iterable[tuple[int, str, str | None, str | None]], *, replace: bool = False) -> None:
        """``(address_id, erp_key, email_key, phone_key)`` rows; ``replace`` drops the scope's others."""
        data = [{"address_id": i, "erp_key": k, "email_key": e, "phone_key": p} for i, k, e, p in rows]
        with self._tx() as conn:
            if replace:
                conn.execute(addresses.delete().where(self._where(addresses)))
            self._upsert(conn, addresses, data)

    def drop_address(self, address_id: int) -> None:
        with self._tx() as conn:
            conn.execute(addresses.delete().where(self._where(addresses), addresses.c.address_id == address_id))

    def address_candidates(self, *, email_key: str | None = None, phone_key: str | None = None) -> list[int]:
        """Address ids whose e-mail (or phone) key matches, lowest customer key first."""
        column, value = (addresses.c.email_key, email_key) if email_key else (addresses.c.phone_key, phone_key)
        if not value:
            return []
        query = (
            sa.select(addresses.c.address_id)
            .where(self._where(addresses), column == value)
            .order_by(addresses.c.erp_key, addresses.c.address_id)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def address_ids_of(self, erp_key: str) -> list[int]:
        query = (
            sa.select(addresses.c.address_id)
            .where(self._where(addresses), addresses.c.erp_key == erp_key)
            .order_by(addresses.c.address_id)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def address_key(self, address_id: int) -> str | None:
        query = sa.select(addresses.c.erp_key).where(self._where(addresses), addresses.c.address_id == address_id)
        with self.engine.connect() as conn:
            return conn.scalar(query)

    # ---- orders created from shop orders --------------------------------------------------------------------

    def order(self, shop_order_id: str) -> sa.Row[Any] | None:
        query = sa.select(orders).where(self._where(orders), orders.c.shop_order_id == shop_order_id)
        with self.engine.connect() as conn:
            return conn.execute(query).first()

    def save_order(
        self, shop_order_id: str, erp_key: str, revision: int, lines_signature: str | None, created_at: datetime
    ) -> None:
        with self._tx() as conn:
            self._upsert(
                conn,
                orders,
                [
                    {
                        "shop_order_id": shop_order_id,
                        "erp_key": erp_key,
                        "revision": revision,
                        "lines_signature": lines_signature,
                        "created_at": created_at,
                    }
                ],
            )

    def forget_order(self, erp_key: str) -> None:
        """The document was deleted: keep the revision (the next import must be a new one), drop the rest."""
        with self._tx() as conn:
            conn.execute(
                orders.update()
                .where(self._where(orders), orders.c.erp_key == erp_key)
                .values(erp_key=None, lines_signature=None, created_at=None, revision=orders.c.revision + 1)
            )

    # ---- payments booked against orders ---------------------------------------------------------------------

    def book_payment(self, transaction_id: str, order_key: str) -> None:
        with self._tx() as conn:
            self._upsert(
                conn, payments, [{"transaction_id": transaction_id, "order_key": order_key, "booked_at": _now()}]
            )

    def payments_of(self, order_keys: Iterable[str]) -> list[tuple[str, str]]:
        """``(transaction id, order key)`` of the payments booked against these orders, by transaction id."""
        wanted = sorted(set(order_keys))
        found: list[tuple[str, str]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                query = sa.select(payments.c.transaction_id, payments.c.order_key).where(
                    self._where(payments), payments.c.order_key.in_(wanted[start : start + 500])
                )
                found += [(row.transaction_id, row.order_key) for row in conn.execute(query)]
        return sorted(found)

    def has_payments(self, order_key: str) -> bool:
        query = sa.select(sa.literal(1)).where(self._where(payments), payments.c.order_key == order_key)
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    # ---- delivery notes sent to the shop ----------------------------------------------------------------------

    def save_shipment(self, shipment_key: str, state: str, fulfillment_id: str | None, error: str | None) -> None:
        with self._tx() as conn:
            self._upsert(
                conn,
                shipments,
                [
                    {
                        "shipment_key": shipment_key,
                        "state": state,
                        "fulfillment_id": fulfillment_id,
                        "error": error,
                        "synced_at": _now(),
                    }
                ],
            )

    def handled_shipments(self, keys: Iterable[str]) -> set[str]:
        wanted = sorted(set(keys))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                query = sa.select(shipments.c.shipment_key).where(
                    self._where(shipments), shipments.c.shipment_key.in_(wanted[start : start + 500])
                )
                found.update(conn.scalars(query))
        return found

    def shipment(self, shipment_key: str) -> sa.Row[Any] | None:
        query = sa.select(shipments).where(self._where(shipments), shipments.c.shipment_key == shipment_key)
        with self.engine.connect() as conn:
            return conn.execute(query).first()

    # ---- listing snapshots ----------------------------------------------------------------------------------

    def new_listing(self, rows: Iterable[tuple[str, str, Decimal | None]], as_of: datetime | None) -> str:
        """Store a listing's rows ``(k1, k2, quantity)``; returns its id. Stale listings are purged first."""
        listing_id = uuid.uuid4().hex
        now = _now()
        with self._tx() as conn:
            stale = sa.select(listings.c.listing_id).where(
                self._where(listings), listings.c.created_at < now - LISTING_TTL
            )
            conn.execute(listing_rows.delete().where(self._where(listing_rows), listing_rows.c.listing_id.in_(stale)))
            conn.execute(listings.delete().where(self._where(listings), listings.c.created_at < now - LISTING_TTL))
            conn.execute(
                listings.insert(), {"scope": self.scope, "listing_id": listing_id, "created_at": now, "as_of": as_of}
            )
            self._upsert(
                conn,
                listing_rows,
                [{"listing_id": listing_id, "k1": k1, "k2": k2, "quantity": q} for k1, k2, q in rows],
            )
        return listing_id

    def listing_as_of(self, listing_id: str) -> tuple[bool, datetime | None]:
        """(whether the listing still exists, the time POHODA answered its snapshot)."""
        query = sa.select(listings.c.as_of).where(self._where(listings), listings.c.listing_id == listing_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row is not None, row.as_of if row is not None else None)

    def listing_page(
        self, listing_id: str, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str, Decimal | None]]:
        """Up to ``limit`` rows after ``after`` in ``(k1, k2)`` order."""
        r = listing_rows.c
        query = sa.select(r.k1, r.k2, r.quantity).where(self._where(listing_rows), r.listing_id == listing_id)
        if after is not None:
            query = query.where(sa.or_(r.k1 > after[0], sa.and_(r.k1 == after[0], r.k2 > after[1])))
        with self.engine.connect() as conn:
            return [(row.k1, row.k2, row.quantity) for row in conn.execute(query.order_by(r.k1, r.k2).limit(limit))]

    def drop_listing(self, listing_id: str) -> None:
        with self._tx() as conn:
            conn.execute(
                listing_rows.delete().where(self._where(listing_rows), listing_rows.c.listing_id == listing_id)
            )
            conn.execute(listings.delete().where(self._where(listings), listings.c.listing_id == listing_id))

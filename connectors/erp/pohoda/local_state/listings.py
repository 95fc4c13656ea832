"""Listing snapshots (``cs_pohoda_listings`` + rows): a listing paged in the port's order, served from a copy.

POHODA cannot sort a stock export by code nor report when a card changed, so a listing takes a snapshot on its
first page; later pages read the snapshot. A snapshot nobody paged to its end expires after ``LISTING_TTL``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase, utc_now
from connectors.erp.pohoda.local_state.schema import listing_rows, listings

__all__ = ["LISTING_TTL", "Listings"]

LISTING_TTL = timedelta(days=1)
"""A listing snapshot nobody paged to its end is dropped after this long (its cursor then expires)."""


class Listings(LocalBase):
    def new_listing(self, rows: Iterable[tuple[str, str, Decimal | None]], as_of: datetime | None) -> str:
        """Store a listing's rows ``(k1, k2, quantity)``; returns its id. Stale listings are purged first."""
        listing_id = uuid.uuid4().hex
        now = utc_now()
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

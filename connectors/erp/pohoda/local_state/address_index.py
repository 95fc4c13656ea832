"""The address index (``cs_pohoda_addresses``): address → customer key, e-mail key and phone key.

POHODA's address-book filter has no e-mail or phone, so matching a shop customer needs this mirror; a hit is
re-read from POHODA before it is used, since a row may outlive its entry.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase
from connectors.erp.pohoda.local_state.schema import addresses

__all__ = ["AddressIndex"]


class AddressIndex(LocalBase):
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

"""Received orders made from shop orders (``cs_pohoda_orders``): document number, revision, lines signature.

The revision survives a deliberate delete in POHODA, so the next import of the same shop order is a new
document rather than a duplicate of the deleted one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase
from connectors.erp.pohoda.local_state.schema import orders

__all__ = ["OrderBook"]


class OrderBook(LocalBase):
    def order(self, shop_order_id: str) -> sa.Row[Any] | None:
        query = sa.select(orders).where(self._where(orders), orders.c.shop_order_id == shop_order_id)
        with self.engine.connect() as conn:
            return conn.execute(query).first()

    def save_order(
        self, shop_order_id: str, erp_key: str, revision: int, lines_signature: str | None, created_at: datetime
    ) -> None:
        row = {
            "shop_order_id": shop_order_id,
            "erp_key": erp_key,
            "revision": revision,
            "lines_signature": lines_signature,
            "created_at": created_at,
        }
        with self._tx() as conn:
            self._upsert(conn, orders, [row])

    def forget_order(self, erp_key: str) -> None:
        """The document was deleted: keep the revision (the next import must be a new one), drop the rest."""
        with self._tx() as conn:
            conn.execute(
                orders.update()
                .where(self._where(orders), orders.c.erp_key == erp_key)
                .values(erp_key=None, lines_signature=None, created_at=None, revision=orders.c.revision + 1)
            )

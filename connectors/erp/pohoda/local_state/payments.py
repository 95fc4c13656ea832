"""Shop transactions booked against received orders (``cs_pohoda_payments``), by transaction id."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase, chunked, utc_now
from connectors.erp.pohoda.local_state.schema import payments

__all__ = ["PaymentBook"]


class PaymentBook(LocalBase):
    def book_payment(self, transaction_id: str, order_key: str) -> None:
        row = {"transaction_id": transaction_id, "order_key": order_key, "booked_at": utc_now()}
        with self._tx() as conn:
            self._upsert(conn, payments, [row])

    def payments_of(self, order_keys: Iterable[str]) -> list[tuple[str, str]]:
        """``(transaction id, order key)`` of the payments booked against these orders, by transaction id."""
        found: list[tuple[str, str]] = []
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(order_keys))):
                query = sa.select(payments.c.transaction_id, payments.c.order_key).where(
                    self._where(payments), payments.c.order_key.in_(chunk)
                )
                found += [(row.transaction_id, row.order_key) for row in conn.execute(query)]
        return sorted(found)

    def has_payments(self, order_key: str) -> bool:
        query = sa.select(sa.literal(1)).where(self._where(payments), payments.c.order_key == order_key)
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

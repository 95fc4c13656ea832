"""Delivery notes sent to the shop (``cs_pohoda_shipments``): synced, failed or skipped, by note number.

POHODA has no flag for "sent to the shop", so this is where ``mark_shipment_synced`` leaves its outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase, chunked, utc_now
from connectors.erp.pohoda.local_state.schema import shipments

__all__ = ["ShipmentLog"]


class ShipmentLog(LocalBase):
    def save_shipment(self, shipment_key: str, state: str, fulfillment_id: str | None, error: str | None) -> None:
        row = {
            "shipment_key": shipment_key,
            "state": state,
            "fulfillment_id": fulfillment_id,
            "error": error,
            "synced_at": utc_now(),
        }
        with self._tx() as conn:
            self._upsert(conn, shipments, [row])

    def handled_shipments(self, keys: Iterable[str]) -> set[str]:
        """Which of these note numbers already have an outcome."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(keys))):
                query = sa.select(shipments.c.shipment_key).where(
                    self._where(shipments), shipments.c.shipment_key.in_(chunk)
                )
                found.update(conn.scalars(query))
        return found

    def shipment(self, shipment_key: str) -> sa.Row[Any] | None:
        query = sa.select(shipments).where(self._where(shipments), shipments.c.shipment_key == shipment_key)
        with self.engine.connect() as conn:
            return conn.execute(query).first()

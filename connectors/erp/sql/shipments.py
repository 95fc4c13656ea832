"""Shipments (delivery notes) in the ``sql`` ERP, and what the shipment sync records about each one.

Why a separate ``erp_shipment_sync`` table: shipments are the ERP's records (often a view over its delivery
notes), the sync only reads them; what the sync learns — sent as fulfillment X, failed with a reason, nothing
to send — is written beside them. BC marks a shipment it could not send with -1 (failed) or -2 (nothing
applicable) so a broken one is reported once instead of retried every run for ever; here that is a sync row
with ``failed`` (and its ``error``) or ``skipped``. Only shipments without a sync row are listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.erp.errors import RecordError, validated
from connectors.erp.port import ShipmentOutcome
from connectors.erp.sql import tables as t
from connectors.erp.sql.dml import chunked, upsert_many
from domain.models import Shipment, ShipmentLine, Tracking

__all__ = ["mark_shipment", "shipment_outcomes", "unsynced_shipments"]

_sh = t.shipments


def _tracking(row: Any) -> Tracking | None:
    if row.tracking_company is None and row.tracking_number is None and row.tracking_url is None:
        return None
    return Tracking(company=row.tracking_company, number=row.tracking_number, url=row.tracking_url)


def unsynced_shipments(conn: sa.Connection, limit: int) -> list[Shipment]:
    sl, sync = t.shipment_lines, t.shipment_sync
    shippable = sa.and_(sl.c.quantity > 0, sl.c.sku != "")
    # a header without shippable lines is not ready yet (or has nothing for the shop): not listed
    has_lines = sa.exists().where(sl.c.shipment_key == _sh.c.erp_key, shippable)
    handled = sa.exists().where(sync.c.shipment_key == _sh.c.erp_key)
    rows = conn.execute(
        sa.select(_sh)
        .where(_sh.c.shop_order_id.is_not(None), _sh.c.shop_order_id != "", has_lines, ~handled)
        .order_by(_sh.c.shipped_at, _sh.c.erp_key)
        .limit(limit)
    ).all()
    lines: dict[str, list[ShipmentLine]] = {}
    for chunk in chunked([r.erp_key for r in rows]):
        query = sa.select(sl).where(sl.c.shipment_key.in_(chunk), shippable).order_by(sl.c.line_no)
        for line in conn.execute(query):
            lines.setdefault(line.shipment_key, []).append(
                ShipmentLine(sku=line.sku, quantity=line.quantity, order_line_shop_id=line.order_line_shop_id)
            )
    return [
        validated(
            f"shipment {row.erp_key}",
            Shipment,
            erp_key=row.erp_key,
            order_shop_id=row.shop_order_id,
            location_key=row.location_key,
            lines=lines[row.erp_key],
            tracking=_tracking(row),
            shipped_at=row.shipped_at,
        )
        for row in rows
    ]


def mark_shipment(
    conn: sa.Connection, erp_key: str, fulfillment_id: str | None, error: str | None, now: datetime
) -> None:
    if fulfillment_id is not None and error is not None:
        raise ValueError(f"shipment {erp_key}: give a fulfillment_id or an error, not both")
    if conn.execute(sa.select(_sh.c.erp_key).where(_sh.c.erp_key == erp_key)).first() is None:
        raise RecordError(f"shipment {erp_key}", "erp_key", "no such ERP shipment")
    state = "failed" if error is not None else "synced" if fulfillment_id is not None else "skipped"
    row = {"shipment_key": erp_key, "state": state, "fulfillment_id": fulfillment_id, "error": error, "synced_at": now}
    upsert_many(conn, t.shipment_sync, [row], ("shipment_key",))


def shipment_outcomes(conn: sa.Connection, shop_order_ids: Sequence[str]) -> list[ShipmentOutcome]:
    """Every shipment of these shop orders with its sync row (fulfillment ids are stored comma-joined)."""
    sync = t.shipment_sync
    query = sa.select(_sh.c.erp_key, _sh.c.shop_order_id, sync.c.state, sync.c.fulfillment_id).select_from(
        _sh.outerjoin(sync, sync.c.shipment_key == _sh.c.erp_key)
    )
    rows: list[Any] = []
    for chunk in chunked(sorted(set(shop_order_ids))):
        rows += conn.execute(query.where(_sh.c.shop_order_id.in_(chunk))).all()
    return [
        ShipmentOutcome(
            erp_key=r.erp_key,
            order_shop_id=r.shop_order_id,
            state=r.state,
            fulfillment_ids=[i for i in (r.fulfillment_id or "").split(",") if i],
        )
        for r in sorted(rows, key=lambda r: r.erp_key)
    ]

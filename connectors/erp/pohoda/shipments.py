"""Shipments: POHODA delivery notes (výdejky) issued from the shop's orders → the shop's fulfillments.

Read with ``lst:listVydejkaRequest``: each note item names its source order and order item
(``linkedDocument``), the order's ``extId`` names the shop order and the order item's ``extId`` the shop line;
the carrier is ``vyd:carrier``, tracking number and URL are user fields (``VPrTracking``, ``VPrTrackingURL``).
A note is a shipment of a shop order when its order has an ``extId`` in our external system; its store (the
ERP location) is the store of its items' cards. POHODA exports a note's *date* only, so ``shipped_at`` is
that day's midnight in POHODA's zone and "oldest first" is POHODA's note order (by id).

POHODA has no flag for "sent to the shop", so the outcome of ``mark_shipment_synced`` lives in the local
state (``cs_pohoda_shipments``: synced / failed / skipped). To keep a listing from re-reading years of notes,
the lowest note id that may still need sending is kept as a floor (``cs_pohoda_marks``): notes below it were
all sent, failed, skipped, or belong to no shop order.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from connectors.erp.errors import RecordError, validated
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.pohoda.orders import Found, Orders
from connectors.erp.pohoda.settings import PohodaSettings
from connectors.pohoda.models.requests import DeliveryNoteListRequest, Page
from connectors.pohoda.models.shipments import DeliveryNote
from connectors.pohoda.xml.agendas.delivery_notes import list_delivery_notes
from domain.models import Shipment, ShipmentLine, Tracking

__all__ = ["Shipments"]

logger = logging.getLogger(__name__)
FLOOR = "shipments-floor"


def _key(note: DeliveryNote) -> str:
    """A note's shipment key: its number ("Číslo"), else its id."""
    return note.number or str(note.id)


class Shipments:
    def __init__(self, mserver: MServer, local: LocalState, orders: Orders, settings: PohodaSettings) -> None:
        self.mserver = mserver
        self.local = local
        self.orders = orders
        self.settings = settings

    def _notes(self, id_from: int, count: int) -> list[tuple[int, DeliveryNote]]:
        """One keyset page of ``(id, note)``, by id; an unreadable note is logged and left out (its id is unknown)."""
        request = DeliveryNoteListRequest(page=Page(id_from=id_from, count=count))
        answer = self.mserver.read_one(list_delivery_notes(request, tz=self.mserver.client.tz), "delivery notes")
        for rejected in answer.item.rejected:
            logger.warning("%s at line %s cannot be read: %s", rejected.record, rejected.line, rejected.reason)
        return sorted(((note.id, note) for note in answer.records if note.id is not None), key=lambda pair: pair[0])

    def _shop_order(self, note: DeliveryNote, orders: dict[int, Found]) -> tuple[Found, str] | None:
        """The first order the note was made from that came from the shop, with its shop id."""
        for order_id in sorted(note.order_ids):
            found = orders.get(order_id)
            ext = found.order.ext_id if found is not None else None
            if found is not None and ext is not None and ext.system == self.settings.ex_system_name:
                return found, ext.ids
        return None

    def _shipment(self, note: DeliveryNote, found: Found, order_shop_id: str) -> Shipment | None:
        """The note as a shipment, or None when it has nothing the shop could fulfil (yet)."""
        line_ids = {item.id: item.ext_id for item in found.order.items if item.id is not None and item.ext_id}
        lines = []
        for line in note.items:
            quantity = int(line.quantity)  # a shop fulfils whole units
            code = line.code or line.stock_code
            if not code or quantity <= 0:
                continue
            shop_line = line_ids.get(line.order_item_id) if line.order_item_id is not None else None
            lines.append(
                ShipmentLine(
                    sku=code,
                    quantity=quantity,
                    order_line_shop_id=shop_line if shop_line and shop_line.startswith("gid://") else None,
                )
            )
        if not lines:
            return None
        number = note.parameter(self.settings.tracking_number_parameter)
        url = note.parameter(self.settings.tracking_url_parameter)
        tracking = Tracking(company=note.carrier, number=number, url=url) if (number or url or note.carrier) else None
        day = note.date or datetime.now(self.mserver.client.tz).date()
        store = next((line.store for line in note.items if line.store), None)
        key = _key(note)
        return validated(
            f"shipment {key}",
            Shipment,
            erp_key=key,
            order_shop_id=order_shop_id,
            location_key=store,
            lines=lines,
            tracking=tracking,
            shipped_at=datetime.combine(day, time(), self.mserver.client.tz).astimezone(UTC),
        )

    def unsynced(self, limit: int) -> list[Shipment]:
        floor = int(self.local.mark(FLOOR) or 0)
        new_floor, advancing = floor, True
        batch = max(2 * limit, 50)
        found: list[Shipment] = []
        id_from = floor + 1
        while len(found) < limit:
            notes = self._notes(id_from, batch)
            orders = self.orders.by_ids({i for _, note in notes for i in note.order_ids})
            handled = self.local.handled_shipments(_key(note) for _, note in notes)
            for note_id, note in notes:
                order = self._shop_order(note, orders)
                if order is None or _key(note) in handled:
                    new_floor = note_id if advancing else new_floor
                    continue
                advancing = False
                shipment = self._shipment(note, *order)
                if shipment is not None:
                    found.append(shipment)
                    if len(found) == limit:
                        break
            if len(notes) < batch:
                break
            id_from = notes[-1][0] + 1
        if new_floor > floor:
            self.local.set_mark(FLOOR, str(new_floor))
        return found

    def mark(self, erp_key: str, fulfillment_id: str | None, error: str | None) -> None:
        if fulfillment_id is not None and error is not None:
            raise ValueError(f"shipment {erp_key}: give a fulfillment_id or an error, not both")
        request = DeliveryNoteListRequest(numbers=[erp_key])
        answer = self.mserver.read_one(list_delivery_notes(request, tz=self.mserver.client.tz), "delivery note")
        if erp_key not in {_key(note) for note in answer.records}:
            raise RecordError(f"shipment {erp_key}", "erp_key", "no such POHODA delivery note")
        state = "failed" if error is not None else "synced" if fulfillment_id is not None else "skipped"
        self.local.save_shipment(erp_key, state, fulfillment_id, error)

"""What a POHODA user does by hand between two syncs, as methods tests and the demo can call.

The sync only ever *reads* these changes (order states, shipments, edited cards), so the emulator must be able
to make them: mark an order executed ("Vyřízeno"), create an invoice from it ("Přeneseno": the order gets a
linked document), cancel it (storno), issue a delivery note (výdejka) for it, edit a stock card. Each change
moves the touched records' ``lastChanges`` like POHODA's ``DatSave`` column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import records as r
from .clock import local_date

if TYPE_CHECKING:
    from .state import PohodaState

_CARD_FIELDS = {f for f in r.StockCard.__dataclass_fields__} - {"id", "changed_at", "store_id"}


class ActionsMixin:
    """Mixed into :class:`~emulators.pohoda.state.PohodaState`."""

    time_zone: str = "Europe/Prague"
    stock_moves_bump_last_changes: bool = True

    def today(self: PohodaState):
        return local_date(self.now(), self.time_zone)

    def set_order_executed(self: PohodaState, ref: int | str, executed: bool = True) -> r.Order:
        """Tick or untick "Vyřízeno" on an order."""
        with self.lock:
            order = self.order(ref)
            order.is_executed = executed
            self.touch(order)
            return order

    def transfer_order(
        self: PohodaState, ref: int | str, invoice_type: str = "issuedInvoice", set_executed: bool = False
    ) -> r.Invoice:
        """Create an invoice from the order ("Přeneseno"): both documents get a link to each other."""
        with self.lock:
            order = self.order(ref)
            invoice_id, number = self.next_number("invoice")
            total = sum((i.unit_price * i.quantity for i in order.items), Decimal("0"))
            invoice = r.Invoice(invoice_id, number, invoice_type, self.today(), self.now(), order.id, total)
            self.invoices[invoice.id] = invoice
            order.links.append(r.DocLink(invoice_type, invoice.id, invoice.number))
            if set_executed:
                order.is_executed = True
            self.touch(order)
            return invoice

    def cancel_order(self: PohodaState, ref: int | str) -> r.Order:
        """Storno: the order becomes a cancelled document dated today (its reservation is released)."""
        with self.lock:
            order = self.order(ref)
            order.cancelled_on = self.today()
            self.touch(order)
            self._touch_cards({i.stock_card_id for i in order.items})
            return order

    def create_delivery_note(
        self: PohodaState,
        ref: int | str,
        lines: dict[str, Decimal | int] | None = None,
        carrier: str | None = None,
        tracking_number: str | None = None,
        tracking_url: str | None = None,
    ) -> r.DeliveryNote:
        """Issue a výdejka from the order: ``lines`` = code → quantity (default: everything not yet delivered).

        Stock leaves the cards the order items point at, the order items count as delivered, and the note and
        the order are linked (``issueSlip`` ↔ ``receivedOrder``).
        """
        with self.lock:
            order = self.order(ref)
            wanted = {code: Decimal(str(q)) for code, q in (lines or {}).items()}
            items: list[r.DeliveryNoteItem] = []
            for item in order.items:
                if item.stock_card_id is None:
                    continue
                open_quantity = item.quantity - item.delivered
                quantity = min(wanted.pop(item.code, Decimal("0")), open_quantity) if lines else open_quantity
                if quantity <= 0:
                    continue
                card = self.cards[item.stock_card_id]
                card.count -= quantity
                item.delivered += quantity
                items.append(
                    r.DeliveryNoteItem(
                        self.next_id("vydejkaItem"),
                        item.text,
                        quantity,
                        item.code,
                        card.id,
                        card.store_id,
                        item.id,
                        item.unit_price,
                    )
                )
            if wanted:
                raise ValueError(f"order {order.number}: no open stock item with code {sorted(wanted)[0]!r}")
            if not items:
                raise ValueError(f"order {order.number}: nothing left to deliver")
            note_id, number = self.next_number("vydejka")
            note = r.DeliveryNote(
                note_id,
                number,
                self.today(),
                self.now(),
                items,
                order.id,
                order.number_order,
                order.ship_to or order.partner,
                carrier or order.carrier,
                tracking_number,
                tracking_url,
                f"Výdejka k objednávce {order.number}",
            )
            self.delivery_notes[note.id] = note
            order.links.append(r.DocLink("issueSlip", note.id, note.number))
            self.touch(order)
            self._touch_cards({i.stock_card_id for i in items})
            return note

    def change_stock_card(self: PohodaState, ref: int | str, store: str | None = None, **changes: Any) -> r.StockCard:
        """Edit a card (by id, or by code [+ store name]) as a user would; moves its lastChanges."""
        with self.lock:
            card = self._card(ref, store)
            unknown = sorted(set(changes) - _CARD_FIELDS)
            if unknown:
                raise ValueError(f"stock card {card.code!r}: unknown field {unknown[0]!r}")
            for name, value in changes.items():
                setattr(card, name, value)
            self.touch(card)
            return card

    def set_stock_quantity(self: PohodaState, code: str, store: str, quantity: Decimal | int) -> r.StockCard:
        """Set the quantity on hand (what a příjemka / inventory correction would do)."""
        with self.lock:
            card = self._card(code, store)
            card.count = Decimal(str(quantity))
            if self.stock_moves_bump_last_changes:
                self.touch(card)
            return card

    def _card(self: PohodaState, ref: int | str, store: str | None) -> r.StockCard:
        if isinstance(ref, int):
            card = self.cards.get(ref)
        else:
            store_record = self.store_by_name(store) if store else None
            if store and store_record is None:
                raise KeyError(f"store {store!r}: not found")
            card = self.card_by_code(ref, store_record.id if store_record else None)
        if card is None:
            raise KeyError(f"stock card {ref!r}: not found")
        return card

    def _touch_cards(self: PohodaState, card_ids: set[int | None]) -> None:
        if not self.stock_moves_bump_last_changes:
            return
        for card_id in card_ids:
            if card_id is not None and card_id in self.cards:
                self.touch(self.cards[card_id])

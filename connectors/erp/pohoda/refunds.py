"""A shop refund in POHODA: one issued credit note ("dobropis") and the money paid back as bank expenses.

Why a credit note: ``invoice.xsd`` offers ``issuedCreditNotice`` among its ``invoiceType`` values ("Dobropis"),
and a received order cannot be changed through XML (add or delete only, see ``cancellations.py``), so a return
is booked the way a POHODA user books it: a credit note against the customer, naming the order
(``numberOrder``, variable symbol = the order number's digits). Restocked lines carry their stock item and a
negative quantity, so POHODA receives the units back when it posts the note; the sync itself writes no stock.

Exactly once: the credit note's ``extId`` is the refund GID and each expense's the REFUND transaction GID;
POHODA refuses a second document with the same ``extId`` (and the batch duplicity check a repeated pack), so a
run that died after the note and before the expenses redoes the lot and only the missing documents are made.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.erp.errors import RecordError
from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.pohoda.orders import Orders
from connectors.erp.pohoda.settings import PohodaSettings
from connectors.erp.port import BookedRefund
from connectors.pohoda.errors import DuplicateItem
from connectors.pohoda.mapping import bank_payment_from_transaction, credit_note_from_refund
from connectors.pohoda.models.common import ExtId
from connectors.pohoda.models.requests import InvoiceListRequest
from connectors.pohoda.xml.agendas.credit_notes import issued_credit_note
from connectors.pohoda.xml.agendas.invoices import list_invoices
from connectors.pohoda.xml.agendas.payments import bank_receipt
from connectors.pohoda.xml.pack import DataPackItem
from domain.refunds import Refund

__all__ = ["Refunds"]

EXT_IDS_PER_REQUEST = 255
"""``requestInvoice`` groups one ``listInvoiceRequest`` may carry (``list.xsd``: ``maxOccurs="255"``)."""


class Refunds:
    def __init__(self, mserver: MServer, local: LocalState, orders: Orders, settings: PohodaSettings) -> None:
        self.mserver = mserver
        self.local = local
        self.orders = orders
        self.settings = settings

    def record(self, refund: Refund, order_key: str) -> bool:
        """Book ``refund`` against the received order ``order_key``; False when its credit note existed."""
        self.mserver.ensure_company()
        record = f"refund {refund.shop_id}"
        found = self.orders.by_number(order_key)
        s, tz = self.settings, self.mserver.client.tz
        if found is None:
            known = self.local.order(refund.order_shop_id)
            if known is None or known.erp_key != order_key:
                raise RecordError(record, "order_erp_key", f"no POHODA received order {order_key!r}")
            # our order, taken off the books when the shop cancelled it: nothing was delivered or invoiced, so
            # there is no credit note to make; the money paid back is still booked
            return self._pay_back(refund, order_key, refund.order_name or order_key, None)
        order = found.order
        number = order.number_order or order_key
        note = credit_note_from_refund(
            refund,
            order_number=number,
            ex_system_name=s.ex_system_name,
            customer_id=order.partner_id,
            vat_rates=s.vat_rates,
            shipping_vat=s.shipping_vat,
            tz=tz,
        )
        new = self._write(issued_credit_note(note, home_currency=s.home_currency, tz=tz), record)
        self._pay_back(refund, order_key, number, order.partner_id)
        return new

    def _pay_back(self, refund: Refund, order_key: str, number: str, partner_id: int | None) -> bool:
        """The money of ``refund`` as bank expenses; True when one was new. Not in the local payment book: that
        lists money *in* (reconcile's payments), and POHODA's extId check keeps an expense from being booked
        twice."""
        s, tz = self.settings, self.mserver.client.tz
        new = False
        for tx in refund.payments:
            payment = bank_payment_from_transaction(
                tx,
                order_number=number,
                account=s.bank_account,
                ex_system_name=s.ex_system_name,
                home_currency=s.home_currency,
                partner_id=partner_id,
                tz=tz,
            )
            new = self._write(bank_receipt(payment, tz=tz), f"refund transaction {tx.shop_id}") or new
        return new

    def _write(self, item: DataPackItem, record: str) -> bool:
        error = self.mserver.write(item, duplicity=True).error()
        if error is not None and not isinstance(error, DuplicateItem):
            raise refused(error, record)
        return error is None

    def booked(self, refund_ids: Sequence[str]) -> list[BookedRefund]:
        """The credit notes POHODA holds for these refunds, found by their ``extId`` (one export group per refund,
        255 to a request). Amounts are not read back: a note's lines carry POHODA's VAT split, not the money the
        shop paid back, so reconcile compares POHODA's refunds by id (as its payments)."""
        system = self.settings.ex_system_name
        wanted = sorted(set(refund_ids))
        items = [
            list_invoices(
                InvoiceListRequest(
                    invoice_type="issuedCreditNotice",
                    ext_system=system,
                    ext_ids=[ExtId(ids=i, system=system) for i in wanted[start : start + EXT_IDS_PER_REQUEST]],
                    restriction={"documents": False},
                ),
                tz=self.mserver.client.tz,
            )
            for start in range(0, len(wanted), EXT_IDS_PER_REQUEST)
        ]
        found = {
            note.ext_id.ids
            for answer in (self.mserver.read(items, "credit notes of refunds") if items else [])
            for note in answer.records
            if note.ext_id is not None and note.ext_id.system == system
        }
        return [BookedRefund(refund_id=refund_id) for refund_id in wanted if refund_id in found]

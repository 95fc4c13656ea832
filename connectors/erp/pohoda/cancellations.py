"""Cancelling a received order (přijatá objednávka) the shop cancelled after it was imported.

Why a delete: ``order.xsd`` (version 2.0) lets an import do two things to a received order, add it or delete it
(``ord:actionType``: ``add`` | ``delete`` with a ``ftr:deleteOrderType`` filter; its ``update`` is commented out
in the schema). ``storno`` and ``dateCancellation`` are export-only ("pouze pro export"), and ``cancelDocument``
exists for invoices, cash sales and vouchers, not for orders. So the one way the XML interface offers to take a
cancelled order off the books (and release its stock reservation) is deleting it, which is what a POHODA user
does with an order the customer withdrew before anything was delivered or invoiced.

An order POHODA has moved on with is left alone: executed ("Vyřízeno"), delivered, linked to an invoice or to
any other document (a delivery note, a cash sale). A storno done in POHODA, or an order no longer there, counts
as cancelled already. The adapter keeps its local record of the order, so a later run never imports it again.
"""

from __future__ import annotations

from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.pohoda.orders import Orders
from connectors.erp.port import Cancellation
from connectors.pohoda.errors import DuplicateItem
from connectors.pohoda.models.orders import INVOICE_AGENDAS
from connectors.pohoda.xml.agendas.orders import delete_order

__all__ = ["cancel_received_order"]


def cancel_received_order(mserver: MServer, orders: Orders, erp_key: str) -> Cancellation:
    """Delete the received order ``erp_key`` unless POHODA shipped, executed or invoiced it."""
    mserver.ensure_company()
    found = orders.by_number(erp_key)
    if found is None or found.order.cancelled:
        return Cancellation(erp_key=erp_key, cancelled=True, already=True)
    agendas = {doc.agenda for doc in found.order.linked_documents}
    if agendas & INVOICE_AGENDAS:
        return Cancellation(erp_key=erp_key, cancelled=False, refused="invoiced in POHODA")
    if found.order.is_executed or found.order.is_delivered or agendas:
        what = ", ".join(sorted(agendas)) or "executed"
        return Cancellation(erp_key=erp_key, cancelled=False, refused=f"shipped or processed in POHODA ({what})")
    answer = mserver.write(delete_order(erp_key), duplicity=True)
    error = answer.error()
    if error is not None and not isinstance(error, DuplicateItem):
        raise refused(error, f"sales order {erp_key}")
    return Cancellation(erp_key=erp_key, cancelled=True)

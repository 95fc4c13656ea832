"""Order states and payments: what POHODA users did to the shop's orders, and the shop's money in POHODA.

State (``lst:listOrderRequest`` with ``lastChanges``, keyset-paged by order id): an order of ours (its
``extId`` is in our external system) is *cancelled* when it is a storno, *transferred* ("Přeneseno") when an
invoice links to it, *processed* ("Vyřízeno") when ``isExecuted`` — in that precedence
(``ReceivedOrder.status``). Open orders are not listed. POHODA exports no time of the change: ``changed_at``
is when POHODA answered (the change happened at or before it), so pages come in POHODA's order-id order.

Payments: a bank receipt (a refund: a bank expense) or, for the gateways configured as cash, a cash receipt,
with ``extId`` = the shop transaction id. A gift-card redemption is a receipt on ``gift_card_account`` (its own
kind: the money came in when the card was sold), never cash. POHODA refuses a second document with the same
``extId`` (and the batch duplicity check a repeated pack), which is how a second booking of one transaction
returns False.
"""

from __future__ import annotations

from datetime import datetime

from connectors.erp.errors import RecordError, validated
from connectors.erp.paging import decode_cursor, encode_cursor
from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.pohoda.orders import Orders, found_orders
from connectors.erp.pohoda.settings import PohodaSettings
from connectors.pohoda.errors import DuplicateItem
from connectors.pohoda.mapping import bank_payment_from_transaction, presentment_note
from connectors.pohoda.models.common import ExtId
from connectors.pohoda.models.payments import CashReceipt
from connectors.pohoda.models.requests import OrderListRequest
from connectors.pohoda.models.requests import Page as Limit
from connectors.pohoda.xml.agendas.orders import list_orders
from connectors.pohoda.xml.agendas.payments import bank_receipt, cash_receipt
from domain.models import OrderStatusChange, Page, Transaction

__all__ = ["OrderStates"]

LISTING = "pohoda-order-states"


class OrderStates:
    def __init__(self, mserver: MServer, local: LocalState, orders: Orders, settings: PohodaSettings) -> None:
        self.mserver = mserver
        self.local = local
        self.orders = orders
        self.settings = settings

    def changes(self, since: datetime | None, cursor: str | None, limit: int) -> Page[OrderStatusChange]:
        id_from = int(decode_cursor(LISTING, cursor, 1)[0]) if cursor else None
        fetch = max(limit, 50)
        changes: list[OrderStatusChange] = []
        rejected: list[str] = []
        while True:
            request = OrderListRequest(
                ext_system=self.settings.ex_system_name,
                last_changes=since,
                page=Limit(id_from=id_from, count=fetch),
                restriction={"documents": True},
            )
            answer = self.mserver.read_one(list_orders(request, tz=self.mserver.client.tz), "order states")
            rejected += [str(r) for r in answer.item.rejected]
            found = sorted(found_orders(answer), key=lambda f: f.order.id or 0)
            for item in found:
                order = item.order
                if len(changes) == limit:
                    return Page[OrderStatusChange](
                        items=changes, next_cursor=encode_cursor(LISTING, order.id), rejected=rejected
                    )
                ext = order.ext_id
                if ext is None or ext.system != self.settings.ex_system_name or order.status is None:
                    continue  # not an order from the shop, or nothing the shop could show
                changes.append(
                    validated(
                        f"sales order {order.number}",
                        OrderStatusChange,
                        order_shop_id=ext.ids,
                        erp_key=order.number or str(order.id),
                        state=order.status,
                        changed_at=item.exported_at,
                    )
                )
            ids = [f.order.id for f in found if f.order.id is not None]
            if len(found) + len(answer.item.rejected) < fetch or not ids:
                return Page[OrderStatusChange](items=changes, rejected=rejected)
            id_from = max(ids) + 1

    def record_payment(self, tx: Transaction, order_key: str) -> bool:
        if any(booked == tx.shop_id for booked, _ in self.local.payments_of([order_key])):
            return False  # booked before: nothing to send, even once POHODA took the order off its books
        self.mserver.ensure_company()
        record = f"transaction {tx.shop_id}"
        found = self.orders.by_number(order_key)
        if found is None:
            raise RecordError(record, "order_erp_key", f"no POHODA received order {order_key!r}")
        order = found.order
        s = self.settings
        if tx.gateway in s.cash_gateways and tx.is_money_in and not tx.is_gift_card:
            receipt = validated(
                record,
                CashReceipt,
                ext_id=ExtId(ids=tx.shop_id, system=s.ex_system_name),
                cash_desk=s.cash_desk,
                order_number=order.number or order_key,
                date=tx.processed_at.astimezone(self.mserver.client.tz).date(),
                amount=tx.amount,
                currency=None if tx.currency == s.home_currency else tx.currency,
                text=f"Platba objednávky {order.number_order or order_key}",
                partner_id=order.partner_id,
                note=presentment_note(tx),
            )
            item = cash_receipt(receipt, tz=self.mserver.client.tz)
        else:
            payment = bank_payment_from_transaction(
                tx,
                order_number=order.number or order_key,
                account=s.gift_card_account if tx.is_gift_card else s.bank_account,
                ex_system_name=s.ex_system_name,
                home_currency=s.home_currency,
                partner_id=order.partner_id,
                tz=self.mserver.client.tz,
            )
            item = bank_receipt(payment, tz=self.mserver.client.tz)
        answer = self.mserver.write(item, duplicity=True)
        error = answer.error()
        if error is not None and not isinstance(error, DuplicateItem):
            raise refused(error, record)
        self.local.book_payment(tx.shop_id, order_key)
        return error is None

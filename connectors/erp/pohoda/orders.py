"""Sales orders: shop orders imported as POHODA received orders ("přijaté objednávky"), read back and deleted.

- The sales order's key is POHODA's document number (``250100001``): what a POHODA user sees and searches by.
- The order carries ``extId`` = the shop order GID in our external system, and each item ``extId`` = the shop's
  line item GID (``discount:<gid>`` for a line's discount line, ``shipping`` for the shipping line), so the
  order, its lines and later its delivery notes lead back to the shop.
- Idempotent by shop order id: an existing order with that ``extId`` is returned without writing; the import
  itself is sent with ``STW-Check-Duplicity`` and a dataPack id derived from the shop order id, and a
  duplicity answer is resolved by looking the order up by ``extId``. A duplicity that names a document
  deleted since (its ``extId`` is gone) is imported again under the next revision.
- Everything is checked before the first write: the company, the customer key, every SKU (one stock export
  per SKU, many per dataPack), the VAT rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from connectors.erp.errors import RecordError, UnknownSkuError, validated
from connectors.erp.pohoda.catalog import Cards
from connectors.erp.pohoda.customers import Customers
from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import Answer, MServer
from connectors.erp.pohoda.settings import PohodaSettings
from connectors.erp.port import SalesOrder
from connectors.pohoda.errors import DuplicateItem
from connectors.pohoda.mapping import received_order_from_shop
from connectors.pohoda.models.common import CZ_VAT_PERCENT, ExtId, VatRate
from connectors.pohoda.models.orders import INVOICE_AGENDAS, ReceivedOrder
from connectors.pohoda.models.requests import QUANTITY_SWEEP, OrderListRequest
from connectors.pohoda.xml.agendas.orders import delete_order, list_orders, received_order
from domain.models import Order

__all__ = ["Found", "Orders", "found_orders"]

SHIPPING_EXT_ID = "shipping"
DISCOUNT_PREFIX = "discount:"
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Found:
    """A received order as exported, and when POHODA answered."""

    order: ReceivedOrder
    exported_at: datetime | None


def found_orders(answer: Answer) -> list[Found]:
    return [Found(o, answer.item.exported_at) for o in answer.records]


def _label(order: Order) -> str:
    return f"{order.name} ({order.shop_id})"


def item_ext_ids(order: Order) -> list[str | None]:
    """The ``extId`` of each item ``received_order_from_shop`` makes of ``order``, in its order: the shop line,
    ``discount:<line>`` for a line's discount, ``shipping`` for the shipping line."""
    found: list[str | None] = []
    for line in order.lines:
        found.append(line.shop_id)
        if line.discount:
            found.append(DISCOUNT_PREFIX + (line.shop_id or ""))
    if order.shipping_total:
        found.append(SHIPPING_EXT_ID)
    return found


def with_item_ext_ids(model: ReceivedOrder, ext_ids: list[str | None]) -> ReceivedOrder:
    """``model`` with ``ext_ids`` on its items, in order (``None`` leaves one without)."""
    if len(model.items) != len(ext_ids):
        raise ValueError(f"{model.record}: {len(model.items)} order items but {len(ext_ids)} ext ids")
    items = [item.model_copy(update={"ext_id": ext}) for item, ext in zip(model.items, ext_ids, strict=True)]
    return model.model_copy(update={"items": items})


class Orders:
    def __init__(
        self, mserver: MServer, local: LocalState, cards: Cards, customers: Customers, settings: PohodaSettings
    ) -> None:
        self.mserver = mserver
        self.local = local
        self.cards = cards
        self.customers = customers
        self.settings = settings

    @property
    def ex_system(self) -> str:
        return self.settings.ex_system_name

    # ---- lookups --------------------------------------------------------------------------------------------

    def by_shop_id(self, shop_id: str) -> Found | None:
        request = OrderListRequest(
            ext_system=self.ex_system, ext_id=ExtId(ids=shop_id, system=self.ex_system), restriction={"documents": True}
        )
        answer = self.mserver.read_one(list_orders(request, tz=self.mserver.client.tz), "order by shop id")
        return next((f for f in found_orders(answer) if f.order.ext_id and f.order.ext_id.ids == shop_id), None)

    def by_number(self, number: str) -> Found | None:
        request = OrderListRequest(ext_system=self.ex_system, numbers=[number], restriction={"documents": True})
        answer = self.mserver.read_one(list_orders(request, tz=self.mserver.client.tz), "order")
        return next((f for f in found_orders(answer) if f.order.number == number), None)

    def by_ids(self, ids: set[int]) -> dict[int, Found]:
        items = [
            list_orders(OrderListRequest(ext_system=self.ex_system, id=i), tz=self.mserver.client.tz)
            for i in sorted(ids)
        ]
        found: dict[int, Found] = {}
        for answer in self.mserver.read(items, "orders by id") if items else []:
            found.update({f.order.id: f for f in found_orders(answer) if f.order.id is not None})
        return found

    # ---- create ---------------------------------------------------------------------------------------------

    def _check(self, order: Order, customer_key: str | None) -> int | None:
        address_id = None
        if customer_key is not None:
            address_id = self.customers.address_id(customer_key)
            if address_id is None:
                raise RecordError(f"order {_label(order)}", "customer_key", f"no POHODA customer {customer_key!r}")
        skus = [line.sku for line in order.lines if line.sku]
        cards, _, _ = self.cards.by_codes(skus, QUANTITY_SWEEP)
        known = {card.code for card in cards}
        for index, line in enumerate(order.lines):
            if line.sku and line.sku not in known:
                raise UnknownSkuError(_label(order), line.sku, index)
        return address_id

    def create(self, order: Order, customer_key: str | None) -> str:
        self.mserver.ensure_company()
        existing = self.by_shop_id(order.shop_id)
        if existing is not None and existing.order.number:
            self._remember(order, existing.order.number)  # a run that made it may have died before recording it
            return existing.order.number
        address_id = self._check(order, customer_key)
        s = self.settings
        model = received_order_from_shop(
            order,
            ex_system_name=self.ex_system,
            customer_id=address_id,
            payment_type=_payment_type(order, s),
            vat_rates=s.vat_rates,
            shipping_vat=s.shipping_vat,
            prices_include_vat=s.prices_include_vat,
            reserve=s.reserve,
            tz=self.mserver.client.tz,
        )
        model = with_item_ext_ids(model, item_ext_ids(order))
        known = self.local.order(order.shop_id)
        revision = known.revision if known is not None else 0
        for _ in range(MAX_ATTEMPTS):
            item = received_order(model, revision=revision, home_currency=s.home_currency, tz=self.mserver.client.tz)
            answer = self.mserver.write(item, duplicity=True)
            error = answer.error()
            if error is None and answer.produced is not None and answer.produced.number:
                number = answer.produced.number
                break
            if error is not None and not isinstance(error, DuplicateItem):
                raise refused(error, f"order {_label(order)}")
            found = self.by_shop_id(order.shop_id)
            if found is not None and found.order.number:
                number = found.order.number
                break
            revision += 1  # the duplicate is a document deleted since: import it anew
        else:
            raise RecordError(f"order {_label(order)}", "import", "POHODA keeps answering with a deleted duplicate")
        self.local.save_order(order.shop_id, number, revision, order.lines_signature(), datetime.now(UTC))
        return number

    def _remember(self, order: Order, number: str) -> None:
        """Record a document found by its ``extId`` that the local state does not know as this order's: its
        import was applied but the run died (or lost the answer) before ``save_order``."""
        known = self.local.order(order.shop_id)
        if known is None or known.erp_key != number:
            self.local.save_order(
                order.shop_id,
                number,
                known.revision if known is not None else 0,
                order.lines_signature(),
                datetime.now(UTC),
            )

    # ---- read back ------------------------------------------------------------------------------------------

    def sales_order(self, found: Found) -> SalesOrder:
        o = found.order
        lines: list[dict[str, Any]] = []
        discounts: dict[str, Decimal] = {}
        shipping = total = Decimal("0")
        for item in o.items:
            ext = item.ext_id
            amount = (item.unit_price or Decimal("0")) * item.quantity
            total += amount
            if ext == SHIPPING_EXT_ID:
                shipping += amount
            elif ext and ext.startswith(DISCOUNT_PREFIX):
                line_id = ext[len(DISCOUNT_PREFIX) :]
                discounts[line_id] = discounts.get(line_id, Decimal("0")) - amount
            else:
                stocked = item.stock_id is not None or item.stock_code is not None
                rate = CZ_VAT_PERCENT.get(item.rate_vat) if item.rate_vat is not VatRate.NONE else None
                lines.append(
                    {
                        "shop_id": ext,
                        "sku": (item.stock_code or item.code) if stocked else None,
                        "title": item.text,
                        "quantity": int(item.quantity),
                        "unit_price": item.unit_price or Decimal("0"),
                        "tax_rate": rate / 100 if rate is not None else None,
                    }
                )
        for line in lines:
            line["discount"] = discounts.get(line["shop_id"] or "", Decimal("0"))
        known = self.local.order(o.ext_id.ids) if o.ext_id else None
        mine = known if known is not None and known.erp_key == o.number else None  # what we recorded for this one
        created = (
            mine.created_at
            if mine is not None and mine.created_at
            else datetime.combine(o.date, time(), self.mserver.client.tz)
        )
        state = o.status
        return validated(
            f"sales order {o.number}",
            SalesOrder,
            erp_key=o.number or str(o.id),
            shop_order_id=o.ext_id.ids if o.ext_id else "",
            shop_order_name=o.number_order,
            customer_key=self.customers.key_of_address(o.partner_id) if o.partner_id else None,
            currency=o.currency or self.settings.home_currency,
            total=total,
            shipping_total=shipping,
            lines_signature=mine.lines_signature if mine is not None else None,
            state=state,
            state_changed_at=found.exported_at if state is not None else None,
            created_at=created,
            lines=lines,
        )

    def get_by_shop_id(self, shop_id: str) -> SalesOrder | None:
        found = self.by_shop_id(shop_id)
        return self.sales_order(found) if found is not None else None

    # ---- delete ---------------------------------------------------------------------------------------------

    def delete(self, erp_key: str) -> bool:
        self.mserver.ensure_company()
        record = f"sales order {erp_key}"
        if self.local.has_payments(erp_key):
            raise RecordError(record, "payments", "has payments; refusing to delete it")
        found = self.by_number(erp_key)
        if found is None:
            return False
        agendas = {doc.agenda for doc in found.order.linked_documents}
        if agendas & INVOICE_AGENDAS:
            raise RecordError(record, "invoices", "was turned into an invoice; refusing to delete it")
        if agendas:
            raise RecordError(
                record, "shipments", f"has linked documents ({', '.join(sorted(agendas))}); refusing to delete it"
            )
        answer = self.mserver.write(delete_order(erp_key), duplicity=True)
        error = answer.error()
        if error is not None and not isinstance(error, DuplicateItem):
            raise refused(error, record)
        self.local.forget_order(erp_key)
        return True


def _payment_type(order: Order, settings: PohodaSettings) -> str | None:
    """The order's payment form: the gift-card one when gift cards paid all the money that came in."""
    money_in = [tx for tx in order.transactions if tx.is_money_in]
    if money_in and settings.gift_card_payment_type and all(tx.is_gift_card for tx in money_in):
        return settings.gift_card_payment_type
    return settings.payment_type

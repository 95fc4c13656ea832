"""A delivery note ("výdejka", ``vyd:vydejka``): what left the warehouse for an order — a shop fulfillment.

POHODA's carrier field is only a reference (``typ:ids`` ≤ 20); tracking numbers live in user fields, so
:meth:`DeliveryNote.parameter` reads them by name (``VPrTracking`` / ``VPrTrackingURL`` by convention — the
ERP adapter's configuration says which).
"""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal

from pydantic import Field

from connectors.pohoda.models.common import PohodaModel
from connectors.pohoda.models.orders import LinkedDocument, PartyAddress
from connectors.pohoda.models.stock import UserParameter
from domain.models import UtcDatetime

__all__ = ["DeliveryItem", "DeliveryNote"]


class DeliveryItem(PohodaModel):
    id: int | None = None
    text: str | None = None
    quantity: Decimal = Decimal("0")
    code: str | None = None
    stock_id: int | None = None
    stock_code: str | None = None
    store: str | None = Field(default=None, description="the store (sklad) the line left, by short name")
    order_id: int | None = Field(default=None, description="the received order this line was delivered from")
    order_number: str | None = None
    order_item_id: int | None = None


class DeliveryNote(PohodaModel):
    id: int | None = None
    number: str | None = None
    date: Date | None = None
    number_order: str | None = None
    text: str | None = None
    carrier: str | None = None
    partner: PartyAddress | None = None
    parameters: list[UserParameter] = Field(default_factory=list)
    items: list[DeliveryItem] = Field(default_factory=list)
    linked_documents: list[LinkedDocument] = Field(default_factory=list)
    exported_at: UtcDatetime | None = None

    @property
    def record(self) -> str:
        return f"delivery note {self.number or self.id}"

    def parameter(self, name: str) -> str | None:
        return next((p.value for p in self.parameters if p.name == name and p.value), None)

    @property
    def order_ids(self) -> list[int]:
        """The received orders this note delivers (from its lines and its document links), in order."""
        found = [i.order_id for i in self.items if i.order_id is not None]
        found += [d.id for d in self.linked_documents if d.agenda == "receivedOrder" and d.id is not None]
        return list(dict.fromkeys(found))

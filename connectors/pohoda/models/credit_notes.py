"""An issued credit note ("dobropis", ``inv:invoice`` of ``invoiceType`` ``issuedCreditNotice``): a shop refund.

POHODA books a return of goods sold through a received order as a credit note, not on the order (an order can
only be added or deleted through XML). Lines are written with a *negative* quantity, as POHODA's own credit
notes are: a line with a stock item then receives the units back into that store when POHODA posts the note,
which is the return; a line without one (shipping, an adjustment, goods not restocked) moves money only.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from connectors.pohoda.models.common import ExtId, PohodaModel
from connectors.pohoda.models.orders import OrderItem

__all__ = ["IssuedCreditNote"]


class IssuedCreditNote(PohodaModel):
    ext_id: ExtId
    number_order: str | None = Field(default=None, description="the shop order's name, e.g. #1001")
    variable_symbol: str | None = None
    date: dt.date
    text: str | None = None
    partner_id: int | None = None
    currency: str | None = None
    items: list[OrderItem] = Field(min_length=1)

    @property
    def record(self) -> str:
        return f"credit note {self.ext_id.ids}"

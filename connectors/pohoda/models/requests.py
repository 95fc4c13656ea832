"""Export ("list") requests as models: what to list, changed since when, one keyset page at a time.

Paging is POHODA's own: ``limit/idFrom`` (the next page starts at the highest id seen + 1) and ``limit/count``
(1..10000). A page shorter than ``count`` is the last one. ``last_changes`` is an aware datetime here; the
builder writes it in POHODA's local time. ``restriction`` switches off heavy parts of a stock export
(``{"pictures": False, "intParameters": False}``) — a quantity sweep needs none of them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from connectors.pohoda.models.common import ExtId, PohodaModel
from domain.models import UtcDatetime

__all__ = [
    "QUANTITY_SWEEP",
    "AddressBookListRequest",
    "CategoryListRequest",
    "DeliveryNoteListRequest",
    "InvoiceListRequest",
    "OrderListRequest",
    "Page",
    "StockListRequest",
    "StockPart",
    "StoreListRequest",
]

StockPart = Literal[
    "relatedFiles",
    "relatedLinks",
    "pictures",
    "categories",
    "relatedStocks",
    "alternativeStocks",
    "intParameters",
    "stockItem",
    "stockAttach",
    "stockSerialNumber",
    "stockPriceItem",
    "stockParameters",
    "attachments",
]
OrderPart = Literal["documents", "attachments", "parameters", "liquidations"]

QUANTITY_SWEEP: dict[StockPart, bool] = {
    part: False
    for part in (
        "relatedFiles",
        "relatedLinks",
        "pictures",
        "categories",
        "relatedStocks",
        "alternativeStocks",
        "intParameters",
        "stockAttach",
        "stockSerialNumber",
        "stockPriceItem",
        "stockParameters",
    )
}
"""Restriction for a light quantity export: header fields only, and the components of packages and sets
(``stockItem``): a package's quantity is what its components make."""


class Page(PohodaModel):
    """``lst:limit``/``lStk:limit``: records with ``id >= id_from``, at most ``count`` of them."""

    id_from: int | None = Field(default=None, ge=1)
    count: int | None = Field(default=None, ge=1, le=10000)


class StockListRequest(PohodaModel):
    page: Page | None = None
    id: int | None = None
    ext_id: ExtId | None = None
    code: str | None = None
    ean: str | None = None
    name: str | None = None
    storage: str | None = Field(default=None, description="storage path; lists that branch and below")
    store: str | None = Field(default=None, description="store (sklad) short name")
    internet: bool | None = None
    last_changes: UtcDatetime | None = None
    restriction: dict[StockPart, bool] = Field(default_factory=dict)


class OrderListRequest(PohodaModel):
    order_type: Literal["receivedOrder", "issuedOrder"] = "receivedOrder"
    ext_system: str | None = Field(default=None, description="export the ext ids of this external system")
    page: Page | None = None
    id: int | None = None
    ext_id: ExtId | None = None
    numbers: list[str] = Field(default_factory=list, description='document numbers ("Číslo"), any of them')
    date_from: date | None = None
    date_till: date | None = None
    last_changes: UtcDatetime | None = None
    restriction: dict[OrderPart, bool] = Field(default_factory=dict)


class CategoryListRequest(PohodaModel):
    page: Page | None = None


class AddressBookListRequest(PohodaModel):
    ext_system: str | None = None
    page: Page | None = None
    id: int | None = None
    ext_id: ExtId | None = None
    company: str | None = None
    ico: str | None = None
    last_changes: UtcDatetime | None = None


class StoreListRequest(PohodaModel):
    page: Page | None = None


class DeliveryNoteListRequest(PohodaModel):
    """Delivery notes ("výdejky"), e.g. those changed since the last shipment sync."""

    ext_system: str | None = None
    page: Page | None = None
    id: int | None = None
    ext_id: ExtId | None = None
    numbers: list[str] = Field(default_factory=list, description='document numbers ("Číslo"), any of them')
    date_from: date | None = None
    date_till: date | None = None
    last_changes: UtcDatetime | None = None
    restriction: dict[OrderPart, bool] = Field(default_factory=dict)


class InvoiceListRequest(PohodaModel):
    """Invoices of one type, e.g. the issued credit notes ("dobropisy") with these ``extId``s: each ext id is a
    ``requestInvoice`` group of its own (``list.xsd`` allows up to 255 in one request)."""

    invoice_type: Literal["issuedInvoice", "issuedCreditNotice"] = "issuedInvoice"
    ext_system: str | None = Field(default=None, description="export the ext ids of this external system")
    ext_ids: list[ExtId] = Field(default_factory=list, max_length=255)
    restriction: dict[OrderPart, bool] = Field(default_factory=dict)

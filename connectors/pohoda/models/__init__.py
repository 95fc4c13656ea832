"""POHODA-shaped models: what one POHODA document holds, with conversions to ``domain.models``."""

from connectors.pohoda.models.common import CZ_VAT_PERCENT, ExtId, PohodaModel, Ref, Totals, VatRate
from connectors.pohoda.models.directory import AddressBookEntry, CategoryNode, Store
from connectors.pohoda.models.documents import BankDocument, Invoice, InvoiceItem
from connectors.pohoda.models.orders import INVOICE_AGENDAS, LinkedDocument, OrderItem, PartyAddress, ReceivedOrder
from connectors.pohoda.models.payments import BankPayment, CashReceipt
from connectors.pohoda.models.requests import (
    QUANTITY_SWEEP,
    AddressBookListRequest,
    CategoryListRequest,
    DeliveryNoteListRequest,
    InvoiceListRequest,
    OrderListRequest,
    Page,
    StockListRequest,
    StoreListRequest,
)
from connectors.pohoda.models.responses import (
    ImportDetail,
    ProducedDetails,
    RecordDuplicity,
    Rejected,
    ResponseItem,
    ResponsePack,
)
from connectors.pohoda.models.shipments import DeliveryItem, DeliveryNote
from connectors.pohoda.models.stock import (
    IntParamDefinition,
    IntParameter,
    IntParameterValue,
    PackageComponent,
    Picture,
    PriceLevel,
    StockItem,
    UserParameter,
)

__all__ = [
    "CZ_VAT_PERCENT",
    "INVOICE_AGENDAS",
    "QUANTITY_SWEEP",
    "AddressBookEntry",
    "AddressBookListRequest",
    "BankDocument",
    "BankPayment",
    "CashReceipt",
    "CategoryListRequest",
    "CategoryNode",
    "DeliveryItem",
    "DeliveryNote",
    "DeliveryNoteListRequest",
    "InvoiceListRequest",
    "ExtId",
    "ImportDetail",
    "IntParamDefinition",
    "IntParameter",
    "IntParameterValue",
    "Invoice",
    "InvoiceItem",
    "LinkedDocument",
    "OrderItem",
    "OrderListRequest",
    "PackageComponent",
    "Page",
    "PartyAddress",
    "Picture",
    "PohodaModel",
    "PriceLevel",
    "ProducedDetails",
    "ReceivedOrder",
    "RecordDuplicity",
    "Ref",
    "Rejected",
    "ResponseItem",
    "ResponsePack",
    "StockItem",
    "StockListRequest",
    "Store",
    "StoreListRequest",
    "Totals",
    "UserParameter",
    "VatRate",
]

"""POHODA-shaped models: what one POHODA document holds, with conversions to ``domain.models``."""

from connectors.pohoda.models.common import CZ_VAT_PERCENT, ExtId, PohodaModel, Ref, VatRate
from connectors.pohoda.models.directory import AddressBookEntry, CategoryNode, StockSuppliers, Store, SupplierItem
from connectors.pohoda.models.orders import INVOICE_AGENDAS, LinkedDocument, OrderItem, PartyAddress, ReceivedOrder
from connectors.pohoda.models.payments import BankEntry, BankPayment
from connectors.pohoda.models.requests import (
    QUANTITY_SWEEP,
    AddressBookListRequest,
    BankListRequest,
    CategoryListRequest,
    DeliveryNoteListRequest,
    OrderListRequest,
    Page,
    StockListRequest,
    StoreListRequest,
    SupplierListRequest,
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
    IntParameter,
    IntParameterValue,
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
    "BankEntry",
    "BankListRequest",
    "BankPayment",
    "CategoryListRequest",
    "CategoryNode",
    "DeliveryItem",
    "DeliveryNote",
    "DeliveryNoteListRequest",
    "ExtId",
    "ImportDetail",
    "IntParameter",
    "IntParameterValue",
    "LinkedDocument",
    "OrderItem",
    "OrderListRequest",
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
    "StockSuppliers",
    "Store",
    "StoreListRequest",
    "SupplierItem",
    "SupplierListRequest",
    "UserParameter",
    "VatRate",
]

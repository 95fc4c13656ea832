"""Every dataPackItem builder, in one import: ``from connectors.pohoda.xml.builders import stock_card``.

Each takes a model (``connectors.pohoda.models``) and returns a :class:`DataPackItem` with a deterministic id;
put items into a :class:`DataPack` (or ``MServerClient.new_pack``) to send them. All output validates against
STORMWARE's ``data.xsd`` (the tests check every builder).
"""

from connectors.pohoda.xml.build_addressbook import address_book_entry
from connectors.pohoda.xml.build_documents import bank_receipt, delete_order, received_order
from connectors.pohoda.xml.build_lists import (
    list_address_book,
    list_bank,
    list_categories,
    list_delivery_notes,
    list_orders,
    list_stock,
    list_stores,
    list_suppliers,
)
from connectors.pohoda.xml.build_stock import stock_card
from connectors.pohoda.xml.pack import DataPack, DataPackItem, make_item

__all__ = [
    "DataPack",
    "DataPackItem",
    "address_book_entry",
    "bank_receipt",
    "delete_order",
    "list_address_book",
    "list_bank",
    "list_categories",
    "list_delivery_notes",
    "list_orders",
    "list_stock",
    "list_stores",
    "list_suppliers",
    "make_item",
    "received_order",
    "stock_card",
]

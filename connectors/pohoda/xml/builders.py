"""Every dataPackItem builder, in one import: ``from connectors.pohoda.xml.builders import stock_card``.

Each takes a model (``connectors.pohoda.models``) and returns a :class:`DataPackItem` with a deterministic id;
put items into a :class:`DataPack` (or ``MServerClient.new_pack``) to send them. All output validates against
STORMWARE's ``data.xsd`` (the tests check every builder). Where each lives: ``agendas/__init__.py``.
"""

from connectors.pohoda.xml.agendas.addressbook import address_book_entry, list_address_book
from connectors.pohoda.xml.agendas.categories import list_categories
from connectors.pohoda.xml.agendas.delivery_notes import list_delivery_notes
from connectors.pohoda.xml.agendas.int_params import list_int_params
from connectors.pohoda.xml.agendas.invoices import list_invoices
from connectors.pohoda.xml.agendas.orders import delete_order, list_orders, received_order
from connectors.pohoda.xml.agendas.payments import bank_receipt, cash_receipt
from connectors.pohoda.xml.agendas.stock import list_stock, stock_card
from connectors.pohoda.xml.agendas.stores import list_stores
from connectors.pohoda.xml.pack import DataPack, DataPackItem, make_item

__all__ = [
    "DataPack",
    "DataPackItem",
    "address_book_entry",
    "bank_receipt",
    "cash_receipt",
    "delete_order",
    "list_address_book",
    "list_categories",
    "list_delivery_notes",
    "list_int_params",
    "list_invoices",
    "list_orders",
    "list_stock",
    "list_stores",
    "make_item",
    "received_order",
    "stock_card",
]

"""Every reader, in one import: responsePacks, single records, the stock stream. Where each lives:
``agendas/__init__.py``. (Our own requests are never read back here: the emulators read them their own way.)"""

from connectors.pohoda.xml.agendas.addressbook import read_address_book
from connectors.pohoda.xml.agendas.categories import read_categories
from connectors.pohoda.xml.agendas.delivery_notes import read_delivery_note
from connectors.pohoda.xml.agendas.int_params import read_int_params
from connectors.pohoda.xml.agendas.invoices import read_invoice
from connectors.pohoda.xml.agendas.orders import read_order
from connectors.pohoda.xml.agendas.payments import read_bank
from connectors.pohoda.xml.agendas.stock_read import StockRecordError, read_stock_item
from connectors.pohoda.xml.agendas.stores import read_store
from connectors.pohoda.xml.parse_response import parse_response, read_list
from connectors.pohoda.xml.stock_stream import StockChunk, iter_stock_chunks

__all__ = [
    "StockChunk",
    "StockRecordError",
    "iter_stock_chunks",
    "parse_response",
    "read_address_book",
    "read_bank",
    "read_categories",
    "read_delivery_note",
    "read_int_params",
    "read_invoice",
    "read_list",
    "read_order",
    "read_stock_item",
    "read_store",
]

"""Every reader, in one import: responsePacks, single records, our own dataPacks, the stock stream."""

from connectors.pohoda.xml.parse_response import parse_response, read_list
from connectors.pohoda.xml.read_directory import (
    read_address_book,
    read_bank,
    read_categories,
    read_delivery_note,
    read_store,
    read_suppliers,
)
from connectors.pohoda.xml.read_orders import read_order
from connectors.pohoda.xml.read_requests import ParsedDataPack, ParsedItem, parse_data_pack
from connectors.pohoda.xml.read_stock import StockRecordError, read_stock_item
from connectors.pohoda.xml.stock_stream import StockChunk, iter_stock_chunks

__all__ = [
    "ParsedDataPack",
    "ParsedItem",
    "StockChunk",
    "StockRecordError",
    "iter_stock_chunks",
    "parse_data_pack",
    "parse_response",
    "read_address_book",
    "read_bank",
    "read_categories",
    "read_delivery_note",
    "read_list",
    "read_order",
    "read_stock_item",
    "read_store",
    "read_suppliers",
]

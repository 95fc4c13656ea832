"""POHODA XML, built and read with lxml only: safe parsing, Windows-1250, builders, parsers, streaming."""

from connectors.pohoda.xml.pack import DataPack, DataPackItem
from connectors.pohoda.xml.parse_response import parse_response
from connectors.pohoda.xml.safe import parse_document
from connectors.pohoda.xml.stock_stream import StockChunk, iter_stock_chunks

__all__ = [
    "DataPack",
    "DataPackItem",
    "StockChunk",
    "iter_stock_chunks",
    "parse_document",
    "parse_response",
]

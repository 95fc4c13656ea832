"""STORMWARE POHODA through mServer: plain Python, no Prefect. See README.md in this folder."""

from connectors.pohoda.client import MServerClient
from connectors.pohoda.errors import (
    DuplicateItem,
    Fatal,
    ItemError,
    PohodaError,
    RecordError,
    Retriable,
    WrongCompany,
    XmlError,
)
from connectors.pohoda.models import ReceivedOrder, ResponsePack, StockItem
from connectors.pohoda.status import CompanyDetail, ServerStatus
from connectors.pohoda.xml import DataPack, DataPackItem, iter_stock_chunks, parse_response

__all__ = [
    "CompanyDetail",
    "DataPack",
    "DataPackItem",
    "DuplicateItem",
    "Fatal",
    "ItemError",
    "MServerClient",
    "PohodaError",
    "ReceivedOrder",
    "RecordError",
    "ResponsePack",
    "Retriable",
    "ServerStatus",
    "StockItem",
    "WrongCompany",
    "XmlError",
    "iter_stock_chunks",
    "parse_response",
]

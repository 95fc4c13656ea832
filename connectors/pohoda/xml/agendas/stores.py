"""Stores ("sklady", ``sto:store``): the ERP locations stock levels are kept per."""

from __future__ import annotations

from lxml import etree

from connectors.pohoda.models.directory import Store
from connectors.pohoda.models.requests import StoreListRequest
from connectors.pohoda.xml.agendas._lists import limit, list_item
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem
from connectors.pohoda.xml.values import read_int

__all__ = ["list_stores", "read_store"]


def list_stores(request: StoreListRequest | None = None) -> DataPackItem:
    request = request or StoreListRequest()
    root = agenda("lst:listStoreRequest", version="2.0", storeVersion="2.0")
    limit(ElementWriter("store list request"), root, "lst:limit", request.page)
    sub(root, "lst:requestStore")
    return list_item("list.stores", root, request.page)


def read_store(element: etree._Element) -> Store:
    return Store(
        id=read_int(text_of(element, "sto:id"), "id"),
        name=text_of(element, "sto:name") or "",
        text=text_of(element, "sto:text"),
    )

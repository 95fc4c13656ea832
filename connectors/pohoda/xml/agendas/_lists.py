"""What every export ("list") request shares: the keyset page, dropping an empty filter, restrictions, the id.

A list request is read-only (``writes=False``: no company check before it, no duplicity check asked for). Its
id still hashes the request, so the same page asked twice is recognisable in POHODA's XML log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from lxml import etree

from connectors.pohoda.models.requests import Page
from connectors.pohoda.xml.elements import ElementWriter, sub
from connectors.pohoda.xml.limits import fit
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import fmt_bool

__all__ = ["drop_if_empty", "ext_system", "limit", "list_item", "restriction", "selected_numbers"]

Part = TypeVar("Part", bound=str)
"""An agenda's restriction part names (a ``Literal``), so a request's ``dict[StockPart, bool]`` is accepted."""


def list_item(operation: str, root: etree._Element, page: Page | None, key: str | None = None) -> DataPackItem:
    """The read-only dataPackItem of one list request (``key`` defaults to where its page starts)."""
    key = key or (f"from-{page.id_from}" if page and page.id_from else "all")
    return make_item(operation, key, root, record=f"{operation} request", writes=False)


def ext_system(w: ElementWriter, name: str | None) -> dict[str, str]:
    """The ``extSystem`` attribute (export the ext ids of this external system), when asked for."""
    if not name:
        return {}
    return {"extSystem": fit(name, "typ:extIdType/exSystemName", record=w.record, field="ext_system")}


def limit(w: ElementWriter, root: etree._Element, tag: str, page: Page | None) -> None:
    """``<prefix>:limit``: records with ``id >= idFrom``, at most ``count`` of them."""
    if page is not None and (page.id_from is not None or page.count is not None):
        element = sub(root, tag)
        w.integer(element, "ftr:idFrom", page.id_from)
        w.integer(element, "ftr:count", page.count)


def drop_if_empty(element: etree._Element) -> None:
    """An empty ``ftr:filter`` is left out: it would mean "no record matches" to a strict reader."""
    parent = element.getparent()
    if parent is not None and not len(element):
        parent.remove(element)


def restriction(root: etree._Element, tag: str, parts: Mapping[Part, bool], order: Sequence[Part]) -> None:
    """``<prefix>:restrictionData``: switch heavy parts of the answer on or off, in the XSD's order."""
    if parts:
        element = sub(root, tag)
        for part in order:
            if part in parts:
                sub(element, tag.partition(":")[0] + ":" + part, fmt_bool(parts[part]))


def selected_numbers(w: ElementWriter, flt: etree._Element, numbers: Sequence[str]) -> None:
    """``ftr:selectedNumbers`` in a document filter: documents by their number ("Číslo"); none, no element."""
    if not numbers:
        return
    selected = sub(flt, "ftr:selectedNumbers")
    for number in numbers:
        w.text(sub(selected, "ftr:number"), "typ:numberRequested", number, field="number")


def document_filter(w: ElementWriter, flt: etree._Element, request: Any) -> None:
    """The document filter received orders and delivery notes share (id, extId, dates, numbers, last changes);
    dropped when the request sets none of them."""
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.date(flt, "ftr:dateFrom", request.date_from)
    w.date(flt, "ftr:dateTill", request.date_till)
    selected_numbers(w, flt, request.numbers)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    drop_if_empty(flt)

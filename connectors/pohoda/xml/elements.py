"""Small lxml helpers shared by the builders and readers, so each agenda module reads like its XSD.

Writing goes through :class:`ElementWriter`: every text passes :func:`limits.fit` (transliterated to
Windows-1250, length-checked against the XSD, errors naming the record and field), numbers and booleans are
formatted by ``values.py``. ``None`` means "leave the element out" everywhere — POHODA treats a missing element
as "keep the current value" on update, an empty one as "clear it".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.models.common import ExtId
from connectors.pohoda.namespaces import NS, q
from connectors.pohoda.xml.limits import fit
from connectors.pohoda.xml.values import (
    DEFAULT_TZ,
    fmt_bool,
    fmt_date,
    fmt_decimal,
    fmt_local_datetime,
    read_int,
)

__all__ = ["ElementWriter", "agenda", "child", "children", "ext_id_of", "ref_of", "sub", "text_of"]


def agenda(tag: str, **attrib: str) -> etree._Element:
    """The root element of one dataPackItem (``stk:stock``, ``lStk:listStockRequest``…), every prefix declared."""
    return etree.Element(q(tag), attrib, nsmap=NS)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """``<tag attrib>text</tag>`` appended to ``parent`` (``tag`` as ``"stk:code"``; text must be clean)."""
    element = etree.SubElement(parent, q(tag), attrib)
    if text is not None:
        element.text = text
    return element


class ElementWriter:
    """Writes one record's elements; ``record`` names it in every error (``stock item 'ABC-001'``)."""

    def __init__(self, record: str, tz: ZoneInfo = DEFAULT_TZ) -> None:
        self.record = record
        self.tz = tz

    def text(
        self,
        parent: etree._Element,
        tag: str,
        value: str | None,
        limit: str | None = None,
        *,
        field: str | None = None,
        **attrib: str,
    ) -> etree._Element | None:
        if value is None:
            return None
        return sub(parent, tag, fit(value, limit, record=self.record, field=field or tag.partition(":")[2]), **attrib)

    def decimal(
        self, parent: etree._Element, tag: str, value: Decimal | int | None, **attrib: str
    ) -> etree._Element | None:
        return None if value is None else sub(parent, tag, fmt_decimal(value), **attrib)

    def integer(self, parent: etree._Element, tag: str, value: int | None) -> etree._Element | None:
        return None if value is None else sub(parent, tag, str(value))

    def boolean(self, parent: etree._Element, tag: str, value: bool | None) -> etree._Element | None:
        return None if value is None else sub(parent, tag, fmt_bool(value))

    def date(self, parent: etree._Element, tag: str, value: date | None) -> etree._Element | None:
        return None if value is None else sub(parent, tag, fmt_date(value))

    def local_datetime(self, parent: etree._Element, tag: str, value: datetime | None) -> etree._Element | None:
        return None if value is None else sub(parent, tag, fmt_local_datetime(value, self.tz))

    def ref(
        self,
        parent: etree._Element,
        tag: str,
        id: int | None = None,
        ids: str | None = None,
        limit: str | None = "typ:refType/ids",
        *,
        field: str | None = None,
    ) -> etree._Element | None:
        """A ``typ:refType``-like reference (``typ:id`` and/or ``typ:ids``); nothing when both are None."""
        if id is None and ids is None:
            return None
        element = sub(parent, tag)
        self.integer(element, "typ:id", id)
        self.text(element, "typ:ids", ids, limit, field=field or tag.partition(":")[2])
        return element

    def ext_id(self, parent: etree._Element, tag: str, value: ExtId | None) -> etree._Element | None:
        if value is None:
            return None
        element = sub(parent, tag)
        self.text(element, "typ:ids", value.ids, "typ:extIdType/ids", field="ext_id.ids")
        self.text(element, "typ:exSystemName", value.system, "typ:extIdType/exSystemName", field="ext_id.system")
        self.text(element, "typ:exSystemText", value.text, field="ext_id.text")
        return element


def child(element: etree._Element | None, tag: str) -> etree._Element | None:
    """The first child ``tag`` (``"stk:code"``) of ``element``, or None."""
    if element is None:
        return None
    return element.find(q(tag))


def children(element: etree._Element | None, tag: str) -> list[etree._Element]:
    return [] if element is None else element.findall(q(tag))


def text_of(element: etree._Element | None, tag: str) -> str | None:
    found = child(element, tag)
    return found.text if found is not None else None


def ref_of(element: etree._Element | None, field: str) -> tuple[int | None, str | None]:
    """``(typ:id, typ:ids)`` of a reference element (``(None, None)`` when absent)."""
    if element is None:
        return None, None
    return read_int(text_of(element, "typ:id"), f"{field}.id"), text_of(element, "typ:ids")


def ext_id_of(element: etree._Element | None) -> ExtId | None:
    if element is None:
        return None
    ids, system = text_of(element, "typ:ids"), text_of(element, "typ:exSystemName")
    if not ids or not system:
        return None
    return ExtId(ids=ids, system=system, text=text_of(element, "typ:exSystemText"))

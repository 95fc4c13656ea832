"""What POHODA would answer, for tests, the bench and demos: stock exports rendered from models or generated.

- :func:`stock_export_element` renders a :class:`StockItem` the way ``listStock`` exports it (the inverse of
  ``read_stock_item``), and :func:`response_pack` wraps answer elements in a ``rsp:responsePack``;
- :func:`write_stock_export` streams a synthetic export of any size with lxml's incremental ``xmlfile`` writer
  (memory stays flat while writing 100 000 cards), optionally with broken cards at chosen positions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import BinaryIO, cast

from lxml import etree

from connectors.pohoda.models.stock import StockItem
from connectors.pohoda.namespaces import NS, q
from connectors.pohoda.xml.elements import ElementWriter, sub
from connectors.pohoda.xml.encoding import ENCODING
from connectors.pohoda.xml.values import DEFAULT_TZ, fmt_bool, fmt_decimal, fmt_local_datetime

__all__ = ["response_pack", "stock_export_element", "write_stock_export"]

EXPORTED_AT = datetime(2025, 3, 1, 11, 0, tzinfo=UTC)


def stock_export_element(item: StockItem) -> etree._Element:
    """``lStk:stock`` as POHODA exports it (ids, quantities and picture ids included)."""
    w = ElementWriter(item.record)
    stock = etree.Element(q("lStk:stock"), version="2.0", nsmap=NS)
    header = sub(stock, "stk:stockHeader")
    w.integer(header, "stk:id", item.id)
    w.ext_id(header, "stk:extId", item.ext_id)
    sub(header, "stk:stockType", item.stock_type)
    w.text(header, "stk:code", item.code)
    w.text(header, "stk:EAN", item.ean)
    w.boolean(header, "stk:isSales", item.is_sales)
    w.boolean(header, "stk:isInternet", item.is_internet)
    if item.selling_vat is not None:
        sub(header, "stk:sellingRateVAT", item.selling_vat.value)
    w.text(header, "stk:name", item.name)
    w.text(header, "stk:unit", item.unit)
    w.ref(header, "stk:storage", item.storage_id, item.storage_path, limit=None)
    w.ref(header, "stk:typePrice", item.price_group_id, item.price_group)
    w.decimal(header, "stk:purchasingPrice", item.purchasing_price, payVAT=fmt_bool(item.purchasing_price_with_vat))
    w.decimal(header, "stk:sellingPrice", item.selling_price, payVAT=fmt_bool(item.selling_price_with_vat))
    for tag, value in (
        ("count", item.count),
        ("countIssue", item.count_issue),
        ("countReceivedOrders", item.count_received_orders),
        ("reservation", item.reservation),
    ):
        w.decimal(header, f"stk:{tag}", value)
    if item.supplier_id is not None:
        w.integer(sub(header, "stk:supplier"), "typ:id", item.supplier_id)
    w.text(header, "stk:producer", item.producer)
    w.text(header, "stk:description", item.description)
    if item.pictures:
        pictures = sub(header, "stk:pictures")
        for picture in item.pictures:
            element = sub(pictures, "stk:picture", default=fmt_bool(picture.default))
            w.integer(element, "stk:id", picture.id)
            w.text(element, "stk:filepath", picture.filepath)
            w.text(element, "stk:description", picture.description)
            w.integer(element, "stk:order", picture.order)
    if item.category_ids:
        categories = sub(header, "stk:categories")
        for category in item.category_ids:
            sub(categories, "stk:idCategory", str(category))
    if item.price_levels:
        levels = sub(stock, "stk:stockPriceItem")
        for level in item.price_levels:
            price = sub(levels, "stk:stockPrice")
            w.integer(price, "typ:id", level.id)
            w.text(price, "typ:ids", level.name)
            w.decimal(price, "typ:price", level.price)
    return stock


def response_pack(
    *answers: tuple[str, etree._Element | None],
    state: str = "ok",
    note: str | None = None,
    ico: str = "12345678",
    encoding: str = ENCODING,
) -> bytes:
    """A responsePack with one ``responsePackItem`` per ``(item id, answer element or None)``."""
    root = etree.Element(
        q("rsp:responsePack"),
        nsmap=NS,
        version="2.0",
        id="rsp-test",
        state=state,
        programVersion="14200.0 SQL (16.10.2025)",
        ico=ico,
    )
    if note:
        root.set("note", note)
    for item_id, answer in answers:
        item = sub(
            root,
            "rsp:responsePackItem",
            version="2.0",
            id=item_id,
            state="error" if answer is not None and answer.get("state") == "error" else "ok",
        )
        if answer is not None:
            item.append(answer)
    etree.cleanup_namespaces(root)
    # lxml-stubs type only ASCII/UTF-8 encodings as bytes; any encoding but "unicode" returns bytes
    return cast(bytes, etree.tostring(root, encoding=encoding, xml_declaration=True))


def list_stock_element(items: Iterable[StockItem], *, exported_at: datetime = EXPORTED_AT) -> etree._Element:
    listing = etree.Element(
        q("lStk:listStock"),
        nsmap=NS,
        version="2.0",
        state="ok",
        dateTimeStamp=fmt_local_datetime(exported_at, DEFAULT_TZ),
        dateValidFrom=exported_at.astimezone(DEFAULT_TZ).date().isoformat(),
    )
    for item in items:
        listing.append(stock_export_element(item))
    return listing


def write_stock_export(
    target: str | os.PathLike[str] | BinaryIO,
    count: int,
    *,
    broken: Mapping[int, str] | None = None,
    exported_at: datetime = EXPORTED_AT,
) -> None:
    """Stream a ``listStock`` answer with ``count`` cards (ids 1..count, codes ``SKU-0000001``…) to ``target``.

    ``broken`` maps 1-based positions to a defect: ``"price"`` (``12,50``: not a number), ``"code"`` (no
    code), ``"id"`` (``abc``). Each card has two pictures, two categories, an internet parameter and a price
    level, like a real e-shop export.
    """
    broken = dict(broken or {})
    stamp = fmt_local_datetime(exported_at, DEFAULT_TZ)
    with etree.xmlfile(target, encoding=ENCODING) as xf:
        xf.write_declaration()
        with xf.element(
            q("rsp:responsePack"),
            nsmap={p: NS[p] for p in ("rsp", "lStk", "stk", "typ")},
            version="2.0",
            id="export",
            state="ok",
            ico="12345678",
        ):
            with xf.element(q("rsp:responsePackItem"), version="2.0", id="LSTK", state="ok"):
                with xf.element(
                    q("lStk:listStock"), version="2.0", dateTimeStamp=stamp, dateValidFrom=stamp[:10], state="ok"
                ):
                    for number in range(1, count + 1):
                        xf.write("\n")
                        _write_card(xf, number, broken.get(number))
                    xf.write("\n")


def _write_card(xf: etree.xmlfile, number: int, defect: str | None) -> None:
    element = xf.element

    def leaf(tag: str, text: str, **attrib: str) -> None:
        with element(q(tag), **attrib):
            xf.write(text)

    with element(q("lStk:stock"), version="2.0"):
        with element(q("stk:stockHeader")):
            leaf("stk:id", "abc" if defect == "id" else str(number))
            leaf("stk:stockType", "card")
            if defect != "code":
                leaf("stk:code", f"SKU-{number:07d}")
            leaf("stk:EAN", f"859{number:010d}")
            leaf("stk:isSales", "true")
            leaf("stk:isInternet", "true")
            leaf("stk:name", f"Žluťoučký kůň – hrnek č. {number}")
            leaf("stk:unit", "ks")
            with element(q("stk:storage")):
                leaf("typ:id", "3")
                leaf("typ:ids", "ZBOŽÍ/Hrnky")
            with element(q("stk:typePrice")):
                leaf("typ:id", "1")
                leaf("typ:ids", "SK")
            leaf("stk:purchasingPrice", "80", payVAT="false")
            leaf(
                "stk:sellingPrice",
                "12,50" if defect == "price" else fmt_decimal(Decimal(100 + number % 900)),
                payVAT="true",
            )
            leaf("stk:sellingRateVAT", "high")
            leaf("stk:count", str(number % 50))
            leaf("stk:countIssue", str(max(0, number % 50 - 1)))
            leaf("stk:reservation", "1" if number % 50 else "0")
            with element(q("stk:supplier")):
                leaf("typ:id", "12")
            leaf("stk:producer", "Keramika Příbor")
            leaf("stk:description", "Ruční výroba, glazura odolná myčce.")
            with element(q("stk:pictures")):
                for index in (1, 2):
                    with element(q("stk:picture"), default=fmt_bool(index == 1)):
                        leaf("stk:id", str(number * 10 + index))
                        leaf("stk:filepath", f"SKU-{number:07d}_{index}.jpg")
                        leaf("stk:description", "Obrázek")
                        leaf("stk:order", str(index))
            with element(q("stk:categories")):
                leaf("stk:idCategory", "5")
                leaf("stk:idCategory", "7")
            with element(q("stk:intParameters")):
                with element(q("stk:intParameter")):
                    leaf("stk:intParameterID", "3")
                    leaf("stk:intParameterName", "Barva")
                    with element(q("stk:intParameterValues")):
                        with element(q("stk:intParameterValue")):
                            leaf("stk:parameterValue", "modrá")
        with element(q("stk:stockPriceItem")):
            with element(q("stk:stockPrice")):
                leaf("typ:id", "2")
                leaf("typ:ids", "Prodejní")
                leaf("typ:price", fmt_decimal(Decimal(100 + number % 900)))

"""Helpers for the POHODA emulator tests: build dataPacks with lxml, post them, read answers.

Requests are built with the real namespaces (never string templates) so a test reads like the dataPack it
sends: ``E("lStk:listStockRequest", E("lStk:requestStock"), version="2.0", stockVersion="2.0")``.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from lxml import etree

from emulators.pohoda import DEFAULT_ICO, DEFAULT_PASSWORD, DEFAULT_USER, NS

START = datetime(2025, 4, 1, 7, 0, tzinfo=UTC)  # after every seeded timestamp
AUTH = "Basic " + base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
HEADERS = {"STW-Authorization": AUTH, "STW-Application": "commerce-sync-tests", "Content-Type": "text/xml"}


def q(name: str) -> str:
    prefix, local = name.split(":", 1)
    return f"{{{NS[prefix]}}}{local}"


def E(name: str, *children: object, **attrs: object) -> etree._Element:
    """An element; children are elements or text (str/int/Decimal/bool), attributes are stringified."""
    element = etree.Element(q(name), {k: _text(v) for k, v in attrs.items() if v is not None}, nsmap=NS)
    for item in children:
        if item is None:
            continue
        if isinstance(item, etree._Element):
            element.append(item)
        else:
            element.text = _text(item)
    return element


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def data_pack(
    *items: tuple[str, etree._Element],
    pack_id: str = "pack-1",
    ico: str | None = DEFAULT_ICO,
    encoding: str = "Windows-1250",
) -> bytes:
    """A ``dat:dataPack`` with one ``dat:dataPackItem`` per (id, agenda element)."""
    pack = E(
        "dat:dataPack", version="2.0", id=pack_id, ico=ico, application="commerce-sync-tests", note="Testovací dávka"
    )
    for item_id, agenda in items:
        pack.append(E("dat:dataPackItem", agenda, version="2.0", id=item_id))
    return etree.tostring(pack, xml_declaration=True, encoding=encoding)


def post(client: httpx.Client, body: bytes, check_duplicity: bool = False, **headers: str) -> etree._Element:
    """POST /xml, assert HTTP 200, return the responsePack root."""
    sent = {**HEADERS, **headers}
    if check_duplicity:
        sent["STW-Check-Duplicity"] = "true"
    response = client.post("/xml", content=body, headers=sent)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def item(pack: etree._Element, item_id: str) -> etree._Element:
    found = pack.find(f"rsp:responsePackItem[@id='{item_id}']", NS)
    assert found is not None, etree.tostring(pack, encoding="unicode")
    return found


def texts(element: etree._Element, path: str) -> list[str]:
    return [node.text for node in element.iterfind(path, NS)]


def one(element: etree._Element, path: str) -> str:
    values = texts(element, path)
    assert len(values) == 1, f"{path}: {values}"
    return values[0]


# -- request builders ------------------------------------------------------------------------------------------


def stock_list(
    *filters: etree._Element,
    id_from: int | None = None,
    count: int | None = None,
    restriction: etree._Element | None = None,
) -> etree._Element:
    limit = None
    if id_from is not None or count is not None:
        limit = E(
            "lStk:limit",
            E("ftr:idFrom", id_from) if id_from is not None else None,
            E("ftr:count", count) if count is not None else None,
        )
    request = E("lStk:requestStock", E("ftr:filter", *filters) if filters else None)
    return E("lStk:listStockRequest", limit, request, restriction, version="2.0", stockVersion="2.0")


def order_list(
    *filters: etree._Element, ext_system: str | None = None, restriction: etree._Element | None = None
) -> etree._Element:
    request = E("lst:requestOrder", E("ftr:filter", *filters) if filters else None)
    return E(
        "lst:listOrderRequest",
        request,
        restriction,
        version="2.0",
        orderType="receivedOrder",
        orderVersion="2.0",
        extSystem=ext_system,
    )


def stock_card(
    code: str, name: str, store: str = "ZBOŽÍ", price: Decimal | int = 100, **extra: object
) -> etree._Element:
    header = E(
        "stk:stockHeader",
        E("stk:stockType", "card"),
        E("stk:code", code),
        E("stk:name", name),
        E("stk:storage", E("typ:ids", store)),
        E("stk:typePrice", E("typ:ids", "SK")),
        E("stk:sellingPrice", price, payVAT="true"),
    )
    for key, value in extra.items():
        header.append(E(f"stk:{key}", value))
    return E("stk:stock", header, version="2.0")


def received_order(
    ext_id: str, *lines: tuple[str, int, Decimal | int], number_order: str | None = None, system: str = "shop"
) -> etree._Element:
    """An order from the e-shop: lines are (code, quantity, unit price with VAT)."""
    items = [
        E(
            "ord:orderItem",
            E("ord:text", f"Zboží {code}"),
            E("ord:quantity", quantity),
            E("ord:payVAT", True),
            E("ord:rateVAT", "high"),
            E("ord:homeCurrency", E("typ:unitPrice", price)),
            E("ord:code", code),
            E("ord:stockItem", E("typ:stockItem", E("typ:ids", code))),
        )
        for code, quantity, price in lines
    ]
    header = E(
        "ord:orderHeader",
        E("ord:extId", E("typ:ids", ext_id), E("typ:exSystemName", system)),
        E("ord:orderType", "receivedOrder"),
        E("ord:numberOrder", number_order or ext_id),
        E("ord:date", "2025-03-03"),
        E(
            "ord:partnerIdentity",
            E(
                "typ:address",
                E("typ:name", "Jan Novák"),
                E("typ:city", "Praha"),
                E("typ:email", "jan.novak@example.com"),
            ),
        ),
        E("ord:isReserved", True),
    )
    return E("ord:order", header, E("ord:orderDetail", *items), version="2.0")

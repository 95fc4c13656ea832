"""Pieces of export records shared by several agendas: numbers, addresses, stock references, links, prices.

Element order matters where the XSD uses ``sequence`` (``typ:address``: id, extId, address, shipToAddress) and
is free where it uses ``all`` (most headers); the builders follow the XSD order everywhere anyway, so the
answers read like POHODA's.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from . import records as r
from .xml import local_name, opt, sub

CENT = Decimal("0.01")
VAT_PERCENT = {
    "none": Decimal("0"),
    "high": Decimal("21"),
    "low": Decimal("12"),
    "third": Decimal("0"),
    "historyHigh": Decimal("21"),
    "historyLow": Decimal("15"),
    "historyThird": Decimal("10"),
}
SERIES_IDS = {"order": "OBP", "vydejka": "VYD", "bank": "BAN", "cash": "POK", "invoice": "FV"}


def request_groups(
    request: etree._Element, request_name: str
) -> Iterator[tuple[etree._Element | None, etree._Element, etree._Element | None]]:
    """A list request repeats ``(limit?, request…, restrictionData?)`` up to 255 times: yield each group."""
    limit = restriction = current = None
    for node in request:
        name = local_name(node)
        if name == "limit":
            if current is not None:
                yield limit, current, restriction
                limit = restriction = current = None
            limit = node
        elif name == request_name:
            if current is not None:
                yield limit, current, restriction
                limit = restriction = None
            current = node
        elif name == "restrictionData":
            restriction = node
    if current is not None:
        yield limit, current, restriction


def restriction_flag(restriction: etree._Element | None, name: str, default: bool = True) -> bool:
    if restriction is None:
        return default
    for node in restriction:
        if local_name(node) == name:
            return (node.text or "").strip() == "true"
    return default


def number(parent: etree._Element, name: str, series: str, value: str) -> None:
    node = sub(parent, name)
    sub(node, "typ:ids", SERIES_IDS[series])
    sub(node, "typ:numberRequested", value)


def ext_id(parent: etree._Element, name: str, value: r.ExtId | None, ext_system: str | None) -> None:
    """Exported only for the external system the request names (``@extSystem``), as POHODA does."""
    if value is None or ext_system is None or value.system != ext_system:
        return
    node = sub(parent, name)
    sub(node, "typ:ids", value.ids)
    sub(node, "typ:exSystemName", value.system)


def address_fields(node: etree._Element, address: r.Address) -> None:
    opt(node, "typ:company", address.company)
    opt(node, "typ:name", address.name)
    opt(node, "typ:city", address.city)
    opt(node, "typ:street", address.street)
    opt(node, "typ:zip", address.zip)
    opt(node, "typ:ico", address.ico)
    opt(node, "typ:dic", address.dic)
    if address.country:
        sub(sub(node, "typ:country"), "typ:ids", address.country)
    opt(node, "typ:phone", address.phone)
    opt(node, "typ:email", address.email)


def identity(
    parent: etree._Element,
    name: str,
    partner_id: int | None,
    address: r.Address | None,
    ship_to: list[r.Address] = (),
    extid: r.ExtId | None = None,
    ext_system: str | None = None,
) -> None:
    """``typ:address`` (a sequence: id, extId, address, shipToAddress)."""
    if partner_id is None and address is None and not ship_to:
        return
    node = sub(parent, name)
    opt(node, "typ:id", partner_id)
    ext_id(node, "typ:extId", extid, ext_system)
    if address is not None:
        address_fields(sub(node, "typ:address"), address)
    for other in ship_to:
        target = sub(node, "typ:shipToAddress")
        for field in ("company", "name", "city", "street", "zip"):
            opt(target, f"typ:{field}", getattr(other, field))
        if other.country:
            sub(sub(target, "typ:country"), "typ:ids", other.country)
        opt(target, "typ:phone", other.phone)
        opt(target, "typ:email", other.email)


def stock_ref(parent: etree._Element, name: str, card: r.StockCard | None, store: r.Store | None) -> None:
    """``typ:stockItemType``: the store and the card (id + code)."""
    if card is None:
        return
    node = sub(parent, name)
    if store is not None:
        store_node = sub(node, "typ:store")
        sub(store_node, "typ:id", store.id)
        sub(store_node, "typ:ids", store.name)
    item = sub(node, "typ:stockItem")
    sub(item, "typ:id", card.id)
    sub(item, "typ:ids", card.code)


def links(parent: etree._Element, name: str, items: list[r.DocLink]) -> None:
    if not items:
        return
    node = sub(parent, name)
    for link in items:
        entry = sub(node, "typ:link")
        sub(entry, "typ:sourceAgenda", link.agenda)
        document = sub(entry, "typ:sourceDocument")
        sub(document, "typ:id", link.id)
        sub(document, "typ:number", link.number)


def text_parameters(parent: etree._Element, name: str, values: dict[str, str | None]) -> None:
    present = {k: v for k, v in values.items() if v}
    if not present:
        return
    node = sub(parent, name)
    for key, value in present.items():
        parameter = sub(node, "typ:parameter")
        sub(parameter, "typ:name", key)
        sub(parameter, "typ:textValue", value)


def item_prices(
    quantity: Decimal, unit_price: Decimal, pay_vat: bool, rate: str, discount: Decimal = Decimal("0")
) -> tuple[Decimal, Decimal, Decimal]:
    """(price without VAT, VAT, price with VAT) of a line, as POHODA's ``homeCurrency`` exports them."""
    percent = VAT_PERCENT.get(rate, Decimal("0")) / 100
    gross_or_net = quantity * unit_price * (1 - discount / 100)
    if pay_vat:
        total = gross_or_net.quantize(CENT, ROUND_HALF_UP)
        base = (total / (1 + percent)).quantize(CENT, ROUND_HALF_UP)
        return base, total - base, total
    base = gross_or_net.quantize(CENT, ROUND_HALF_UP)
    vat = (base * percent).quantize(CENT, ROUND_HALF_UP)
    return base, vat, base + vat

"""lxml helpers shared by the readers and the builders: namespaces, qualified names, typed reads and writes.

Requests are parsed from bytes with a hardened parser (no entities, no network, no DTD), so a dataPack can
declare Windows-1250 or UTF-8 in its prolog and lxml honours it. Answers are built element by element — never
from string templates — and serialised in Windows-1250 with the prolog POHODA writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from lxml import etree

_BASE = "http://www.stormware.cz/schema/version_2/"
NS: dict[str, str] = {
    "dat": _BASE + "data.xsd",
    "rsp": _BASE + "response.xsd",
    "rdc": _BASE + "documentresponse.xsd",
    "typ": _BASE + "type.xsd",
    "ftr": _BASE + "filter.xsd",
    "lst": _BASE + "list.xsd",
    "lStk": _BASE + "list_stock.xsd",
    "lAdb": _BASE + "list_addBook.xsd",
    "stk": _BASE + "stock.xsd",
    "ord": _BASE + "order.xsd",
    "adb": _BASE + "addressbook.xsd",
    "ctg": _BASE + "category.xsd",
    "ipm": _BASE + "intParam.xsd",
    "sup": _BASE + "supplier.xsd",
    "sto": _BASE + "store.xsd",
    "vyd": _BASE + "vydejka.xsd",
    "bnk": _BASE + "bank.xsd",
    "vch": _BASE + "voucher.xsd",
    "inv": _BASE + "invoice.xsd",
}
RESPONSE_ENCODING = "Windows-1250"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def q(name: str) -> str:
    """``"stk:code"`` → ``"{http://…/stock.xsd}code"``."""
    prefix, local = name.split(":", 1)
    return f"{{{NS[prefix]}}}{local}"


def parse_bytes(body: bytes) -> etree._Element:
    """The root of a request; raises ``etree.XMLSyntaxError`` for a body that is not well-formed XML."""
    return etree.fromstring(body, _PARSER)


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding=RESPONSE_ENCODING, pretty_print=True)


def root(name: str, nsmap_prefixes: Iterable[str], **attrs: str) -> etree._Element:
    return etree.Element(
        q(name), {k: v for k, v in attrs.items() if v is not None}, nsmap={p: NS[p] for p in nsmap_prefixes}
    )


def sub(parent: etree._Element, name: str, text: object = None, **attrs: object) -> etree._Element:
    """Append ``name`` under ``parent``; ``text`` is written with :func:`fmt` (bools as true/false)."""
    element = etree.SubElement(parent, q(name), {k: fmt(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = fmt(text)
    return element


def opt(parent: etree._Element, name: str, text: object) -> etree._Element | None:
    """Append ``name`` only when ``text`` is not None/empty: optional fields stay out of the answer."""
    if text is None or text == "":
        return None
    return sub(parent, name, text)


def fmt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal, "f")
    return str(value)


def child(element: etree._Element | None, path: str) -> etree._Element | None:
    """First match of a ``/``-separated prefixed path (``"stk:storage/typ:ids"``), or None."""
    if element is None:
        return None
    return element.find(path, NS)


def text(element: etree._Element | None, path: str | None = None) -> str | None:
    node = child(element, path) if path else element
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value or None


def bool_of(element: etree._Element | None, path: str | None = None) -> bool | None:
    value = text(element, path)
    return None if value is None else value == "true"


def decimal_of(element: etree._Element | None, path: str | None = None) -> Decimal | None:
    value = text(element, path)
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{path or 'value'}: not a number: {value!r}") from None


def int_of(element: etree._Element | None, path: str | None = None) -> int | None:
    value = text(element, path)
    return None if value is None else int(value)


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def prefixed(element: etree._Element) -> str:
    """``{…/stock.xsd}stock`` → ``stk:stock`` (for notes and dispatch)."""
    qname = etree.QName(element)
    for prefix, uri in NS.items():
        if uri == qname.namespace:
            return f"{prefix}:{qname.localname}"
    return qname.localname


def xpath_of(element: etree._Element) -> str:
    """A POHODA-style XPath (``/dat:dataPack/dat:dataPackItem[1]/stk:stock[1]/…``) for importDetails."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        position = 1
        if parent is not None:
            position = 1 + sum(1 for sib in node.itersiblings(preceding=True) if sib.tag == node.tag)
        steps.append(f"{prefixed(node)}[{position}]" if parent is not None else prefixed(node))
        node = parent
    return "/" + "/".join(reversed(steps))

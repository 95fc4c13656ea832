"""The POHODA XML "version_2" namespaces and the prefixes STORMWARE's own documents use.

Why a module of its own: every builder and parser names elements as ``"stk:code"``; :func:`q` turns that into
lxml's Clark name ``{http://www.stormware.cz/schema/version_2/stock.xsd}code`` once (cached), so code reads
like the XSDs and the samples, and a typo in a prefix fails loudly (``KeyError``) instead of matching nothing.

The Slovak edition of POHODA uses ``http://www.stormware.sk/...``; this connector speaks the Czech namespaces.
"""

from __future__ import annotations

from functools import cache

__all__ = ["BASE", "NS", "local_name", "q"]

BASE = "http://www.stormware.cz/schema/version_2/"

_FILES = {
    "dat": "data.xsd",
    "rsp": "response.xsd",
    "rdc": "documentresponse.xsd",
    "typ": "type.xsd",
    "ftr": "filter.xsd",
    "lst": "list.xsd",
    "lStk": "list_stock.xsd",
    "lAdb": "list_addBook.xsd",
    "stk": "stock.xsd",
    "ord": "order.xsd",
    "adb": "addressbook.xsd",
    "ctg": "category.xsd",
    "sup": "supplier.xsd",
    "sto": "store.xsd",
    "bnk": "bank.xsd",
    "vyd": "vydejka.xsd",
    "vch": "voucher.xsd",
    "ipm": "intParam.xsd",
}

NS: dict[str, str] = {prefix: BASE + name for prefix, name in _FILES.items()}
"""Prefix → namespace URI; also the ``nsmap`` of every ``dat:dataPack`` we write."""

_READ_ONLY: dict[str, str] = {"inv": BASE + "invoice.xsd"}
"""Invoices: read, and written only as credit notes (shop refunds). Kept out of ``NS`` so the nsmap of every
other dataPack we write, and so their content-derived ids, stay as they are."""


@cache
def q(name: str) -> str:
    """``"stk:code"`` → ``"{…/stock.xsd}code"`` (lxml's Clark notation)."""
    prefix, _, local = name.partition(":")
    return f"{{{NS.get(prefix) or _READ_ONLY[prefix]}}}{local}"


def local_name(tag: object) -> str:
    """The local part of a Clark name (``"{ns}code"`` → ``"code"``); comments/PIs give ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]

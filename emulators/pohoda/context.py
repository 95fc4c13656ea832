"""What every dataPackItem handler gets: the state, the config, and which pack/item it is answering."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from . import records as r
from .config import PohodaEmulatorConfig
from .filters import ext_id_of
from .responses import Detail, RecordRefused
from .state import PohodaState
from .xml import child, text, xpath_of


@dataclass
class ItemContext:
    state: PohodaState
    config: PohodaEmulatorConfig
    pack_id: str
    item_id: str

    @property
    def zone(self) -> str:
        return self.config.time_zone


def refuse(node: etree._Element, note: str, errno: int = 101, requested: str | None = None) -> RecordRefused:
    """An error detail pointing at ``node`` (POHODA answers with the XPath of the offending element)."""
    return RecordRefused(Detail("error", note, errno=errno, xpath=xpath_of(node), requested=requested))


def warning(
    node: etree._Element, note: str, errno: int = 603, requested: str | None = None, produced: str | None = None
) -> Detail:
    return Detail("warning", note, errno=errno, xpath=xpath_of(node), requested=requested, produced=produced)


def read_address(node: etree._Element | None) -> r.Address | None:
    """``typ:addressType`` / ``typ:shipToAddressType`` → :class:`Address` (None when absent or empty: POHODA
    writes an unused ship-to address as empty elements, ``soukupm2__acc-sync/…/objednavky_01_v2.0_response.xml``)."""
    if node is None:
        return None
    address = r.Address(
        company=text(node, "typ:company"),
        name=text(node, "typ:name"),
        city=text(node, "typ:city"),
        street=text(node, "typ:street"),
        zip=text(node, "typ:zip"),
        ico=text(node, "typ:ico"),
        dic=text(node, "typ:dic"),
        country=text(node, "typ:country/typ:ids"),
        phone=text(node, "typ:phone") or text(node, "typ:mobilPhone"),
        email=text(node, "typ:email"),
    )
    return address if any(vars(address).values()) else None


def read_ext_id(parent: etree._Element | None, name: str) -> r.ExtId | None:
    return ext_id_of(child(parent, name))

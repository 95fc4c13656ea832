"""``typ:address`` / ``typ:shipToAddress``: the party block orders, the address book and delivery notes share."""

from __future__ import annotations

from lxml import etree

from connectors.pohoda.models.orders import PartyAddress
from connectors.pohoda.xml.elements import ElementWriter, child, ref_of, sub, text_of

__all__ = ["read_address", "write_address"]


def write_address(w: ElementWriter, parent: etree._Element, tag: str, address: PartyAddress | None, field: str) -> None:
    """A ``typ:address`` or ``typ:shipToAddress`` (the latter has no ico/dic/mobile)."""
    if address is None:
        return
    kind = "addressType" if tag == "typ:address" else "shipToAddressType"
    element = sub(parent, tag)
    for name in ("company", "division", "name", "city", "street", "zip"):
        w.text(element, f"typ:{name}", getattr(address, name), f"typ:{kind}/{name}", field=f"{field}.{name}")
    if kind == "addressType":
        w.text(element, "typ:ico", address.ico, "typ:addressType/ico", field=f"{field}.ico")
        w.text(element, "typ:dic", address.dic, "typ:addressType/dic", field=f"{field}.dic")
    w.ref(element, "typ:country", ids=address.country, field=f"{field}.country")
    w.text(element, "typ:phone", address.phone, f"typ:{kind}/phone", field=f"{field}.phone")
    if kind == "addressType":
        w.text(element, "typ:mobilPhone", address.mobile, "typ:addressType/mobilPhone", field=f"{field}.mobile")
    w.text(element, "typ:email", address.email, f"typ:{kind}/email", field=f"{field}.email")


def read_address(element: etree._Element | None) -> PartyAddress | None:
    """The address, or ``None`` when there is none: POHODA exports an unused ``typ:shipToAddress`` as empty
    elements (``<typ:company/>`` …), and an address with no value in it is no address."""
    if element is None:
        return None
    fields = {
        name: text_of(element, f"typ:{name}")
        for name in ("company", "division", "name", "city", "street", "zip", "ico", "dic", "phone", "email")
    }
    fields["mobile"] = text_of(element, "typ:mobilPhone")
    fields["country"] = ref_of(child(element, "typ:country"), "country")[1]
    if not any(value and value.strip() for value in fields.values()):
        return None
    return PartyAddress(**fields)

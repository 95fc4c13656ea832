"""The address book (``adb:addressbook``): the customer import, the export request and the exported entry.

Add-or-update by the shop's customer id: ``adb:update add="true"`` with ``ftr:filter/ftr:extId``, so the same
request creates the customer once and keeps it current afterwards. Matching by POHODA's ``id`` updates a
customer found by email/phone in an earlier listing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.directory import AddressBookEntry
from connectors.pohoda.models.orders import PartyAddress
from connectors.pohoda.models.requests import AddressBookListRequest
from connectors.pohoda.xml.agendas._lists import drop_if_empty, ext_system, limit, list_item
from connectors.pohoda.xml.agendas.addresses import read_address, write_address
from connectors.pohoda.xml.elements import ElementWriter, agenda, child, children, ext_id_of, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ, read_int

__all__ = ["address_book_entry", "list_address_book", "read_address_book"]


def address_book_entry(
    entry: AddressBookEntry,
    *,
    match: Literal["ext_id", "id", "none"] = "ext_id",
    scope: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> DataPackItem:
    """The dataPackItem that writes ``entry``; ``match="none"`` always adds a new address.

    ``scope``: the sync run, as for stock cards (see ``pack.py``).
    """
    w = ElementWriter(entry.record, tz)
    root = agenda("adb:addressbook", version="2.0")
    if match == "ext_id":
        if not entry.ext_ids:
            raise RecordError(entry.record, "ext_ids", "matching by ext_id needs an ext_id")
        w.ext_id(
            sub(sub(sub(root, "adb:actionType"), "adb:update", add="true"), "ftr:filter"), "ftr:extId", entry.ext_ids[0]
        )
        key = entry.ext_ids[0].ids
    elif match == "id":
        if entry.id is None:
            raise RecordError(entry.record, "id", "matching by id needs POHODA's id")
        w.integer(sub(sub(sub(root, "adb:actionType"), "adb:update"), "ftr:filter"), "ftr:id", entry.id)
        key = str(entry.id)
    else:
        key = entry.email or entry.address.company or entry.address.name or "address"
    header = sub(root, "adb:addressbookHeader")
    identity = sub(header, "adb:identity")
    for ext_id in entry.ext_ids:
        w.ext_id(identity, "typ:extId", ext_id)
    write_address(w, identity, "typ:address", entry.address, "address")
    for index, ship_to in enumerate(entry.ship_to):
        write_address(w, identity, "typ:shipToAddress", ship_to, f"ship_to[{index}]")
    w.text(header, "adb:phone", entry.phone, "adb:addressbookHeaderType/phone")
    w.text(header, "adb:mobil", entry.mobile, "adb:addressbookHeaderType/mobil", field="mobile")
    w.text(header, "adb:email", entry.email, "adb:addressbookHeaderType/email")
    w.text(header, "adb:web", entry.web, "adb:addressbookHeaderType/web")
    w.text(header, "adb:note", entry.note)
    return make_item(f"address.{match}", key, root, record=entry.record, writes=True, scope=scope)


def list_address_book(request: AddressBookListRequest | None = None, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """The address-book export: one keyset page of the entries ``request`` filters."""
    request = request or AddressBookListRequest()
    w = ElementWriter("address book list request", tz)
    attrib = {"version": "2.0", "addressBookVersion": "2.0", **ext_system(w, request.ext_system)}
    root = agenda("lAdb:listAddressBookRequest", **attrib)
    limit(w, root, "lAdb:limit", request.page)
    flt = sub(sub(root, "lAdb:requestAddressBook"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.text(flt, "ftr:company", request.company, "typ:addressType/company")
    w.text(flt, "ftr:ico", request.ico, "typ:addressType/ico")
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    drop_if_empty(flt)
    return list_item("list.addresses", root, request.page)


def read_address_book(element: etree._Element, *, exported_at: datetime | None = None) -> AddressBookEntry:
    """One exported entry (or our own import), with its "Číslo" (``adb:number``) when POHODA gave one."""
    header = child(element, "adb:addressbookHeader")
    identity = child(header, "adb:identity")
    number = child(header, "adb:number")
    ext_ids = [e for e in (ext_id_of(x) for x in children(identity, "typ:extId")) if e is not None]
    return AddressBookEntry(
        id=read_int(text_of(header, "adb:id"), "id"),
        number=text_of(number, "typ:numberRequested") or text_of(number, "typ:ids"),
        ext_ids=ext_ids,
        address=read_address(child(identity, "typ:address")) or PartyAddress(),
        ship_to=[a for a in (read_address(s) for s in children(identity, "typ:shipToAddress")) if a is not None],
        phone=text_of(header, "adb:phone"),
        mobile=text_of(header, "adb:mobil"),
        email=text_of(header, "adb:email"),
        web=text_of(header, "adb:web"),
        note=text_of(header, "adb:note"),
        exported_at=exported_at,
    )

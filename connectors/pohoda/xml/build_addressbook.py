"""Address-book import (``adb:addressbook``): the customer a received order links to.

Add-or-update by the shop's customer id: ``adb:update add="true"`` with ``ftr:filter/ftr:extId``, so the same
request creates the customer once and keeps it current afterwards. Matching by POHODA's ``id`` updates a
customer found by email/phone in an earlier listing.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.directory import AddressBookEntry
from connectors.pohoda.xml.build_documents import write_address
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ

__all__ = ["address_book_entry"]


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

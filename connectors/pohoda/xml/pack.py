"""The ``dat:dataPack`` envelope, with ids that make a retried request harmless.

POHODA's batch duplicity check ("Kontrola duplicity dávek", switched on per request by the client's
``STW-Check-Duplicity: true``) compares ``dataPack/@id`` + ``dataPackItem/@id`` with what it imported before
and answers a repeat with ``recordDuplicity`` instead of importing twice. So both ids are *derived*, never
random:

- An item's id hashes ``(operation, record key, content, scope)`` — content is the canonical XML (C14N) of the
  agenda element. A retry of the same record sends the same id; a changed stock card gets a new id, so the
  update is applied. ``scope`` is the sync run (its window or flow-run id): POHODA remembers every id it
  imported, so a card changed A → B → A across runs would otherwise be refused as a duplicate the third time;
  with the run in the id, a retry *within* a run is recognised and a later run's write is applied.
- Documents POHODA cannot update (orders, payments) use ``identity="record"``: the id hashes only
  ``(operation, record key, revision)``. An edited shop order must never become a second POHODA order; the flow
  detects the edit (``Order.lines_signature``) and decides. ``revision`` lets a deliberately deleted document be
  imported again.
- The pack id hashes the application, the IČO and the item ids in order: the same items re-sent form the same
  pack. Send create-once documents one per pack (:meth:`DataPack.single`), so a retry after a partial failure
  re-sends exactly the pack POHODA saw.

Ids stay readable in POHODA's "XML import" agenda: ``ord-1001-<16 hex>``, within the 64 characters allowed.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, cast

from lxml import etree

from connectors.pohoda.namespaces import NS, q
from connectors.pohoda.xml.encoding import is_cp1250, transliterate

__all__ = ["DataPack", "DataPackItem", "make_item"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _slug(text: str, limit: int) -> str:
    return _UNSAFE.sub("-", transliterate(text)).strip("-")[:limit] or "x"


@dataclass(frozen=True)
class DataPackItem:
    """One agenda element ready to send: what it is (``operation``), whose (``record``), and its id."""

    id: str
    operation: str
    record: str
    element: etree._Element
    writes: bool

    @property
    def agenda(self) -> str:
        """``stk:stock``-style name of the agenda element."""
        namespace, _, local = self.element.tag[1:].partition("}")
        prefix = next(p for p, uri in NS.items() if uri == namespace)
        return f"{prefix}:{local}"


def make_item(
    operation: str,
    key: str,
    element: etree._Element,
    *,
    record: str,
    writes: bool,
    identity: Literal["content", "record"] = "content",
    revision: int = 0,
    scope: str | None = None,
) -> DataPackItem:
    """Wrap a built agenda element; see the module docstring for how ``identity`` and ``scope`` shape the id."""
    digest = hashlib.sha256()
    digest.update(f"{operation}\0{key}\0".encode())
    if identity == "content":
        digest.update(etree.tostring(element, method="c14n"))
        if scope:
            digest.update(f"\0scope {scope}".encode())
    elif revision:
        digest.update(f"revision {revision}".encode())
    prefix = f"{_slug(operation, 16)}-{_slug(key, 30)}"
    return DataPackItem(f"{prefix}-{digest.hexdigest()[:16]}", operation, record, element, writes)


class DataPack:
    """A request to mServer: application, company IČO, note, and one or more items."""

    def __init__(self, *, application: str, ico: str, note: str, items: Iterable[DataPackItem] = ()) -> None:
        if not application.strip():
            raise ValueError("application must not be empty (POHODA shows it in the XML import agenda)")
        if not ico.strip():
            raise ValueError("ico must not be empty: POHODA refuses a pack for another company only if it is set")
        self.application = transliterate(application)[:100]
        self.ico = ico.strip()
        self.note = transliterate(note)
        self._items: list[DataPackItem] = []
        for item in items:
            self.add(item)

    @classmethod
    def single(cls, item: DataPackItem, *, application: str, ico: str, note: str | None = None) -> DataPack:
        return cls(application=application, ico=ico, note=note or item.record, items=[item])

    def add(self, item: DataPackItem) -> DataPack:
        if any(existing.id == item.id for existing in self._items):
            raise ValueError(f"{item.record}: the same item ({item.id}) is already in this dataPack")
        self._items.append(item)
        return self

    @property
    def items(self) -> list[DataPackItem]:
        return list(self._items)

    def __iter__(self) -> Iterator[DataPackItem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def writes(self) -> bool:
        """True when any item imports data (then the client checks the company and asks for duplicity checks)."""
        return any(item.writes for item in self._items)

    @property
    def id(self) -> str:
        if not self._items:
            raise ValueError("an empty dataPack has no id (POHODA requires at least one dataPackItem)")
        digest = hashlib.sha256("\0".join([self.application, self.ico, *(i.id for i in self._items)]).encode())
        return f"{_slug(self.application, 20)}-{digest.hexdigest()[:32]}"

    def item(self, item_id: str) -> DataPackItem:
        for item in self._items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_element(self) -> etree._Element:
        root = etree.Element(
            q("dat:dataPack"),
            nsmap=NS,
            version="2.0",
            id=self.id,
            ico=self.ico,
            application=self.application,
            note=self.note,
        )
        for item in self._items:
            wrapper = etree.SubElement(root, q("dat:dataPackItem"), version="2.0", id=item.id)
            wrapper.append(copy.deepcopy(item.element))  # a copy: one built item may go into several packs
        etree.cleanup_namespaces(root)  # declare each prefix once, on the root, as STORMWARE's samples do
        return root

    def to_bytes(self) -> bytes:
        """The request body: Windows-1250, declared as such, every text representable (no ``&#…;``)."""
        root = self.to_element()
        for element in root.iter():
            if element.text and not is_cp1250(element.text):
                raise ValueError(f"text of {element.tag} was not transliterated: {element.text!r}")
        # lxml-stubs type only ASCII/UTF-8 encodings as bytes; any encoding but "unicode" returns bytes
        return cast(bytes, etree.tostring(root, encoding="Windows-1250", xml_declaration=True))

    def __repr__(self) -> str:
        return f"DataPack(ico={self.ico!r}, items={[i.id for i in self._items]!r})"

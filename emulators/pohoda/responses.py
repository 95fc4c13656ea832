"""Building ``rsp:responsePack`` answers: the pack, its items, import answers, list envelopes, duplicities.

Shapes follow ``response.xsd`` / ``documentresponse.xsd``: an import answer is a ``rdc:documentResponseType``
(``importDetails`` then ``producedDetails``); a list answer is a ``rdc:listVersionType`` with the required
``version``, ``dateTimeStamp``, ``dateValidFrom`` and ``state`` attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from connectors.errors import CommerceSyncError

from .clock import local_date, local_text
from .records import ExtId
from .state import ImportedRecord
from .xml import NS, opt, q, sub

_PACK_PREFIXES = (
    "rsp",
    "rdc",
    "typ",
    "lst",
    "lStk",
    "lAdb",
    "ftr",
    "stk",
    "ord",
    "adb",
    "ctg",
    "ipm",
    "sup",
    "sto",
    "vyd",
    "bnk",
    "vch",
    "inv",
)


@dataclass
class Detail:
    """One ``rdc:detail``: state ok|warning|error, POHODA's error number, note and where it happened."""

    state: str
    note: str
    errno: int | None = None
    xpath: str | None = None
    requested: str | None = None
    produced: str | None = None


@dataclass
class Produced:
    id: int
    number: str | None = None
    code: str | None = None
    action: str | None = None
    ext_id: ExtId | None = None


@dataclass
class ImportOutcome:
    """What an import handler did: the answer's details and, when it created a record, what to remember."""

    produced: Produced | None = None
    details: list[Detail] = field(default_factory=list)
    record: ImportedRecord | None = None

    @property
    def state(self) -> str:
        return "error" if any(d.state == "error" for d in self.details) else "ok"


class RecordRefused(CommerceSyncError):
    """An import the emulated POHODA refuses (item state ``error``); carries the detail to answer with."""

    def __init__(self, detail: Detail):
        super().__init__(detail.note)
        self.detail = detail


class Duplicity(CommerceSyncError):
    """The record already exists (same batch ids or same extId): answered with ``rsp:recordDuplicity``."""

    def __init__(self, record: ImportedRecord, note: str):
        super().__init__(note)
        self.record = record
        self.note = note


def response_pack(
    pack_id: str, state: str, *, ico: str, program_version: str, note: str | None = None
) -> etree._Element:
    attrs = {"version": "2.0", "id": pack_id, "state": state, "programVersion": program_version, "ico": ico}
    if note:
        attrs["note"] = note
    return etree.Element(q("rsp:responsePack"), attrs, nsmap={p: NS[p] for p in _PACK_PREFIXES})


def pack_item(pack: etree._Element, item_id: str, state: str = "ok", note: str | None = None) -> etree._Element:
    return sub(pack, "rsp:responsePackItem", version="2.0", id=item_id, state=state, note=note)


def import_answer(item: etree._Element, name: str, outcome: ImportOutcome) -> etree._Element:
    """``stk:stockItemResponse`` & co.: importDetails (if any), then producedDetails (if a record was made)."""
    answer = sub(item, name, version="2.0", state=outcome.state)
    if outcome.details:
        details = sub(answer, "rdc:importDetails")
        for detail in outcome.details:
            _detail(details, detail)
    if outcome.produced is not None:
        produced = sub(answer, "rdc:producedDetails")
        sub(produced, "rdc:id", outcome.produced.id)
        opt(produced, "rdc:number", outcome.produced.number)
        opt(produced, "rdc:code", outcome.produced.code)
        opt(produced, "rdc:actionType", outcome.produced.action)
        if outcome.produced.ext_id is not None:
            ext = sub(produced, "rdc:extId")
            sub(ext, "typ:ids", outcome.produced.ext_id.ids)
            sub(ext, "typ:exSystemName", outcome.produced.ext_id.system)
    return answer


def _detail(parent: etree._Element, detail: Detail) -> None:
    node = sub(parent, "rdc:detail")
    sub(node, "rdc:state", detail.state)
    opt(node, "rdc:errno", detail.errno)
    opt(node, "rdc:note", detail.note)
    if detail.xpath:
        sub(node, "rdc:XPath", detail.xpath)
        opt(node, "rdc:valueRequested", detail.requested)
        opt(node, "rdc:valueProduced", detail.produced)


def record_duplicity(item: etree._Element, record: ImportedRecord) -> None:
    error = sub(item, "rsp:errorDetail")
    duplicity = sub(error, "rsp:recordDuplicity")
    sub(duplicity, "rsp:agendaType", record.agenda)
    sub(duplicity, "rsp:dateCreate", record.created_on.isoformat())
    sub(duplicity, "rsp:id", record.id)
    opt(duplicity, "rsp:number", record.number)


def list_envelope(
    item: etree._Element, name: str, moment: datetime, zone: str, details: list[Detail] | None = None
) -> etree._Element:
    """``lStk:listStock`` & co.; ``dateTimeStamp`` is the moment the list was taken (the client's watermark)."""
    envelope = sub(
        item,
        name,
        version="2.0",
        dateTimeStamp=local_text(moment, zone),
        dateValidFrom=local_date(moment, zone).isoformat(),
        state="ok",
    )
    if details:
        holder = sub(envelope, "rdc:importDetails")
        for detail in details:
            _detail(holder, detail)
    return envelope

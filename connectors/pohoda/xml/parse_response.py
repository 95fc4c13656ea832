"""``rsp:responsePack`` bytes → :class:`ResponsePack` with typed per-item results.

Per item: ``state``/``note``; for imports POHODA's ``importDetails`` (warnings and errors) and
``producedDetails``; for a repeated import ``errorDetail/recordDuplicity``; for exports the records as models
and, for each record that cannot become one, a ``Rejected`` entry (position, line, record, field, reason) —
the other records are kept. For exports too big for memory use ``stock_stream.iter_stock_chunks`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from pydantic import ValidationError

from connectors.pohoda.errors import UnexpectedAnswer
from connectors.pohoda.models.responses import (
    ImportDetail,
    ProducedDetails,
    RecordDuplicity,
    Rejected,
    ResponseItem,
    ResponsePack,
)
from connectors.pohoda.namespaces import local_name, q
from connectors.pohoda.xml.agendas.addressbook import read_address_book
from connectors.pohoda.xml.agendas.categories import read_categories
from connectors.pohoda.xml.agendas.delivery_notes import read_delivery_note
from connectors.pohoda.xml.agendas.int_params import read_int_params
from connectors.pohoda.xml.agendas.invoices import invoice_label, read_invoice
from connectors.pohoda.xml.agendas.orders import order_label, read_order
from connectors.pohoda.xml.agendas.payments import bank_label, read_bank
from connectors.pohoda.xml.agendas.stock_read import StockRecordError, read_stock_item
from connectors.pohoda.xml.agendas.stores import read_store
from connectors.pohoda.xml.elements import child, children, ext_id_of, text_of
from connectors.pohoda.xml.safe import parse_document
from connectors.pohoda.xml.values import DEFAULT_TZ, FieldValueError, read_date, read_int, read_local_datetime

__all__ = ["parse_response", "read_details", "read_list"]

Reader = Callable[[etree._Element, datetime | None], Any]


def _label(prefix: str, *tags: str) -> Callable[[etree._Element], str]:
    def label(element: etree._Element) -> str:
        for tag in tags:
            found = element.find(f".//{q(tag)}")
            if found is not None and found.text:
                return f"{prefix} {found.text.strip()}"
        return f"{prefix} without key"

    return label


_LISTS: dict[str, tuple[str, Reader, Callable[[etree._Element], str], bool]] = {
    # answer element: (record element, reader(element, exported_at), label, reader returns a list)
    "listStock": (
        "lStk:stock",
        lambda e, t: read_stock_item(e, exported_at=t),
        _label("stock item", "stk:code", "stk:id"),
        False,
    ),
    "listOrder": ("lst:order", lambda e, t: read_order(e, exported_at=t), order_label, False),
    "listCategory": ("lst:categoryDetail", lambda e, t: read_categories(e), _label("category", "ctg:id"), True),
    "listAddressBook": (
        "lAdb:addressbook",
        lambda e, t: read_address_book(e, exported_at=t),
        _label("address", "adb:id"),
        False,
    ),
    "listStore": ("lst:store", lambda e, t: read_store(e), _label("store", "sto:name", "sto:id"), False),
    "listIntParam": ("lst:intParamDetail", lambda e, t: read_int_params(e), _label("parameters", "ipm:id"), True),
    "listVydejka": (
        "lst:vydejka",
        lambda e, t: read_delivery_note(e, exported_at=t),
        _label("delivery note", "typ:numberRequested", "vyd:id"),
        False,
    ),
    "listBank": ("lst:bank", lambda e, t: read_bank(e, exported_at=t), bank_label, False),
    "listInvoice": ("lst:invoice", lambda e, t: read_invoice(e, exported_at=t), invoice_label, False),
}


def _problem(exc: Exception) -> tuple[str, str]:
    """(field, reason) of a record-level failure."""
    if isinstance(exc, StockRecordError):
        return exc.field or "record", exc.reason  # a card-level problem names no field
    if isinstance(exc, FieldValueError):
        return exc.field, f"{exc.value!r} is not {exc.expected}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return ".".join(str(p) for p in first["loc"]) or "record", first["msg"]
    return "record", str(exc)


def read_list(answer: etree._Element, tz: ZoneInfo = DEFAULT_TZ) -> tuple[list[Any], list[Rejected], datetime | None]:
    """Records of one export answer (``lStk:listStock``, ``lst:listOrder`` …); unknown agendas give none."""
    exported_at = read_local_datetime(answer.get("dateTimeStamp"), "dateTimeStamp", tz)
    spec = _LISTS.get(local_name(answer.tag))
    if spec is None:
        return [], [], exported_at
    tag, reader, label, many = spec
    records: list[Any] = []
    rejected: list[Rejected] = []
    for position, element in enumerate(answer.iterchildren(q(tag)), start=1):
        try:
            found = reader(element, exported_at)
        except (StockRecordError, FieldValueError, ValidationError, ValueError) as exc:
            field, reason = _problem(exc)
            record = exc.record if isinstance(exc, StockRecordError) else label(element)
            rejected.append(
                Rejected(position=position, line=element.sourceline, record=record, field=field, reason=reason)
            )
            continue
        records.extend(found) if many else records.append(found)
    return records, rejected, exported_at


def read_details(answer: etree._Element) -> tuple[list[ImportDetail], ProducedDetails | None]:
    details = [
        ImportDetail(
            state=text_of(detail, "rdc:state") or "error",
            errno=read_int(text_of(detail, "rdc:errno"), "errno"),
            note=text_of(detail, "rdc:note"),
            xpath=text_of(detail, "rdc:XPath"),
            value_requested=text_of(detail, "rdc:valueRequested"),
            value_produced=text_of(detail, "rdc:valueProduced"),
        )
        for detail in children(child(answer, "rdc:importDetails"), "rdc:detail")
    ]
    produced_element = child(answer, "rdc:producedDetails")
    produced = None
    if produced_element is not None:
        produced = ProducedDetails(
            id=text_of(produced_element, "rdc:id"),
            number=text_of(produced_element, "rdc:number"),
            code=text_of(produced_element, "rdc:code"),
            action=text_of(produced_element, "rdc:actionType"),
            ext_id=ext_id_of(child(produced_element, "rdc:extId")),
        )
    return details, produced


def _item(element: etree._Element, tz: ZoneInfo) -> ResponseItem:
    fields: dict[str, Any] = {
        "id": element.get("id") or "",
        "state": element.get("state") or "error",
        "note": element.get("note"),
    }
    answer = next(iter(element), None)
    if answer is not None:
        name = local_name(answer.tag)
        fields["answer"] = name
        fields["answer_state"] = answer.get("state")
        if name == "errorDetail":
            fields["duplicity"] = [
                RecordDuplicity(
                    agenda=text_of(dup, "rsp:agendaType") or "?",
                    created=read_date(text_of(dup, "rsp:dateCreate"), "dateCreate"),
                    id=read_int(text_of(dup, "rsp:id"), "id"),
                    number=text_of(dup, "rsp:number"),
                )
                for dup in children(answer, "rsp:recordDuplicity")
            ]
        else:
            fields["details"], fields["produced"] = read_details(answer)
            if name.startswith("list"):
                fields["records"], fields["rejected"], fields["exported_at"] = read_list(answer, tz)
    return ResponseItem(**fields)


def parse_response(data: bytes, *, tz: ZoneInfo = DEFAULT_TZ) -> ResponsePack:
    """Parse an mServer answer (Windows-1250 or UTF-8 bytes) with the safe parser."""
    root = parse_document(data)
    if root.tag != q("rsp:responsePack"):
        raise UnexpectedAnswer(f"expected rsp:responsePack, got <{local_name(root.tag) or root.tag}>")
    try:
        return ResponsePack(
            id=root.get("id") or "",
            state=root.get("state") or "error",
            note=root.get("note"),
            program_version=root.get("programVersion"),
            ico=root.get("ico"),
            key=root.get("key"),
            created_at=read_local_datetime(root.get("dateTimeStamp"), "dateTimeStamp", tz),
            items=[_item(element, tz) for element in root.iterchildren(q("rsp:responsePackItem"))],
        )
    except (ValidationError, FieldValueError) as exc:
        raise UnexpectedAnswer(f"responsePack {root.get('id')!r} does not read as POHODA's answer: {exc}") from None

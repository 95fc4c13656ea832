"""Reading ``ftr:`` filters and limits into predicates over records.

Semantics chosen (documented in the README because POHODA's manual is terse about them):
- ``lastChanges`` keeps records changed **at or after** the given time (inclusive: a client that stores the
  list's ``dateTimeStamp`` as its watermark never misses a change made in that same second);
- ``limit/idFrom`` keeps ids ≥ idFrom, ``limit/count`` the first *count* of those in id order (keyset paging);
- ``storage`` matches the path and everything below it; text filters (code, name, company…) match exactly,
  ignoring case; several filter elements combine with AND;
- ``queryFilter`` (SQL) and ``userFilterName`` (a filter saved in POHODA) cannot be emulated and are refused;
- so is every other filter element the emulator does not model (``ftr:storage`` by ``typ:id`` only, a filter
  element of filter.xsd not listed in ``_MODELLED``): the item is refused naming the element, never answered
  as if the filter were not there — a dropped filter exports more records than POHODA would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from lxml import etree

from . import records as r
from .clock import parse_date, parse_datetime
from .responses import Detail, RecordRefused
from .xml import NS, bool_of, child, int_of, prefixed, text, xpath_of

T = TypeVar("T")
Predicate = Callable[[Any], bool]


@dataclass(frozen=True)
class Limit:
    id_from: int | None = None
    count: int | None = None

    def apply(self, records: list[T]) -> list[T]:
        chosen = sorted(records, key=lambda rec: rec.id)
        if self.id_from is not None:
            chosen = [rec for rec in chosen if rec.id >= self.id_from]
        return chosen[: self.count] if self.count is not None else chosen


def read_limit(element: etree._Element | None) -> Limit:
    if element is None:
        return Limit()
    return Limit(int_of(element, "ftr:idFrom"), int_of(element, "ftr:count"))


def refuse_unsupported(request: etree._Element | None) -> None:
    """``queryFilter`` / ``userFilterName`` need POHODA's SQL and saved filters: refuse rather than ignore."""
    if request is None:
        return
    for name in ("ftr:queryFilter", "ftr:userFilterName"):
        node = child(request, name)
        if node is not None:
            raise RecordRefused(
                Detail(
                    "error", f"{name} is not supported by the emulator; use ftr:filter", errno=105, xpath=xpath_of(node)
                )
            )


_MODELLED = {  # every element of filter.xsd's filterStocksType / filterDocsType / filterAdbsType we model
    "stock": {"id", "extId", "code", "EAN", "name", "PLU", "storage", "store", "internet", "lastChanges"},
    "docs": {
        *("id", "extId", "dateFrom", "dateTill", "lastChanges"),
        *("selectedNumbers", "selectedCompanys", "selectedIco"),
    },
    "address": {"id", "extId", "company", "name", "city", "street", "zip", "ico", "dic", "number", "lastChanges"},
}


def _refuse(node: etree._Element, why: str) -> RecordRefused:
    return RecordRefused(Detail("error", f"{prefixed(node)}: {why}", errno=105, xpath=xpath_of(node)))


def refuse_unmodelled(flt: etree._Element, kind: str) -> None:
    """Refuse a filter holding an element the emulator does not model (see the module docstring)."""
    for node in flt:
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).localname not in _MODELLED[kind]:
            raise _refuse(node, "this filter is not modelled by the emulator; the request is refused, not widened")
    storage = child(flt, "ftr:storage")
    if storage is not None and text(storage, "typ:ids") is None:
        raise _refuse(storage, "the emulator selects a storage by its path (typ:ids) only")


def ext_id_of(element: etree._Element | None) -> r.ExtId | None:
    if element is None:
        return None
    ids, system = text(element, "typ:ids"), text(element, "typ:exSystemName")
    return r.ExtId(ids, system) if ids and system else None


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.casefold() == b.casefold()


def _changed_since(node: etree._Element | None, zone: str) -> Predicate | None:
    if node is None or not node.text:
        return None
    since = parse_datetime(node.text, zone)
    return lambda rec: rec.changed_at >= since


def stock_filter(flt: etree._Element | None, zone: str, store_of: Callable[[int | None, str | None], Any]) -> Predicate:
    """``ftr:filterStocksType`` → predicate over :class:`StockCard`."""
    if flt is None:
        return lambda card: True
    refuse_unmodelled(flt, "stock")
    tests: list[Predicate] = []
    if (value := int_of(flt, "ftr:id")) is not None:
        tests.append(lambda c, v=value: c.id == v)
    if (ext := ext_id_of(child(flt, "ftr:extId"))) is not None:
        tests.append(lambda c, e=ext: c.ext_id is not None and c.ext_id.key() == e.key())
    for name, attr in (("ftr:code", "code"), ("ftr:EAN", "ean"), ("ftr:name", "name")):
        if (value := text(flt, name)) is not None:
            tests.append(lambda c, v=value, a=attr: _same(getattr(c, a), v))
    if (value := int_of(flt, "ftr:PLU")) is not None:
        tests.append(lambda c, v=value: c.plu == v)
    if (storage := child(flt, "ftr:storage")) is not None:
        path = (text(storage, "typ:ids") or "").casefold().rstrip("/")
        tests.append(lambda c, p=path: c.storage.casefold() == p or c.storage.casefold().startswith(p + "/"))
    if (store := child(flt, "ftr:store")) is not None:
        record = store_of(int_of(store, "typ:id"), text(store, "typ:ids"))
        tests.append(lambda c, s=record: s is not None and c.store_id == s.id)
    if (value := bool_of(flt, "ftr:internet")) is not None:
        tests.append(lambda c, v=value: c.is_internet == v)
    if (since := _changed_since(child(flt, "ftr:lastChanges"), zone)) is not None:
        tests.append(since)
    return lambda card: all(t(card) for t in tests)


def document_filter(flt: etree._Element | None, zone: str) -> Predicate:
    """``ftr:filterDocsType`` → predicate over orders, delivery notes, payments (``number``, ``date``, …)."""
    if flt is None:
        return lambda doc: True
    refuse_unmodelled(flt, "docs")
    tests: list[Predicate] = []
    if (value := int_of(flt, "ftr:id")) is not None:
        tests.append(lambda d, v=value: d.id == v)
    if (ext := ext_id_of(child(flt, "ftr:extId"))) is not None:
        tests.append(lambda d, e=ext: getattr(d, "ext_id", None) is not None and d.ext_id.key() == e.key())
    if (value := text(flt, "ftr:dateFrom")) is not None:
        date_from = parse_date(value)
        tests.append(lambda d: d.date >= date_from)
    if (value := text(flt, "ftr:dateTill")) is not None:
        date_till = parse_date(value)
        tests.append(lambda d: d.date <= date_till)
    numbers = {
        text(n, "typ:numberRequested") or text(n, "typ:ids") for n in flt.iterfind("ftr:selectedNumbers/ftr:number", NS)
    } - {None}
    if numbers:
        tests.append(lambda d, v=frozenset(numbers): d.number in v)
    companies = {(text(c) or "").casefold() for c in flt.iterfind("ftr:selectedCompanys/ftr:company", NS)} - {""}
    if companies:
        tests.append(lambda d, v=companies: _partner(d, "company") in v or _partner(d, "name") in v)
    icos = {text(c) for c in flt.iterfind("ftr:selectedIco/ftr:ico", NS)} - {None}
    if icos:
        tests.append(lambda d, v=icos: (getattr(getattr(d, "partner", None), "ico", None) or "") in v)
    if (since := _changed_since(child(flt, "ftr:lastChanges"), zone)) is not None:
        tests.append(since)
    return lambda doc: all(t(doc) for t in tests)


def _partner(doc: Any, attr: str) -> str:
    partner = getattr(doc, "partner", None)
    return (getattr(partner, attr, None) or "").casefold()


def address_filter(flt: etree._Element | None, zone: str) -> Predicate:
    """``ftr:filterAdbsType`` → predicate over :class:`AddressBookEntry`."""
    if flt is None:
        return lambda entry: True
    refuse_unmodelled(flt, "address")
    tests: list[Predicate] = []
    if (value := int_of(flt, "ftr:id")) is not None:
        tests.append(lambda a, v=value: a.id == v)
    if (ext := ext_id_of(child(flt, "ftr:extId"))) is not None:
        tests.append(lambda a, e=ext: a.ext_id is not None and a.ext_id.key() == e.key())
    for name in ("company", "name", "city", "street", "zip", "ico", "dic"):
        if (value := text(flt, f"ftr:{name}")) is not None:
            tests.append(lambda a, v=value, n=name: _same(getattr(a.address, n), v))
    if (number := child(flt, "ftr:number")) is not None:
        wanted = text(number, "typ:numberRequested") or text(number, "typ:ids")
        tests.append(lambda a, v=wanted: _same(a.number, v))
    if (since := _changed_since(child(flt, "ftr:lastChanges"), zone)) is not None:
        tests.append(since)
    return lambda entry: all(t(entry) for t in tests)

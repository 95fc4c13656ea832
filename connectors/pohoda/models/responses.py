"""A ``rsp:responsePack`` as typed results, one per ``dataPackItem`` we sent.

An import answer carries ``state``, POHODA's ``importDetails`` (warnings and errors with errno, XPath, requested
and produced values) and ``producedDetails`` (the id/number of the record it created or updated). A repeated
import answers ``errorDetail/recordDuplicity`` naming the record created the first time. An export answer
carries ``records`` (typed: ``StockItem``, ``ReceivedOrder``, …) and ``rejected`` (records that could not
become models, each named with its position and field) — one bad record never hides the others.

``ResponseItem.check()`` turns a refused item into the typed ``ItemError`` naming *our* record (the client
fills ``record`` from the dataPack it sent).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from connectors.pohoda.errors import DuplicateItem, ItemError, PermissionDenied
from connectors.pohoda.models.common import ExtId, PohodaModel
from domain.models import UtcDatetime

__all__ = [
    "ImportDetail",
    "ProducedDetails",
    "RecordDuplicity",
    "Rejected",
    "ResponseItem",
    "ResponsePack",
]

_PERMISSION_CODES = {101}


class ImportDetail(PohodaModel):
    state: Literal["ok", "warning", "error"]
    errno: int | None = None
    note: str | None = None
    xpath: str | None = None
    value_requested: str | None = None
    value_produced: str | None = None


class ProducedDetails(PohodaModel):
    id: str | None = None
    number: str | None = None
    code: str | None = None
    action: str | None = None
    ext_id: ExtId | None = None


class RecordDuplicity(PohodaModel):
    agenda: str
    created: date | None = None
    id: int | None = None
    number: str | None = None


class Rejected(PohodaModel):
    """A record of an export that did not become a model: where it was and what was wrong."""

    position: int = Field(description="1-based index of the record within its list")
    line: int | None = None
    record: str = Field(description="how to find it in POHODA: code/number/id as far as readable")
    field: str
    reason: str

    def __str__(self) -> str:
        line = f", line {self.line}" if self.line else ""
        return f"{self.record} (record {self.position}{line}): {self.field}: {self.reason}"


class ResponseItem(PohodaModel):
    id: str
    state: Literal["ok", "error"]
    note: str | None = None
    record: str | None = Field(default=None, description="our record key, from the dataPack we sent")
    answer: str | None = Field(default=None, description="local name of the answer element, e.g. 'listStock'")
    answer_state: str | None = None
    details: list[ImportDetail] = Field(default_factory=list)
    produced: ProducedDetails | None = None
    duplicity: list[RecordDuplicity] = Field(default_factory=list)
    exported_at: UtcDatetime | None = None
    records: list[Any] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)

    @property
    def warnings(self) -> list[ImportDetail]:
        return [d for d in self.details if d.state == "warning"]

    @property
    def errors(self) -> list[ImportDetail]:
        return [d for d in self.details if d.state == "error"]

    @property
    def failed(self) -> bool:
        return self.state == "error" or self.answer_state == "error" or bool(self.duplicity) or bool(self.errors)

    def error(self) -> ItemError | None:
        """The typed error of a refused item (``None`` when it succeeded)."""
        if self.duplicity:
            dup = self.duplicity[0]
            return DuplicateItem(
                self.id, self.record, self.note, agenda=dup.agenda, existing_id=dup.id, existing_number=dup.number
            )
        if not self.failed:
            return None
        first = self.errors[0] if self.errors else None
        note = self.note or (first.note if first else None)
        code = first.errno if first else None
        cls = PermissionDenied if code in _PERMISSION_CODES else ItemError
        return cls(self.id, self.record, "error", note, code)

    def check(self, *, duplicate_ok: bool = False) -> ResponseItem:
        """Raise the item's ``ItemError``; a ``DuplicateItem`` passes when ``duplicate_ok`` (idempotent retry)."""
        error = self.error()
        if error is not None and not (duplicate_ok and isinstance(error, DuplicateItem)):
            raise error
        return self


class ResponsePack(PohodaModel):
    id: str
    state: Literal["ok", "error"]
    note: str | None = None
    program_version: str | None = None
    ico: str | None = None
    key: str | None = None
    created_at: UtcDatetime | None = None
    items: list[ResponseItem] = Field(default_factory=list)

    def item(self, item_id: str) -> ResponseItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"responsePack {self.id!r} has no item {item_id!r}")

    def errors(self, *, duplicate_ok: bool = False) -> list[ItemError]:
        """Every refused item's error, in pack order (for "collect per record, fail none")."""
        found = [item.error() for item in self.items]
        return [e for e in found if e is not None and not (duplicate_ok and isinstance(e, DuplicateItem))]

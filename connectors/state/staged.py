"""Values the order staging hands back: a staged row, one conflict, the outcome of a staging batch.

Kept apart from the SQL so flows and tasks can build and test against them without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.models import Order

__all__ = [
    "OrderConflict",
    "SkippedOrder",
    "StageResult",
    "StagedOrder",
    "StagedStatus",
    "describe_line_changes",
]


class StagedStatus(StrEnum):
    """Where a staged shop order stands on its way to becoming an ERP sales order."""

    PENDING = "pending"  # staged, not yet an ERP sales order
    DONE = "done"  # an ERP sales order exists (``erp_key``)
    FAILED = "failed"  # the last try failed; ``last_error`` says why, retried next run
    CONFLICT = "conflict"  # edited in the shop after it became an ERP order; needs a person, never re-queued
    SKIPPED = "skipped"  # turned away by the shop's import conditions (``skip_reason``); judged again when fetched
    CANCELLING = "cancelling"  # cancelled in the shop after it became an ERP order: the ERP order is to cancel
    CANCELLED = "cancelled"  # the ERP order was cancelled too; final, never cancelled twice nor re-created


@dataclass(frozen=True)
class StagedOrder:
    """One row of the staging table, with the shop order as it was last staged."""

    shop: str
    shop_id: str
    name: str
    status: StagedStatus
    order: Order
    updated_at: datetime
    lines_signature: str
    erp_key: str | None
    attempts: int
    last_error: str | None
    conflict_reason: str | None
    skip_reason: str | None
    staged_at: datetime
    changed_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class OrderConflict:
    """An edit to an order already turned into an ERP sales order, whose lines no longer match it."""

    shop_id: str
    name: str
    erp_key: str | None
    reason: str


@dataclass(frozen=True)
class SkippedOrder:
    """An order the import conditions kept from becoming an ERP sales order, and why (for the run report)."""

    shop_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class StageResult:
    """How one batch of fetched orders landed in staging (each order counted once, under one heading).

    ``updated`` counts only orders whose next ERP document changes (a queued order edited); an order already in
    the ERP whose change the ERP takes nothing from (a fulfillment, a close, a tag, a payment — often the
    sync's own writes coming back with a new ``updatedAt``) is ``refreshed``: its shop copy is kept current, and
    it is no news."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refreshed: int = 0  # the shop copy of an order whose ERP document has nothing to take from the change
    conflicts: tuple[OrderConflict, ...] = field(default_factory=tuple)
    skipped: tuple[SkippedOrder, ...] = field(default_factory=tuple)
    cancelled: tuple[str, ...] = field(default_factory=tuple)  # names of imported orders now to cancel in the ERP

    def counts(self) -> dict[str, int]:
        """For a run record's ``counts``."""
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refreshed": self.refreshed,
            "conflicts": len(self.conflicts),
            "skipped": len(self.skipped),
            "to_cancel": len(self.cancelled),
        }

    def errors(self) -> list[dict[str, str | None]]:
        """For a run record's ``errors``: one entry per conflict, naming the order and the field."""
        return [{"record": c.shop_id, "field": "lines", "reason": c.reason} for c in self.conflicts]

    def __add__(self, other: StageResult) -> StageResult:
        """Sum of two pages' results, so a flow can total a whole window."""
        return StageResult(
            new=self.new + other.new,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            refreshed=self.refreshed + other.refreshed,
            conflicts=self.conflicts + other.conflicts,
            skipped=self.skipped + other.skipped,
            cancelled=self.cancelled + other.cancelled,
        )


def describe_line_changes(before: Order, after: Order) -> str:
    """What changed in the parts an ERP sales order is built from, for a person resolving a conflict.

    Lines are matched by line id, else SKU. Mirrors BC's conflict checks: lines added or removed,
    quantity or price changed, shipping changed.
    """

    def keyed(order: Order) -> dict[str, tuple[int, str]]:
        return {
            line.shop_id or line.sku or line.title: (line.quantity, f"{line.unit_price}-{line.discount}")
            for line in order.lines
        }

    old, new = keyed(before), keyed(after)
    changes = [f"line {k} added" for k in new if k not in old]
    changes += [f"line {k} removed" for k in old if k not in new]
    for key in old.keys() & new.keys():
        (q0, p0), (q1, p1) = old[key], new[key]
        if q0 != q1:
            changes.append(f"line {key} quantity {q0} -> {q1}")
        if p0 != p1:
            changes.append(f"line {key} price/discount changed")
    if before.shipping_total != after.shipping_total:
        changes.append(f"shipping {before.shipping_total} -> {after.shipping_total}")
    return "; ".join(sorted(changes)) or "lines signature changed"

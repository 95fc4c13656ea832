"""Staged shop orders in ``cs_staged_orders``: the queue between fetching orders and creating ERP orders.

Like BC's "Orders to Import": ``sync_orders`` upserts every fetched order here (deduped by its shop id, so
overlapping windows and re-runs are harmless) and ``create_sales_orders`` works the queue one order at a
time. A failure stays on its row with the error and retries next run; success records the ERP key. An edit
arriving after the ERP order exists is compared with the lines the ERP order was built from: a header-only
change (payment, tags, a fulfillment, a close) just refreshes the row and is no update — most such changes
are the syncs' own writes coming back with a new ``updatedAt`` —, a changed line set is flagged ``conflict``
and never re-queued, because re-applying it would duplicate or silently rewrite an ERP document. A version
that differs from the staged one in ``updatedAt`` alone is no update either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from connectors.state._base import StoreBase, require_key, require_utc
from connectors.state.errors import InvalidTransition, RecordNotFound, StateError
from connectors.state.schema import staged_orders as so
from connectors.state.staged import (
    OrderConflict,
    SkippedOrder,
    StagedOrder,
    StagedStatus,
    StageResult,
    describe_line_changes,
)
from domain.models import Order

__all__ = ["StagingStore"]

_OPEN = (StagedStatus.PENDING.value, StagedStatus.FAILED.value)
_SETTLED = (StagedStatus.DONE.value, StagedStatus.CONFLICT.value)
_CANCELLED = (StagedStatus.CANCELLING.value, StagedStatus.CANCELLED.value)


class StagingStore(StoreBase):
    """Order staging per shop."""

    def stage_orders(
        self,
        shop: str,
        orders: Iterable[Order],
        skip_reasons: Mapping[str, str] | None = None,
        conn: sa.Connection | None = None,
    ) -> StageResult:
        """Upsert fetched orders by ``shop_id``; see the module docstring for what each case does.

        ``skip_reasons`` (shop id → why) are the import conditions' verdicts: they turn away orders that are not
        ERP sales orders yet (new, queued or skipped before), and are ignored for orders that already are. An
        order not newer than its staged version (same or older ``updated_at``, same content) is left alone, so
        a re-fetched page never regresses a row, unless the conditions now judge it differently (the shop's
        conditions were changed). Within one batch the latest version of an id wins.
        """
        require_key(shop, "shop")
        reasons = skip_reasons or {}
        latest: dict[str, Order] = {}
        for order in orders:
            seen = latest.get(order.shop_id)
            if seen is None or order.updated_at >= seen.updated_at:
                latest[order.shop_id] = order
        if not latest:
            return StageResult()
        now = self._now()
        new = updated = unchanged = refreshed = 0
        conflicts: list[OrderConflict] = []
        skipped: list[SkippedOrder] = []
        cancelled: list[str] = []
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        refreshes: list[dict[str, Any]] = []
        with self._write(conn) as c:
            query = sa.select(so).where(so.c.shop == shop)
            existing = {row.shop_id: row for row in self._select_in(c, query, so.c.shop_id, latest)}
            for shop_id, order in latest.items():
                payload, signature = order.model_dump_json(), order.lines_signature()
                row, reason = existing.get(shop_id), reasons.get(shop_id)
                fields = {
                    "name": order.name,
                    "order_json": payload,
                    "created_at": order.created_at,
                    "updated_at": order.updated_at,
                    "lines_signature": signature,
                    "skip_reason": None,
                    "changed_at": now,
                }
                if row is None:
                    status = "skipped" if reason else "pending"
                    inserts.append(
                        {
                            **fields,
                            "shop": shop,
                            "shop_id": shop_id,
                            "status": status,
                            "skip_reason": reason,
                            "attempts": 0,
                            "staged_at": now,
                        }
                    )
                    if reason:
                        skipped.append(SkippedOrder(shop_id, order.name, reason))
                    else:
                        new += 1
                    continue
                same = order.updated_at == row.updated_at and payload == row.order_json
                if order.updated_at < row.updated_at or (same and not _judged_anew(row.status, reason)):
                    unchanged += 1
                    continue
                fields.update(_shop=shop, _shop_id=shop_id, attempts=row.attempts, conflict_reason=None)
                if _content(payload) == _content(row.order_json) and not _judged_anew(row.status, reason):
                    refreshes.append({k: v for k, v in fields.items() if k in _REFRESH})  # a newer updatedAt only
                    refreshed += 1
                    continue
                if row.status in _CANCELLED:  # the ERP order is (being) cancelled: only the shop copy changes
                    fields.update(status=row.status, conflict_reason=row.conflict_reason)
                    refreshed += 1
                elif row.status in _SETTLED and order.cancelled_at is not None:
                    fields.update(status="cancelling", conflict_reason=row.conflict_reason)
                    cancelled.append(order.name)
                elif row.status in _SETTLED and signature != row.erp_signature:
                    reason = row.conflict_reason if row.status == "conflict" else _conflict_reason(row, order)
                    fields.update(status="conflict", conflict_reason=reason)
                    conflicts.append(OrderConflict(shop_id, order.name, row.erp_key, reason))
                elif row.status in _SETTLED:  # header-only edit, or lines back to what the ERP holds
                    fields.update(status="done")
                    refreshed += 1
                elif reason:  # not an ERP order yet, and now turned away: out of the queue until it matches
                    fields.update(status="skipped", skip_reason=reason)
                    skipped.append(SkippedOrder(shop_id, order.name, reason))
                else:  # still queued (or no longer skipped): the edit replaces what will be sent, fresh attempts
                    fields.update(status="pending", attempts=0)
                    updated += 1
                updates.append(fields)
            if inserts:
                c.execute(sa.insert(so), inserts)
            for rows in (updates, refreshes):  # each its own executemany: every row of one sets the same columns
                if rows:
                    c.execute(
                        sa.update(so).where(
                            so.c.shop == sa.bindparam("_shop"), so.c.shop_id == sa.bindparam("_shop_id")
                        ),
                        rows,
                    )
        return StageResult(
            new=new,
            updated=updated,
            unchanged=unchanged,
            refreshed=refreshed,
            conflicts=tuple(conflicts),
            skipped=tuple(skipped),
            cancelled=tuple(cancelled),
        )

    def pending_orders(
        self,
        shop: str,
        limit: int = 100,
        max_attempts: int | None = None,
        *,
        conn: sa.Connection | None = None,
    ) -> list[StagedOrder]:
        """Orders still to turn into ERP orders (pending and failed), oldest shop order first.

        ``max_attempts`` leaves out rows that already failed that many times (they stay visible as failed).
        """
        require_key(shop, "shop")
        query = sa.select(so).where(so.c.shop == shop, so.c.status.in_(_OPEN))
        if max_attempts is not None:
            query = query.where(so.c.attempts < max_attempts)
        query = query.order_by(so.c.created_at, so.c.shop_id).limit(limit)
        with self._read(conn) as c:
            return [_staged(row) for row in c.execute(query)]

    def staged_order(self, shop: str, shop_id: str, *, conn: sa.Connection | None = None) -> StagedOrder | None:
        """One staged row, or ``None`` if the order was never staged (or was purged)."""
        with self._read(conn) as c:
            row = c.execute(sa.select(so).where(so.c.shop == shop, so.c.shop_id == shop_id)).one_or_none()
        return _staged(row) if row is not None else None

    def orders_created_between(
        self, shop: str, start: datetime | None, end: datetime, *, conn: sa.Connection | None = None
    ) -> list[tuple[str, str]]:
        """(shop id, name) of the staged orders the shop created in ``[start, end)``, oldest first: the orders the
        sync knows of a period (done rows purged by maintenance are no longer known)."""
        require_key(shop, "shop")
        query = sa.select(so.c.shop_id, so.c.name).where(so.c.shop == shop, so.c.created_at < require_utc(end, "end"))
        if start is not None:
            query = query.where(so.c.created_at >= require_utc(start, "start"))
        with self._read(conn) as c:
            return [(row.shop_id, row.name) for row in c.execute(query.order_by(so.c.created_at, so.c.shop_id))]

    def count_staged(self, shop: str, *, conn: sa.Connection | None = None) -> dict[str, int]:
        """Rows per status (every status present, zero if none): the queue's health at a glance."""
        query = sa.select(so.c.status, sa.func.count()).where(so.c.shop == shop).group_by(so.c.status)
        with self._read(conn) as c:
            found = dict(c.execute(query).tuples().all())
        return {status.value: int(found.get(status.value, 0)) for status in StagedStatus}

    def mark_order_done(self, shop: str, shop_id: str, erp_key: str, conn: sa.Connection | None = None) -> None:
        """Record that ``erp_key`` is the ERP sales order of this staged order.

        Repeating it with the same key is harmless; a different key for a done order raises
        :class:`InvalidTransition`, because two ERP orders for one shop order is the bug to stop.
        """
        record = f"staged order {shop_id!r} of shop {shop!r}"
        require_key(erp_key, "erp_key", record)
        now = self._now()
        with self._write(conn) as c:
            result = c.execute(
                sa.update(so)
                .where(so.c.shop == shop, so.c.shop_id == shop_id, so.c.status.in_(_OPEN))
                .values(
                    status="done",
                    erp_key=erp_key,
                    erp_signature=so.c.lines_signature,
                    last_error=None,
                    done_at=now,
                    changed_at=now,
                )
            )
            if result.rowcount == 0:
                row = self._must_exist(c, shop, shop_id, record)
                if not (row.status == "done" and row.erp_key == erp_key):
                    raise InvalidTransition(f"{record} is {row.status} (ERP order {row.erp_key!r}), not pending")

    def mark_order_failed(self, shop: str, shop_id: str, error: str, conn: sa.Connection | None = None) -> None:
        """Keep the error on the row and count the attempt; the row is offered again by ``pending_orders``."""
        record = f"staged order {shop_id!r} of shop {shop!r}"
        if not isinstance(error, str) or not error.strip():
            raise ValueError(f"{record}: error must be a non-empty message")
        with self._write(conn) as c:
            result = c.execute(
                sa.update(so)
                .where(so.c.shop == shop, so.c.shop_id == shop_id, so.c.status.in_(_OPEN))
                .values(status="failed", attempts=so.c.attempts + 1, last_error=error, changed_at=self._now())
            )
            if result.rowcount == 0:
                row = self._must_exist(c, shop, shop_id, record)
                raise InvalidTransition(f"{record} is {row.status}, only pending or failed orders can fail")

    def orders_to_cancel(self, shop: str, *, conn: sa.Connection | None = None) -> list[StagedOrder]:
        """Imported orders the shop cancelled since (``cancelling``), oldest shop order first."""
        require_key(shop, "shop")
        query = sa.select(so).where(so.c.shop == shop, so.c.status == StagedStatus.CANCELLING.value)
        with self._read(conn) as c:
            return [_staged(row) for row in c.execute(query.order_by(so.c.created_at, so.c.shop_id))]

    def mark_order_cancelled(
        self, shop: str, shop_id: str, refused: str | None = None, conn: sa.Connection | None = None
    ) -> None:
        """The ERP order was cancelled (``cancelled``, final), or ``refused`` says why it was left alone: then the
        row becomes a ``conflict`` for a person, never tried again. Only a ``cancelling`` row moves."""
        record = f"staged order {shop_id!r} of shop {shop!r}"
        values = {"status": "cancelled"} if refused is None else {"status": "conflict", "conflict_reason": refused}
        with self._write(conn) as c:
            result = c.execute(
                sa.update(so)
                .where(so.c.shop == shop, so.c.shop_id == shop_id, so.c.status == StagedStatus.CANCELLING.value)
                .values(**values, changed_at=self._now())
            )
            if result.rowcount == 0:
                row = self._must_exist(c, shop, shop_id, record)
                if row.status != values["status"]:
                    raise InvalidTransition(f"{record} is {row.status}, not being cancelled")

    def mark_cancelled_by_erp(self, shop: str, shop_ids: Iterable[str], *, conn: sa.Connection | None = None) -> int:
        """The ERP cancelled these orders' sales orders itself (a storno ``sync_order_status`` sends to the shop):
        their rows become ``cancelled``, so the shop's cancellation coming back is known news, not an order to
        cancel in the ERP again. Rows not yet an ERP order, or cancelled already, are left alone."""
        require_key(shop, "shop")
        ids = sorted(set(shop_ids))
        if not ids:
            return 0
        settled = (*_SETTLED, StagedStatus.CANCELLING.value)
        with self._write(conn) as c:
            result = c.execute(
                sa.update(so)
                .where(so.c.shop == shop, so.c.shop_id.in_(ids), so.c.status.in_(settled))
                .values(status=StagedStatus.CANCELLED.value, changed_at=self._now())
            )
            return int(result.rowcount)

    def purge_staged(self, older_than: datetime, *, shop: str | None = None, conn: sa.Connection | None = None) -> int:
        """Delete ``done`` rows finished before ``older_than``; pending, failed and conflicts are kept."""
        cutoff = require_utc(older_than, "older_than")
        query = sa.delete(so).where(so.c.status == "done", so.c.done_at < cutoff)
        if shop is not None:
            query = query.where(so.c.shop == shop)
        with self._write(conn) as c:
            return int(c.execute(query).rowcount)

    @staticmethod
    def _must_exist(c: sa.Connection, shop: str, shop_id: str, record: str) -> sa.Row[Any]:
        row = c.execute(sa.select(so).where(so.c.shop == shop, so.c.shop_id == shop_id)).one_or_none()
        if row is None:
            raise RecordNotFound(f"{record} was never staged")
        return row


_REFRESH = ("_shop", "_shop_id", "order_json", "updated_at")
"""What a version that differs in ``updatedAt`` alone rewrites: the stored copy and its time, nothing else."""


def _content(order_json: str) -> dict[str, Any]:
    """A staged order as JSON without its ``updated_at``: what makes two versions of it differ."""
    content: dict[str, Any] = json.loads(order_json)
    content.pop("updated_at", None)
    return content


def _judged_anew(status: str, reason: str | None) -> bool:
    """Whether an unchanged order's row must still change: the conditions turn away a queued order, or let a
    skipped one through (the shop's import conditions were edited since it was staged)."""
    return (status in _OPEN and reason is not None) or (status == StagedStatus.SKIPPED.value and reason is None)


def _conflict_reason(row: sa.Row[Any], order: Order) -> str:
    what = describe_line_changes(Order.model_validate_json(row.order_json), order)
    return f"order {order.name} changed after it became ERP order {row.erp_key}: {what}"


def _staged(row: sa.Row[Any]) -> StagedOrder:
    try:
        order = Order.model_validate_json(row.order_json)
    except ValidationError as exc:
        raise StateError(
            f"staged order {row.shop_id!r} of shop {row.shop!r}: stored JSON no longer fits the Order model: {exc}"
        ) from None
    return StagedOrder(
        shop=row.shop,
        shop_id=row.shop_id,
        name=row.name,
        status=StagedStatus(row.status),
        order=order,
        updated_at=row.updated_at,
        lines_signature=row.lines_signature,
        erp_key=row.erp_key,
        attempts=row.attempts,
        last_error=row.last_error,
        conflict_reason=row.conflict_reason,
        skip_reason=row.skip_reason,
        staged_at=row.staged_at,
        changed_at=row.changed_at,
        done_at=row.done_at,
    )

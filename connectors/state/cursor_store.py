"""Cursors in ``cs_cursors``: read one, promote it at the end of a run.

The "never backwards" rule is enforced by the database, not by a read-then-write in Python: the upsert's
``WHERE`` only lets a position at or after the stored one through, so two runs committing at once cannot
interleave into a rewind. A refused commit changes nothing and raises :class:`CursorMovedBackwards`, which
rolls back the caller's transaction with it — the records it was meant to cover are not half-kept.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.state._base import StoreBase, require_key, require_utc
from connectors.state.cursor import Cursor
from connectors.state.errors import CursorMovedBackwards
from connectors.state.schema import cursors

__all__ = ["CursorStore"]


class CursorStore(StoreBase):
    """Cursor per (shop, sync type); see :mod:`connectors.state.cursor` for the signpost semantics."""

    def get_cursor(self, shop: str, sync_type: str, *, conn: sa.Connection | None = None) -> Cursor:
        """The committed cursor, or an empty one (``position=None``) before the first successful run."""
        require_key(shop, "shop")
        require_key(sync_type, "sync_type")
        with self._read(conn) as c:
            row = c.execute(
                sa.select(cursors).where(cursors.c.shop == shop, cursors.c.sync_type == sync_type)
            ).one_or_none()
        if row is None:
            return Cursor(shop=shop, sync_type=sync_type)
        return Cursor(
            shop=shop, sync_type=sync_type, position=row.position, extra=row.extra or {}, updated_at=row.updated_at
        )

    def commit_cursor(
        self,
        shop: str,
        sync_type: str,
        position: datetime | None,
        *,
        extra: dict[str, Any] | None = None,
        force: bool = False,
        conn: sa.Connection | None = None,
    ) -> Cursor:
        """Promote the cursor to ``position`` (``extra`` replaces the stored one when given).

        Equal positions are accepted (a re-run of the same period). An earlier position — ``None`` counts as
        earliest — raises :class:`CursorMovedBackwards` unless ``force=True``, which is for an engineer
        re-running a past window on purpose.
        """
        record = f"cursor {shop}/{sync_type}"
        require_key(shop, "shop", record)
        require_key(sync_type, "sync_type", record)
        if position is not None:
            position = require_utc(position, "position", record)
        if extra is not None:
            _require_json(extra, record)
        now = self._now()
        with self._write(conn) as c:
            ins = self._insert(c, cursors).values(
                shop=shop, sync_type=sync_type, position=position, extra=extra or {}, updated_at=now
            )
            changes: dict[str, Any] = {"position": ins.excluded.position, "updated_at": ins.excluded.updated_at}
            if extra is not None:
                changes["extra"] = ins.excluded.extra
            not_backwards = None
            if not force:
                stored = cursors.c.position
                not_backwards = sa.or_(stored.is_(None), stored <= ins.excluded.position)
            written = c.execute(
                ins.on_conflict_do_update(
                    index_elements=[cursors.c.shop, cursors.c.sync_type], set_=changes, where=not_backwards
                ).returning(cursors.c.position)
            ).first()
            if written is None:  # the row exists and the WHERE refused the update
                current = self.get_cursor(shop, sync_type, conn=c).position
                raise CursorMovedBackwards(
                    f"{record}: refusing to move position back from {_iso(current)} to {_iso(position)}"
                    " (pass force=True to re-run a past window on purpose)"
                )
            return self.get_cursor(shop, sync_type, conn=c)


def _require_json(extra: dict[str, Any], record: str) -> None:
    if not isinstance(extra, dict):
        raise ValueError(f"{record}: extra must be a dict, got {type(extra).__name__}")
    try:
        json.dumps(extra)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{record}: extra is not JSON-serialisable: {exc}") from None


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else "None"

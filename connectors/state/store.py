"""``StateStore``: the one object flows and tasks use for sync state, over one SQLAlchemy engine.

Each concern lives in its own module (cursors, staging, mappings and hashes, runs); this class only joins
them and owns the schema and the shared transaction. The store usually shares its database with the SQL ERP
adapter, so a task can write the ERP document and the state that records it in one transaction::

    with state.begin() as conn:
        erp_key = erp.create_sales_order(order, conn=conn)
        state.mark_order_done(shop, order.shop_id, erp_key, conn=conn)

Inside such a block pass ``conn`` to every call: a call without it opens a second connection, which cannot
see the block's uncommitted writes (and on SQLite waits for the block's write lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from connectors.state._base import Clock, make_engine, utc_now
from connectors.state.cursor_store import CursorStore
from connectors.state.mappings import MappingStore
from connectors.state.runs import RunStore
from connectors.state.schema import metadata
from connectors.state.staging import StagingStore

__all__ = ["StateStore"]


class StateStore(CursorStore, StagingStore, MappingStore, RunStore):
    """Cursors, staged orders, id mappings, content hashes and run records of every shop, in ``cs_*`` tables.

    Works unchanged on SQLite (the embedded default) and PostgreSQL. Every write accepts ``conn=`` to join
    a caller's transaction; without it the write commits on its own.
    """

    def __init__(self, engine: sa.Engine, *, clock: Clock = utc_now) -> None:
        """``clock`` returns aware UTC "now" for bookkeeping timestamps; tests pass a fixed one."""
        super().__init__(engine, clock=clock)

    @classmethod
    def from_url(cls, url: str | sa.URL, *, clock: Clock = utc_now, **engine_kwargs: Any) -> StateStore:
        """A store on a new engine (SQLite gets WAL, a busy timeout and foreign keys)."""
        return cls(make_engine(url, **engine_kwargs), clock=clock)

    def create_schema(self) -> None:
        """Create the ``cs_*`` tables and indexes that do not exist yet; safe to call on every start."""
        metadata.create_all(self._engine, checkfirst=True)

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A transaction to pass as ``conn=``: committed when the block ends, rolled back if it raises."""
        with self._engine.begin() as conn:
            yield conn

    def __repr__(self) -> str:
        return f"StateStore({self._engine.url.render_as_string(hide_password=True)!r})"

"""Sync state owned by commerce-sync: cursors, staged orders, id mappings, content hashes, run records.

Plain Python over SQLAlchemy Core (no Prefect); SQLite and PostgreSQL; tables prefixed ``cs_``.
Start with :class:`StateStore`; :class:`Cursor` is a plain value testable alone.
"""

from connectors.state._base import configure_sqlite, make_engine
from connectors.state.cursor import Cursor
from connectors.state.errors import (
    CursorMovedBackwards,
    InvalidTransition,
    RecordNotFound,
    StateError,
    UnsupportedDatabase,
)
from connectors.state.runs import RunRecord, RunStatus
from connectors.state.staged import OrderConflict, StagedOrder, StagedStatus, StageResult, describe_line_changes
from connectors.state.store import StateStore

__all__ = [
    "Cursor",
    "CursorMovedBackwards",
    "InvalidTransition",
    "OrderConflict",
    "RecordNotFound",
    "RunRecord",
    "RunStatus",
    "StageResult",
    "StagedOrder",
    "StagedStatus",
    "StateError",
    "StateStore",
    "UnsupportedDatabase",
    "configure_sqlite",
    "describe_line_changes",
    "make_engine",
]

"""Errors of the sync state store.

    StateError                      the store refused an operation, nothing was written by it; a
    │                               ``connectors.errors.Fatal``: the same call fails again
    ├── CursorMovedBackwards        a commit older than the committed position, without ``force=True``
    ├── RecordNotFound              a staged order or run record that does not exist
    ├── InvalidTransition           e.g. marking a ``done`` order failed, or done under another ERP key
    └── UnsupportedDatabase         a dialect other than SQLite / PostgreSQL

Bad arguments (empty keys, naive datetimes, malformed run errors) raise ``ValueError`` naming the record and
the field, like pydantic does for the domain models.
"""

from __future__ import annotations

from connectors import errors as base

__all__ = [
    "CursorMovedBackwards",
    "InvalidTransition",
    "RecordNotFound",
    "StateError",
    "UnsupportedDatabase",
]


class StateError(base.Fatal):
    """The state store refused an operation; the statement that detected it changed nothing."""


class CursorMovedBackwards(StateError):
    """Committing this position would re-open a window already synced; pass ``force=True`` to mean it."""


class RecordNotFound(StateError, LookupError):
    """A staged order or run record the caller named does not exist."""


class InvalidTransition(StateError):
    """A staged order cannot move to the requested status from the one it is in."""


class UnsupportedDatabase(StateError):
    """The state store relies on dialect upserts that exist in SQLite and PostgreSQL only."""

"""The ideas every error tree of the project shares, sorted by what the caller should do about it.

    CommerceSyncError             base of every error the project raises on purpose; pickles with its attributes
    ├── Retriable                 transient: the same request may succeed later
    │   ├── ServerError           the other side failed (HTTP 5xx or its equivalent); ``status`` when known
    │   └── TransportError        the request did not complete: no answer, it may or may not have arrived
    │       ├── RequestTimeout
    │       └── ConnectionFailed
    ├── Fatal                     permanent: the same request fails again; fix configuration, query or data
    │   └── AuthenticationError   credentials refused, revoked or short of a right; ``status`` when known
    └── RecordError               one record cannot be read or written: ``record``, ``field``, ``reason``

Each connector keeps its own tree (``connectors.shopify.errors``, ``connectors.pohoda.errors``, the ERP port's
``connectors.erp.errors``, the state store's ``connectors.state.errors``), and every class in it is also the
idea here it stands for: ``shopify.errors.Throttled`` is a ``ShopifyError`` *and* a ``Retriable``. So
``except shopify.errors.Retriable`` catches Shopify's transient failures only, ``except Retriable`` from this
module any connector's (``engine/policy.py`` retries on it).

Why the split: a Prefect task maps ``Retriable`` to "retry the task", ``Fatal`` to "fail now with this
message", and stores a ``RecordError`` on the record's row (staging error column, run report) without failing
the batch. ``RecordError`` has one set of names in every tree — ``record`` (our key: "order #1001", a SKU),
``field`` (a path into it: ``lines[0].sku``; ``None`` when the record as a whole is refused) and ``reason`` —
so a report reads the same whichever connector refused the record.

Why the pickling: Prefect and Dask ship exceptions between processes. ``BaseException`` pickles as
``cls(*self.args)``, which breaks for any ``__init__`` that does not take the message alone
(``RecordError(record, field, reason)``, keyword attributes like ``status``). ``CommerceSyncError`` rebuilds
an error from its message and attributes without calling ``__init__``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthenticationError",
    "CommerceSyncError",
    "ConnectionFailed",
    "Fatal",
    "RecordError",
    "RequestTimeout",
    "Retriable",
    "ServerError",
    "TransportError",
]


class CommerceSyncError(Exception):
    """Base of every error the project raises on purpose. Pickles with its attributes (see the module doc)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.__class__, self.args, dict(self.__dict__)))


def _rebuild(cls: type[CommerceSyncError], args: tuple[Any, ...], state: dict[str, Any]) -> CommerceSyncError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class Retriable(CommerceSyncError):
    """Transient: the same request may succeed later."""


class Fatal(CommerceSyncError):
    """Permanent: the same request will fail again."""


class ServerError(Retriable):
    """The other side failed while handling the request (HTTP 5xx, POHODA's "processing error")."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransportError(Retriable):
    """No answer: the request may or may not have reached the other side (idempotency keys make a retry safe)."""


class RequestTimeout(TransportError):
    pass


class ConnectionFailed(TransportError):
    pass


class AuthenticationError(Fatal):
    """The credentials were refused, revoked, or lack a right the request needs."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RecordError(CommerceSyncError):
    """One record cannot be read or written because of its data; the others go on.

    Equal when type and attributes are equal, so a batch's refusals can be compared as values.
    """

    def __init__(self, record: str, field: str | None, reason: str) -> None:
        self.record = record
        self.field = field
        self.reason = reason
        super().__init__(self.describe())

    def describe(self) -> str:
        """The message: ``record: field: reason`` (a tree may add what it knows, e.g. Shopify's error code)."""
        return f"{self.record}: {self.field}: {self.reason}" if self.field else f"{self.record}: {self.reason}"

    def __str__(self) -> str:  # from the attributes, so a caller that narrows ``field`` later is heard
        return self.describe()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), self.record, self.field, self.reason))

"""What can go wrong talking to an ERP, as a small tree a task can map to "retry" or "fail this record".

```
ErpError                 anything an ERP adapter raises on purpose (a ``connectors.errors.CommerceSyncError``)
├── ErpUnavailable       Retriable: the ERP could not be reached or was busy; nothing was written
├── ErpRefused           Fatal: the ERP refused the operation (missing tables, credentials, another company,
│                        a misconfigured documents folder); retrying cannot help, fix the configuration
└── RecordError          one record's data is bad or refers to something unknown: fail that record, keep going
    └── UnknownSkuError  a sales-order line names a SKU the ERP has no item for
```

Why a tree: the flows decide per error *kind*, never by parsing messages. A ``RecordError`` is stored on the
staged row it belongs to (BC's "Has Error" + message) and retried next run; an ``ErpUnavailable`` lets the
task retry. Each kind is also the idea of ``connectors/errors.py`` it stands for, so a retry policy written
against ``connectors.errors.Retriable`` covers every adapter. ``RecordError`` carries ``record``, ``field`` and
``reason`` like every connector's. Messages name the record and the field and never carry connection details
or secrets.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from connectors import errors as base

__all__ = ["ErpError", "ErpRefused", "ErpUnavailable", "RecordError", "UnknownSkuError", "record_error", "validated"]

M = TypeVar("M", bound=BaseModel)


class ErpError(base.CommerceSyncError):
    """Base of every error an ERP adapter raises deliberately."""


class ErpUnavailable(ErpError, base.Retriable):
    """The ERP did not answer, refused the connection, or was locked/busy. Retrying later may succeed."""


class ErpRefused(ErpError, base.Fatal):
    """The ERP refused the operation for a reason a retry cannot fix; the message says what to configure."""


class RecordError(ErpError, base.RecordError):
    """A record cannot be read or written because of its data: ``record`` names it, ``field`` the culprit."""


class UnknownSkuError(RecordError):
    """A sales-order line names a SKU that is no ERP variant; nothing of the order was written."""

    def __init__(self, order: str, sku: str, line_index: int) -> None:
        self.order = order
        self.sku = sku
        self.line_index = line_index
        super().__init__(f"order {order}", f"lines[{line_index}].sku", f"SKU {sku!r} is not an ERP item")


def record_error(record: str, exc: ValidationError) -> RecordError:
    """The first problem pydantic found in an ERP record, as a ``RecordError`` naming record and field."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "record"
    return RecordError(record, field, first["msg"])


def validated(record: str, model: type[M], **fields: Any) -> M:
    """``model(**fields)``, with a validation failure raised as a ``RecordError`` naming ``record``."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise record_error(record, exc) from None

"""What can go wrong talking to an ERP, as a small tree a task can map to "retry" or "fail this record".

```
ErpError                 anything the ERP adapter raises on purpose
├── ErpUnavailable       the ERP could not be reached or was busy: retriable, nothing was written
└── RecordError          one record's data is bad or refers to something unknown: fail that record, keep going
    └── UnknownSkuError  a sales-order line names a SKU the ERP has no item for
```

Why a tree: the flows decide per error *kind*, never by parsing messages. A ``RecordError`` is stored on the
staged row it belongs to (BC's "Has Error" + message) and retried next run; an ``ErpUnavailable`` lets the
task retry. Messages name the record and the field and never carry connection details or secrets.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["ErpError", "ErpUnavailable", "RecordError", "UnknownSkuError", "record_error", "validated"]

M = TypeVar("M", bound=BaseModel)


class ErpError(Exception):
    """Base of every error an ERP adapter raises deliberately."""


class ErpUnavailable(ErpError):
    """The ERP did not answer, refused the connection, or was locked/busy. Retrying later may succeed."""


class RecordError(ErpError):
    """A record cannot be read or written because of its data: ``record`` names it, ``field`` the culprit."""

    def __init__(self, record: str, field: str, reason: str) -> None:
        self.record = record
        self.field = field
        self.reason = reason
        super().__init__(f"{record}: {field}: {reason}")


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

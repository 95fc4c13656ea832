"""Deterministic keys for ``@idempotent(key:)`` mutations.

Why deterministic: from 2026-04 Shopify requires an idempotency key on ``inventorySetQuantities``,
``inventoryAdjustQuantities``, ``inventoryActivate``, ``refundCreate`` and others, and it applies a key only
once. A random key per attempt (BC uses a fresh GUID) protects nothing when *our* side retries — a Prefect task
retry after a timeout would send the same batch under a new key and apply it twice. Deriving the key from what
is sent means a retried batch carries the same key, and Shopify answers it with the first result.

Why a ``scope``: the same content can legitimately be sent again later — stock set to 5, changed by hand in
the admin, then set to 5 again by the next sync. That must not be deduplicated away, so the key also covers a
scope the caller chooses: the sync run's window or the ERP document and its version. A retry of the same
run/document keeps the key; the next run gets a new one.

The key is ``sha256`` over canonical JSON of ``{operation, scope, records}`` where the records are sorted by
their own canonical JSON, so the order a batch was assembled in does not change its key. It is formatted as
a UUID (Shopify's documented example form; fixed length, no secrets, no user data).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["canonical_json", "idempotency_key"]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 5, 5.0 and 5.00 are the same quantity
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "model_dump"):  # pydantic models
        return value.model_dump(mode="json")
    raise TypeError(f"cannot derive an idempotency key from a {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Stable JSON: sorted keys, no whitespace, Decimals and datetimes as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def idempotency_key(operation: str, records: Iterable[Mapping[str, Any] | Any], *, scope: str) -> str:
    """The key for sending ``records`` (a batch's inputs) with ``operation`` within ``scope``.

    Same operation, scope and set of records → same key, in any order. A different record, quantity,
    operation or scope → a different key.
    """
    if not scope or not scope.strip():
        raise ValueError("idempotency scope must be non-empty (e.g. the sync window or ERP document version)")
    items = sorted(canonical_json(record) for record in records)
    if not items:
        raise ValueError(f"{operation}: no records to derive an idempotency key from")
    payload = canonical_json({"operation": operation, "scope": scope, "records": items})
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16]))

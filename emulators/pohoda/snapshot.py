"""The state as plain JSON for ``GET /_emulator/state?snapshot=1``: every record of every agenda."""

from __future__ import annotations

import dataclasses
from typing import Any

from .state import PohodaState


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # Decimal, date, datetime


def snapshot(state: PohodaState) -> dict[str, Any]:
    with state.lock:
        return {
            "stores": _plain(state.sorted_by_id(state.stores.values())),
            "categories": _plain(state.sorted_by_id(state.categories.values())),
            "int_params": _plain(state.sorted_by_id(state.int_params.values())),
            "stock_cards": _plain(state.sorted_by_id(state.cards.values())),
            "addresses": _plain(state.sorted_by_id(state.addresses.values())),
            "orders": _plain(state.sorted_by_id(state.orders.values())),
            "invoices": _plain(state.sorted_by_id(state.invoices.values())),
            "delivery_notes": _plain(state.sorted_by_id(state.delivery_notes.values())),
            "payments": _plain(state.sorted_by_id(state.payments.values())),
            "documents": sorted(state.documents),
        }

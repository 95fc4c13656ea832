"""Plain helpers for the state store tests (a test-controlled clock, an order factory).

A uniquely named module rather than ``conftest``: several test folders have a conftest, and importing
"conftest" by name could pick up another folder's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.models import Order, OrderLine

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class FakeClock:
    """Bookkeeping "now" under the test's control, so purge cut-offs never depend on the wall clock."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_order(
    number: int,
    updated_at: datetime = T0,
    *,
    quantity: int = 1,
    shipping: str = "5",
    note: str | None = None,
    created_at: datetime | None = None,
) -> Order:
    """A small valid shop order; ``quantity``/``shipping`` change its lines signature, ``note`` does not."""
    return Order(
        shop_id=f"gid://shopify/Order/{number}",
        name=f"#{1000 + number}",
        created_at=created_at or T0 - timedelta(days=1) + timedelta(minutes=number),
        updated_at=updated_at,
        currency="CZK",
        lines=[
            OrderLine(
                shop_id=f"gid://shopify/LineItem/{number}1",
                sku="MUG-1",
                title="Mug",
                quantity=quantity,
                unit_price=Decimal("100"),
            )
        ],
        shipping_total=Decimal(shipping),
        total=Decimal(100 * quantity) + Decimal(shipping),
        note=note,
    )

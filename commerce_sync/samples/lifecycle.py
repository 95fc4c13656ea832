"""The order lifecycle after a shop's first sync: what its merchant and buyers do next, shop side.

A set of its own, applied to a running Shopify emulator *after* the shared sample was synced once, so the
shared sample (which many tests count orders of) stays as it is. Together with what the shared sample already
holds (``orders.lifecycle_scenarios``: a partial refund with a restock, a full refund, a shipping refund, a
gift-card payment), a demo shows every turn an order can take:

- new orders: a test order, an order placed and cancelled before any sync saw it, an order paid in a second
  currency (a multi-currency checkout: the buyer paid EUR, the shop keeps its books in CZK);
- cancellations of imported orders: one the ERP has not shipped (the ERP cancels it), one the ERP has already
  processed (shipped: the ERP leaves it to a person).

``apply_lifecycle`` makes the changes the way Shopify would have them (``order_ops.cancel`` is what a cancel in
the Shopify admin does); ``Scenario`` names each turn with its order, so ``commerce_sync.demo_lifecycle`` can
say what the ERP made of it. Nothing here reads a clock: the caller says when the events happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from commerce_sync.samples.orders import EUR_RATE
from domain.models import (
    GIFT_CARD_GATEWAY,
    Customer,
    FinancialStatus,
    Order,
    OrderLine,
    Product,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from domain.refunds import Refund

if TYPE_CHECKING:
    from emulators.shopify import ShopState

__all__ = ["Kind", "Scenario", "apply_lifecycle", "new_orders", "sample_scenarios"]

Kind = Literal[
    "test order",
    "cancelled before import",
    "cancelled after import",
    "cancelled after shipping",
    "partial refund with restock",
    "full refund",
    "shipping refund",
    "gift-card payment",
    "second currency",
]
FIRST_NUMBER = 9001
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scenario:
    """One turn of an order's life, on the order it happened to (``refund_id`` for the refund turns)."""

    kind: Kind
    order_id: str
    name: str
    refund_id: str | None = None


def sample_scenarios(orders: Sequence[Order], refunds: Sequence[Refund]) -> list[Scenario]:
    """The turns the shared sample already holds: its refunds (told apart by what they give back) and its
    gift-card payment."""
    by_id = {o.shop_id: o for o in orders}
    found = []
    for refund in refunds:
        order = by_id[refund.order_shop_id]
        if not refund.lines:
            kind: Kind = "shipping refund"
        elif refund.total >= order.total:
            kind = "full refund"
        else:
            kind = "partial refund with restock" if any(x.restocked for x in refund.lines) else "full refund"
        found.append(Scenario(kind, order.shop_id, order.name, refund.shop_id))
    gift = next((o for o in orders if any(t.gateway == GIFT_CARD_GATEWAY for t in o.transactions)), None)
    if gift is not None:
        found.append(Scenario("gift-card payment", gift.shop_id, gift.name))
    return found


def new_orders(products: Sequence[Product], at: datetime) -> list[tuple[Kind, Order]]:
    """Orders placed after the first sync (#9001…): a test order, one cancelled before any sync saw it, one
    paid in EUR at a CZK shop. ``at`` is when the last of them changed."""
    offer = [(p, v) for p in products if p.active for v in p.variants]
    if not offer:
        raise ValueError("the lifecycle orders need an active item")
    placed: list[tuple[Kind, Order]] = []
    kinds: tuple[Kind, ...] = ("test order", "cancelled before import", "second currency")
    for number, kind in enumerate(kinds, start=FIRST_NUMBER):
        product, variant = offer[(number - FIRST_NUMBER) % len(offer)]
        gid = f"gid://shopify/Order/{number}"
        paid = Transaction(
            shop_id=f"gid://shopify/OrderTransaction/{number}0",
            order_shop_id=gid,
            kind=TransactionKind.SALE,
            status=TransactionStatus.SUCCESS,
            gateway="bogus" if kind == "test order" else "shopify_payments",
            amount=variant.price,
            currency="CZK",
            presentment_amount=(variant.price / EUR_RATE).quantize(CENT, ROUND_HALF_UP)
            if kind == "second currency"
            else None,
            presentment_currency="EUR" if kind == "second currency" else None,
            processed_at=at - timedelta(minutes=4),
        )
        rate = (product.vat_rate or Decimal("0")) / 100
        cancelled = kind == "cancelled before import"
        order = Order(
            shop_id=gid,
            name=f"#{number}",
            created_at=at - timedelta(minutes=5),
            updated_at=at,
            currency="CZK",
            presentment_currency="EUR" if kind == "second currency" else "CZK",
            customer=Customer(
                email=f"lifecycle.{number}@example.com", first_name="Eva", last_name=f"Nováková {number}"
            ),
            lines=[
                OrderLine(
                    shop_id=f"gid://shopify/LineItem/{number}01",
                    sku=variant.sku,
                    title=product.title,
                    quantity=1,
                    unit_price=variant.price,
                    tax_rate=rate,
                )
            ],
            tax_total=(variant.price * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP),
            total=variant.price,
            financial_status=FinancialStatus.PAID,
            cancelled_at=at if cancelled else None,
            closed=cancelled,
            test=kind == "test order",
            transactions=[paid],
        )
        placed.append((kind, order))
    return placed


def apply_lifecycle(
    shop: ShopState,
    products: Sequence[Product],
    open_imported: Iterable[str],
    processed: Iterable[str],
    at: datetime,
) -> list[Scenario]:
    """Place the new orders and cancel two imported ones in the emulated shop, all stamped ``at``.

    ``open_imported``: GIDs of imported orders the ERP has not touched (the first one with no fulfillment is
    cancelled: the ERP cancels it too); ``processed``: GIDs of orders the ERP processed (shipped) — the first
    one the shop can still cancel (no fulfillment) is cancelled: the ERP must leave it to a person.
    """
    from emulators.shopify import order_ops

    scenarios = []
    placed = new_orders(products, at)
    shop.seed_orders([order for _, order in placed])
    scenarios += [Scenario(kind, order.shop_id, order.name) for kind, order in placed]
    turns: tuple[tuple[Kind, Iterable[str]], ...] = (
        ("cancelled after import", open_imported),
        ("cancelled after shipping", processed),
    )
    for kind, candidates in turns:
        with shop.lock:
            record = next(
                (
                    o
                    for gid in candidates
                    if (o := shop.find(gid, "Order")) is not None and not o.fulfillment_ids and o.cancelled_at is None
                ),
                None,
            )
            if record is None:
                continue
            order_ops.cancel(shop, record, "CUSTOMER")
            record.updated_at = record.cancelled_at = at
        scenarios.append(Scenario(kind, record.gid, record.name))
    return scenarios

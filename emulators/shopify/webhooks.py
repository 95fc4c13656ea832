"""Webhook subscriptions of the emulated shop, and which topics its writes raise.

What is modelled (Shopify's docs, as of API 2026-04):
- subscriptions are created with ``webhookSubscriptionCreate`` (``topic`` + ``webhookSubscription.uri``) and
  listed with ``webhookSubscriptions``; a second subscription of one topic to the same address is refused;
- a write raises a topic per changed record, delivered to every subscription of that topic with the REST-shaped
  JSON of the record as it was at that moment (https://shopify.dev/docs/apps/build/webhooks/delivery-structure;
  a retry carries the original payload: https://shopify.dev/changelog/updates-to-webhook-retry-mechanism);
- topics raised: ``ORDERS_CREATE`` (a new order), ``ORDERS_UPDATED`` (any write to an existing order, refunds and
  cancellations included), ``ORDERS_CANCELLED``, ``REFUNDS_CREATE``, ``PRODUCTS_CREATE``, ``PRODUCTS_UPDATE`` (a
  write to a product or one of its variants; stock changes are ``inventory_levels/update``, not raised here).
  Other topics can be subscribed but are never delivered.

How changes are found: while any subscription exists, ``ShopState.touch`` notes every record it stamps
(``note``); new orders, refunds and products are the ids not seen at the last ``drain`` (seeding creates orders
without touching them). ``drain`` runs after each write request, under the state lock. Delivery itself
(signing, the asynchronous sender, duplicates, retries) is :mod:`.webhook_delivery`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from . import records as r

if TYPE_CHECKING:
    from .state import ShopState

DEFAULT_WEBHOOK_SECRET = "shpss_emulator_webhook_secret"


class WebhookConfig(BaseModel):
    """How the emulated shop delivers webhooks. ``secret`` is the app's client secret they are signed with."""

    model_config = ConfigDict(extra="forbid")

    secret: SecretStr = SecretStr(DEFAULT_WEBHOOK_SECRET)
    delay_seconds: float = Field(0.0, ge=0, description="wait before the first attempt (delivery is asynchronous)")
    duplicate_share: float = Field(0.0, ge=0, le=1, description="share of deliveries sent twice, same webhook id")
    retry_delays: list[float] = Field(
        default_factory=lambda: [1.0, 5.0, 30.0],
        description="waits between attempts after a failure (Shopify: 8 retries over 4 hours, compressed)",
    )
    timeout_seconds: float = Field(5.0, gt=0, description="Shopify waits 5 s for an answer, then counts a failure")
    seed: int = 0


@dataclass(eq=False)
class WebhookSubscription(r.Record):
    GQL_TYPE = "WebhookSubscription"
    topic: str
    uri: str
    created_at: datetime
    updated_at: datetime
    format: str = "JSON"
    filter: str | None = None
    include_fields: list[str] = field(default_factory=list)
    name: str | None = None


@dataclass(frozen=True)
class Raised:
    """One topic raised by a write, with the payload every subscription of it receives."""

    topic: str
    payload: dict[str, Any]


class WebhookLedger:
    """The shop's subscriptions plus what changed since the last drain (kept only while someone listens)."""

    def __init__(self) -> None:
        self.subscriptions: dict[int, WebhookSubscription] = {}
        self._changed: list[Any] = []
        self._known: dict[str, set[int]] = {}
        self._cancelled: set[int] = set()

    def subscribe(self, state: ShopState, subscription: WebhookSubscription) -> None:
        """Add a subscription; the first one takes the baseline of existing records (they are not 'created')."""
        if not self.subscriptions:
            self._known = {table: set(getattr(state, table)) for table in ("orders", "refunds", "products")}
            self._cancelled = {o.id for o in state.orders.values() if o.cancelled_at is not None}
            self._changed.clear()
        self.subscriptions[subscription.id] = subscription

    def note(self, records: Iterable[Any]) -> None:
        if self.subscriptions:
            self._changed.extend(rec for rec in records if rec is not None)

    def drain(self, state: ShopState) -> list[Raised]:
        """The topics raised since the last drain, in a stable order; each (topic, record) at most once."""
        if not self.subscriptions:
            return []
        changed, self._changed = self._changed, []
        new = {table: sorted(set(getattr(state, table)) - self._known[table]) for table in self._known}
        raised: dict[tuple[str, int], Raised] = {}

        def add(topic: str, record: Any, payload: dict[str, Any]) -> None:
            raised.setdefault((topic, record.id), Raised(topic, payload))

        for order_id in new["orders"]:
            add("ORDERS_CREATE", state.orders[order_id], order_payload(state, state.orders[order_id]))
        for product_id in new["products"]:
            add("PRODUCTS_CREATE", state.products[product_id], product_payload(state, state.products[product_id]))
        for rec in changed:
            if isinstance(rec, r.Order) and rec.id in state.orders and rec.id not in new["orders"]:
                add("ORDERS_UPDATED", rec, order_payload(state, rec))
                if rec.cancelled_at is not None and rec.id not in self._cancelled:
                    add("ORDERS_CANCELLED", rec, order_payload(state, rec))
            product = state.products.get(rec.product_id) if isinstance(rec, r.Variant) else rec
            if isinstance(product, r.Product) and product.id in state.products and product.id not in new["products"]:
                add("PRODUCTS_UPDATE", product, product_payload(state, product))
        for refund_id in new["refunds"]:
            add("REFUNDS_CREATE", state.refunds[refund_id], refund_payload(state.refunds[refund_id]))
        for table, ids in new.items():
            self._known[table].update(ids)
        self._cancelled.update(o.id for o in state.orders.values() if o.cancelled_at is not None)
        return list(raised.values())


# ---- payloads: the REST resource of the topic (https://shopify.dev/docs/api/webhooks), the fields a sync reads


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def order_payload(state: ShopState, order: r.Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "admin_graphql_api_id": order.gid,
        "name": order.name,
        "email": order.email,
        "created_at": _time(order.created_at),
        "updated_at": _time(order.updated_at),
        "cancelled_at": _time(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": _time(order.closed_at),
        "financial_status": (order.financial_status or "").lower() or None,
        "currency": order.currency,
        "total_price": str(order.total),
        "tags": ", ".join(order.tags),
        "line_items": [
            {"id": li.id, "sku": li.sku, "quantity": li.quantity, "title": li.title} for li in order.line_items
        ],
        "refunds": [{"id": refund_id} for refund_id in order.refund_ids],
    }


def refund_payload(refund: r.Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "admin_graphql_api_id": refund.gid,
        "order_id": refund.order_id,
        "created_at": _time(refund.created_at),
        "processed_at": _time(refund.processed_at),
        "note": refund.note,
        "refund_line_items": [
            {"id": line.id, "line_item_id": line.line_item_id, "quantity": line.quantity} for line in refund.lines
        ],
    }


def product_payload(state: ShopState, product: r.Product) -> dict[str, Any]:
    variants = [v for v in (state.variants.get(i) for i in product.variant_ids) if v is not None]
    return {
        "id": product.id,
        "admin_graphql_api_id": product.gid,
        "title": product.title,
        "handle": product.handle,
        "status": product.status.lower(),
        "updated_at": _time(product.updated_at),
        "variants": [{"id": v.id, "sku": v.sku, "price": str(v.price)} for v in variants],
    }

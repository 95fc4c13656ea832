"""Shopify webhooks as Prefect events, and the deployment triggers that turn them into debounced sync runs.

The receiver (``commerce-sync webhooks serve``) emits one event per verified webhook: ``event_name(topic)``
about the resource ``shop_resource_id(shop)``. Each deployment whose sync a topic concerns carries a trigger
(``webhook_triggers``, rendered into ``prefect.yaml`` beside the schedules) that matches those events of its
shop. The contract between the two lives here so neither can drift from the other.

Debounce, from Prefect's reactive trigger algorithm (``prefect/server/events/triggers.py``, ``evaluate``): with
``threshold: 1`` and ``within: W`` the first matching event fires at once, and the trigger then ignores every
event until W has passed since its window opened; the first event after that fires again. So a burst of
webhooks starts one run per W, never one per webhook. The run is scheduled ``schedule_after: W`` after the
firing, so it starts after every event its window swallowed and, syncing up to the moment it starts (a
triggered run is not ``auto_scheduled``: it covers ``[last successful position, now)`` like "sync now"),
imports them all; an event after the window fires the next run. The schedules stay: a webhook that never
arrives is caught by the next due date.

Which sync each topic starts, and why:
- ``orders/create``, ``orders/updated``, ``orders/cancelled`` → ``sync_orders`` (it imports new orders and
  applies cancellations and edits of imported ones);
- ``refunds/create`` → ``sync_orders`` (it applies refunds after import; a dedicated refund sync would be
  added to this row);
- ``products/update`` → none. Every deployed catalogue sync writes ERP → shop, so a shop-side product edit has
  no flow to pull it into the ERP, and each write of ``sync_products``/``sync_images``/… comes back as
  ``products/update``: triggering a catalogue sync on it would make every catalogue run start another. Stock
  changes arrive as ``inventory_levels/update``, not ``products/update``, so ``sync_inventory`` has nothing to
  learn from it either. The receiver still emits the event (visible in the event feed, usable by an automation
  of your own); a shop → ERP product import would be its row here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

WEBHOOK_TOPICS: dict[str, tuple[str, ...]] = {
    "orders/create": ("sync_orders",),
    "orders/updated": ("sync_orders",),
    "orders/cancelled": ("sync_orders",),
    "refunds/create": ("sync_orders",),
    "products/update": (),
}
"""Every topic the receiver accepts → the sync types its webhooks start."""

DEBOUNCE = timedelta(seconds=15)
"""At most one triggered run per sync and shop in this window; also the delay before the run starts."""


def event_name(topic: str) -> str:
    """``orders/create`` → ``shopify.webhook.orders.create`` (Prefect event names are dotted)."""
    return "shopify.webhook." + topic.replace("/", ".")


def shop_resource_id(shop: str) -> str:
    """The Prefect resource a shop's webhook events are about; ``shop`` is the ShopifyShop block name."""
    return f"shopify.shop.{shop}"


def topics_starting(sync_type: str) -> list[str]:
    return [topic for topic, syncs in WEBHOOK_TOPICS.items() if sync_type in syncs]


def webhook_triggers(shop: str, sync_type: str) -> list[dict[str, Any]]:
    """The ``triggers:`` of one deployment in prefect.yaml: none when no webhook topic starts this sync."""
    topics = topics_starting(sync_type)
    if not topics:
        return []
    seconds = int(DEBOUNCE.total_seconds())
    return [
        {
            "name": f"{sync_type.replace('_', '-')}/{shop}: Shopify webhooks",
            "description": (
                f"Runs {sync_type} for {shop} on its webhooks ({', '.join(topics)}): the first at once, then at "
                f"most one run per {seconds} s, each starting {seconds} s after it fired."
            ),
            "enabled": True,
            "match": {"prefect.resource.id": shop_resource_id(shop)},
            "expect": [event_name(topic) for topic in topics],
            "posture": "Reactive",
            "threshold": 1,
            "within": seconds,
            "schedule_after": seconds,
        }
    ]

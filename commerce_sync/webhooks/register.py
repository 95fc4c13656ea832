"""Subscribe a shop to the webhooks the receiver takes (``commerce-sync webhooks register``).

One ``webhookSubscriptionCreate`` per topic, pointing at ``<address>/webhooks/<shop>``: the path names the
ShopifyShop block, so one receiver serves many shops and knows whose secret to check. Running it again is
safe: topics already subscribed at that address are listed first and left alone (Shopify would refuse the
duplicate anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.shopify.errors import UserError

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient


class RegistrationError(RuntimeError):
    """Shopify refused a subscription; the message names the topic and Shopify's reason."""


@dataclass(frozen=True)
class Subscription:
    topic: str
    """As Shopify's webhook headers spell it: ``orders/create``."""
    id: str
    uri: str
    created: bool
    """False when the shop already had it."""


def subscription_uri(address: str, shop: str) -> str:
    """``https://hooks.example.com`` + ``acme`` → ``https://hooks.example.com/webhooks/acme``."""
    return f"{address.rstrip('/')}/webhooks/{shop}"


def topic_enum(topic: str) -> str:
    """``orders/create`` → ``ORDERS_CREATE`` (the GraphQL ``WebhookSubscriptionTopic`` value)."""
    return topic.replace("/", "_").upper()


def register_webhooks(client: ShopifyClient, uri: str, topics: Sequence[str]) -> list[Subscription]:
    """Make the shop deliver ``topics`` to ``uri``; one entry per topic, in the order given."""
    existing = {
        node["topic"]: node["id"]
        for node in client.iter_nodes("WebhookSubscriptions", {"uri": uri}, "webhookSubscriptions")
        if node.get("uri") == uri
    }
    result = []
    for topic in topics:
        known = existing.get(topic_enum(topic))
        if known is not None:
            result.append(Subscription(topic, known, uri, created=False))
            continue
        payload, errors = client.mutate(
            "WebhookSubscriptionCreate",
            {"topic": topic_enum(topic), "webhookSubscription": {"uri": uri, "format": "JSON"}},
            "webhookSubscriptionCreate",
        )
        created = (payload or {}).get("webhookSubscription")
        if errors or not created:
            raise RegistrationError(f"Shopify refused the {topic} subscription to {uri}: {_reasons(errors)}")
        result.append(Subscription(topic, created["id"], uri, created=True))
    return result


def _reasons(errors: Sequence[UserError]) -> str:
    return "; ".join(f"{'.'.join(e.field) or '-'}: {e.message}" for e in errors) or "no subscription returned"

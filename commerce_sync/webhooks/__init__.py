"""Shopify webhooks in, Prefect events out: the receiver, its signature and replay checks, and registration.

``commerce-sync webhooks serve`` runs :func:`create_receiver`; ``commerce-sync webhooks register`` subscribes a
shop with :func:`register_webhooks`. Which sync each event starts is decided by the deployments' triggers
(``deployments/webhooks.py``), not here: the receiver only proves a webhook is Shopify's and new.
"""

from .receiver import Emit, create_receiver, emit_to_prefect, webhook_event
from .register import Subscription, register_webhooks, subscription_uri
from .replay import RecentIds
from .signature import sign, verify

__all__ = [
    "Emit",
    "RecentIds",
    "Subscription",
    "create_receiver",
    "emit_to_prefect",
    "register_webhooks",
    "sign",
    "subscription_uri",
    "verify",
    "webhook_event",
]

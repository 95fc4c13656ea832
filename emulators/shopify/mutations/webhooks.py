"""Webhook subscriptions: ``webhookSubscriptionCreate``/``Delete`` and the ``webhookSubscription(s)`` reads.

Refusals follow Shopify's: a blank address, an address that is not HTTPS (the emulator lets plain HTTP through
to a loopback host only, so a local receiver can listen), and a second subscription of one topic to the same
address ("Address for this topic has already been taken"). What the subscriptions make the shop send is
:mod:`emulators.shopify.webhooks` and :mod:`emulators.shopify.webhook_delivery`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..context import by_id, connection, ctx, time_key, user_error
from ..gids import parse_gid
from ..schema import resolver
from ..webhooks import WebhookSubscription

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_FIELD = ["webhookSubscription", "uri"]
_SORTS = {"ID": by_id, "CREATED_AT": lambda sub: time_key(sub.created_at)}


def _address_problem(uri: str | None) -> str | None:
    if not uri or not uri.strip():
        return "Address can't be blank"
    parts = urlsplit(uri.strip())
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return None
    return "Address is invalid: use an HTTPS URL (the emulator also takes http:// to a loopback host)"


@resolver("Mutation", "webhookSubscriptionCreate")
def webhook_subscription_create(_: Any, info: Any, topic: str, webhookSubscription: dict) -> dict:
    state = ctx(info).state
    uri = webhookSubscription.get("uri")
    problem = _address_problem(uri)
    if problem is None and any(s.topic == topic and s.uri == uri for s in state.webhooks.subscriptions.values()):
        problem = "Address for this topic has already been taken"
    if problem is not None or uri is None:
        return {"webhookSubscription": None, "userErrors": [user_error(_FIELD, problem or "Address can't be blank")]}
    now = state.now()
    subscription = WebhookSubscription(
        id=state.next_id("_webhook_subscriptions"),
        topic=topic,
        uri=uri.strip(),
        created_at=now,
        updated_at=now,
        format=webhookSubscription.get("format") or "JSON",
        filter=webhookSubscription.get("filter"),
        include_fields=list(webhookSubscription.get("includeFields") or []),
        name=webhookSubscription.get("name"),
    )
    state.webhooks.subscribe(state, subscription)
    return {"webhookSubscription": subscription, "userErrors": []}


@resolver("Mutation", "webhookSubscriptionDelete")
def webhook_subscription_delete(_: Any, info: Any, id: str) -> dict:
    subscriptions = ctx(info).state.webhooks.subscriptions
    number = parse_gid(id, "WebhookSubscription")
    if number is None or subscriptions.pop(number, None) is None:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [user_error(["id"], "Webhook subscription does not exist")],
        }
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


@resolver("QueryRoot", "webhookSubscription")
def resolve_webhook_subscription(_: Any, info: Any, id: str) -> WebhookSubscription | None:
    number = parse_gid(id, "WebhookSubscription")
    return ctx(info).state.webhooks.subscriptions.get(number) if number is not None else None


@resolver("QueryRoot", "webhookSubscriptions")
def resolve_webhook_subscriptions(_: Any, info: Any, **args: Any) -> Any:
    found = [
        sub
        for sub in ctx(info).state.webhooks.subscriptions.values()
        if (args.get("uri") is None or sub.uri == args["uri"])
        and (args.get("format") is None or sub.format == args["format"])
        and (not args.get("topics") or sub.topic in args["topics"])
    ]
    return connection(info, found, {**args, "sortKey": args.get("sortKey") or "CREATED_AT"}, sorts=_SORTS)

"""The webhook receiver: ``POST /webhooks/<shop>`` → verified, de-duplicated → one Prefect event.

Per delivery, in this order:
1. the shop must be one this receiver serves and the body must carry its signature (``signature.verify``),
   else 401 — logged with the shop, topic, size and sender, never the body (it holds customers' data);
2. a ``X-Shopify-Webhook-Id`` already taken is acknowledged (200) and dropped (``replay.RecentIds``); the
   check comes after the signature so nobody can make us ignore a real delivery by sending its id first;
3. a topic no trigger uses is acknowledged and dropped (Shopify retries anything but a 2xx);
4. the event ``shopify.webhook.<topic>`` about ``shopify.shop.<shop>`` is emitted, carrying ids only.

The event's ``occurred`` is when it was received, not Shopify's ``X-Shopify-Triggered-At``: a retried delivery
keeps its original trigger time (hours old), and a Prefect trigger ignores events older than its current window,
so it would never start the sync that the missed delivery was for. The trigger time travels in the payload.
The event id is derived from the shop and webhook id, so a repeat the memory has forgotten is still one event
to Prefect.

Shopify expects an answer within 5 s (https://shopify.dev/docs/apps/build/webhooks/subscribe/https): all of
this is in memory; the event is handed to Prefect's background sender.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from deployments.webhooks import WEBHOOK_TOPICS, event_name, shop_resource_id

from .replay import RecentIds
from .signature import verify

log = logging.getLogger("commerce_sync.webhooks")

Emit = Callable[[dict[str, Any]], None]
"""Takes the keyword arguments of ``prefect.events.emit_event``."""

_EVENT_IDS = uuid.UUID("5b0f6c1e-5d2a-4c39-9a52-6f1d2b7c9e40")  # namespace of the uuid5 event ids
_RECORD_KEYS = ("admin_graphql_api_id",)


def emit_to_prefect(event: dict[str, Any]) -> None:
    """Hand the event to Prefect's events worker (it sends in the background, to ``PREFECT_API_URL``)."""
    from prefect.events import emit_event

    if emit_event(**event) is None:
        log.warning("Prefect did not take event %s: are events enabled for this API?", event["event"])


def webhook_event(shop: str, topic: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The Prefect event of one verified delivery: who (shop), what (topic) and the ids to trace it by."""
    webhook_id = headers.get("x-shopify-webhook-id")
    event: dict[str, Any] = {
        "event": event_name(topic),
        "resource": {
            "prefect.resource.id": shop_resource_id(shop),
            "prefect.resource.name": shop,
            "shopify.shop-domain": headers.get("x-shopify-shop-domain", ""),
        },
        "occurred": datetime.now(UTC),
        "payload": {
            "topic": topic,
            "webhook_id": webhook_id,
            "shopify_event_id": headers.get("x-shopify-event-id"),
            "triggered_at": headers.get("x-shopify-triggered-at"),
            "api_version": headers.get("x-shopify-api-version"),
            "record": _record_gid(body),
        },
    }
    if webhook_id:
        event["id"] = uuid.uuid5(_EVENT_IDS, f"{shop}/{webhook_id}")
    return event


def _record_gid(body: bytes) -> str | None:
    """The GID of the record the webhook is about (``admin_graphql_api_id``), if the body names one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    value = next((data[key] for key in _RECORD_KEYS if isinstance(data.get(key), str)), None)
    return value[:200] if value else None


def create_receiver(
    secrets: Mapping[str, SecretStr], emit: Emit = emit_to_prefect, *, memory: RecentIds | None = None
) -> FastAPI:
    """The ASGI app for the shops in ``secrets`` (ShopifyShop block name → the app's client secret)."""
    shops = dict(secrets)
    seen = memory or RecentIds()
    app = FastAPI(title="commerce-sync Shopify webhooks", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/webhooks/{shop}")
    async def receive(shop: str, request: Request) -> JSONResponse:
        body = await request.body()
        headers = request.headers
        topic = headers.get("x-shopify-topic", "")
        secret = shops.get(shop)
        if secret is None or not verify(body, headers.get("x-shopify-hmac-sha256"), secret):
            reason = "unknown shop" if secret is None else "bad or missing X-Shopify-Hmac-Sha256"
            log.warning(
                "refused a webhook for shop %r, topic %r (%d bytes from %s): %s",
                shop[:80],
                topic[:80],
                len(body),
                request.client.host if request.client else "?",
                reason,
            )
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        webhook_id = headers.get("x-shopify-webhook-id")
        if webhook_id and not seen.first_time(f"{shop}/{webhook_id}"):
            log.info("webhook %s for %s (%s) was already taken: ignored", webhook_id, shop, topic)
            return JSONResponse({"status": "duplicate"})
        if topic not in WEBHOOK_TOPICS:
            log.info("webhook %s for %s: topic %r is not one commerce-sync uses: ignored", webhook_id, shop, topic)
            return JSONResponse({"status": "ignored"})
        emit(webhook_event(shop, topic, headers, body))
        log.info("webhook %s for %s: %s → event %s", webhook_id, shop, topic, event_name(topic))
        return JSONResponse({"status": "accepted"})

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "shops": len(shops)}

    return app

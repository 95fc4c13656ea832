"""Each shop's deployments carry the triggers that turn its Shopify webhooks into debounced sync runs."""

from __future__ import annotations

from datetime import timedelta

import yaml
from prefect.events import DeploymentTriggerTypes
from pydantic import TypeAdapter

from deployments.builder import ShopsFile, render_deployments, render_prefect_yaml
from deployments.webhooks import DEBOUNCE, WEBHOOK_TOPICS, event_name, webhook_triggers
from domain.categories import SYNC_TYPES

SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2026-01-01", "syncHour": 2, "timeZone": "Europe/Prague"}
TWO_SHOPS = ShopsFile.model_validate(
    {"shops": [{"name": n, "erp": "sql", "schedule": SCHEDULE} for n in ("acme", "bolt")]}
)
ORDER_TOPICS = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create"]


def triggers_by_sync(shop: str) -> dict[str, list[dict]]:
    rendered = yaml.safe_load(render_prefect_yaml(TWO_SHOPS, list(SYNC_TYPES)))["deployments"]
    return {d["entrypoint"].rsplit(":", 1)[1]: d.get("triggers", []) for d in rendered if d["name"] == shop}


def test_order_and_refund_webhooks_start_sync_orders_and_nothing_else():
    triggers = triggers_by_sync("acme")
    assert {sync for sync, found in triggers.items() if found} == {"sync_orders"}
    [trigger] = triggers["sync_orders"]
    assert trigger["expect"] == [event_name(t) for t in ORDER_TOPICS]
    assert trigger["match"] == {"prefect.resource.id": "shopify.shop.acme"}


def test_product_updates_start_no_sync():
    assert WEBHOOK_TOPICS["products/update"] == ()
    every_expected = [e for found in triggers_by_sync("acme").values() for t in found for e in t["expect"]]
    assert event_name("products/update") not in every_expected


def test_a_shops_trigger_matches_only_its_own_shops_events():
    acme, bolt = triggers_by_sync("acme")["sync_orders"][0], triggers_by_sync("bolt")["sync_orders"][0]
    assert acme["match"] != bolt["match"]
    assert acme["name"] == "sync-orders/acme: Shopify webhooks"  # unique: prefect deploy names automations by it


def test_a_burst_starts_one_run_per_window_and_the_run_waits_out_the_window():
    """Reactive, threshold 1: fire on the first event, ignore the rest of the window (see deployments/webhooks.py).
    Scheduling the run a window later makes it start after every event the window swallowed."""
    [trigger] = webhook_triggers("acme", "sync_orders")
    parsed = TypeAdapter(DeploymentTriggerTypes).validate_python(trigger)
    assert (parsed.posture, parsed.threshold) == ("Reactive", 1)
    assert parsed.within == parsed.schedule_after == DEBOUNCE
    assert timedelta(seconds=5) < DEBOUNCE <= timedelta(seconds=20)  # a 5 s burst is one window; a run within 30 s
    assert parsed.enabled and not parsed.after and not parsed.for_each


def test_every_topic_names_known_sync_types_only():
    for topic, syncs in WEBHOOK_TOPICS.items():
        assert set(syncs) <= set(SYNC_TYPES), topic


def test_deployments_no_topic_starts_carry_no_triggers_key():
    for deployment in render_deployments(TWO_SHOPS, list(SYNC_TYPES)):
        sync = deployment["entrypoint"].rsplit(":", 1)[1]
        assert ("triggers" in deployment) == (sync == "sync_orders")

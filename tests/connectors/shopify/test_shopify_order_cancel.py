"""Cancelling against the emulator's asynchronous ``orderCancel``: one send per order while its job may run,
"already cancelled" told by the order's state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from commerce_sync.samples.data import generate
from connectors.shopify import CostGovernor, ShopifyClient
from connectors.shopify.order_cancel import LOST_GRACE, OrderCanceller
from connectors.shopify.testing import FakeTime
from emulators.shopify import Emulator, EmulatorConfig, FakeClock, create_app, emulator_client, emulator_of
from emulators.shopify.config import DEFAULT_TOKEN


class Memory:
    """The jobs sent, in a dict (the tasks keep them in the sync state)."""

    def __init__(self) -> None:
        self.jobs: dict[str, str] = {}

    def get(self, order_id: str) -> str | None:
        return self.jobs.get(order_id)

    def put(self, order_id: str, job: str) -> None:
        self.jobs[order_id] = job

    def forget(self, order_id: str) -> None:
        self.jobs.pop(order_id, None)


@pytest.fixture
def shop(fake_time: FakeTime) -> Iterator[tuple[ShopifyClient, Emulator, FakeClock]]:
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    app = create_app(EmulatorConfig(job_polls=1000, job_seconds=60), clock=clock)
    emulator = emulator_of(app)
    emulator.state.seed_orders(generate(items=4, customers=2, orders=3, seed=7).orders)
    http = emulator_client(app=app)
    client = ShopifyClient(
        f"https://{emulator.config.domain}",
        DEFAULT_TOKEN,
        http=http,
        governor=CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
    )
    with http:
        yield client, emulator, clock


def _open_order(emulator: Emulator) -> str:
    return next(o.gid for o in emulator.state.orders.values() if o.cancelled_at is None and not o.fulfillment_ids)


def _cancels(emulator: Emulator) -> int:
    return emulator.executor.ledger.as_json()["by_operation"].get("OrderCancel", {}).get("calls", 0)


VARIABLES = {"reason": "OTHER", "restock": True, "notifyCustomer": False}


def test_a_job_still_running_is_not_sent_again_and_its_finish_is_read_from_the_order(shop):
    client, emulator, clock = shop
    order_id, memory = _open_order(emulator), Memory()
    canceller = OrderCanceller(client, memory, sleep=lambda s: None)

    first = canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})
    again = canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})

    assert (first.status, again.status, _cancels(emulator)) == ("running", "running", 1)
    assert memory.jobs[order_id].startswith("gid://shopify/Job/")
    clock.advance(60)  # the job's time on the shop's clock
    done = canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})
    assert (done.status, _cancels(emulator), memory.jobs) == ("done", 1, {})
    assert emulator.state.find(order_id, "Order").cancelled_at is not None


def test_a_refusal_for_an_order_already_cancelled_counts_as_done_by_its_state(shop):
    client, emulator, clock = shop
    order_id = _open_order(emulator)
    with emulator.state.lock:
        emulator.state.find(order_id, "Order").cancelled_at = clock.now()
    result = OrderCanceller(client, Memory()).cancel(order_id, {"orderId": order_id, **VARIABLES})
    assert (result.status, result.reasons, _cancels(emulator)) == ("done", [], 1)


def test_a_job_that_finished_without_cancelling_gets_the_cancel_sent_again(shop):
    client, emulator, clock = shop
    order_id, memory = _open_order(emulator), Memory()
    canceller = OrderCanceller(client, memory, sleep=lambda s: None)
    canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})
    with emulator.state.lock:  # the job ran and failed on Shopify's side
        for job in emulator.state.jobs.jobs.values():
            job.done = True

    retried = canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})

    assert (retried.status, _cancels(emulator)) == ("running", 2)


def test_a_send_whose_answer_was_lost_waits_its_grace_before_sending_again(shop):
    client, emulator, _ = shop
    order_id, memory = _open_order(emulator), Memory()
    now = [datetime(2026, 3, 1, tzinfo=UTC)]
    canceller = OrderCanceller(client, memory, sleep=lambda s: None, now=lambda: now[0])
    emulator.set_faults(script=[{"request": 1, "fault": "lost_answer"}])

    lost = canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})
    assert (lost.status, _cancels(emulator)) == ("running", 1)
    now[0] += LOST_GRACE - timedelta(seconds=1)
    assert canceller.cancel(order_id, {"orderId": order_id, **VARIABLES}).status == "running"
    assert _cancels(emulator) == 1
    with emulator.state.lock:  # the lost request's job never ran (Shopify dropped it)
        emulator.state.jobs.jobs.clear()
    now[0] += timedelta(seconds=2)
    assert canceller.cancel(order_id, {"orderId": order_id, **VARIABLES}).status == "running"
    assert _cancels(emulator) == 2


def test_an_order_cancelled_while_our_job_still_runs_is_done_and_the_job_forgotten(shop):
    """An order already cancelled — by an earlier job whose answer was lost, or by a person — while the job we
    remember still runs: done, and the job is forgotten, since nothing will look at the order again (a real-death
    bench run left such a job in the sync state)."""
    client, emulator, clock = shop
    order_id, memory = _open_order(emulator), Memory()
    canceller = OrderCanceller(client, memory, sleep=lambda s: None)
    assert canceller.cancel(order_id, {"orderId": order_id, **VARIABLES}).status == "running"
    with emulator.state.lock:
        emulator.state.find(order_id, "Order").cancelled_at = clock.now()

    done = canceller.cancel(order_id, {"orderId": order_id, **VARIABLES})

    assert (done.status, memory.jobs, _cancels(emulator)) == ("done", {}, 1)


def test_a_lost_answer_for_an_order_found_cancelled_leaves_nothing_remembered(shop):
    client, emulator, clock = shop
    order_id, memory = _open_order(emulator), Memory()
    with emulator.state.lock:  # cancelled in the admin; our send's answer is lost on the way back
        emulator.state.find(order_id, "Order").cancelled_at = clock.now()
    emulator.set_faults(script=[{"request": 1, "fault": "lost_answer"}])

    result = OrderCanceller(client, memory, sleep=lambda s: None).cancel(order_id, {"orderId": order_id, **VARIABLES})

    assert (result.status, memory.jobs) == ("done", {})

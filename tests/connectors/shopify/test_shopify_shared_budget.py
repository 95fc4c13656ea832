"""A shared bucket (several processes, one shop): asked before the local reservation, given back what Shopify
refunded or never charged, kept on a THROTTLED answer, and attached to the shop's process-wide governor."""

from __future__ import annotations

import httpx
import pytest

from connectors.shopify.client import ShopifyClient
from connectors.shopify.errors import Throttled
from connectors.shopify.operations import catalog
from connectors.shopify.testing import SHOP, TOKEN, ScriptedShop, ok, throttled
from connectors.shopify.throttle import CostGovernor, ThrottleStatus, governor_for, reset_governors

ORDER = {"order": {"id": "gid://shopify/Order/1", "name": "#1001"}}
DECLARED = catalog.get("Order").cost  # the "# cost:" line of Order.graphql


class RecordingBucket:
    """A shared bucket that grants everything (up to ``size``) and records what it was asked."""

    def __init__(self, size: int = 10_000, *, refuse: BaseException | None = None) -> None:
        self.size = size
        self.refuse = refuse
        self.reserved: list[int] = []
        self.refunded: list[int] = []

    def reserve(self, cost: int) -> int:
        if self.refuse is not None:
            raise self.refuse
        self.reserved.append(cost)
        return min(cost, self.size)

    def refund(self, points: int) -> None:
        self.refunded.append(points)


@pytest.fixture(autouse=True)
def _fresh_governors():
    reset_governors()
    yield
    reset_governors()


def client_with(bucket: RecordingBucket, shop: ScriptedShop, fake_time) -> ShopifyClient:
    governor = CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep, shared=bucket)
    return ShopifyClient(
        SHOP,
        TOKEN,
        http=httpx.Client(transport=httpx.MockTransport(shop)),
        governor=governor,
        sleep=fake_time.sleep,
        rng=lambda: 0.5,
    )


def test_the_shared_bucket_grants_the_requested_cost_and_gets_back_what_shopify_refunded(fake_time):
    bucket = RecordingBucket()
    client = client_with(bucket, ScriptedShop([ok(ORDER, requested=DECLARED, actual=30)]), fake_time)

    client.execute("Order", {"id": "x"})

    assert bucket.reserved == [DECLARED]  # the document's declared cost, before anything is learned
    assert bucket.refunded == [DECLARED - 30]


def test_the_shared_bucket_is_asked_after_the_local_wait_right_before_the_request_leaves(fake_time):
    asked_at: list[float] = []

    class Clocked(RecordingBucket):
        def reserve(self, cost: int) -> int:
            asked_at.append(fake_time.now)
            return super().reserve(cost)

    governor = CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep, shared=Clocked())
    governor.settle(governor.reserve(1), ThrottleStatus(2000, 100, 100))
    start = fake_time.now

    governor.reserve(300)  # the local image is 200 points short: 2 s

    assert asked_at[-1] == pytest.approx(start + 2.0)


def test_a_refused_shared_grant_gives_the_local_points_back(fake_time):
    governor = CostGovernor(
        clock=fake_time.clock, sleep=fake_time.sleep, shared=RecordingBucket(refuse=Throttled("no budget"))
    )
    before = governor.snapshot()["available"]

    with pytest.raises(Throttled):
        governor.reserve(500)

    assert governor.snapshot()["available"] == before  # no local debt left behind


def test_a_throttled_answer_keeps_the_shared_points_so_every_worker_backs_off(fake_time):
    bucket = RecordingBucket()
    shop = ScriptedShop(
        [
            throttled(requested=DECLARED, available=48, rate=50),
            httpx.Response(429),
            ok(ORDER, requested=DECLARED, actual=DECLARED),
        ]
    )
    client_with(bucket, shop, fake_time).execute("Order", {"id": "x"})

    assert bucket.reserved == [DECLARED, DECLARED, DECLARED]  # each retry is granted again
    assert bucket.refunded == []  # nothing given back: neither for the refusals nor for a fully charged answer


def test_a_request_that_never_left_gets_its_shared_points_back(fake_time):
    bucket = RecordingBucket()
    shop = ScriptedShop([httpx.ConnectError("refused"), ok(ORDER, requested=DECLARED, actual=DECLARED)])
    client_with(bucket, shop, fake_time).execute("Order", {"id": "x"})

    assert bucket.reserved == [DECLARED, DECLARED]
    assert bucket.refunded == [DECLARED]


def test_an_answer_without_its_actual_cost_gives_nothing_back(fake_time):
    bucket = RecordingBucket()
    governor = CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep, shared=bucket)
    governor.settle(governor.reserve(300), ThrottleStatus(2000, 1700, 100))
    assert bucket.refunded == []


def test_a_cost_bigger_than_the_shared_bucket_refunds_only_what_the_bucket_granted(fake_time):
    bucket = RecordingBucket(size=200)
    governor = CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep, shared=bucket)
    reservation = governor.reserve(742)
    assert reservation.shared == 200

    governor.settle(reservation, ThrottleStatus(2000, 1800, 100), actual_cost=150)

    assert bucket.refunded == [50]


def test_a_free_request_does_not_ask_the_shared_bucket(fake_time):
    bucket = RecordingBucket()
    CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep, shared=bucket).reserve(0)
    assert bucket.reserved == []


def test_a_client_attaches_its_shared_bucket_to_the_shops_process_wide_governor():
    bucket = RecordingBucket()
    with_budget = ShopifyClient(SHOP, TOKEN, shared_budget=bucket)
    without = ShopifyClient(SHOP, TOKEN)  # another task of the same shop: same governor, same shared bucket

    assert with_budget.governor is without.governor is governor_for(SHOP, TOKEN)
    assert without.governor.shared is bucket
    with_budget.close(), without.close()


def test_a_shared_bucket_given_next_to_an_explicit_governor_is_refused():
    with pytest.raises(ValueError, match="shared_budget"):
        ShopifyClient(SHOP, TOKEN, governor=CostGovernor(), shared_budget=RecordingBucket())

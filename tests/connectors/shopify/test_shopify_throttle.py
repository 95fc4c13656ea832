"""The cost governor: reserve before sending, wait when short, learn the bucket from every response."""

from __future__ import annotations

import threading

import pytest

from connectors.shopify.testing import FakeTime
from connectors.shopify.throttle import CostGovernor, ThrottleStatus, governor_for, reset_governors


def status(available: float, maximum: float = 2000, rate: float = 100) -> ThrottleStatus:
    return ThrottleStatus(maximum_available=maximum, currently_available=available, restore_rate=rate)


@pytest.fixture
def governor(fake_time: FakeTime) -> CostGovernor:
    return CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep)


def test_a_request_the_bucket_covers_goes_at_once(governor: CostGovernor, fake_time: FakeTime):
    reservation = governor.reserve(300)
    assert reservation.waited == 0 and fake_time.sleeps == []


def test_when_short_it_waits_the_missing_points_divided_by_the_restore_rate(governor, fake_time):
    governor.settle(governor.reserve(1), status(available=150, rate=100))

    governor.reserve(400)

    assert fake_time.sleeps == [pytest.approx((400 - 150) / 100)]


def test_the_bucket_size_and_rate_are_learned_from_throttle_status_not_hard_coded(governor, fake_time):
    assert not governor.learned
    governor.settle(governor.reserve(10), status(available=20_000, maximum=20_000, rate=1000))

    snapshot = governor.snapshot()
    assert snapshot["maximum"] == 20_000 and snapshot["restore_rate"] == 1000 and governor.learned
    for _ in range(15):  # a Plus-sized bucket takes fifteen 1000-point queries without waiting
        governor.reserve(1000)
    assert fake_time.sleeps == []


def test_a_lower_limit_reported_by_shopify_replaces_what_was_learned(governor, fake_time):
    governor.settle(governor.reserve(10), status(available=4000, maximum=4000, rate=200))
    governor.settle(governor.reserve(10), status(available=50, maximum=1000, rate=50))

    governor.reserve(100)

    assert fake_time.sleeps == [pytest.approx((100 - 50) / 50)]


def test_the_bucket_refills_with_time_between_requests(governor, fake_time):
    governor.settle(governor.reserve(1), status(available=0, rate=100))
    fake_time.now += 3.0  # 300 points restored meanwhile

    governor.reserve(300)

    assert fake_time.sleeps == []


def test_concurrent_reservations_queue_instead_of_all_going_at_once(governor, fake_time):
    governor.settle(governor.reserve(1), status(available=100, rate=100))

    governor.reserve(100)  # takes the last 100 points
    governor.reserve(100)  # must wait 1 s for the next 100
    governor.reserve(100)  # and this one another second on top

    assert fake_time.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


def test_in_flight_reservations_are_subtracted_from_a_correction(governor, fake_time):
    first = governor.reserve(500)  # still in flight
    second = governor.reserve(10)
    governor.settle(second, status(available=600, rate=100))  # the server has not charged `first` yet

    assert governor.snapshot()["available"] == pytest.approx(100)
    governor.settle(first, status(available=100, rate=100))
    assert governor.snapshot()["available"] == pytest.approx(100)


def test_a_throttled_answer_holds_everyone_back_at_least_a_second(governor, fake_time):
    reservation = governor.reserve(50)
    governor.throttled(reservation, status(available=2000))

    governor.reserve(50)

    assert fake_time.sleeps == [pytest.approx(1.0)]


def test_a_retry_after_pause_is_honoured(governor, fake_time):
    governor.pause(7.5)
    governor.reserve(1)
    assert fake_time.sleeps == [pytest.approx(7.5)]


def test_a_request_never_sent_gets_its_points_back(governor, fake_time):
    governor.settle(governor.reserve(1), status(available=500))
    reservation = governor.reserve(400)
    governor.settle(reservation, None, refund=True)
    assert governor.snapshot()["available"] == pytest.approx(500)


def test_the_governor_is_thread_safe_and_debt_adds_up(fake_time: FakeTime):
    lock = threading.Lock()

    def sleep(seconds: float) -> None:  # threads record their waits; the clock stands still
        with lock:
            fake_time.sleeps.append(seconds)

    governor = CostGovernor(clock=fake_time.clock, sleep=sleep)
    governor.settle(governor.reserve(1), status(available=0, rate=100))
    threads = [threading.Thread(target=governor.reserve, args=(100,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # eight 100-point requests on an empty bucket: waits of 1, 2, … 8 seconds in some order
    assert sorted(fake_time.sleeps) == pytest.approx([1, 2, 3, 4, 5, 6, 7, 8])


def test_one_governor_per_shop_and_token_is_shared_across_clients():
    reset_governors()
    a = governor_for("https://a.myshopify.com", "token-1")
    assert governor_for("https://a.myshopify.com/", "token-1") is a
    assert governor_for("https://a.myshopify.com", "token-2") is not a  # another app installation
    assert governor_for("https://b.myshopify.com", "token-1") is not a
    assert "token-1" not in repr(a.__dict__)


def test_throttle_status_is_read_from_response_extensions():
    extensions = {
        "cost": {"throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1500, "restoreRate": 100.0}}
    }
    assert ThrottleStatus.from_extensions(extensions) == status(available=1500)
    assert ThrottleStatus.from_extensions({}) is None
    assert ThrottleStatus.from_extensions({"cost": {"throttleStatus": {"maximumAvailable": 0}}}) is None

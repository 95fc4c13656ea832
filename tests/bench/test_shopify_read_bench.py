"""Smoke test of ``bench/shopify_read.py`` at a tiny size: the benchmark runs end to end against the emulator
process and its figures add up. No wall-clock assertions: the figures are checked against each other."""

from __future__ import annotations

import math

import pytest

from bench import shopify_read
from bench.shopify_read import refund_aware_limit


@pytest.fixture(scope="module")
def tight_run() -> shopify_read.BenchResult:
    # a 1000-point bucket cannot cover the read (19 pages × 981 requested, ~5 000 actual): the governor must pace
    args = ["--orders", "200", "--restore-rate", "2500", "--bucket-factor", "0.4", "--cost-model", "pessimistic"]
    return shopify_read.main(args)


def test_on_shopifys_measured_costs_the_read_needs_a_fraction_of_the_requests(tight_run):
    calibrated = shopify_read.main(["--orders", "200", "--restore-rate", "2500", "--bucket-factor", "0.4"])
    assert calibrated.orders_read == calibrated.distinct_ids == 200
    assert calibrated.throttled_after_first == 0
    assert calibrated.requests * 5 <= tight_run.requests  # 19 pages of 11 under the linear rule
    assert calibrated.total_requested * 5 <= tight_run.total_requested


def test_every_order_is_read_exactly_once(tight_run):
    assert tight_run.orders_read == 200
    assert tight_run.distinct_ids == 200
    assert tight_run.pages == math.ceil(200 / tight_run.page_size)


def test_no_throttled_answer_once_the_governor_has_seen_a_response(tight_run):
    assert tight_run.refund_limit_s > 0, "the bucket was meant to be too small for the whole read"
    assert tight_run.throttled_after_first == 0
    assert tight_run.requests == tight_run.server_requests == tight_run.server_calls


def test_the_throttle_limit_is_computed_from_what_the_shop_charged(tight_run):
    assert tight_run.starting_fill == tight_run.bucket_size == 1000
    page_cost = shopify_read.catalog.get(shopify_read.OPERATION).cost
    assert tight_run.total_requested == tight_run.server_requested == tight_run.pages * page_cost
    expected = (tight_run.total_requested - tight_run.bucket_size) / tight_run.restore_rate
    assert tight_run.throttle_limit_s == pytest.approx(expected)
    assert tight_run.ratio == pytest.approx(tight_run.wall_s / expected)
    assert 0 < tight_run.total_actual < tight_run.total_requested


def test_the_report_prints_the_ratio_and_the_throttled_count(capsys):
    result = shopify_read.BenchResult(
        orders=10,
        orders_read=10,
        distinct_ids=10,
        requests=2,
        pages=2,
        page_size=5,
        bucket_size=1000,
        restore_rate=100.0,
        starting_fill=1000,
        total_requested=1484,
        total_actual=300,
        throttle_limit_s=4.84,
        refund_limit_s=0.0,
        wall_s=6.05,
        ratio=1.25,
        refund_ratio=None,
        throttled_after_first=0,
        governor_sleep_s=0.0,
        governor_sleeps=0,
        http_s=6.0,
        client_s=0.05,
        server_requested=1484,
        server_calls=2,
        server_requests=2,
        client_cpu_s=0.05,
        server_cpu_s=None,
    )
    text = shopify_read.report(result)
    assert "ratio wall / throttle limit" in text and "1.250" in text and "goal <= 1.25: met" in text
    assert "THROTTLED after the first response  : 0" in text
    assert "n/a (the bucket never ran short)" in text
    assert "bound by                            : request service time" in text


def test_refund_aware_limit_is_set_by_the_request_that_finds_the_bucket_lowest():
    # fill 1000, rate 100: the third request needs 742 after 2 × 300 were spent → (600 + 742 − 1000) / 100
    assert refund_aware_limit([742, 742, 742], [300, 300, 300], fill=1000, rate=100) == pytest.approx(3.42)
    assert refund_aware_limit([742], [300], fill=1000, rate=100) == 0.0

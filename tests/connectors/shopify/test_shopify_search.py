"""Search syntax: dates quoted as Shopify requires, values escaped, windows half-open."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from connectors.shopify.search import all_of, any_of, datetime_literal, field_filter, quote, updated_at_filter

UTC = UTC


def test_an_updated_at_window_is_half_open_with_quoted_utc_datetimes():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2026, 1, 2, 6, 30, tzinfo=UTC)
    assert updated_at_filter(start, end) == (
        "updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-01-02T06:30:00Z'"
    )


def test_window_bounds_in_another_zone_are_converted_to_utc():
    prague = timezone(timedelta(hours=1))
    start = datetime(2026, 1, 1, 1, 0, 0, 999_000, tzinfo=prague)
    assert updated_at_filter(start, None) == "updated_at:>='2026-01-01T00:00:00Z'"


def test_an_open_start_gives_only_the_upper_bound():
    assert updated_at_filter(None, datetime(2026, 3, 1, tzinfo=UTC)) == "updated_at:<'2026-03-01T00:00:00Z'"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        datetime_literal(datetime(2026, 1, 1))


def test_an_empty_or_reversed_window_is_refused():
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="empty window"):
        updated_at_filter(moment, moment)
    with pytest.raises(ValueError):
        updated_at_filter(None, None)


def test_other_datetime_fields_can_be_windowed():
    assert updated_at_filter(datetime(2026, 1, 1, tzinfo=UTC), None, field="created_at").startswith("created_at:>=")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ABC-1", '"ABC-1"'),
        ("A 1 OR x", '"A 1 OR x"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("a:b (c)", '"a:b (c)"'),
        (42, "42"),
        (True, "true"),
        (date(2026, 2, 3), "'2026-02-03'"),
    ],
)
def test_values_are_quoted_and_escaped(value, expected):
    assert quote(value) == expected


def test_a_field_filter_cannot_be_hijacked_by_its_value():
    assert field_filter("sku", "X OR sku:*") == 'sku:"X OR sku:*"'


def test_field_names_and_comparators_are_checked():
    with pytest.raises(ValueError, match="field"):
        field_filter("sku) OR (x", "1")
    with pytest.raises(ValueError, match="comparator"):
        field_filter("sku", "1", "=")


def test_any_of_builds_one_parenthesised_or_group_without_duplicates():
    assert any_of("sku", ["A", "B", "A"]) == '(sku:"A" OR sku:"B")'
    assert any_of("sku", ["A"]) == 'sku:"A"'
    with pytest.raises(ValueError):
        any_of("sku", [])


def test_all_of_joins_with_and_and_keeps_or_groups_together():
    assert all_of('(sku:"A" OR sku:"B")', "status:active", None) == '(sku:"A" OR sku:"B") AND status:active'
    assert all_of("a:1 OR a:2", "b:3") == "(a:1 OR a:2) AND b:3"

"""The cursor and its window as plain values: no database involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from connectors.state import Cursor

UTC = UTC
D1 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
D2 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_first_window_starts_at_the_initial_value_and_ends_at_the_signpost():
    window = Cursor(shop="s", sync_type="orders").open_window(D2, initial=D1)
    assert (window.committed, window.start, window.signpost) == (None, D1, D2)
    assert not window.is_empty


def test_window_without_initial_value_reads_from_the_beginning():
    window = Cursor(shop="s", sync_type="orders").open_window(D2)
    assert window.start is None
    assert window.contains(datetime(2004, 1, 1, tzinfo=UTC))


def test_window_starts_at_the_committed_position_minus_the_overlap():
    cursor = Cursor(shop="s", sync_type="orders", position=D1)
    window = cursor.open_window(D2, initial=datetime(2004, 1, 1, tzinfo=UTC), overlap=timedelta(minutes=5))
    assert window.committed == D1
    assert window.start == D1 - timedelta(minutes=5)


def test_window_is_half_open_so_the_signpost_belongs_to_the_next_run():
    window = Cursor(shop="s", sync_type="orders", position=D1).open_window(D2)
    assert window.contains(D1)
    assert not window.contains(D2)
    assert not window.contains(D1 - timedelta(microseconds=1))


def test_window_compares_times_given_in_other_zones_by_instant():
    prague = timezone(timedelta(hours=1))
    window = Cursor(shop="s", sync_type="orders", position=D1).open_window(D2)
    assert window.contains(datetime(2026, 3, 2, 6, 59, tzinfo=prague))  # 05:59 UTC
    assert not window.contains(datetime(2026, 3, 2, 7, 0, tzinfo=prague))  # 06:00 UTC


def test_run_fired_before_the_next_due_date_gets_an_empty_window():
    window = Cursor(shop="s", sync_type="products", position=D2).open_window(D2)
    assert window.is_empty


def test_naive_signpost_is_refused():
    with pytest.raises(ValidationError, match="timezone-aware"):
        Cursor(shop="s", sync_type="orders").open_window(datetime(2026, 3, 2, 6, 0))


def test_negative_overlap_is_refused_naming_the_cursor():
    with pytest.raises(ValueError, match="s/orders: overlap"):
        Cursor(shop="s", sync_type="orders", position=D1).open_window(D2, overlap=timedelta(minutes=-1))

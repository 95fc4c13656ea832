"""Fixtures for the state store tests: a store on each database (SQLite, PostgreSQL) and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from state_helpers import FakeClock

from connectors.state import StateStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[StateStore]:
    state = StateStore.from_url(db_url, clock=clock)
    state.create_schema()
    yield state
    state.engine.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str, clock: FakeClock) -> Iterator[StateStore]:
    """For input checks that refuse before any SQL runs: one database is enough to prove nothing was written."""
    state = StateStore.from_url(sqlite_url, clock=clock)
    state.create_schema()
    yield state
    state.engine.dispose()

"""Crash and wire-fault tests run flows: they talk to the session's Prefect test API, like ``tests/flows``."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _prefect(prefect_harness: None) -> None:
    """Every chaos test talks to the session's Prefect API."""

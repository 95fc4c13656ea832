"""Which stack a test runs on: parametrisations of the ``stack`` fixture (``conftest.py``).

Each stack is its own xdist group, so under ``--dist loadgroup`` the two start at once on two workers (the
largest groups are handed out first) while the other tests fill in around them; the tests of one stack always
share a worker, the only place its processes and package-scoped fixture live.
"""

from __future__ import annotations

import pytest

_SQLITE = pytest.param("sqlite", marks=pytest.mark.xdist_group("e2e-sqlite"))
_POSTGRESQL = pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.xdist_group("e2e-postgresql")])
_SHOP_EVENTS = pytest.param(
    "postgresql-events", marks=[pytest.mark.postgres, pytest.mark.xdist_group("e2e-postgresql-events")]
)

ON_SQLITE = pytest.mark.parametrize("stack", [_SQLITE], indirect=True)
"""The embedded default's SQLite-backed server: the smoke batch, and what the browser opens."""
ON_POSTGRESQL = pytest.mark.parametrize("stack", [_POSTGRESQL], indirect=True)
"""The PostgreSQL-backed server (production's): every deployment of every shop."""
ON_POSTGRESQL_EVENTS = pytest.mark.parametrize("stack", [_SHOP_EVENTS], indirect=True)
"""A PostgreSQL-backed server of its own for the shop's events (webhooks, a person's "sync now"): the SQL shop's
order deployments with their webhook triggers. Its own stack so that its minutes of waiting for debounce windows
run beside the full batch instead of after it (the PostgreSQL stack's tests were the suite's longest chain)."""
ON_EVERY_DATABASE = pytest.mark.parametrize("stack", [_SQLITE, _POSTGRESQL], indirect=True)

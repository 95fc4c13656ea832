"""Which stack a test runs on: parametrisations of the ``stack`` fixture (``conftest.py``).

Each stack is its own xdist group, so under ``--dist loadgroup`` the two start at once on two workers (the
largest groups are handed out first) while the other tests fill in around them; the tests of one stack always
share a worker, the only place its processes and package-scoped fixture live.
"""

from __future__ import annotations

import pytest

_SQLITE = pytest.param("sqlite", marks=pytest.mark.xdist_group("e2e-sqlite"))
_POSTGRESQL = pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.xdist_group("e2e-postgresql")])

ON_SQLITE = pytest.mark.parametrize("stack", [_SQLITE], indirect=True)
"""The embedded default's SQLite-backed server: the smoke batch, and what the browser opens."""
ON_POSTGRESQL = pytest.mark.parametrize("stack", [_POSTGRESQL], indirect=True)
"""The PostgreSQL-backed server (production's): every deployment of every shop."""
ON_EVERY_DATABASE = pytest.mark.parametrize("stack", [_SQLITE, _POSTGRESQL], indirect=True)

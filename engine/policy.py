"""Retry policy shared by every I/O task: back off with jitter on what a retry can fix, fail fast otherwise.

A throttled or unreachable shop, a 5xx, a lost connection or a locked database are retried; a bad token, an
invalid query or a bad record are not (retrying them only delays the report). Side-effecting tasks never cache
(``NO_CACHE``): a cached "success" would skip a write on a later run.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy.exc
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from connectors.errors import Retriable

RETRIABLE_ERRORS: tuple[type[BaseException], ...] = (
    Retriable,  # every connector's transient failures: Shopify's, POHODA's, the ERP port's ErpUnavailable
    sqlalchemy.exc.OperationalError,
    ConnectionError,
    TimeoutError,
)


def is_retriable(exc: BaseException) -> bool:
    return isinstance(exc, RETRIABLE_ERRORS)


def retry_on_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only when the failure is transient."""
    try:
        state.result()
    except BaseException as exc:
        return is_retriable(exc)
    return False


RETRIES = 3
# Tests shrink the back-off (COMMERCE_SYNC_RETRY_DELAY_SCALE=0.01) so a retried task does not sleep for real.
_DELAY_SCALE = float(os.environ.get("COMMERCE_SYNC_RETRY_DELAY_SCALE", "1"))

IO_TASK: dict[str, Any] = {
    "retries": RETRIES,
    "retry_delay_seconds": [delay * _DELAY_SCALE for delay in exponential_backoff(backoff_factor=2)(RETRIES)],
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": retry_on_transient,
    "cache_policy": NO_CACHE,
}
"""Keyword arguments for ``@task(**IO_TASK)``: one page, chunk or batch of I/O.

No ``timeout_seconds``: a hung call is cut off where it blocks, by the timeout every connector sets on it
(Shopify and POHODA HTTP: 10 s to connect, 60 s to read, 600 s for a POHODA export; SQLite: 30 s busy
timeout; a bulk operation's poll: 6 h). A Prefect task timeout could not do that: in a worker thread (product
chunks, Dask threads) it cannot interrupt blocking I/O and only logs a warning for every task run, and in the
main thread its SIGALRM would stop a write half sent — leaving the timeout where the I/O is."""

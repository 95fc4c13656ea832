"""A shop's category locks: Prefect global concurrency limits held under a lease, taken back from a dead run.

Every sync run holds its category's lock (``domain.categories.locks_for``) for its whole run. Prefect's own
``concurrency()`` context manager holds it under a lease that the run renews; a run killed with SIGKILL (an OOM
kill, a power cut, a container evicted) releases nothing, so its slot stays taken until the lease expires — the
server refuses leases under 60 s — and the server's repossessor loop notices: the category's next run waited
65 s after every kill (bench/chaos_real.py, before this module), 300 s with Prefect's default lease.

Prefect has no API that lists a limit's leases or their holders, so each run writes down which lease it holds:
a Prefect variable per lock (:func:`holder_variable`) with the lease id and the flow run. A run that finds the
lock taken reads it; when that flow run is over (Crashed, Failed, Cancelled, Completed) its process is gone,
and the lease is released at once:

- the process worker marks a run Crashed only once its process has exited; the zombie automation
  (``deployments/setup.py``) marks one Crashed when its heartbeats stopped, and should that process still be
  alive (cut off from the server), it loses the lease at its next renewal and Prefect stops it
  (``raise_on_lease_renewal_failure``) — the same guard a lease that simply expired relies on;
- a run killed between taking the lease and writing the variable (milliseconds) is not seen: its slot comes back
  when the lease expires, as before.

The renewal, the cancellation on a failed renewal and the release are Prefect's own
(``prefect.concurrency._leases.maintain_concurrency_lease``, the helper its ``concurrency()`` uses; prefect is
pinned below 3.9).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

import httpx
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import VariableCreate, VariableUpdate
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.client.schemas.responses import ConcurrencyLimitWithLeaseResponse
from prefect.concurrency._leases import maintain_concurrency_lease
from prefect.context import FlowRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

__all__ = [
    "LOCK_LEASE_SECONDS",
    "LOCK_WAIT_SECONDS",
    "LockNotAcquired",
    "LockTakenBack",
    "category_locks",
    "holder_variable",
    "take_back_dead_holders",
]

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 6 * 3600
"""How long a run waits for its category: a busy category's runs queue behind each other."""
LOCK_LEASE_SECONDS = max(60.0, float(os.environ.get("COMMERCE_SYNC_LOCK_LEASE_SECONDS", "60")))
"""How long a slot outlives a run that stopped renewing it and was not seen dead (the run renews it every three
quarters of this). Prefect's default is 300 s; its server refuses leases under 60 s (422)."""
POLL_SECONDS = 5.0
"""Longest wait between two tries while the lock is taken (the server's Retry-After is honoured below it)."""
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class LockNotAcquired(TimeoutError):
    """The category stayed taken by a live run for the whole wait."""


@dataclass(frozen=True)
class LockTakenBack:
    """A lease released for a flow run that ended without releasing it."""

    locks: tuple[str, ...]
    flow_run_id: str
    state: str  # the run's state type, or GONE when the server no longer knows it

    def __str__(self) -> str:
        return (
            f"took back {', '.join(self.locks)} from flow run {self.flow_run_id}, which ended {self.state} "
            "without releasing it (its process died)"
        )


def holder_variable(lock: str) -> str:
    """The Prefect variable naming the lease that holds ``lock`` (variable names allow ``[a-z0-9_-]``)."""
    return "cs_lock__" + re.sub(r"[^a-z0-9_-]", "_", lock.lower().replace(":", "__"))


@contextmanager
def category_locks(
    locks: list[str], *, lease_seconds: float = LOCK_LEASE_SECONDS, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold ``locks`` (one lease over all of them) while inside; wait while a live run holds one, take them
    back from a dead one. A limit that does not exist fails at once: a run never goes unguarded."""
    flow_run_id = _current_flow_run_id()
    with get_client(sync_client=True) as client:
        lease = _acquire(client, locks, lease_seconds, wait_seconds, flow_run_id)
        try:
            if flow_run_id is not None:
                _record_holder(client, locks, lease.lease_id, flow_run_id)
            with maintain_concurrency_lease(lease.lease_id, lease_seconds, raise_on_lease_renewal_failure=True):
                yield
        finally:
            if flow_run_id is not None:
                _forget_holder(client, locks, lease.lease_id)
            client.release_concurrency_slots_with_lease(lease.lease_id)


def _acquire(
    client: SyncPrefectClient, locks: list[str], lease_seconds: float, wait_seconds: float, flow_run_id: UUID | None
) -> ConcurrencyLimitWithLeaseResponse:
    holder = ConcurrencyLeaseHolder(type="flow_run", id=flow_run_id) if flow_run_id else None
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            response = client.increment_concurrency_slots_with_lease(
                names=locks, slots=1, mode="concurrency", lease_duration=lease_seconds, holder=holder
            )
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 423:  # 423 Locked: a slot is taken
                raise
            retry_after = float(exc.response.headers.get("Retry-After", POLL_SECONDS))
        else:
            lease = ConcurrencyLimitWithLeaseResponse.model_validate(response.json())
            if len(lease.limits) != len(locks):
                client.release_concurrency_slots_with_lease(lease.lease_id)
                missing = sorted(set(locks) - {limit.name for limit in lease.limits})
                raise RuntimeError(f"concurrency limits {missing} do not exist: run `commerce-sync setup` first")
            return lease
        taken = take_back_dead_holders(client, locks)
        for back in taken:
            _log().warning(str(back))
        if taken:
            continue  # free now: try again at once
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LockNotAcquired(f"{', '.join(locks)} still taken after {wait_seconds:.0f} s")
        time.sleep(max(0.2, min(retry_after, POLL_SECONDS, remaining)))


def take_back_dead_holders(client: SyncPrefectClient, locks: list[str]) -> list[LockTakenBack]:
    """Release the lease of every lock of ``locks`` whose recorded holder is a flow run that is over."""
    taken: list[LockTakenBack] = []
    seen: set[str] = set()
    for lock in locks:
        variable = client.read_variable_by_name(holder_variable(lock))
        if variable is None or not isinstance(variable.value, dict):
            continue
        lease_id, run_id = str(variable.value.get("lease_id")), str(variable.value.get("flow_run_id"))
        if lease_id in seen:
            continue
        seen.add(lease_id)
        state = _run_state(client, run_id)
        if state not in FINAL and state != "GONE":
            continue
        client.release_concurrency_slots_with_lease(UUID(lease_id))
        held = [str(name) for name in variable.value.get("locks", [lock])]
        _forget_holder(client, held, UUID(lease_id))
        taken.append(LockTakenBack(tuple(held), run_id, state))
    return taken


def _run_state(client: SyncPrefectClient, flow_run_id: str) -> str:
    try:
        run = client.read_flow_run(UUID(flow_run_id))
    except (ObjectNotFound, ValueError):
        return "GONE"
    return run.state.type.value if run.state else "PENDING"


def _record_holder(client: SyncPrefectClient, locks: list[str], lease_id: UUID, flow_run_id: UUID) -> None:
    value = {"lease_id": str(lease_id), "flow_run_id": str(flow_run_id), "locks": list(locks)}
    for lock in locks:
        name = holder_variable(lock)
        if client.read_variable_by_name(name) is None:
            try:
                client.create_variable(VariableCreate(name=name, value=value))
                continue
            except ObjectAlreadyExists:  # written meanwhile by a run that has since died: overwrite it
                pass
        client.update_variable(VariableUpdate(name=name, value=value))


def _forget_holder(client: SyncPrefectClient, locks: list[str], lease_id: UUID) -> None:
    """Delete the locks' holder variables that still name ``lease_id`` (a later holder's stay)."""
    for lock in locks:
        name = holder_variable(lock)
        variable = client.read_variable_by_name(name)
        if (
            variable is not None
            and isinstance(variable.value, dict)
            and variable.value.get("lease_id") == str(lease_id)
        ):
            try:
                client.delete_variable_by_name(name)
            except ObjectNotFound:
                pass


def _current_flow_run_id() -> UUID | None:
    context = FlowRunContext.get()
    return context.flow_run.id if context and context.flow_run else None


def _log() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except Exception:  # outside a run: the module's logger
        return logger

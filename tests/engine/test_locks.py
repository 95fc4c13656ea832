"""The category lock of a run that died holding it (SIGKILL: no ``finally`` ran, its lease is still live) goes to
the next run as soon as Prefect knows the dead run is over, not when the lease expires; a live holder keeps it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.states import Crashed, Running

from engine.locks import LockNotAcquired, category_locks, holder_variable, take_back_dead_holders
from engine.locks import _record_holder as record_holder


@flow
def _a_sync() -> None:
    """Only its flow runs are used: the runs that hold (or held) a lock."""


@pytest.fixture
def lock(prefect_harness: None) -> Iterator[str]:
    name = f"lock-test-{uuid.uuid4().hex[:8]}:orders"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
        yield name
        client.delete_global_concurrency_limit_by_name(name)


def _held_by_a_run(lock: str, state: object) -> tuple[UUID, UUID]:
    """A flow run in ``state`` holding ``lock`` under a live 300 s lease, as a run killed inside it leaves it."""
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(_a_sync, state=state)
        response = client.increment_concurrency_slots_with_lease(
            names=[lock], slots=1, mode="concurrency", lease_duration=300
        )
        lease_id = UUID(response.json()["lease_id"])
        record_holder(client, [lock], lease_id, run.id)
    return run.id, lease_id


def _active(lock: str) -> int:
    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(lock).active_slots


def test_the_lock_of_a_crashed_run_goes_to_the_next_run_long_before_its_lease_ends(lock: str):
    _held_by_a_run(lock, Crashed(message="Flow run infrastructure exited with non-zero status code -9."))

    with category_locks([lock], lease_seconds=60, wait_seconds=20):  # the dead run's lease has 300 s left
        assert _active(lock) == 1

    assert _active(lock) == 0
    with get_client(sync_client=True) as client:
        assert client.read_variable_by_name(holder_variable(lock)) is None


def test_a_live_holder_keeps_its_lock(lock: str):
    run_id, _ = _held_by_a_run(lock, Running())

    with pytest.raises(LockNotAcquired):
        with category_locks([lock], lease_seconds=60, wait_seconds=2):
            pass

    assert _active(lock) == 1
    with get_client(sync_client=True) as client:
        assert take_back_dead_holders(client, [lock]) == []
        assert client.read_variable_by_name(holder_variable(lock)).value["flow_run_id"] == str(run_id)


def test_a_run_that_finished_leaves_no_holder_behind(lock: str):
    @flow
    def holds_the_lock() -> int:
        with category_locks([lock], lease_seconds=60, wait_seconds=5):
            with get_client(sync_client=True) as client:
                return int(client.read_variable_by_name(holder_variable(lock)) is not None)

    assert holds_the_lock() == 1
    assert _active(lock) == 0
    with get_client(sync_client=True) as client:
        assert client.read_variable_by_name(holder_variable(lock)) is None


def test_a_missing_limit_fails_instead_of_running_unguarded(prefect_harness: None):
    with pytest.raises(RuntimeError, match="do not exist"):
        with category_locks([f"no-such-shop-{uuid.uuid4().hex[:6]}:orders"], wait_seconds=2):
            pass

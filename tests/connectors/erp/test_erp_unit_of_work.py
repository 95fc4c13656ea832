"""An ERP write and the sync state that records it form one unit of work: one transaction where the ERP's data
shares the state store's database, the ERP first and the state after where it cannot. Either way the state
never records an ERP write that did not happen."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from connectors.erp.sql import SqlErpBackend
from connectors.state import StateStore
from domain.models import Customer

GID = "gid://shopify/Customer/7"


class WorkerDied(RuntimeError):
    """The task stops inside the unit, after both writes were sent and before the unit commits."""


@pytest.fixture
def state(erp, tmp_path) -> Iterator[StateStore]:
    """The sync state as ``engine.resources`` builds it: on the SQL ERP's own engine, in a file beside POHODA."""
    own = not isinstance(erp, SqlErpBackend)
    store = StateStore.from_url(f"sqlite:///{tmp_path / 'state.db'}") if own else StateStore(erp.engine)
    store.create_schema()
    yield store
    if own:
        store.engine.dispose()


@pytest.fixture
def shop() -> str:
    """A shop of its own: the PostgreSQL database (and its state tables) outlives one test."""
    return f"shop-{uuid.uuid4().hex[:8]}"


def _customer(email: str) -> Customer:
    return Customer(email=email, first_name="Jana", last_name="Nováková")


def test_an_erp_write_and_its_state_record_commit_together(erp, state, shop):
    with erp.unit_of_work(state) as work:
        erp_key = work.erp.upsert_customer(_customer("unit@example.cz"))
        state.put_mappings(shop, "customer", [(erp_key, GID)], conn=work.conn)
    assert erp.find_customer("unit@example.cz", None).erp_key == erp_key
    assert state.shop_ids(shop, "customer", [erp_key]) == {erp_key: GID}


def test_a_unit_that_dies_before_its_commit_leaves_no_state_record(erp, state, shop):
    with pytest.raises(WorkerDied):
        with erp.unit_of_work(state) as work:
            erp_key = work.erp.upsert_customer(_customer("died@example.cz"))
            state.put_mappings(shop, "customer", [(erp_key, GID)], conn=work.conn)
            raise WorkerDied
    assert state.erp_keys(shop, "customer", [GID]) == {}


def test_on_the_state_database_the_erp_write_rolls_back_with_the_state(sqlite_url, shop):
    erp = SqlErpBackend.from_url(sqlite_url)
    erp.create_schema()
    state = StateStore(erp.engine)
    state.create_schema()
    with pytest.raises(WorkerDied):
        with erp.unit_of_work(state) as work:
            erp_key = work.erp.upsert_customer(_customer("rolled@example.cz"))
            assert work.erp.find_customer("rolled@example.cz", None).erp_key == erp_key  # its own write, uncommitted
            state.put_mappings(shop, "customer", [(erp_key, GID)], conn=work.conn)
            raise WorkerDied
    assert erp.find_customer("rolled@example.cz", None) is None
    assert erp.upsert_customer(_customer("after@example.cz"))  # the backend itself writes on its own again
    erp.close()


def test_with_the_state_in_another_database_the_erp_write_commits_first(sqlite_url, tmp_path, shop):
    erp = SqlErpBackend.from_url(sqlite_url)
    erp.create_schema()
    state = StateStore.from_url(f"sqlite:///{tmp_path / 'state.db'}")
    state.create_schema()
    with pytest.raises(WorkerDied):
        with erp.unit_of_work(state) as work:
            erp_key = work.erp.upsert_customer(_customer("first@example.cz"))
            state.put_mappings(shop, "customer", [(erp_key, GID)], conn=work.conn)
            raise WorkerDied
    assert erp.find_customer("first@example.cz", None).erp_key == erp_key  # found again by the next run
    assert state.erp_keys(shop, "customer", [GID]) == {}
    erp.close()
    state.engine.dispose()


def test_mserver_commits_the_erp_write_before_the_state(pohoda, tmp_path, shop):
    state = StateStore.from_url(f"sqlite:///{tmp_path / 'state.db'}")
    state.create_schema()
    with pytest.raises(WorkerDied):
        with pohoda.backend.unit_of_work(state) as work:
            erp_key = work.erp.upsert_customer(_customer("pohoda@example.cz"))
            state.put_mappings(shop, "customer", [(erp_key, GID)], conn=work.conn)
            raise WorkerDied
    assert pohoda.backend.find_customer("pohoda@example.cz", None).erp_key == erp_key  # matched again next run
    assert state.erp_keys(shop, "customer", [GID]) == {}
    state.engine.dispose()

"""Parameters refuse mistakes: an unknown key or half a period override never becomes a run."""

from __future__ import annotations

import uuid

import pytest
from prefect.deployments import run_deployment
from prefect.exceptions import PrefectHTTPStatusError
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import validate
from pydantic import ValidationError

from commerce_sync.runner import flow_and_params
from deployments.builder import available_sync_types
from flows.params import SyncParams
from flows.sync_orders import sync_orders

START, END = "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"


def schema_errors(sync_type: str, params: dict) -> list[str]:
    flow_fn, _ = flow_and_params(sync_type)
    return [e.message for e in validate({"params": params}, parameter_schema(flow_fn.fn).model_dump())]


@pytest.mark.parametrize("sync_type", available_sync_types())
def test_every_flows_schema_refuses_an_unknown_key(sync_type):
    assert schema_errors(sync_type, {"shop": "acme", "dryrun": True}) == [
        "Additional properties are not allowed ('dryrun' was unexpected)"
    ]
    _, params_cls = flow_and_params(sync_type)
    with pytest.raises(ValidationError, match="dryrun"):
        params_cls(shop="acme", dryrun=True)


@pytest.mark.parametrize(
    "params",
    [
        {"period_start": START},
        {"period_end": END},
        {"period_start": START, "period_end": None},
        {"period_start": None, "period_end": END},
    ],
)
def test_the_schema_refuses_half_a_period(params):
    assert schema_errors("sync_orders", {"shop": "acme", **params})
    with pytest.raises(ValidationError, match="give both period_start and period_end"):
        SyncParams(shop="acme", **params)


@pytest.mark.parametrize("params", [{}, {"period_start": START, "period_end": END}, {"period_start": None}])
def test_the_schema_accepts_both_period_ends_or_neither(params):
    assert schema_errors("sync_orders", {"shop": "acme", **params}) == []


def test_the_prefect_api_refuses_an_unknown_key_before_any_worker_starts():
    name = f"refuse-{uuid.uuid4().hex[:8]}"
    sync_orders.to_deployment(name=name).apply()
    with pytest.raises(PrefectHTTPStatusError, match=r"'dryrun' was unexpected"):
        run_deployment(f"sync-orders/{name}", parameters={"params": {"shop": "acme", "dryrun": True}}, timeout=0)
    with pytest.raises(PrefectHTTPStatusError, match=r"'period_end' is a required property"):
        run_deployment(f"sync-orders/{name}", parameters={"params": {"shop": "acme", "period_start": START}}, timeout=0)


def test_a_run_given_an_unknown_key_fails_at_once_naming_it(caplog):
    state = sync_orders(params={"shop": "acme", "dryrun": True}, return_state=True)
    assert state.is_failed()
    assert "params.dryrun: Extra inputs are not permitted" in state.message
    assert "Traceback" not in caplog.text

"""``commerce-sync run``: BC's "Allow background syncs" on Prefect.

A shop that allows background syncs gets a deployment run on its work queue (queued behind any run of the
same category, non-blocking: the command prints the run's UI address and returns); otherwise the flow runs in
this process, in the foreground, and still takes the shop's category lock.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from dataclasses import dataclass
from typing import Any

from deployments.builder import flow_name
from domain.categories import category_of

FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class RunOutcome:
    background: bool
    flow_run_id: str | None
    state: str | None
    url: str | None
    report: Any = None


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values parsed as JSON when they are JSON (``true``, ``5``, ``["a"]``), else text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--param {pair!r}: expected key=value")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


def flow_and_params(sync_type: str) -> tuple[Any, type]:
    category_of(sync_type)  # a clear error for an unknown sync type
    module = importlib.import_module(f"flows.{sync_type}")
    flow_fn = getattr(module, sync_type)
    params_cls = inspect.signature(flow_fn.fn).parameters["params"].annotation
    if isinstance(params_cls, str):
        params_cls = eval(params_cls, vars(module))
    return flow_fn, params_cls


def run_sync(
    sync_type: str, shop: str, params: dict[str, Any], *, wait: bool = False, poll_seconds: float = 2.0
) -> RunOutcome:
    from blocks import ShopifyShop
    from flows.runtime import report_of

    flow_fn, params_cls = flow_and_params(sync_type)
    validated = params_cls(shop=shop, **params)  # validate before queueing: a bad parameter fails here
    if not ShopifyShop.load(shop).allow_background_syncs:
        report = report_of(flow_fn(validated, return_state=True))
        return RunOutcome(background=False, flow_run_id=None, state="COMPLETED", url=None, report=report)

    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_UI_URL

    flow_run = run_deployment(
        f"{flow_name(sync_type)}/{shop}",
        parameters={"params": validated.model_dump(mode="json", exclude_defaults=True) | {"shop": shop}},
        timeout=0,
    )
    ui = PREFECT_UI_URL.value()
    url = f"{ui}/runs/flow-run/{flow_run.id}" if ui else None
    state = flow_run.state.type.value if flow_run.state else None
    if wait:
        with get_client(sync_client=True) as client:
            while state not in FINAL_STATES:
                time.sleep(poll_seconds)
                current = client.read_flow_run(flow_run.id)
                state = current.state.type.value if current.state else None
    return RunOutcome(background=True, flow_run_id=str(flow_run.id), state=state, url=url)

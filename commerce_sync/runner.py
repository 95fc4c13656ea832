"""``commerce-sync run``: BC's "Allow background syncs" on Prefect.

A shop that allows background syncs gets a deployment run on its work queue (queued behind any run of the
same category, non-blocking: the command prints the run's UI address and returns); otherwise the flow runs in
this process, in the foreground, and still takes the shop's category lock.

What a person can get wrong (no API address, an unknown shop, sync type or parameter, no deployment) is a
``UserError`` with one line saying what to do; the CLI prints it without a traceback.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from deployments.builder import flow_name
from domain.categories import category_of

FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class UserError(Exception):
    """A mistake in what was asked, not a fault of the program: shown as one line, exit code 2."""


@dataclass
class RunOutcome:
    background: bool
    flow_run_id: str | None
    state: str | None
    url: str | None
    report: Any = None
    message: str | None = None
    summary: str | None = None
    """Where the run's summary artifact is (its UI page, or its key)."""


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values parsed as JSON when they are JSON (``true``, ``5``, ``["a"]``), else text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--param {pair!r}: expected key=value")
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


def api_url() -> str:
    """The Prefect API this command talks to. Without one Prefect would start a temporary server of its own, in
    which no shop, block or deployment exists: refuse instead."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise UserError(
            "PREFECT_API_URL is not set: point it at your Prefect server, e.g. "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (`commerce-sync demo --serve` starts one)"
        )
    return str(url)


def run_sync(
    sync_type: str, shop: str, params: dict[str, Any], *, wait: bool = False, poll_seconds: float = 2.0
) -> RunOutcome:
    from blocks import ShopifyShop
    from flows.runtime import artifact_link, report_of
    from tasks.runs import artifact_key

    url = api_url()
    flow_fn, params_cls = flow_and_params(sync_type)
    validated = params_cls(shop=shop, **params)  # validate before queueing: a bad parameter fails here
    try:
        block = ShopifyShop.load(shop)
    except ValueError:
        raise UserError(f"no ShopifyShop block named {shop!r} at {url}: create it in the UI (Blocks)") from None
    except httpx.TransportError as exc:
        raise UserError(f"cannot reach the Prefect API at {url} ({exc}): is the server running?") from None
    summary = artifact_link(artifact_key(shop, sync_type, "summary"))
    if not block.allow_background_syncs:
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        from deployments.crash_detection import HEARTBEAT_SECONDS

        # as the pool's runs do: the zombie automation watches this flow's runs (deployments/crash_detection.py)
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: HEARTBEAT_SECONDS}):
            state = flow_fn(validated, return_state=True)
        report = report_of(state)
        return RunOutcome(False, None, state.name, None, report=report, message=state.message, summary=summary)

    flow_run = _queue(sync_type, shop, validated.model_dump(mode="json", exclude_defaults=True) | {"shop": shop}, url)
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_UI_URL

    ui = PREFECT_UI_URL.value()
    link = f"{ui}/runs/flow-run/{flow_run.id}" if ui else None
    state = flow_run.state
    if wait:
        with get_client(sync_client=True) as client:
            while state is None or state.type.value not in FINAL_STATES:
                time.sleep(poll_seconds)
                state = client.read_flow_run(flow_run.id).state
    return RunOutcome(
        background=True,
        flow_run_id=str(flow_run.id),
        state=state.name if state else None,
        url=link,
        message=state.message if state else None,
        summary=summary,
    )


def _queue(sync_type: str, shop: str, parameters: dict[str, Any], url: str) -> Any:
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError

    name = f"{flow_name(sync_type)}/{shop}"
    try:
        return run_deployment(name, parameters={"params": parameters}, timeout=0)
    except ObjectNotFound:
        raise UserError(
            f"no deployment {name} at {url} — run `commerce-sync setup` and `prefect deploy`, or set PREFECT_API_URL"
        ) from None
    except PrefectHTTPStatusError as exc:
        if exc.response.status_code != 409:  # 409: the API refused the parameters (the deployment's schema)
            raise
        raise UserError(f"{name}: {exc.response.json().get('detail', exc)}") from None

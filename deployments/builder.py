"""Render ``prefect.yaml`` deployments from a shops file, so schedules, queues and categories never drift.

One deployment per shop × listed sync type, named after the shop (run it as ``sync-orders/<shop>``):
- ``work_queue_name`` = the shop's queue category (``domain.categories.queue_name``), whose concurrency
  limit of 1 (created by ``commerce-sync setup``) keeps same-category syncs from overlapping;
- ``schedules``: the sync's own ``SyncSchedule`` (or the shop's) as cron + time zone. Syncs of one category
  are staggered a few minutes apart *after* their due time so they queue in a sensible order; a run's period
  comes from due dates, not from the minute cron fired, so the stagger never changes what a run covers;
- ``parameters``: the shop and that same schedule, so the run computes its period from the object its cron
  was rendered from (``flows.params.SyncParams.schedule``).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from deployments.webhooks import webhook_triggers
from domain.categories import SYNC_TYPES, Category, category_of, queue_name
from domain.cron import minute_gap, staggered
from domain.schedule import SyncSchedule

DEFAULT_POOL = "commerce-sync"
STAGGER_MINUTES = 5

# the order a shop's day runs them in, per category
RUN_ORDER: list[str] = [
    "import_items",
    "sync_products",
    "sync_categories",
    "sync_parameters",
    "sync_images",
    "sync_inventory",
    "sync_customers",
    "sync_orders",
    "create_sales_orders",
    "sync_payments",
    "sync_shipments",
    "sync_order_status",
    "maintenance",
    "reconcile",
]


class ShopEntry(BaseModel):
    """One shop of the shops file: its ERP, its schedule, and which syncs to deploy on which schedule.

    ``syncs`` is a list (those syncs, each on the shop's ``schedule``) or a mapping from sync type to its own
    schedule body: ``{every: 15m}``, ``{cron: "*/10 8-18 * * 1-5"}``, a Codat body, or ``{}`` for the shop's
    schedule. A body inherits the shop schedule's ``timeZone`` and ``startDate`` unless it sets its own.
    Absent: every available sync, on the shop's schedule.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="the ShopifyShop block name")
    erp: Literal["sql", "pohoda"]
    schedule: SyncSchedule
    syncs: dict[str, SyncSchedule] | None = Field(
        default=None, description="sync types to deploy, each with its schedule; default: every one available"
    )

    @model_validator(mode="before")
    @classmethod
    def _own_schedules(cls, data: Any) -> Any:
        """A list becomes a mapping onto the shop's schedule; an override body gets the shop's zone and start."""
        if not isinstance(data, dict) or not isinstance(data.get("schedule"), dict):
            return data
        syncs = data.get("syncs")
        if isinstance(syncs, list) and all(isinstance(sync, str) for sync in syncs):
            syncs = dict.fromkeys(syncs)
        if not isinstance(syncs, dict):
            return data
        return {**data, "syncs": {sync: _inherit(data["schedule"], body) for sync, body in syncs.items()}}

    @field_validator("syncs")
    @classmethod
    def _known(cls, value: dict[str, SyncSchedule] | None) -> dict[str, SyncSchedule] | None:
        for sync in value or {}:
            category_of(sync)  # raises naming the unknown sync type
        return value

    def schedules(self, sync_types: list[str]) -> dict[str, SyncSchedule]:
        """The syncs of ``sync_types`` this shop deploys, in that order, each with its schedule."""
        if self.syncs is None:
            return dict.fromkeys(sync_types, self.schedule)
        return {sync: self.syncs[sync] for sync in sync_types if sync in self.syncs}


_INHERITED = (("timeZone", "time_zone"), ("startDate", "start_date"))


def _inherit(shop_schedule: dict[str, Any], body: Any) -> Any:
    """The schedule body of one sync: the shop's for ``{}``, else ``body`` with the shop's zone and start."""
    if body is None or body == {}:
        return shop_schedule
    if not isinstance(body, dict):
        return body  # pydantic names it
    inherited = {
        spellings[0]: shop_schedule[key]
        for spellings in _INHERITED
        if not any(spelling in body for spelling in spellings)
        for key in spellings
        if key in shop_schedule
    }
    return {**inherited, **body}


class ShopsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    work_pool: str = DEFAULT_POOL
    project_dir: str = Field(default="{{ $COMMERCE_SYNC_HOME }}", description="the worker's working directory")
    shops: list[ShopEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> ShopsFile:
        """Two entries with one name would render two deployments ``sync-orders/<name>``: Prefect keeps one."""
        seen: set[str] = set()
        for index, shop in enumerate(self.shops):
            if shop.name in seen:
                message = f"shop {shop.name!r} is listed twice"  # names match [a-z0-9-]+: no braces to escape
                detail = InitErrorDetails(
                    type=PydanticCustomError("duplicate_shop", message), loc=("shops", index, "name"), input=shop.name
                )
                raise ValidationError.from_exception_data("ShopsFile", [detail])
            seen.add(shop.name)
        return self


def load_shops(path: str | Path) -> ShopsFile:
    """Read and validate a shops file; an error names the file, the shop (by its name) and the field.

    pydantic locates an error in a list by index (``shops.3.schedule.syncHour``); a person editing the file
    looks for the shop's name, so the index is replaced by it (``shops.acme.schedule.syncHour``) wherever the
    entry has one.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    try:
        return ShopsFile.model_validate(data)
    except ValidationError as exc:
        raise _naming_shops(exc, data, str(path)) from None


def _naming_shops(exc: ValidationError, data: Any, title: str) -> ValidationError:
    entries = data.get("shops") if isinstance(data, dict) else None
    names = [e.get("name") if isinstance(e, dict) else None for e in entries] if isinstance(entries, list) else []
    details = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) > 1 and loc[0] == "shops" and isinstance(loc[1], int) and loc[1] < len(names):
            name = names[loc[1]]
            if isinstance(name, str) and name:
                loc[1] = name
        # without a context pydantic keeps the message verbatim (braces of a regex in it are not formatted)
        kind = PydanticCustomError(error["type"], error["msg"])
        details.append(InitErrorDetails(type=kind, loc=tuple(loc), input=error.get("input")))
    return ValidationError.from_exception_data(title, details)


def flow_name(sync_type: str) -> str:
    return sync_type.replace("_", "-")


def entrypoint(sync_type: str) -> str:
    return f"flows/{sync_type}.py:{sync_type}"


def available_sync_types() -> list[str]:
    """Sync types whose flow module is installed (the ``flows`` package), in run order.

    Looked up by import, not beside the shops file, so ``deployments render`` works for a shops file kept
    anywhere (a config repository, /etc) while the entrypoints point into the checkout the worker runs."""
    return [s for s in RUN_ORDER if s in SYNC_TYPES and importlib.util.find_spec(f"flows.{s}") is not None]


def flow_summary(sync_type: str) -> str:
    """The flow function's docstring on one line, for the deployment's page in the Prefect UI. Read from the
    source rather than imported, so rendering stays quick and a flow's imports need not be installed."""
    spec = importlib.util.find_spec(f"flows.{sync_type}")
    if spec is None or spec.origin is None:
        raise ValueError(f"no flow module for {sync_type}")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == sync_type)
    return " ".join((ast.get_docstring(function) or "").split())


def render_deployments(shops: ShopsFile, sync_types: list[str]) -> list[dict[str, Any]]:
    deployments: list[dict[str, Any]] = []
    for shop in shops.shops:
        schedules = shop.schedules(sync_types)
        crons = staggered_crons(schedules)
        for sync, schedule in schedules.items():
            category, direction = SYNC_TYPES[sync]
            deployments.append(
                {
                    "name": shop.name,
                    "entrypoint": entrypoint(sync),
                    "description": (
                        f"{shop.name} ({shop.erp} ERP), {direction.value}, {schedule.summary}: {flow_summary(sync)}"
                    ),
                    "tags": [
                        f"shop:{shop.name}",
                        f"category:{category.value}",
                        f"direction:{direction.value}",
                        f"erp:{shop.erp}",
                    ],
                    "parameters": {
                        "params": {"shop": shop.name, "schedule": schedule.model_dump(by_alias=True, mode="json")}
                    },
                    "work_pool": {"name": shops.work_pool, "work_queue_name": queue_name(shop.name, category)},
                    "schedules": [{"cron": crons[sync], "timezone": schedule.timezone, "active": True}],
                }
            )
            triggers = webhook_triggers(shop.name, sync)
            if triggers:
                deployments[-1]["triggers"] = triggers
    return deployments


def staggered_crons(schedules: dict[str, SyncSchedule]) -> dict[str, str]:
    """Each sync's cron, fired ``slot × step`` minutes after its due time, slot = its place among the shop's
    syncs of its category (in run order): when two of them are due at once, the queue gets them in that order.

    The step is ``STAGGER_MINUTES`` unless a schedule of the category is due more often than the stagger
    allows (``every: 15m`` with six syncs in the category), then as many minutes as fit: a stagger must stay
    short of the schedule's next due date, or it would change the period its run covers."""
    by_category: dict[Category, list[str]] = {}
    for sync in schedules:
        by_category.setdefault(category_of(sync), []).append(sync)
    crons: dict[str, str] = {}
    for category, syncs in by_category.items():
        last_slot = len(syncs) - 1
        tightest = min(minute_gap(schedules[sync].cron()) for sync in syncs)
        step = min(STAGGER_MINUTES, (tightest - 1) // last_slot) if last_slot else 0
        if last_slot and step < 1:
            message = f"{len(syncs)} {category.value} syncs cannot be staggered within {tightest} minutes"
            raise ValueError(f"{message} ({', '.join(syncs)}): give some of them a schedule of their own")
        for slot, sync in enumerate(syncs):
            crons[sync] = staggered(schedules[sync].cron(), slot * step)
    return crons


def render_prefect_yaml(shops: ShopsFile, sync_types: list[str]) -> str:
    document = {
        "name": "commerce-sync",
        "prefect-version": "3.8.8",
        "build": None,
        "push": None,
        "pull": [{"prefect.deployments.steps.set_working_directory": {"directory": shops.project_dir}}],
        "deployments": render_deployments(shops, sync_types),
    }
    header = (
        "# Generated by `commerce-sync deployments render shops.yaml` from shops.yaml; do not edit by hand\n"
        "# (tests/deployments/test_builder.py fails when this file and the builder disagree).\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)

"""Render ``prefect.yaml`` deployments from a shops file, so schedules, queues and categories never drift.

One deployment per shop × sync type, named after the shop (run it as ``sync-orders/<shop>``):
- ``work_queue_name`` = the shop's queue category (``domain.categories.queue_name``), whose concurrency
  limit of 1 (created by ``commerce-sync setup``) keeps same-category syncs from overlapping;
- ``schedules``: the shop's ``SyncSchedule`` as cron + time zone. Syncs of one category are staggered a few
  minutes apart *after* the due hour so they queue in a sensible order; a run's period comes from due dates,
  not from the minute cron fired, so the stagger never changes what a run covers.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from domain.categories import SYNC_TYPES, Category, category_of, queue_name
from domain.schedule import SyncSchedule

DEFAULT_POOL = "commerce-sync"
STAGGER_MINUTES = 5

# the order a shop's day runs them in, per category
RUN_ORDER: list[str] = [
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
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="the ShopifyShop block name")
    erp: Literal["sql", "pohoda"]
    schedule: SyncSchedule
    syncs: list[str] | None = Field(default=None, description="sync types to deploy; default: every one available")

    @field_validator("syncs")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        for sync in value or []:
            category_of(sync)  # raises naming the unknown sync type
        return value


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
        wanted = [s for s in sync_types if shop.syncs is None or s in shop.syncs]
        position: dict[Category, int] = {}
        for sync in wanted:
            category, direction = SYNC_TYPES[sync]
            slot = position.get(category, 0)
            position[category] = slot + 1
            deployments.append(
                {
                    "name": shop.name,
                    "entrypoint": entrypoint(sync),
                    "description": f"{shop.name} ({shop.erp} ERP), {direction.value}: {flow_summary(sync)}",
                    "tags": [
                        f"shop:{shop.name}",
                        f"category:{category.value}",
                        f"direction:{direction.value}",
                        f"erp:{shop.erp}",
                    ],
                    "parameters": {"params": {"shop": shop.name}},
                    "work_pool": {"name": shops.work_pool, "work_queue_name": queue_name(shop.name, category)},
                    "schedules": [
                        {
                            "cron": _staggered(shop.schedule.cron(), slot * STAGGER_MINUTES),
                            "timezone": shop.schedule.timezone,
                            "active": True,
                        }
                    ],
                }
            )
    return deployments


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


def _staggered(cron: str, minutes: int) -> str:
    minute, rest = cron.split(" ", 1)
    if int(minute) + minutes > 59:
        raise ValueError(f"too many syncs in one category to stagger within the hour: {minutes} minutes")
    return f"{int(minute) + minutes} {rest}"

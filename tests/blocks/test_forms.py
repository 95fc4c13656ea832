"""Forms that read well: every field of a block's and a flow's form has a human title and a one-line description,
without reStructuredText or angle brackets (the UI renders markdown and eats ``<name>`` as HTML)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from prefect.utilities.callables import parameter_schema

from blocks import ErpDatabase, PohodaMServer, ShopifyShop
from commerce_sync.runner import flow_and_params
from deployments.builder import available_sync_types


def pydantic_title(name: str) -> str:
    """The title pydantic makes up for a field without one: ``sync_hour`` → "Sync Hour", ``syncHour`` → "Synchour"."""
    return name.replace("_", " ").title()


def unreadable(schema: dict[str, Any]) -> list[str]:
    """What a person would stumble over in the form of ``schema``, one line per field."""
    found = []
    models = {"form": schema, **schema.get("definitions", {})}
    for model, body in models.items():
        for name, field in body.get("properties", {}).items():
            if "$ref" in field and "title" not in field:
                continue  # a nested model: titled by its definition (checked with the definitions)
            title, description = field.get("title", ""), field.get("description", "")
            if not title or title == pydantic_title(name) and (" " in title or name != name.lower()):
                found.append(f"{model}.{name}: no human title ({title!r})")
            if not description or "\n" in description or re.search(r"``|<\w", description):
                found.append(f"{model}.{name}: description {description!r}")
        if model != "form" and "properties" in body and re.search(r"``|<\w", body.get("description", "")):
            found.append(f"{model}: description {body['description']!r}")
    return found


@pytest.mark.parametrize("block", [ShopifyShop, ErpDatabase, PohodaMServer], ids=lambda b: b.__name__)
def test_every_block_field_has_a_human_title_and_a_one_line_description(block):
    assert unreadable(block.model_json_schema()) == []


def test_the_shops_schedule_is_titled_field_by_field():
    schedule = ShopifyShop.model_json_schema()["definitions"]["SyncSchedule"]

    assert schedule["title"] == "Sync schedule"
    titles = {k: v["title"] for k, v in schedule["properties"].items()}
    assert {
        "startDate": "Start date",
        "syncHour": "Sync hour (0-23)",
        "timeZone": "Time zone",
    }.items() <= titles.items()


@pytest.mark.parametrize("sync_type", available_sync_types())
def test_every_parameter_has_a_human_title_and_a_one_line_description(sync_type):
    flow_fn, _ = flow_and_params(sync_type)
    schema = parameter_schema(flow_fn.fn).model_dump()

    assert unreadable({"definitions": schema["definitions"]}) == []

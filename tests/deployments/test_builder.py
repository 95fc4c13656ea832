"""prefect.yaml is generated from shops.yaml: queues = categories, schedules = the shops' Codat schedules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from deployments.builder import ShopsFile, available_sync_types, load_shops, render_deployments, render_prefect_yaml
from domain.categories import SYNC_TYPES, Category, queue_name

ROOT = Path(__file__).resolve().parents[2]


def shops(**schedule) -> ShopsFile:
    return ShopsFile.model_validate(
        {
            "shops": [
                {
                    "name": "acme",
                    "erp": "sql",
                    "schedule": {
                        "selectedFrequency": "Daily",
                        "startDate": "2026-01-01",
                        "syncHour": 2,
                        "timeZone": "Europe/Prague",
                        **schedule,
                    },
                }
            ]
        }
    )


def test_committed_prefect_yaml_matches_what_the_builder_renders():
    rendered = render_prefect_yaml(load_shops(ROOT / "shops.yaml"), available_sync_types())
    assert (ROOT / "prefect.yaml").read_text(encoding="utf-8") == rendered, (
        "prefect.yaml drifted: run `commerce-sync deployments render shops.yaml`"
    )


def test_a_shops_file_outside_the_checkout_renders_the_same_deployments(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from commerce_sync.cli import app

    elsewhere = tmp_path / "config" / "shops.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text((ROOT / "shops.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["deployments", "render", str(elsewhere), "--output", "-"])
    assert result.exit_code == 0, result.output
    assert result.output == (ROOT / "prefect.yaml").read_text(encoding="utf-8")


def test_every_deployment_sits_on_its_shops_category_queue():
    for deployment in render_deployments(shops(), list(SYNC_TYPES)):
        sync = deployment["entrypoint"].rsplit(":", 1)[1]
        category = SYNC_TYPES[sync][0]
        assert deployment["work_pool"]["work_queue_name"] == queue_name("acme", category)
        assert f"category:{category.value}" in deployment["tags"]
        assert deployment["parameters"] == {"params": {"shop": "acme"}}


def test_schedules_follow_the_shop_schedule_and_stagger_within_a_category():
    deployments = render_deployments(
        shops(selectedFrequency="Monthly", syncHour=4), ["sync_orders", "create_sales_orders", "sync_products"]
    )
    crons = [d["schedules"][0]["cron"] for d in deployments]
    assert crons == ["0 4 1 * *", "5 4 1 * *", "0 4 1 * *"]
    assert {d["schedules"][0]["timezone"] for d in deployments} == {"Europe/Prague"}


def test_same_category_syncs_run_in_the_order_a_shop_day_needs():
    deployments = render_deployments(shops(), ["sync_orders", "create_sales_orders", "sync_payments"])
    minutes = {d["entrypoint"].rsplit(":", 1)[1]: int(d["schedules"][0]["cron"].split()[0]) for d in deployments}
    assert minutes["sync_orders"] < minutes["create_sales_orders"] < minutes["sync_payments"]


def test_an_unknown_sync_type_in_the_shops_file_is_named():
    with pytest.raises(ValidationError, match="sync_everything"):
        ShopsFile.model_validate(
            {
                "shops": [
                    {
                        "name": "acme",
                        "erp": "sql",
                        "syncs": ["sync_everything"],
                        "schedule": {"selectedFrequency": "Daily", "startDate": "2026-01-01"},
                    }
                ]
            }
        )


def test_rendered_yaml_is_valid_prefect_project_yaml():
    from prefect.cli.deploy._models import PrefectYamlModel

    document = yaml.safe_load(render_prefect_yaml(shops(), list(SYNC_TYPES)))
    model = PrefectYamlModel.model_validate(document)
    assert len(model.deployments) == len(SYNC_TYPES)
    assert {Category(c) for c in ("orders", "catalog", "maintenance")} == set(Category)

"""prefect.yaml is generated from shops.yaml: queues = categories, schedules = each sync's own (or the shop's)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from deployments.builder import (
    ShopsFile,
    available_sync_types,
    load_shops,
    render_deployments,
    render_prefect_yaml,
    staggered_crons,
)
from domain.categories import SYNC_TYPES, Category, queue_name
from domain.schedule import SyncSchedule

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2026-01-01", "syncHour": 2, "timeZone": "Europe/Prague"}


def shops(syncs: list[str] | dict[str, dict] | None = None, **schedule) -> ShopsFile:
    entry = {"name": "acme", "erp": "sql", "schedule": {**SCHEDULE, **schedule}}
    return ShopsFile.model_validate({"shops": [entry if syncs is None else {**entry, "syncs": syncs}]})


def by_sync(deployments: list[dict]) -> dict[str, dict]:
    return {d["entrypoint"].rsplit(":", 1)[1]: d for d in deployments}


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
        schedule = SyncSchedule.model_validate(SCHEDULE).model_dump(by_alias=True, mode="json")
        assert deployment["parameters"] == {"params": {"shop": "acme", "schedule": schedule}}


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


# -- a schedule per sync type ------------------------------------------------------------------------------


def test_a_list_of_syncs_deploys_only_those_each_on_the_shops_schedule():
    deployments = by_sync(render_deployments(shops(["sync_orders", "sync_inventory"]), list(SYNC_TYPES)))
    assert list(deployments) == ["sync_orders", "sync_inventory"]
    assert {d["schedules"][0]["cron"] for d in deployments.values()} == {"0 2 * * *"}


def test_a_mapping_gives_each_sync_its_own_schedule_with_the_shops_zone_and_start_date():
    shop = shops({"sync_orders": {"every": "15m"}, "sync_products": {}, "reconcile": {"cron": "0 5 * * 0"}})
    schedules = shop.shops[0].schedules(list(SYNC_TYPES))
    assert list(schedules) == ["sync_orders", "sync_products", "reconcile"]  # only the listed ones
    assert schedules["sync_orders"] == SyncSchedule(every="15m", start_date="2026-01-01", time_zone="Europe/Prague")
    assert schedules["sync_products"] == shop.shops[0].schedule  # {} is the shop's schedule
    assert schedules["reconcile"].cron() == "0 5 * * 0" and schedules["reconcile"].timezone == "Europe/Prague"


def test_a_sync_schedule_that_sets_its_own_zone_and_start_keeps_them():
    body = {"every": "1h", "timeZone": "America/New_York", "start_date": "2026-06-01"}
    schedule = shops({"sync_inventory": body}).shops[0].schedules(["sync_inventory"])["sync_inventory"]
    assert (schedule.timezone, schedule.start_date.isoformat()) == ("America/New_York", "2026-06-01")


def test_each_deployment_has_its_own_cron_and_zone_and_carries_the_schedule_it_was_rendered_from():
    syncs = {"sync_orders": {"every": "15m"}, "sync_inventory": {"every": "1h", "timeZone": "America/New_York"}}
    deployments = by_sync(render_deployments(shops(syncs), list(SYNC_TYPES)))
    assert [d["schedules"][0] for d in deployments.values()] == [
        {"cron": "*/15 * * * *", "timezone": "Europe/Prague", "active": True},
        {"cron": "0 * * * *", "timezone": "America/New_York", "active": True},
    ]
    carried = SyncSchedule.model_validate(deployments["sync_orders"]["parameters"]["params"]["schedule"])
    assert carried == SyncSchedule(every="15m", startDate="2026-01-01", timeZone="Europe/Prague")


def test_syncs_of_one_category_due_together_fire_in_run_order_before_their_next_due_date():
    every = {"every": "15m"}
    names = ["sync_customers", "sync_orders", "create_sales_orders", "sync_payments", "sync_shipments"]
    crons = staggered_crons({name: SyncSchedule(**every, startDate="2026-01-01") for name in names})
    assert list(crons.values()) == [
        "*/15 * * * *",
        "3-59/15 * * * *",
        "6-59/15 * * * *",
        "9-59/15 * * * *",
        "12-59/15 * * * *",
    ]


def test_a_daily_sync_and_a_grid_sync_of_one_category_keep_the_order_at_the_hour_they_share():
    schedules = {
        "sync_orders": SyncSchedule(every="15m", startDate="2026-01-01"),
        "create_sales_orders": SyncSchedule.model_validate(SCHEDULE),
        "sync_payments": SyncSchedule(every="1h", startDate="2026-01-01"),
    }
    assert staggered_crons(schedules) == {
        "sync_orders": "*/15 * * * *",
        "create_sales_orders": "5 2 * * *",
        "sync_payments": "10 * * * *",
    }


def test_too_many_syncs_of_one_category_on_a_tight_grid_are_refused_rather_than_reaching_their_next_due_date():
    names = [s for s, (category, _) in SYNC_TYPES.items() if category is Category.ORDERS]
    with pytest.raises(ValueError, match=r"6 orders syncs cannot be staggered within 5 minutes"):
        staggered_crons({name: SyncSchedule(every="5m", startDate="2026-01-01") for name in names})


def test_the_demo_shops_file_shows_a_realistic_day():
    for shop in load_shops(ROOT / "shops.yaml").shops:
        schedules = {sync: s.summary.split(" in ")[0] for sync, s in shop.schedules(list(SYNC_TYPES)).items()}
        assert schedules["sync_orders"] == schedules["create_sales_orders"] == "every 15m"
        assert schedules["sync_inventory"] == "every 1h"
        assert schedules["sync_products"].startswith("Daily at 0")  # at night
        assert schedules["reconcile"].startswith("cron") and schedules["reconcile"].endswith(" * * 0'")  # weekly


def test_every_rendered_cron_is_one_prefect_accepts():
    from prefect.client.schemas.schedules import CronSchedule

    for deployment in render_deployments(load_shops(ROOT / "shops.yaml"), available_sync_types()):
        for schedule in deployment["schedules"]:
            CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])

"""``commerce-sync run`` against a Prefect API: what a person reads after a run, or when there is nothing to run."""

from __future__ import annotations

import re
from decimal import Decimal

from typer.testing import CliRunner

from blocks import ShopifyShop
from commerce_sync.cli import app
from domain.models import StockLevel
from engine import resources
from tests.flows.test_inventory import seed_catalog, set_erp_stock


def in_the_foreground(shop) -> None:
    block = ShopifyShop.load(shop.name)
    block.allow_background_syncs = False
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)


def test_a_shop_without_its_deployment_is_told_how_to_deploy(sqlite_shop):
    result = CliRunner().invoke(app, ["run", "sync_orders", "--shop", sqlite_shop.name])

    assert result.exit_code == 2
    assert re.fullmatch(
        rf"error: no deployment sync-orders/{sqlite_shop.name} at http://\S+/api — run `commerce-sync setup` and "
        r"`prefect deploy`, or set PREFECT_API_URL\n",
        result.stderr,
    )


def test_an_unknown_shop_is_one_line_naming_it(sqlite_shop):
    result = CliRunner().invoke(app, ["run", "sync_orders", "--shop", "no-such-shop"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: no ShopifyShop block named 'no-such-shop' at http://")


def test_a_finished_run_prints_its_state_counts_and_summary_link(sqlite_shop):
    in_the_foreground(sqlite_shop)

    result = CliRunner().invoke(app, ["run", "sync_orders", "--shop", sqlite_shop.name])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"ran sync_orders for {sqlite_shop.name} in the foreground"
    assert re.fullmatch(r"Completed: \d+ created.*", lines[1])
    assert re.fullmatch(rf"summary: http://\S+/artifacts/key/{sqlite_shop.name}-sync-orders-summary", lines[2])


def test_a_partial_run_exits_1_and_says_what_to_look_at(sqlite_shop):
    in_the_foreground(sqlite_shop)
    seed_catalog(sqlite_shop)
    set_erp_stock(sqlite_shop, StockLevel(sku="NOT-IN-SHOP", location_key="PRAHA", quantity=Decimal("5")))

    result = CliRunner().invoke(app, ["run", "sync_inventory", "--shop", sqlite_shop.name])

    assert result.exit_code == 1
    assert re.search(
        rf"^Partial: 1 failed record: see \S+/{sqlite_shop.name}-sync-inventory-failures ", result.stdout, re.M
    )

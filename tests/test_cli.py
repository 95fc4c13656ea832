"""The command line: a mistake is one line on stderr and exit code 2; ``run --help`` says what can be run."""

from __future__ import annotations

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from pydantic import ValidationError
from typer.testing import CliRunner

from commerce_sync.cli import app

API = "http://127.0.0.1:9/api"  # nothing answers there: every case below is refused before any request


def invoke(*args: str):
    with temporary_settings({PREFECT_API_URL: API}):
        return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sync_orderz"], "error: unknown sync type 'sync_orderz'; known: sync_customers, "),
        (["sync_orders", "--param", "dry_run=maybe"], "error: dry_run: Input should be a valid boolean"),
        (["sync_orders", "--param", "dryrun=true"], "error: dryrun: Extra inputs are not permitted (got True)"),
        (["sync_orders", "--param", "dry_run"], "error: --param 'dry_run': expected key=value"),
        (["sync_orders", "--param", "period_start=2026-01-02T00:00:00Z"], "error: period_end: "),
    ],
)
def test_a_mistake_is_one_line_on_stderr_and_exit_code_2(args, message):
    result = invoke("run", *args, "--shop", "acme")

    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_debug_shows_the_error_itself():
    result = invoke("--debug", "run", "sync_orders", "--shop", "acme", "--param", "dry_run=maybe")

    assert isinstance(result.exception, ValidationError)


def test_without_an_api_address_nothing_starts_and_the_error_says_what_to_set(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(app, ["run", "sync_orders", "--shop", "acme"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: PREFECT_API_URL is not set: ")


def test_run_help_lists_every_sync_type_with_its_own_parameters():
    result = CliRunner().invoke(app, ["run", "--help"])
    text = " ".join(result.output.split())  # as read, whatever the terminal's width wrapped

    assert result.exit_code == 0
    assert "every one takes shop, period_start, period_end, dry_run" in text
    assert "sync_inventory: full (Full reconciliation), skus (Only these SKUs)" in text
    assert "reconcile: checks (Checks to run), repair (Repair)" in text


def test_a_broken_shops_file_is_one_line_naming_the_shop_and_field(tmp_path):
    shops = tmp_path / "shops.yaml"
    shops.write_text("shops:\n- name: acme\n  erp: sql\n  schedule: {selectedFrequency: Daily, syncHour: 25}\n")

    result = CliRunner().invoke(app, ["deployments", "render", str(shops), "--output", "-"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: shops.acme.schedule.")
    assert result.stderr.count("\n") == 1

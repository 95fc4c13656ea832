"""maintenance on a POHODA shop: the mServer's health in the run report and its own table artifact."""

from __future__ import annotations

import json
import socket

from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from blocks import ShopifyShop
from emulators.pohoda.config import PROGRAM_VERSION
from engine import resources
from flows.maintenance import MaintenanceParams, maintenance
from tasks.runs import artifact_key
from tests.flows.pohoda_conftest import PohodaShop, pohoda_shop  # noqa: F401 - the fixture


def health_table(shop: PohodaShop) -> dict[str, str]:
    """The mServer health artifact as the Prefect UI shows it last: check → result."""
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=[artifact_key(shop.name, "maintenance", "mserver-health")])
            )
        )
    data = found[0].data
    return {row["check"]: row["result"] for row in (json.loads(data) if isinstance(data, str) else data)}


def test_maintenance_reports_the_mservers_unit_program_and_response_time(pohoda_shop):
    report = maintenance(MaintenanceParams(shop=pohoda_shop.name))
    assert report.failed == 0
    assert any(note.startswith("mServer up:") and PROGRAM_VERSION in note for note in report.notes)
    table = health_table(pohoda_shop)
    assert table["mServer status"] == "up" and table["program version"] == PROGRAM_VERSION
    assert pohoda_shop.mserver.config.company_ico in table["accounting unit"]


def test_an_mserver_that_is_down_is_in_the_run_record_and_the_health_table(pohoda_shop):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    shop_block = ShopifyShop.load(pohoda_shop.name)
    erp = Block.load(shop_block.erp_block)
    erp.url = f"http://127.0.0.1:{closed_port}"
    erp.save(shop_block.erp_block.split("/", 1)[1], overwrite=True)
    resources.forget(pohoda_shop.name)
    state = maintenance(MaintenanceParams(shop=pohoda_shop.name), return_state=True)
    assert state.is_failed()  # the unmapped-items report cannot read the ERP either
    run = pohoda_shop.state.list_runs(pohoda_shop.name, "maintenance", limit=1)[0]
    assert any(e["field"] == "erp_block" and "does not answer" in (e["reason"] or "") for e in run.errors)
    assert health_table(pohoda_shop)["mServer status"] == "down"

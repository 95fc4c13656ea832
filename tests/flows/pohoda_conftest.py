"""A Pohoda shop wired end to end for flow tests: the POHODA mServer emulator (every request checked against
STORMWARE's ``data.xsd``) seeded from the sample data, a live Shopify emulator, saved blocks and the shop's
locks on the session's Prefect test API.

Use it from a test module with ``from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401``.

The emulator records every ``POST /xml`` body it receives; at teardown each one is validated again against
``data.xsd`` and the fixture fails when any was refused, so every document any flow sent in the test is
proven schema-valid (the emulator itself refuses an invalid one as a whole, which the flows must never see).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from blocks import PohodaMServer
from commerce_sync.samples.data import SampleData, generate
from connectors.state import StateStore
from deployments.wiring import release_shop, wire_shop
from emulators import pohoda, shopify
from engine import resources

TOKEN = "shpat_pohodatest_token_000"
SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2025-01-01", "syncHour": 0, "timeZone": "Europe/Prague"}


@dataclass
class PohodaShop:
    name: str
    data: SampleData
    mserver: pohoda.PohodaEmulator
    emulator: shopify.Emulator
    pohoda_url: str
    requests_dir: Path

    @property
    def pohoda(self) -> pohoda.PohodaState:
        """POHODA's data (what its users see and do: ``set_order_executed``, ``create_delivery_note``, …)."""
        return self.mserver.state

    @property
    def erp(self):  # the shop's ``pohoda`` adapter, as the flows use it
        return resources.resources(self.name).erp

    @property
    def state(self) -> StateStore:
        return resources.resources(self.name).state


def schema_refusals(requests_dir: Path, xsd_dir: Path) -> list[str]:
    """Every recorded request ``data.xsd`` rejects, as "file: line N: message" (empty when all are valid)."""
    from lxml import etree

    from emulators.pohoda.xsd import first_errors, load_schemas

    schema = load_schemas(xsd_dir).data
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    found = []
    for path in sorted(requests_dir.glob("pohoda-*.xml")):
        errors = first_errors(schema, etree.fromstring(path.read_bytes(), parser))
        found += [f"{path.name}: {error}" for error in errors]
    return found


@pytest.fixture
def pohoda_shop(shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PohodaShop]:
    yield from make_pohoda_shop(shared_dir, tmp_path, monkeypatch)


def make_pohoda_shop(
    shared_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    token: str = TOKEN,
    password: str | None = None,
) -> Iterator[PohodaShop]:
    """The ``pohoda_shop`` fixture's body; ``token`` and ``password`` (POHODA's) can be chosen."""
    xsd_dir = shared_dir / "reference" / "pohoda" / "xsd"
    requests_dir = tmp_path / "pohoda-requests"
    monkeypatch.setenv("POHODA_XSD_DIR", str(xsd_dir))  # the emulator refuses any pack data.xsd rejects
    monkeypatch.setenv("COMMERCE_SYNC_RECORD_DIR", str(requests_dir))
    monkeypatch.setenv("COMMERCE_SYNC_POHODA_DOCUMENTS", "emulator")  # pictures written into its folder
    data = generate(items=12, customers=6, orders=8, seed=7)
    # the adapter refuses to write into another fiscal year than POHODA's current one
    fiscal_year = datetime.now(ZoneInfo("Europe/Prague")).year
    config = (
        pohoda.PohodaEmulatorConfig(fiscal_year=fiscal_year)
        if password is None
        else pohoda.PohodaEmulatorConfig(fiscal_year=fiscal_year, password=password)
    )
    assert config.xsd_dir == xsd_dir and config.record_dir == requests_dir
    pohoda_app = pohoda.create_app(config)
    mserver = pohoda.emulator_of(pohoda_app)
    mserver.state.seed_sample_data(data)
    shop_app = shopify.create_app(shopify.EmulatorConfig(tokens=[token]))
    emulator = shopify.emulator_of(shop_app)
    emulator.state.seed_locations(data.locations)
    emulator.state.seed_orders(data.orders)
    suffix = uuid.uuid4().hex[:10]
    name = f"pohoda-{suffix}"
    with pohoda.running_emulator(app=pohoda_app) as pohoda_url, shopify.running_emulator(app=shop_app) as shop_url:
        wire_shop(
            name,
            PohodaMServer(
                url=pohoda_url,
                user=config.user,
                password=config.password,
                company_ico=config.company_ico,
                state_url=f"sqlite:///{tmp_path / 'state.db'}",
            ),
            erp_name=f"erp-{suffix}",
            shop_url=shop_url,
            access_token=token,
            schedule=SCHEDULE,
            location_mapping={loc.erp_key: loc.name for loc in data.locations},
        )
        try:
            yield PohodaShop(name, data, mserver, emulator, pohoda_url, requests_dir)
        finally:
            release_shop(name)
    assert mserver.recorder.count == len(list(requests_dir.glob("pohoda-*.xml")))
    assert schema_refusals(requests_dir, xsd_dir) == [], "a document the project sent is not valid per data.xsd"

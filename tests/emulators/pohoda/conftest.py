"""Fixtures for the POHODA mServer emulator's tests (and for anyone who needs a seeded POHODA).

- ``xsd_dir``: the real schema set from ``../shared`` (skips without it); also exported as ``POHODA_XSD_DIR``
  so every emulator built in the test validates requests and its own answers.
- ``response_schema``: ``response.xsd`` loaded independently of the emulator, for tests that check answers.
- ``clock``: a ``FakeClock`` at 2025-04-01T07:00:00Z (09:00 in Prague); ``clock.advance(s)`` moves ``lastChanges``.
- ``config`` / ``app`` / ``emulator`` / ``pohoda``: the config (recording off), ASGI app, ``PohodaEmulator`` and
  its ``PohodaState``; ``client``: an in-process ``httpx.Client`` on the app.
- ``sample`` / ``seeded``: ``generate(items=20, customers=5, orders=5, seed=1)`` and the ``SeedReport`` of
  seeding it into ``pohoda``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from pohoda_emu_support import START

from commerce_sync.samples.data import SampleData, generate
from emulators.pohoda import (
    FakeClock,
    PohodaEmulator,
    PohodaEmulatorConfig,
    PohodaState,
    SeedReport,
    create_app,
    emulator_client,
    emulator_of,
)


@pytest.fixture
def xsd_dir(shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = shared_dir / "reference" / "pohoda" / "xsd"
    monkeypatch.setenv("POHODA_XSD_DIR", str(directory))
    return directory


@pytest.fixture(scope="session")
def response_schema(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_dir / "reference" / "pohoda" / "xsd" / "response.xsd")))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def config(xsd_dir: Path, monkeypatch: pytest.MonkeyPatch) -> PohodaEmulatorConfig:
    monkeypatch.delenv("COMMERCE_SYNC_RECORD_DIR", raising=False)
    return PohodaEmulatorConfig()


@pytest.fixture
def app(config: PohodaEmulatorConfig, clock: FakeClock) -> Any:
    return create_app(config, clock=clock)


@pytest.fixture
def emulator(app: Any) -> PohodaEmulator:
    return emulator_of(app)


@pytest.fixture
def pohoda(emulator: PohodaEmulator) -> PohodaState:
    return emulator.state


@pytest.fixture
def client(app: Any) -> Iterator[httpx.Client]:
    with emulator_client(app=app) as c:
        yield c


@pytest.fixture(scope="session")
def sample() -> SampleData:
    return generate(items=20, customers=5, orders=5, seed=1)


@pytest.fixture
def seeded(pohoda: PohodaState, sample: SampleData) -> SeedReport:
    return pohoda.seed_sample_data(sample)

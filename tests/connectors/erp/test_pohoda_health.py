"""mServer's health as maintenance reports it: up with its unit, program and timing; busy, down, another unit."""

from __future__ import annotations

import socket
import threading
import time

from blocks import PohodaMServer
from emulators.pohoda.config import PROGRAM_VERSION


def _backend(pohoda, tmp_path, **fields):
    config = pohoda.mserver.config
    values = dict(url=pohoda.emulator.url, user=config.user, password=config.password, company_ico=config.company_ico)
    block = PohodaMServer(**(values | {"state_url": f"sqlite:///{tmp_path / 'state.db'}"} | fields))
    return block.backend(http=pohoda.emulator.http, fiscal_year=fields.get("fiscal_year", config.fiscal_year))


def test_an_idle_mserver_names_its_unit_year_program_and_response_time(pohoda):
    config = pohoda.mserver.config
    health = pohoda.backend.mserver_health()
    assert (health.state, health.problem) == ("up", None)
    assert (health.company, health.ico, health.year) == (config.company_name, config.company_ico, config.fiscal_year)
    assert health.program_version == PROGRAM_VERSION and health.response_ms is not None and health.response_ms >= 0
    rows = {row["check"]: row["result"] for row in health.rows()}
    assert rows["program version"] == PROGRAM_VERSION and rows["mServer status"] == "up"
    assert config.company_ico in rows["accounting unit"] and rows["response time"].endswith(" ms")


def test_a_busy_mserver_is_busy_and_asked_nothing_more(pohoda):
    before = pohoda.mserver.recorder.count
    with pohoda.mserver.hold_processing():
        worker = threading.Thread(target=pohoda.new_backend().list_locations)
        worker.start()
        deadline = time.monotonic() + 5
        while pohoda.mserver.in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        health = pohoda.backend.mserver_health()
    worker.join(timeout=10)
    assert health.state == "busy" and health.processing == 1 and "busy (1 requests" in health.problem
    assert health.program_version is None and pohoda.mserver.recorder.count == before + 1  # only the worker's


def test_a_down_mserver_and_one_of_another_year_are_problems_not_exceptions(pohoda, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = _backend(pohoda, tmp_path, url=f"http://127.0.0.1:{closed_port}")
    last_year = _backend(pohoda, tmp_path, fiscal_year=pohoda.mserver.config.fiscal_year - 1)
    try:
        assert down.mserver_health().state == "down" and "does not answer" in down.mserver_health().problem
        wrong = last_year.mserver_health()
        assert wrong.state == "wrong unit" and str(pohoda.mserver.config.fiscal_year) in wrong.problem
    finally:
        down.close()
        last_year.close()

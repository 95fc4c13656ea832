"""The emulator as a server: one request at a time, busy answers, pictures, recording, faults."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from lxml import etree
from pohoda_emu_support import AUTH, HEADERS, E, data_pack, item, post, stock_card, stock_list

from emulators.pohoda import NS, PohodaEmulatorConfig, create_app, emulator_of, running_emulator


def _post_in_thread(base_url: str, body: bytes, results: list, index: int) -> threading.Thread:
    def run() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            results[index] = http.post("/xml", content=body, headers=HEADERS)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def test_concurrent_requests_are_processed_one_after_another(app, emulator):
    results: list = [None, None]
    with running_emulator(app=app) as base_url, httpx.Client(base_url=base_url) as http:
        with emulator.hold_processing():
            first = _post_in_thread(base_url, data_pack(("a", stock_list()), pack_id="p0"), results, 0)
            _wait_until(emulator.processing_lock.locked)
            second = _post_in_thread(base_url, data_pack(("b", stock_list()), pack_id="p1"), results, 1)
            _wait_until(lambda: emulator.in_flight == 2)
            status = etree.fromstring(http.get("/status").content)
            assert results == [None, None]  # neither answered while the first is still being processed
        first.join()
        second.join()
        after = etree.fromstring(http.get("/status").content)
    assert [r.status_code for r in results] == [200, 200]
    assert (status.findtext("status"), status.findtext("processing")) == ("busy", "2")
    assert after.findtext("status") == "idle"
    (first_start, first_end), (second_start, second_end) = sorted(emulator.processing_log)
    assert first_end <= second_start


def test_busy_switch_answers_503_instead_of_waiting(app, emulator):
    emulator.set_faults(busy_when_locked=True)
    results: list = [None]
    with running_emulator(app=app) as base_url, httpx.Client(base_url=base_url) as http:
        with emulator.hold_processing():
            thread = _post_in_thread(base_url, data_pack(("slow", stock_list())), results, 0)
            _wait_until(emulator.processing_lock.locked)
            busy = http.post("/xml", content=data_pack(("fast", stock_list())), headers=HEADERS)
        thread.join()
    assert busy.status_code == 503 and "busy" in busy.text
    assert results[0].status_code == 200


def test_pictures_are_served_from_the_documents_folder_with_credentials(client, pohoda, seeded, sample):
    image = sample.images[0]
    card = next(c for c in pohoda.cards.values() if c.pictures)
    assert (
        client.get(f"/documents/Obrázky/{image.filename}", headers={"STW-Authorization": AUTH}).content == image.content
    )
    assert client.get(f"/documents/Obrázky/{card.pictures[0].filepath}").status_code == 401
    assert client.get("/documents/Obrázky/none.png", headers={"STW-Authorization": AUTH}).status_code == 404


def test_each_request_body_is_recorded_byte_for_byte(xsd_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMERCE_SYNC_RECORD_DIR", str(tmp_path / "rec"))
    app = create_app(PohodaEmulatorConfig())
    bodies = [data_pack(("a", stock_list()), pack_id="one"), data_pack(("b", stock_list()), pack_id="dva-č")]
    with running_emulator(app=app) as base_url, httpx.Client(base_url=base_url) as http:
        for body in bodies:
            assert http.post("/xml", content=body, headers=HEADERS).status_code == 200
    files = sorted((tmp_path / "rec").iterdir())
    assert [f.name for f in files] == ["pohoda-000001.xml", "pohoda-000002.xml"]
    assert [f.read_bytes() for f in files] == bodies
    assert b"pohoda-emulator" not in b"".join(f.read_bytes() for f in files)


def test_injected_5xx_answers_without_applying(client, emulator, pohoda):
    emulator.set_faults(error_5xx=1.0)
    response = client.post("/xml", content=data_pack(("c", stock_card("MUG", "Hrnek"))), headers=HEADERS)
    assert response.status_code in (500, 502, 503)
    assert pohoda.card_by_code("MUG") is None


def test_answer_dropped_after_apply_is_harmless_to_resend_with_duplicity_check(client, emulator, pohoda):
    body = data_pack(("c", stock_card("MUG", "Hrnek")), pack_id="stk-MUG-1")
    emulator.set_faults(drop_after_apply=1.0)
    lost = client.post("/xml", content=body, headers={**HEADERS, "STW-Check-Duplicity": "true"})
    assert lost.status_code == 502
    created = pohoda.card_by_code("MUG")
    emulator.set_faults(drop_after_apply=0.0)
    answer = item(post(client, body, check_duplicity=True), "c")
    assert answer.get("state") == "error"
    assert answer.findtext("rsp:errorDetail/rsp:recordDuplicity/rsp:id", namespaces=NS) == str(created.id)
    assert [c.code for c in pohoda.cards.values()] == ["MUG"]


def test_without_the_duplicity_header_a_resent_pack_is_applied_again(client, pohoda):
    address = E(
        "adb:addressbook",
        E("adb:addressbookHeader", E("adb:identity", E("typ:address", E("typ:company", "ACME")))),
        version="2.0",
    )
    body = data_pack(("a", address), pack_id="adb-ACME")
    post(client, body)
    assert item(post(client, body), "a").get("state") == "ok"
    assert [a.address.company for a in pohoda.addresses.values()] == ["ACME", "ACME"]


def test_fault_sequence_repeats_for_the_same_seed(client, emulator):
    def statuses() -> list[int]:
        emulator.set_faults(busy=0.5, seed=3)
        return [
            client.post("/xml", content=data_pack(("a", stock_list())), headers=HEADERS).status_code for _ in range(8)
        ]

    first = statuses()
    assert set(first) == {200, 503}
    assert statuses() == first


def test_running_emulator_serves_status_on_ipv4_loopback(app):
    with running_emulator(app=app) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/status").status_code == 200


def test_each_app_has_its_own_accounting_unit(xsd_dir):
    first = create_app(PohodaEmulatorConfig(record_dir=None))
    second = create_app(PohodaEmulatorConfig(record_dir=None))
    emulator_of(first).state.add_store("EXTRA")
    assert emulator_of(second).state.store_by_name("EXTRA") is None


def test_a_scripted_request_fails_as_told_and_a_lost_answer_was_applied(client, emulator, pohoda):
    script = [{"request": 1, "fault": "status", "status": 500}, {"request": 2, "fault": "lost_answer"}]
    assert client.post("/_emulator/faults", json={"script": script}).status_code == 200
    body = data_pack(("c", stock_card("MUG", "Hrnek")))

    first = client.post("/xml", content=body, headers=HEADERS)
    assert (first.status_code, pohoda.card_by_code("MUG")) == (500, None)
    second = client.post("/xml", content=body, headers=HEADERS)
    assert second.status_code == 502 and pohoda.card_by_code("MUG") is not None
    assert client.post("/xml", content=data_pack(("a", stock_list())), headers=HEADERS).status_code == 200


def test_a_scripted_timeout_answers_after_the_client_gave_up_and_still_applies(app, emulator, pohoda):
    emulator.set_faults(script=[{"request": 1, "fault": "timeout"}], timeout_seconds=0.4)
    body = data_pack(("c", stock_card("MUG", "Hrnek")))
    with running_emulator(app=app) as base_url, httpx.Client(base_url=base_url, timeout=0.1) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.post("/xml", content=body, headers=HEADERS)
        _wait_until(lambda: pohoda.card_by_code("MUG") is not None)


def test_revoked_credentials_get_401_on_xml_company_detail_and_documents(client, emulator):
    emulator.set_faults(script=[{"request": 2, "fault": "revoke"}])
    pack = data_pack(("a", stock_list()))

    answers = [client.post("/xml", content=pack, headers=HEADERS).status_code for _ in range(3)]

    assert answers == [200, 401, 401]
    assert client.get("/status?companyDetail", headers={"STW-Authorization": AUTH}).status_code == 401
    assert client.get("/documents/Obrázky/a.png", headers={"STW-Authorization": AUTH}).status_code == 401
    assert client.get("/status").status_code == 200  # liveness needs no credentials

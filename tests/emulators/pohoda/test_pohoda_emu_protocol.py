"""mServer's HTTP surface: headers, encodings, pack-level refusals, /status."""

from __future__ import annotations

import base64
import gzip

from lxml import etree
from pohoda_emu_support import AUTH, HEADERS, E, data_pack, item, post, stock_card, stock_list

from emulators.pohoda import NS, PohodaEmulatorConfig, create_app, emulator_client


def test_request_without_stw_authorization_is_refused_with_401(client):
    response = client.post("/xml", content=data_pack(("a", stock_list())), headers={"STW-Application": "x"})
    assert response.status_code == 401


def test_wrong_password_is_refused_with_401(client):
    wrong = "Basic " + base64.b64encode(b"admin:guess").decode()
    response = client.post(
        "/xml", content=data_pack(("a", stock_list())), headers={**HEADERS, "STW-Authorization": wrong}
    )
    assert response.status_code == 401
    assert "guess" not in response.text


def test_request_without_stw_application_is_refused(client):
    response = client.post("/xml", content=data_pack(("a", stock_list())), headers={"STW-Authorization": AUTH})
    assert response.status_code == 400
    assert "STW-Application" in response.text


def test_answer_is_windows_1250_with_its_prolog(client):
    response = client.post("/xml", content=data_pack(("a", stock_list())), headers=HEADERS)
    assert response.headers["content-type"].lower().startswith("text/xml; charset=windows-1250")
    assert response.content.startswith(b"<?xml version='1.0' encoding='Windows-1250'?>")


def test_utf8_request_is_read_by_its_prolog(client, pohoda):
    body = data_pack(
        (
            "s",
            E(
                "stk:stock",
                E(
                    "stk:stockHeader",
                    E("stk:code", "ZLUT-1"),
                    E("stk:name", "Žluťoučký kůň"),
                    E("stk:storage", E("typ:ids", "ZBOŽÍ")),
                ),
                version="2.0",
            ),
        ),
        encoding="UTF-8",
    )
    pack = post(client, body)
    assert item(pack, "s").get("state") == "ok"
    assert pohoda.card_by_code("ZLUT-1").name == "Žluťoučký kůň"


def test_gzip_compressed_request_is_accepted(client):
    body = gzip.compress(data_pack(("a", stock_list())))
    response = client.post("/xml", content=body, headers={**HEADERS, "Content-Encoding": "gzip"})
    assert response.status_code == 200
    assert etree.fromstring(response.content).get("state") == "ok"


def test_malformed_xml_is_answered_400_with_an_error_pack(client):
    response = client.post("/xml", content=b"<dat:dataPack", headers=HEADERS)
    assert response.status_code == 400
    pack = etree.fromstring(response.content)
    assert pack.get("state") == "error"
    assert "správně utvořen" in pack.get("note")


def test_schema_invalid_request_is_refused_with_a_note_naming_the_problem(client, pohoda):
    bad = E(
        "stk:stock", E("stk:stockHeader", E("stk:code", "X"), E("stk:name", "X"), E("stk:colour", "red")), version="2.0"
    )
    pack = post(client, data_pack(("bad", bad)))
    assert pack.get("state") == "error"
    assert "data.xsd" in pack.get("note") and "colour" in pack.get("note") and "line" in pack.get("note")
    assert pack.find("rsp:responsePackItem", NS) is None
    assert pohoda.card_by_code("X") is None


def test_schema_invalid_enum_value_is_refused(client):
    pack = post(
        client,
        data_pack(
            (
                "bad",
                E(
                    "lst:listOrderRequest",
                    E("lst:requestOrder"),
                    version="2.0",
                    orderType="someOrder",
                    orderVersion="2.0",
                ),
            )
        ),
    )
    assert pack.get("state") == "error"
    assert "someOrder" in pack.get("note")


def test_datapack_for_another_company_is_refused_whole(client):
    pack = post(client, data_pack(("a", stock_list()), ico="87654321"))
    assert pack.get("state") == "error"
    assert "87654321" in pack.get("note") and "12345678" in pack.get("note")


def test_agenda_the_emulator_does_not_know_is_an_item_error_not_a_silent_ok(client):
    pack = post(client, data_pack(("acc", E("lst:listAccountRequest", version="2.0"))))
    assert pack.get("state") == "ok"
    assert item(pack, "acc").get("state") == "error"
    assert "lst:listAccountRequest" in item(pack, "acc").get("note")


def test_answer_echoes_pack_id_ico_and_program_version(client, config):
    pack = post(client, data_pack(("a", stock_list()), pack_id="exp-42"))
    assert (pack.get("id"), pack.get("ico"), pack.get("programVersion")) == (
        "exp-42",
        "12345678",
        config.program_version,
    )


def test_status_reports_idle_without_credentials(client):
    response = client.get("/status")
    root = etree.fromstring(response.content)
    assert (root.tag, root.findtext("status"), root.findtext("processing")) == ("mServer", "idle", "0")
    assert root.findtext("message") == "Response from POHODA mServer"


def test_status_company_detail_needs_credentials_and_names_the_accounting_unit(client, config):
    assert client.get("/status?companyDetail").status_code == 401
    root = etree.fromstring(client.get("/status?companyDetail", headers={"STW-Authorization": AUTH}).content)
    detail = root.find("companyDetail")
    assert detail.findtext("ico") == config.company_ico
    assert detail.findtext("year") == "2025"
    assert detail.findtext("databaseName") == "StwPh_12345678_2025"
    assert detail.findtext("company") == config.company_name


def test_status_can_answer_the_plain_string_form(xsd_dir):
    with emulator_client(app=create_app(PohodaEmulatorConfig(status_plain=True, record_dir=None))) as plain:
        response = plain.get("/status")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Response from POHODA mServer: idle"


def test_several_items_are_answered_in_order_each_with_its_own_state(client):
    pack = post(
        client,
        data_pack(("one", stock_list()), ("two", E("lst:listAccountRequest", version="2.0")), ("three", stock_list())),
    )
    states = [(i.get("id"), i.get("state")) for i in pack.iterfind("rsp:responsePackItem", NS)]
    assert states == [("one", "ok"), ("two", "error"), ("three", "ok")]


def test_without_xsd_dir_nothing_is_validated_but_bad_values_are_item_errors(monkeypatch):
    monkeypatch.delenv("POHODA_XSD_DIR", raising=False)
    app = create_app(PohodaEmulatorConfig(record_dir=None))
    order = E(
        "ord:order",
        E("ord:orderHeader", E("ord:orderType", "receivedOrder")),
        E("ord:orderDetail", E("ord:orderItem", E("ord:text", "Zboží"), E("ord:quantity", "hodně"))),
        version="2.0",
    )
    with emulator_client(app=app) as plain:
        answer = item(post(plain, data_pack(("o", order))), "o")
    assert answer.get("state") == "error" and "hodně" in answer.get("note")


def test_duplicity_check_lets_an_item_that_failed_be_sent_again(client, pohoda):
    body = data_pack(("c", stock_card("MUG", "Hrnek", store="SKLAD2")), pack_id="retry-me")
    assert item(post(client, body, check_duplicity=True), "c").get("state") == "error"
    pohoda.add_store("SKLAD2")
    assert item(post(client, body, check_duplicity=True), "c").get("state") == "ok"
    assert pohoda.card_by_code("MUG") is not None

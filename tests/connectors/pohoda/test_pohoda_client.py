"""MServerClient against a scripted mServer (httpx.MockTransport): headers, body, company check, error mapping."""

from __future__ import annotations

import base64
import io
import logging
from decimal import Decimal

import httpx
import pytest
from pohoda_request_reader import parse_data_pack
from pohoda_support import ICO, PASSWORD, USER, company_detail

from connectors.pohoda.errors import (
    AuthenticationError,
    ConnectionFailed,
    Fatal,
    PackRejected,
    RequestTimeout,
    Retriable,
    ServerBusy,
    ServerError,
    UnexpectedAnswer,
    WrongCompany,
)
from connectors.pohoda.models import StockItem, StockListRequest
from connectors.pohoda.testing import list_stock_element, response_pack
from connectors.pohoda.xml import builders, iter_stock_chunks


def ok_for_every_item(request: httpx.Request) -> httpx.Response:
    """Answer each dataPackItem of the request with an empty ok."""
    sent = parse_data_pack(request.content)
    return httpx.Response(200, content=response_pack(*((item.id, None) for item in sent.items)))


def card(code: str = "ABC-001", name: str = "Žluťoučký kůň") -> StockItem:
    return StockItem(code=code, name=name, selling_price=Decimal("199"))


def write_pack(client, *cards: StockItem):
    return client.new_pack("Import zásob", [builders.stock_card(c) for c in cards or [card()]])


def test_a_write_carries_every_mserver_header_and_a_windows_1250_body(mserver) -> None:
    client, server = mserver(ok_for_every_item, instance="run-42")
    client.send(write_pack(client))
    post = server.posts[0]
    assert post.url.path == "/xml" and post.headers["Content-Type"] == "text/xml"
    assert base64.b64decode(post.headers["STW-Authorization"].removeprefix("Basic ")) == f"{USER}:{PASSWORD}".encode(
        "cp1250"
    )
    assert post.headers["STW-Application"] == "commerce-sync"
    assert post.headers["STW-Instance"] == "run-42"
    assert post.headers["STW-Check-Duplicity"] == "true"
    assert post.content.startswith(b"<?xml version='1.0' encoding='Windows-1250'?>")
    assert "Žluťoučký kůň".encode("cp1250") in post.content


def test_a_read_only_export_neither_checks_the_company_nor_asks_for_duplicity_checks(mserver) -> None:
    answer = response_pack(("x", list_stock_element([card()])))

    def respond(request: httpx.Request) -> httpx.Response:
        sent = parse_data_pack(request.content)
        return httpx.Response(200, content=answer.replace(b'id="x"', f'id="{sent.items[0].id}"'.encode()))

    client, server = mserver(respond)
    result = client.send(client.new_pack("Export", [builders.list_stock(StockListRequest())]))
    assert [r.method for r in server.requests] == ["POST"]
    assert "STW-Check-Duplicity" not in server.posts[0].headers
    assert result.items[0].records[0].code == "ABC-001"


def test_answers_name_our_records(mserver) -> None:
    client, _ = mserver(ok_for_every_item)
    result = client.send(write_pack(client, card("A"), card("B")))
    assert [item.record for item in result.items] == ["stock item 'A'", "stock item 'B'"]


def test_writing_into_another_company_is_refused_before_anything_is_sent(mserver) -> None:
    client, server = mserver(ok_for_every_item, company=company_detail(ico="87654321"))
    with pytest.raises(WrongCompany, match="87654321"):
        client.send(write_pack(client))
    assert server.posts == []


def test_writing_into_another_fiscal_year_is_refused_before_anything_is_sent(mserver) -> None:
    client, server = mserver(ok_for_every_item, company=company_detail(year=2024))
    with pytest.raises(WrongCompany, match="fiscal year 2024"):
        client.send(write_pack(client))
    assert server.posts == []


def test_an_explicit_fiscal_year_overrides_the_calendar(mserver) -> None:
    client, server = mserver(ok_for_every_item, company=company_detail(year=2024), fiscal_year=2024)
    result = client.send(write_pack(client, card("ABC-001")))
    assert [r.url.path for r in server.requests] == ["/status", "/xml"]  # checked, then written into 2024
    assert [item.id for item in parse_data_pack(server.posts[0].content).items] == [result.items[0].id]
    assert [item.record for item in result.items] == ["stock item 'ABC-001'"]


def test_a_pack_for_another_ico_is_refused(mserver) -> None:
    client, server = mserver(ok_for_every_item)
    other = builders.DataPack(application="x", ico="99999999", note="n", items=[builders.stock_card(card())])
    with pytest.raises(WrongCompany):
        client.send(other)
    assert server.requests == []


def test_the_company_check_is_cached_between_writes(mserver) -> None:
    client, server = mserver(ok_for_every_item)
    client.send(write_pack(client, card("A")))
    client.send(write_pack(client, card("B")))
    assert [r.url.path for r in server.requests] == ["/status", "/xml", "/xml"]


def test_an_mserver_that_does_not_name_its_company_gets_no_writes(mserver) -> None:
    client, server = mserver(
        ok_for_every_item, company=b"<mServer><companyDetail><company>X</company></companyDetail></mServer>"
    )
    with pytest.raises(WrongCompany, match="did not say"):
        client.send(write_pack(client))
    assert server.posts == []


@pytest.mark.parametrize(
    "status, error",
    [
        (401, AuthenticationError),
        (403, AuthenticationError),
        (503, ServerBusy),
        (500, ServerError),
        (502, ServerError),
        (408, RequestTimeout),
        (404, UnexpectedAnswer),
    ],
)
def test_http_statuses_map_to_retriable_or_fatal_errors(mserver, status: int, error: type) -> None:
    client, _ = mserver(lambda request: httpx.Response(status, text="nope"))
    with pytest.raises(error):
        client.send(write_pack(client))


def test_busy_and_server_errors_are_retriable_auth_errors_are_not(mserver) -> None:
    assert issubclass(ServerBusy, Retriable) and issubclass(ServerError, Retriable)
    assert issubclass(AuthenticationError, Fatal) and issubclass(WrongCompany, Fatal)


def test_an_html_login_page_is_an_authentication_error(mserver) -> None:
    html = "<!DOCTYPE html><html><body>Přihlášení</body></html>"
    client, _ = mserver(lambda r: httpx.Response(200, text=html, headers={"content-type": "text/html"}))
    with pytest.raises(AuthenticationError, match="HTML page"):
        client.send(write_pack(client))


@pytest.mark.parametrize(
    "failure, error",
    [
        (httpx.ReadTimeout("timed out"), RequestTimeout),
        (httpx.ConnectError("refused"), ConnectionFailed),
    ],
)
def test_transport_failures_are_retriable(mserver, failure: Exception, error: type) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    client, _ = mserver(fail)
    with pytest.raises(error) as raised:
        client.send(client.new_pack("x", [builders.list_stores()]))
    assert isinstance(raised.value, Retriable)


def test_the_password_never_appears_in_errors_logs_or_repr(mserver, caplog) -> None:
    def leak(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused while sending {request.headers['STW-Authorization']} / {PASSWORD}")

    caplog.set_level(logging.DEBUG)
    client, _ = mserver(leak)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode("cp1250")).decode()
    with pytest.raises(ConnectionFailed) as raised:
        client.send(client.new_pack("x", [builders.list_stores()]))
    for text in (str(raised.value), repr(client), caplog.text):
        assert PASSWORD not in text and token not in text


def test_a_refused_pack_raises_with_pohodas_note(mserver) -> None:
    client, _ = mserver(
        lambda r: httpx.Response(
            200,
            content=response_pack(
                state="error", note="Pro zpracování je nutné nejdříve provést převod účetní jednotky"
            ),
        )
    )
    with pytest.raises(PackRejected, match="převod účetní jednotky") as raised:
        client.send(write_pack(client))
    assert raised.value.code == 552


def test_an_answer_for_another_company_is_refused(mserver) -> None:
    client, _ = mserver(lambda r: httpx.Response(200, content=response_pack(ico="87654321")))
    with pytest.raises(WrongCompany):
        client.send(client.new_pack("x", [builders.list_stores()]))


def test_an_answer_missing_an_item_names_the_record(mserver) -> None:
    client, _ = mserver(lambda r: httpx.Response(200, content=response_pack()))
    with pytest.raises(UnexpectedAnswer, match="stock item 'ABC-001'"):
        client.send(write_pack(client))


def test_status_reads_xml_and_plain_answers(mserver) -> None:
    client, _ = mserver(ok_for_every_item)
    assert client.status().busy is False

    busy, _ = mserver(ok_for_every_item)
    busy.http = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=b"<mServer><status>busy</status><processing>3</processing></mServer>")
        )
    )
    with pytest.raises(ServerBusy, match="3 requests"):
        busy.require_idle()

    plain, _ = mserver(ok_for_every_item)
    plain.http = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, text="Response from POHODA mServer"))
    )
    assert plain.status().message == "Response from POHODA mServer"


def test_company_detail_reads_ico_and_year_from_the_database_name(mserver) -> None:
    client, server = mserver(ok_for_every_item)
    detail = client.company_detail()
    assert (detail.ico, detail.year, detail.company) == (ICO, 2025, "Ukázková firma s.r.o.")
    assert "STW-Authorization" in server.requests[0].headers


def test_a_big_export_streams_to_a_file_and_reads_in_chunks(mserver, tmp_path) -> None:
    cards = [card(f"C-{n}", f"Karta {n}") for n in range(1, 8)]
    client, _ = mserver(lambda r: httpx.Response(200, content=response_pack(("x", list_stock_element(cards)))))
    with open(tmp_path / "export.xml", "w+b") as sink:
        size = client.download(client.new_pack("x", [builders.list_stock(StockListRequest())]), sink)
        sink.seek(0)
        codes = [c.code for chunk in iter_stock_chunks(sink, 3) for c in chunk]
    assert size > 0 and codes == [c.code for c in cards]


def test_url_with_credentials_is_refused() -> None:
    from connectors.pohoda.client import MServerClient

    with pytest.raises(ValueError, match="not in the url"):
        MServerClient("http://eshop:secret@127.0.0.1:444", USER, PASSWORD, application="a", company_ico=ICO)


def test_a_file_object_works_as_download_sink(mserver) -> None:
    client, _ = mserver(lambda r: httpx.Response(200, content=b"<rsp:x/>"))
    sink = io.BytesIO()
    client.download(client.new_pack("x", [builders.list_stores()]), sink)
    assert sink.getvalue() == b"<rsp:x/>"


def test_a_malformed_request_answer_carries_pohodas_note(mserver) -> None:
    body = response_pack(state="error", note="XML dokument není validní: chybí element dat:dataPackItem")
    client, _ = mserver(lambda r: httpx.Response(400, content=body))
    with pytest.raises(UnexpectedAnswer, match="HTTP 400: XML dokument není validní"):
        client.send(write_pack(client))

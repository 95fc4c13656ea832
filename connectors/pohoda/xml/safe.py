"""The only way this connector reads XML: no DTDs, no entities, no network, bounded depth, known encodings.

Why so strict: POHODA never sends a DOCTYPE, so any document that carries one is either broken or hostile
(XXE ``<!ENTITY x SYSTEM "file:///etc/passwd">``, "billion laughs" entity expansion). We refuse it *before*
libxml2 sees it, and the parser is configured so that even a document slipping past the pre-check could not
load a DTD, resolve an entity or open a URL. Depth is bounded by libxml2 itself (256 levels without
``huge_tree``, which we never set); POHODA documents are about 12 levels deep.

Encodings: POHODA writes Windows-1250; requests may be UTF-8. Anything else (UTF-16, ISO-8859-2, …) is refused
with a clear error, and so are bytes that are invalid in the declared encoding (with their byte offset and
line) and a document declared Windows-1250 whose bytes are in fact UTF-8 (it would otherwise parse "fine" into
``ŽluĹĄouÄŤkĂ˝``). The same checks run on a whole document (:func:`parse_document`) and on a stream
(:class:`GuardedReader`, used by the streaming stock export).
"""

from __future__ import annotations

import codecs
import re
from typing import IO, Literal, TypedDict, overload

from lxml import etree

from connectors.pohoda.errors import EncodingError, MalformedXml, TruncatedXml, UnsafeXml

__all__ = [
    "MAX_DEPTH",
    "GuardedReader",
    "check_prolog",
    "parse_document",
    "safe_parser",
    "syntax_error",
    "PARSER_OPTIONS",
]

MAX_DEPTH = 256
"""libxml2's nesting limit without ``huge_tree`` (documented here because we rely on it)."""


class ParserOptions(TypedDict):
    """The hardening switches lxml takes as keyword arguments (typed so ``**`` expansion type-checks)."""

    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    dtd_validation: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool


PARSER_OPTIONS: ParserOptions = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
"""Keyword arguments shared by :func:`safe_parser` and every ``etree.iterparse`` call."""

_ENCODINGS = {
    "windows-1250": "cp1250",
    "cp1250": "cp1250",
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
}
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_MARKUP_KIND = re.compile(rb"<!\s*([A-Za-z]*)")
_MAX_PROLOG = 1 << 20


def safe_parser() -> etree.XMLParser:
    """A fresh parser with :data:`PARSER_OPTIONS` (lxml parsers are not thread-safe, so one per parse)."""
    return etree.XMLParser(**PARSER_OPTIONS)


@overload
def check_prolog(head: bytes, *, complete: Literal[True]) -> tuple[str, int]: ...
@overload
def check_prolog(head: bytes, *, complete: bool) -> tuple[str, int] | None: ...
def check_prolog(head: bytes, *, complete: bool) -> tuple[str, int] | None:
    """Check what precedes the root element; return ``(python codec, index of the root's "<")``.

    ``None`` means ``head`` ends inside the prolog and more bytes are needed (``complete=False``; with
    ``complete=True`` that is an error instead). Raises ``UnsafeXml`` for any ``<!DOCTYPE``/``<!ENTITY``/other
    declaration and ``EncodingError`` for an encoding POHODA does not use.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise EncodingError("UTF-16/UTF-32 documents are not accepted; POHODA documents are Windows-1250 or UTF-8")
    pos = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    codec = "utf-8"
    declaration = _DECLARATION.match(head, pos)
    if declaration:
        declared = declaration.group(1).decode("ascii").lower()
        if declared not in _ENCODINGS:
            raise EncodingError(f"encoding {declared!r} is not accepted; POHODA documents are Windows-1250 or UTF-8")
        codec = _ENCODINGS[declared]
    root = _root_start(head, pos)
    if root is None:
        _need_more(head, complete)
        return None
    return codec, root


def _root_start(head: bytes, pos: int) -> int | None:
    """Index of the root element's "<" after skipping declarations and comments; ``None`` if not in ``head``."""
    while True:
        start = head.find(b"<", pos)
        marker = head[start + 1 : start + 2] if start >= 0 else b""
        if not marker:
            return None
        if marker == b"?":
            end = head.find(b"?>", start)
            if end < 0:
                return None
            pos = end + 2
        elif marker == b"!":
            if len(head) < start + 4:
                return None
            if head.startswith(b"<!--", start):
                end = head.find(b"-->", start)
                if end < 0:
                    return None
                pos = end + 3
                continue
            kind = _MARKUP_KIND.match(head, start, start + 20)
            name = kind.group(1).decode("ascii", "replace") if kind else ""
            raise UnsafeXml(
                f"<!{name or '...'}> declarations are refused (DTDs and entities are never loaded)",
                line=head.count(b"\n", 0, start) + 1,
                offset=start,
            )
        else:
            return start


def _need_more(head: bytes, complete: bool) -> None:
    """Raise when no more bytes will come (``complete``) or the prolog is already too long to be honest."""
    if complete:
        if head.strip():
            raise TruncatedXml("document ends before its root element", line=head.count(b"\n") + 1)
        raise MalformedXml("document is empty")
    if len(head) > _MAX_PROLOG:
        raise UnsafeXml(f"no root element within the first {_MAX_PROLOG} bytes")


def _invalid_bytes(data: bytes, codec: str, base_offset: int, base_line: int, exc: UnicodeDecodeError) -> EncodingError:
    where = exc.start
    line = base_line + data.count(b"\n", 0, where)
    known = line > base_line or base_offset == 0
    column = where - (data.rfind(b"\n", 0, where) + 1) + 1 if known else None
    shown = data[where : max(exc.end, where + 1)].hex(" ")
    name = {"cp1250": "Windows-1250", "utf-8": "UTF-8", "ascii": "ASCII"}[codec]
    hint = " (is the document Windows-1250 declared as UTF-8?)" if codec == "utf-8" else ""
    return EncodingError(
        f"bytes {shown} are not valid {name}{hint}", line=line, column=column, offset=base_offset + where
    )


def _mislabelled(sample: bytes) -> bool:
    """True when bytes declared Windows-1250 are valid UTF-8 with multi-byte characters: UTF-8 mislabelled."""
    try:
        decoded = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return not decoded.isascii()


def _check_bytes(data: bytes, codec: str) -> None:
    if codec == "cp1250" and not data.isascii() and _mislabelled(data):
        raise EncodingError("document declares Windows-1250 but its bytes are UTF-8; fix the declaration")
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _invalid_bytes(data, codec, 0, 1, exc) from None


def syntax_error(exc: etree.XMLSyntaxError, *, at_end: bool) -> MalformedXml:
    """libxml2's error as ours; ``at_end`` (the input was exhausted) marks a truncated document."""
    line, column = exc.position if exc.position else (exc.lineno, exc.offset)
    message = str(exc.msg or exc).split(", line ")[0]
    if "Excessive depth" in message:
        return MalformedXml(f"document is nested deeper than {MAX_DEPTH} levels", line=line, column=column)
    if at_end:
        return TruncatedXml(f"document ends before its root element is closed: {message}", line=line, column=column)
    return MalformedXml(f"not well-formed XML: {message}", line=line, column=column)


def parse_document(data: bytes) -> etree._Element:
    """Parse a whole document (an mServer answer, a dataPack) after every check above; returns the root."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_document takes bytes (the declared encoding must be honoured), not str")
    data = bytes(data)
    codec, _ = check_prolog(data, complete=True)
    _check_bytes(data, codec)
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        last_line = data.rstrip(b"\r\n\t ").count(b"\n") + 1
        error_line = exc.position[0] if exc.position else exc.lineno
        extra_content = exc.code == etree.ErrorTypes.ERR_DOCUMENT_END  # type: ignore[attr-defined]  # stubs omit .code
        raise syntax_error(exc, at_end=error_line >= last_line and not extra_content) from None


class GuardedReader:
    """A binary file wrapper for ``etree.iterparse`` that applies the same checks while the file streams.

    It reads the prolog first (refusing DOCTYPE/ENTITY and foreign encodings), then checks every block it
    hands to libxml2 for invalid bytes (exact byte offset and line in the error) and for UTF-8 mislabelled as
    Windows-1250 (decided on the first block that holds a non-ASCII byte: everything before it is ASCII and
    reads the same either way). ``at_eof`` tells a truncated file from one broken in the middle.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._pending = b""
        self.offset = 0
        self.lines = 1
        self.at_eof = False
        self._decoder: codecs.IncrementalDecoder | None = None
        self._codec = "utf-8"
        self._label_checked = False
        self._prolog_done = False

    def _read_prolog(self) -> None:
        head = b""
        while True:
            block = self._raw.read(65536)
            if not isinstance(block, (bytes, bytearray)):
                raise TypeError("read the export in binary mode (open(path, 'rb')): the declared encoding decides")
            head += block
            if check_prolog(head, complete=not block) is not None:
                break
        self._codec, _ = check_prolog(head, complete=True)
        self._decoder = codecs.getincrementaldecoder(self._codec)()
        self._pending = head
        self._prolog_done = True

    def read(self, size: int = -1) -> bytes:
        if not self._prolog_done:
            self._read_prolog()
        if self._pending:
            block, self._pending = self._pending, b""
        else:
            block = self._raw.read(size if size and size > 0 else 65536)
        self._check(block)
        return block

    def _check(self, block: bytes) -> None:
        assert self._decoder is not None
        if not block:
            self.at_eof = True
        if self._codec == "cp1250" and not self._label_checked and block and not block.isascii():
            self._label_checked = True
            if _mislabelled(block):
                raise EncodingError(
                    "document declares Windows-1250 but its bytes are UTF-8; fix the declaration",
                    line=self.lines,
                    offset=self.offset,
                )
        try:
            self._decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            if not block:
                return  # a multi-byte character cut by the end of the file: the parser reports the truncation
            raise _invalid_bytes(block, self._codec, self.offset, self.lines, exc) from None
        self.offset += len(block)
        self.lines += block.count(b"\n")

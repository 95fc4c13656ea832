"""What an HTTP exchange with mServer means, before any XML is read: the status codes and transport failures.

Meanings (STORMWARE's notes as quoted by the PHP connectors, and what installations show): 401 = user unknown
to POHODA or wrong password, 403 = the user may not open this accounting unit, 404/405 = wrong path or method,
408 = mServer gave up, 503 = busy (or POHODA not running), other 5xx = server failure. A 200 with an HTML page
instead of XML means missing rights or an accounting unit opened by another POHODA instance. 400 comes with a
responsePack whose note says what was malformed; it is quoted in the error.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx

from connectors.pohoda.errors import (
    AuthenticationError,
    ConnectionFailed,
    PohodaError,
    RequestTimeout,
    ServerBusy,
    ServerError,
    UnexpectedAnswer,
)
from connectors.pohoda.xml.parse_response import parse_response

__all__ = ["check_http", "transport_error"]


def transport_error(exc: httpx.HTTPError, what: str, scrub: Callable[[str], str]) -> PohodaError:
    """No answer at all: retriable (the dataPack ids make a repeated write harmless)."""
    reason = scrub(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(f"{what} timed out ({reason})")
    return ConnectionFailed(f"{what} failed ({reason})")


def check_http(
    response: httpx.Response, server: str, *, streamed: bool, scrub: Callable[[str], str], tz: ZoneInfo
) -> None:
    """Raise the error an answer's status (or an HTML body) stands for; return for a 200 with XML."""
    status = response.status_code
    where = f"{server}: {response.request.method} {response.request.url.path}"
    if status in (401, 403):
        raise AuthenticationError(
            f"{where}: HTTP {status} — the user is unknown to POHODA, the password is wrong, or the user may "
            "not open this accounting unit",
            status=status,
        )
    if status == 503:
        raise ServerBusy(f"{where}: HTTP 503 — mServer is busy or POHODA is not running")
    if status == 408:
        raise RequestTimeout(f"{where}: HTTP 408 — mServer gave up waiting")
    if status >= 500:
        raise ServerError(f"{where}: HTTP {status}", status=status)
    if status != 200:
        hint = " (the url must be the mServer root; the client adds /xml)" if status in (404, 405) else ""
        said = "" if streamed else _said(response.content, scrub, tz)
        raise UnexpectedAnswer(f"{where}: HTTP {status}{hint}{said}", status=status)
    html = "html" in response.headers.get("content-type", "")
    if not streamed:
        html = html or response.content[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))
    if html:
        raise AuthenticationError(
            f"{where}: an HTML page instead of XML — the user lacks the right to XML import, or the accounting "
            "unit is open in another POHODA instance",
            status=status,
        )


def _said(body: bytes, scrub: Callable[[str], str], tz: ZoneInfo) -> str:
    """What an error answer says: a responsePack's note, else its first words."""
    try:
        note = parse_response(body, tz=tz).note
    except PohodaError:
        note = body[:200].decode("cp1250", errors="replace").strip()
    return f": {scrub(note)}" if note else ""

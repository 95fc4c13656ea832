"""``MServerClient``: the one way commerce-sync talks to POHODA's mServer.

``POST {url}/xml`` with a ``dat:dataPack`` (Windows-1250) and the headers mServer reads:
``STW-Authorization: Basic base64(user:password)``, ``STW-Application`` (shown in mServer's log),
``STW-Instance`` (our run id, for the log) and ``STW-Check-Duplicity: true`` for packs that import data, so a
repeated pack is answered with ``recordDuplicity`` instead of being imported twice (the ids are deterministic,
see ``xml/pack.py``). The answer is a ``rsp:responsePack`` in Windows-1250 or UTF-8.

Before the first write (and again after ``company_check_ttl`` seconds) the client asks
``GET /status?companyDetail`` which accounting unit the mServer has open and refuses, with ``WrongCompany``
and before sending anything, to write into another IČO or another fiscal year — an mServer configuration is
bound to one company *and* year, and year end is when a sync silently posts into last year's books.

Failures end as the errors in ``errors.py``: 401/403 and HTML login pages → ``AuthenticationError``; 503 →
``ServerBusy``, other 5xx, timeouts and connection failures → ``Retriable``; a refused pack → ``PackRejected``
(or the error its code means). The client does not retry by itself: the Prefect task that owns the call does.

The password is a ``SecretStr``; it is put into one header per request and never into a log line, a repr or an
exception message.
"""

from __future__ import annotations

import base64
import logging
import time
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import IO
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr

from connectors.pohoda.errors import PohodaError, RecordError, ServerBusy, UnexpectedAnswer, WrongCompany
from connectors.pohoda.http_answers import check_http, transport_error
from connectors.pohoda.models.responses import ResponsePack
from connectors.pohoda.pack_errors import raise_for_pack
from connectors.pohoda.status import CompanyDetail, ServerStatus, read_company_detail, read_status
from connectors.pohoda.xml.pack import DataPack, DataPackItem
from connectors.pohoda.xml.parse_response import parse_response
from connectors.pohoda.xml.values import DEFAULT_TZ, same_ico

__all__ = ["MServerClient"]

logger = logging.getLogger(__name__)


def _ascii(text: str) -> str:
    """HTTP header values must be ASCII: ``Můstek`` → ``Mustek``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.split()) or "commerce-sync"


class MServerClient:
    """One mServer configuration (= one accounting unit). Not thread-safe; mServer serialises requests anyway."""

    def __init__(
        self,
        url: str,
        user: str,
        password: SecretStr | str,
        *,
        application: str,
        company_ico: str,
        fiscal_year: int | None = None,
        instance: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 60.0,
        export_timeout: float = 600.0,
        check_duplicity: bool = True,
        company_check_ttl: float = 300.0,
        tz: ZoneInfo = DEFAULT_TZ,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"mServer url must look like http://127.0.0.1:444, got {url!r}")
        if parts.username or parts.password:
            raise ValueError("put the mServer user and password in their own fields, not in the url")
        if not user.strip():
            raise ValueError("user must not be empty")
        if not company_ico.strip():
            raise ValueError("company_ico must not be empty: it is what protects the wrong company from writes")
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.user = user
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        self.application = application
        self.company_ico = company_ico.strip()
        self.fiscal_year = fiscal_year
        self.instance = instance
        self.check_duplicity = check_duplicity
        self.company_check_ttl = company_check_ttl
        self.tz = tz
        self._clock = clock
        self._timeout = timeout
        self._export_timeout = export_timeout
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._checked_at: float | None = None

    def __repr__(self) -> str:
        return (
            f"MServerClient(url={self.url!r}, user={self.user!r}, application={self.application!r}, "
            f"company_ico={self.company_ico!r})"
        )

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> MServerClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public surface ----------------------------------------------------------------------------------
    def new_pack(self, note: str, items: Iterable[DataPackItem] = ()) -> DataPack:
        """A dataPack addressed to this client's company (``ico``), with its application name."""
        return DataPack(application=self.application, ico=self.company_ico, note=note, items=items)

    def status(self) -> ServerStatus:
        """``GET /status``: idle or busy, requests in progress (no authentication needed)."""
        return read_status(self._get("/status", auth=False).content)

    def require_idle(self) -> ServerStatus:
        """Raise ``ServerBusy`` when mServer says it is busy (before starting a long export, say)."""
        status = self.status()
        if status.busy:
            raise ServerBusy(f"mServer {self.url} is busy ({status.processing or '?'} requests in progress)")
        return status

    def company_detail(self) -> CompanyDetail:
        """``GET /status?companyDetail``: the accounting unit (company, database, year) mServer has open."""
        return read_company_detail(self._get("/status?companyDetail", auth=True).content)

    def check_company(self, *, force: bool = False) -> CompanyDetail | None:
        """Refuse (``WrongCompany``) unless mServer has our IČO and fiscal year open; cached for a while."""
        now = time.monotonic()
        if not force and self._checked_at is not None and now - self._checked_at < self.company_check_ttl:
            return None
        detail = self.company_detail()
        expected_year = self.fiscal_year or self._clock().astimezone(self.tz).year
        if detail.ico is None:
            raise WrongCompany(
                f"mServer {self.url} did not say which company it serves "
                f"(database {detail.database_name!r}); refusing to write"
            )
        if not same_ico(detail.ico, self.company_ico):
            raise WrongCompany(
                f"mServer {self.url} serves IČO {detail.ico} ({detail.company or 'unnamed'}), "
                f"not the configured {self.company_ico}; nothing was written"
            )
        if detail.year is not None and detail.year != expected_year:
            raise WrongCompany(
                f"mServer {self.url} has fiscal year {detail.year} open, not {expected_year}; "
                "re-point the mServer configuration to the current accounting unit"
            )
        self._checked_at = now
        return detail

    def send(self, pack: DataPack, *, instance: str | None = None) -> ResponsePack:
        """Send ``pack`` and return POHODA's answer, each item's ``record`` filled from the pack.

        A pack POHODA refused as a whole raises (``PackRejected``, ``AuthenticationError``, ``ServerError`` by
        its code); refused *items* do not: read ``response.errors()`` or ``item.check()`` per record.
        """
        response = self._post(pack, instance, timeout=self._timeout if pack.writes else self._export_timeout)
        answer = parse_response(response.content, tz=self.tz)
        self._verify_answer(pack, answer)
        return answer

    def download(self, pack: DataPack, sink: IO[bytes], *, instance: str | None = None) -> int:
        """Stream the answer to a (big) export into ``sink`` without holding it in memory; returns its size.

        Read the result with ``connectors.pohoda.xml.iter_stock_chunks(sink)`` after ``sink.seek(0)``.
        """
        request = self._request(pack, instance, self._export_timeout)
        written = 0
        try:
            response = self.http.send(request, stream=True)
            try:
                self._check_http(response, streamed=True)
                for block in response.iter_bytes():
                    sink.write(block)
                    written += len(block)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "POST /xml") from None
        logger.info("mServer %s: pack %s streamed %d bytes", self.url, pack.id, written)
        return written

    def fetch_document(self, path: str) -> bytes:
        """A file of the company's documents folder (``GET /documents/<path>``), e.g. ``Obrázky/ABC-001_1.jpg``.

        mServer serves files only from that folder; stock pictures are there under ``Obrázky``. A missing file
        raises ``RecordError`` naming the path.
        """
        relative = path.replace("\\", "/").lstrip("/")
        if not relative or any(part in ("", ".", "..") for part in relative.split("/")):
            raise ValueError(f"not a path inside the documents folder: {path!r}")
        url = f"{self.url}/documents/{quote(relative)}"
        try:
            response = self.http.get(url, headers=self._headers(auth=True), timeout=self._export_timeout)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "GET /documents") from None
        if response.status_code == 404:
            raise RecordError(f"document {relative!r}", "path", "not in the company's documents folder")
        self._check_http(response, streamed=True)
        return response.content

    # -- internals ---------------------------------------------------------------------------------------
    def _authorization(self) -> str:
        raw = f"{self.user}:{self._password.get_secret_value()}"
        try:
            encoded = raw.encode("cp1250")  # POHODA is a Windows-1250 application
        except UnicodeEncodeError:
            encoded = raw.encode("utf-8")
        return "Basic " + base64.b64encode(encoded).decode("ascii")

    def _headers(self, *, auth: bool) -> dict[str, str]:
        headers = {"STW-Application": _ascii(self.application)}
        if auth:
            headers["STW-Authorization"] = self._authorization()
        return headers

    def _request(self, pack: DataPack, instance: str | None, timeout: float) -> httpx.Request:
        if pack.ico != self.company_ico:
            raise WrongCompany(f"dataPack is addressed to IČO {pack.ico}, this client serves {self.company_ico}")
        if pack.writes:
            self.check_company()
        headers = self._headers(auth=True) | {"Content-Type": "text/xml"}
        if instance or self.instance:
            headers["STW-Instance"] = _ascii(instance or self.instance or "")
        if pack.writes and self.check_duplicity:
            headers["STW-Check-Duplicity"] = "true"
        return self.http.build_request(
            "POST", f"{self.url}/xml", content=pack.to_bytes(), headers=headers, timeout=timeout
        )

    def _post(self, pack: DataPack, instance: str | None, *, timeout: float) -> httpx.Response:
        request = self._request(pack, instance, timeout)
        started = time.monotonic()
        try:
            response = self.http.send(request)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "POST /xml") from None
        logger.info(
            "mServer %s: pack %s (%d items) → HTTP %s in %.2fs",
            self.url,
            pack.id,
            len(pack),
            response.status_code,
            time.monotonic() - started,
        )
        self._check_http(response, streamed=False)
        return response

    def _get(self, path: str, *, auth: bool) -> httpx.Response:
        try:
            response = self.http.get(f"{self.url}{path}", headers=self._headers(auth=auth), timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, f"GET {path}") from None
        self._check_http(response, streamed=False)
        return response

    def _transport_error(self, exc: httpx.HTTPError, what: str) -> PohodaError:
        return transport_error(exc, f"mServer {self.url}: {what}", self._scrub)

    def _check_http(self, response: httpx.Response, *, streamed: bool) -> None:
        check_http(response, f"mServer {self.url}", streamed=streamed, scrub=self._scrub, tz=self.tz)

    def _verify_answer(self, pack: DataPack, answer: ResponsePack) -> None:
        if answer.ico and not same_ico(answer.ico, self.company_ico):
            raise WrongCompany(f"mServer {self.url} answered for IČO {answer.ico}, not {self.company_ico}")
        raise_for_pack(answer, url=self.url)
        sent = {item.id: item for item in pack}
        for item in answer.items:
            if item.id in sent:
                item.record = sent[item.id].record
        missing = [sent[i].record for i in sent if i not in {item.id for item in answer.items}]
        if missing:
            raise UnexpectedAnswer(f"mServer {self.url}: responsePack {answer.id!r} has no answer for {missing}")

    def _scrub(self, text: str) -> str:
        secret = self._password.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
        return text.replace(self._authorization(), "Basic ***")

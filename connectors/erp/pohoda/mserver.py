"""How the adapter talks to mServer: export requests batched into packs, one document per write pack, files.

Built on :class:`connectors.pohoda.MServerClient`, which owns HTTP, headers, error mapping and the company
check. What this adds:
- ``read``: many export items in one dataPack (mServer processes a pack in one go, so 50 code lookups cost
  one round trip), each answer with its typed records *and* its raw element — a stock page is keyset-paged by
  the ids of all its cards, the unreadable ones (``rejected``, without a model) included. An export
  mServer answered busy or failed (``Retriable``) is asked again after a short wait (``READ_RETRIES``): it
  changes nothing, and mServer answers "busy" whenever it is processing another request — left to the task's
  retry, one such answer among a page's dozens of lookups redid the whole page, and with one request in five
  failing (``bench/chaos.py``) a page of customers never got through;
- ``write``: one import per pack (a retry then re-sends exactly the pack POHODA saw), with POHODA's duplicity
  check on for create-once documents and off for updates, which are idempotent by themselves;
- ``ensure_company``: ``check_company`` once per adapter before its first write, so a misconfigured IČO or
  fiscal year stops the adapter before anything is sent;
- ``document``: a file of the company's documents folder (``GET /documents/<path>``), e.g. a picture.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from lxml import etree

from connectors.pohoda.client import MServerClient
from connectors.pohoda.errors import Retriable, UnexpectedAnswer, WrongCompany
from connectors.pohoda.models.responses import ResponseItem
from connectors.pohoda.namespaces import q
from connectors.pohoda.pack_errors import raise_for_pack
from connectors.pohoda.xml.pack import DataPack, DataPackItem
from connectors.pohoda.xml.parse_response import parse_response
from connectors.pohoda.xml.safe import parse_document
from connectors.pohoda.xml.values import same_ico

__all__ = ["Answer", "MServer"]

logger = logging.getLogger(__name__)

READ_RETRIES = (0.2, 0.5, 1.0)
"""Seconds to wait before asking mServer again for an export it answered busy or failed (4 tries in all)."""


@dataclass(frozen=True)
class Answer:
    """POHODA's answer to one export item: typed (records, rejected, ``exported_at``) and raw (its element)."""

    item: ResponseItem
    element: etree._Element | None

    @property
    def records(self) -> list:
        return self.item.records


class MServer:
    """One mServer configuration as the ERP adapter uses it."""

    def __init__(
        self, client: MServerClient, *, pack_size: int = 50, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        if pack_size < 1:
            raise ValueError(f"pack_size must be at least 1, got {pack_size}")
        self.client = client
        self.pack_size = pack_size
        self.sleep = sleep
        self._company_checked = False
        self.program_version: str | None = None
        """The POHODA program that answered the latest export (``responsePack/@programVersion``)."""

    @property
    def ico(self) -> str:
        return self.client.company_ico

    def close(self) -> None:
        self.client.close()

    def ensure_company(self) -> None:
        """Refuse (``WrongCompany``) unless mServer serves our IČO and fiscal year; asked once per adapter."""
        if not self._company_checked:
            self.client.check_company(force=True)
            self._company_checked = True

    # ---- exports --------------------------------------------------------------------------------------------

    def read(self, items: Sequence[DataPackItem], note: str) -> list[Answer]:
        """Answers to read-only ``items``, in order; a refused item raises its ``ItemError``."""
        answers: list[Answer] = []
        for start in range(0, len(items), self.pack_size):
            chunk = items[start : start + self.pack_size]
            pack = self.client.new_pack(note, chunk)
            data = self._exchange(pack)
            response = parse_response(data, tz=self.client.tz)
            self.program_version = response.program_version or self.program_version
            if response.ico and not same_ico(response.ico, self.ico):
                raise WrongCompany(f"mServer {self.client.url} answered for IČO {response.ico}, not {self.ico}")
            raise_for_pack(response, url=self.client.url)
            raw = {
                element.get("id"): next(iter(element), None)
                for element in parse_document(data).iterchildren(q("rsp:responsePackItem"))
            }
            for item in chunk:
                try:
                    answer = response.item(item.id)
                except KeyError:
                    raise UnexpectedAnswer(f"mServer {self.client.url}: no answer for {item.record}") from None
                answer.record = item.record
                answer.check()
                answers.append(Answer(answer, raw.get(item.id)))
        return answers

    def read_one(self, item: DataPackItem, note: str) -> Answer:
        return self.read([item], note)[0]

    def download(self, item: DataPackItem, sink: IO[bytes], note: str) -> int:
        """Stream the answer to one (big) export into ``sink``; read it with ``iter_stock_chunks``."""
        return self._download(self.client.new_pack(note, [item]), sink)

    def _exchange(self, pack: DataPack) -> bytes:
        sink = io.BytesIO()
        self._download(pack, sink)
        return sink.getvalue()

    def _download(self, pack: DataPack, sink: IO[bytes]) -> int:
        """``client.download`` of a read-only pack, asked again after each wait of ``READ_RETRIES`` while
        mServer answers busy or fails; what a failed answer left in ``sink`` is cut off first."""
        start = sink.tell() if sink.seekable() else None
        for wait in (*READ_RETRIES, None):
            try:
                return self.client.download(pack, sink)
            except Retriable as exc:
                if wait is None or start is None:
                    raise
                logger.info("mServer %s: %s; asking again in %.2f s", self.client.url, exc, wait)
                sink.seek(start)
                sink.truncate()
                self.sleep(wait)
        raise AssertionError("unreachable")

    # ---- imports --------------------------------------------------------------------------------------------

    def write(self, item: DataPackItem, *, duplicity: bool) -> ResponseItem:
        """Send one import; returns POHODA's answer unchecked (the caller decides what a duplicate means)."""
        self.ensure_company()
        with self._duplicity(duplicity):
            response = self.client.send(self.client.new_pack(item.record, [item]))
        return response.item(item.id)

    def write_all(self, items: Sequence[DataPackItem], *, duplicity: bool) -> list[ResponseItem]:
        """Send several imports in one dataPack; POHODA's answer to each, unchecked, in their order. One request:
        a client that dies meanwhile leaves POHODA with all of them or none, never a part."""
        self.ensure_company()
        with self._duplicity(duplicity):
            response = self.client.send(self.client.new_pack(items[0].record, items))
        return [response.item(item.id) for item in items]

    @contextmanager
    def _duplicity(self, on: bool) -> Iterator[None]:
        previous = self.client.check_duplicity
        self.client.check_duplicity = on
        try:
            yield
        finally:
            self.client.check_duplicity = previous

    # ---- the documents folder -------------------------------------------------------------------------------

    def document(self, path: str) -> bytes | None:
        """``GET /documents/<path>`` (authenticated); ``None`` when POHODA has no such file."""
        try:
            # MServerClient has no public GET for documents yet; _get carries its auth, timeouts and errors
            response = self.client._get("/documents/" + quote(path.strip("/")), auth=True)
        except UnexpectedAnswer as exc:
            if exc.status == 404:
                return None
            raise
        return response.content

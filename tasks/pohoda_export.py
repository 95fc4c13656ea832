"""Export completion for a POHODA shop ("dokončování exportu"): the stock export, streamed to files, read in
chunks with ``iter_stock_chunks``, each chunk pushed by a child flow run of ``sync_products``.

How the export is split, and why this way:
- The parent's task pages POHODA's stock export by card id (``limit/idFrom`` + ``count`` = the chunk size)
  and streams each page straight into a file of its own (``MServerClient.download``): POHODA handles one
  request at a time, so short pages keep it free for the order syncs, and no page is ever held in memory.
  The export is light (card headers and user fields): it says *which* items changed; each item is then
  assembled by the ``pohoda`` adapter from all its cards, with parameters and price levels.
  Incremental runs ask for the cards changed since the period start (``lastChanges``); the first run, every
  card. Cards of every kind are listed, also those taken off the internet: the shop must hear that too.
- Each page is one chunk. The parent reads it once with ``iter_stock_chunks`` to learn where the next page
  starts and which product keys it holds; a child run gets only a reference (:class:`ExportChunk`: file,
  chunk number, positions), reads its chunk again with ``iter_stock_chunks`` and pushes its items.
- A product is all its cards (one per SKU and store), and its cards may lie in several chunks: the first
  chunk holding one of them pushes the whole product (assembled by the ``pohoda`` adapter from all its
  cards); later chunks are told to leave it (``ExportChunk.elsewhere``), so no product is sent twice.
- The files live in a temporary directory of the parent's process (the children are in-process subflow
  runs) and are removed when the last chunk is done, or when the export fails.
- A card that cannot be read is reported by its chunk with its code (or id) and its position in the export,
  and the rest go on. It is not retried by key: it has none we could read. Fixing it in POHODA changes it, so
  the next incremental export lists it again.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import task
from pydantic import BaseModel, Field

from blocks import PohodaMServer
from connectors.erp.pohoda import PohodaErpBackend
from connectors.erp.pohoda.cards import product_key
from connectors.erp.pohoda.catalog import INDEX_PARTS
from connectors.erp.pohoda.errors import erp_errors
from connectors.pohoda.models.requests import Page, StockListRequest
from connectors.pohoda.xml import iter_stock_chunks
from connectors.pohoda.xml.agendas.stock import list_stock
from connectors.pohoda.xml.stock_stream import StockChunk
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources

__all__ = [
    "ExportChunk",
    "StockExport",
    "discard_export",
    "download_stock_export",
    "images_in_notes",
    "read_export_chunk",
    "streams_stock_export",
]

NOTE = "Export zásob (dokončování exportu)"
MAX_PAGE = 10_000
"""POHODA's largest ``limit/count``: a page file holds at most this many cards."""


class ExportChunk(BaseModel):
    """One chunk of a stock export, by reference: a child run's parameters never carry the cards."""

    path: str = Field(description="the file holding this chunk (one page of POHODA's export)")
    index: int = Field(ge=0, description="0-based chunk number in the export")
    first_position: int = Field(ge=1, description="position of the chunk's first card in the whole export")
    cards: int = Field(
        ge=0,
        description="cards of the file that belong to this chunk (the next page repeats "
        "unreadable cards after the last readable one)",
    )
    elsewhere: list[str] = Field(
        default_factory=list, description="product keys of this chunk that an earlier chunk pushes"
    )


class StockExport(BaseModel):
    directory: str
    chunks: list[ExportChunk] = Field(default_factory=list)
    chunk_keys: list[list[str]] = Field(default_factory=list, description="per chunk: the product keys it pushes")
    cards: int = 0

    @property
    def listed(self) -> set[str]:
        return {key for keys in self.chunk_keys for key in keys}


def streams_stock_export(shop: str) -> bool:
    """True when the shop's ERP is POHODA: its products come from the streamed stock export."""
    return isinstance(resources(shop).erp_block, PohodaMServer)


@task(**IO_TASK)
def download_stock_export(ctx: SyncContext, chunk_size: int) -> StockExport:
    """Page the stock export (cards changed since the period start; all on a first run) into files."""
    erp: PohodaErpBackend = resources(ctx.shop).erp
    since = None if ctx.is_first_run else ctx.period_start
    export = StockExport(directory=tempfile.mkdtemp(prefix=f"cs-stock-export-{ctx.shop}-"))
    try:
        return _page_into_files(export, erp, since, chunk_size)
    except BaseException:
        discard_export(export)  # a retry of this task starts a new directory
        raise


def _page_into_files(
    export: StockExport, erp: PohodaErpBackend, since: datetime | None, chunk_size: int
) -> StockExport:
    tz, parameter = erp.mserver.client.tz, erp.settings.item_key_parameter
    claimed: set[str] = set()
    id_from: int | None = None
    while True:
        path = Path(export.directory) / f"stock-{len(export.chunks) + 1:05d}.xml"
        request = StockListRequest(
            last_changes=since, restriction=INDEX_PARTS, page=Page(id_from=id_from, count=chunk_size)
        )
        with erp_errors("stock export"):
            with path.open("wb") as sink:
                erp.mserver.download(list_stock(request, tz=tz), sink, NOTE)
            cards = _read(path, tz, erp.mserver.ico)
        total = len(cards) + len(cards.rejected)
        if total == 0:
            path.unlink()
            return export
        full = total >= chunk_size
        if full and not cards:
            raise RuntimeError(
                f"stock export from card id {id_from or 1}: {total} unreadable cards in a row; "
                "the export cannot be paged past them (each one is named in the log)"
            )
        keys = list(dict.fromkeys(product_key(card, parameter) for card in cards))
        owned = _positions(cards)[-1] if full else total  # a full page's unreadable tail comes again next page
        export.chunks.append(
            ExportChunk(
                path=str(path),
                index=len(export.chunks),
                first_position=export.cards + 1,
                cards=owned,
                elsewhere=[k for k in keys if k in claimed],
            )
        )
        export.chunk_keys.append([k for k in keys if k not in claimed])
        claimed.update(keys)
        export.cards += owned
        if not full:
            return export
        id_from = max(card.id or 0 for card in cards) + 1


@task(**IO_TASK)
def read_export_chunk(ctx: SyncContext, chunk: ExportChunk) -> tuple[SyncReport, list[str]]:
    """The product keys of one chunk (less those an earlier chunk pushes); its unreadable cards reported."""
    erp: PohodaErpBackend = resources(ctx.shop).erp
    tz, parameter = erp.mserver.client.tz, erp.settings.item_key_parameter
    with erp_errors("stock export"):
        cards = _read(Path(chunk.path), tz, erp.mserver.ico)
    report = SyncReport()
    for bad in cards.rejected:
        if bad.position <= chunk.cards:
            where = f"position {chunk.first_position + bad.position - 1} of the stock export (chunk {chunk.index + 1}"
            where += f", line {bad.line})" if bad.line else ")"
            report.fail(
                bad.record, f"{bad.reason} ({where}); the card is left out until it is fixed in POHODA", field=bad.field
            )
    leave = set(chunk.elsewhere)
    within = [card for card, position in zip(cards, _positions(cards), strict=False) if position <= chunk.cards]
    keys = [k for k in dict.fromkeys(product_key(card, parameter) for card in within) if k not in leave]
    return report, keys


def images_in_notes(images: SyncReport) -> SyncReport:
    """The images pushed after a chunk's items, told as a note: the run's counts stay counts of items, its
    failures keep every image that failed (sync_images tries those again)."""
    told = images.model_copy(update={"created": 0, "updated": 0, "skipped": 0})
    if images.created or images.updated:
        told.notes = [
            f"{images.created + images.updated} image(s) sent to the shop, {images.skipped} unchanged",
            *images.notes,
        ]
    return told


def discard_export(export: StockExport) -> None:
    """Remove the export's files once every chunk is done (also after a failure: they are only a copy)."""
    shutil.rmtree(export.directory, ignore_errors=True)


def _read(path: Path, tz: ZoneInfo, company_ico: str) -> StockChunk:
    """The cards of one page file: one chunk, as a page never holds more than POHODA's 10 000 per request;
    an answer for another company's IČO raises ``WrongCompany``, as on the read path."""
    found = StockChunk()
    for chunk in iter_stock_chunks(path, MAX_PAGE, tz=tz, company_ico=company_ico):
        found.extend(chunk)
        found.rejected.extend(chunk.rejected)
    return found


def _positions(chunk: StockChunk) -> list[int]:
    """The 1-based positions, within the file, of the chunk's readable cards (in their order)."""
    bad = {r.position for r in chunk.rejected}
    total = len(chunk) + len(bad)
    return [p for p in range(1, total + 1) if p not in bad]

"""Streaming stock export: a ``responsePack`` with a ``lStk:listStock`` of any size, read in chunks.

Why streaming: POHODA's "dokončování exportu" hands over the whole warehouse in one XML — 100 000 cards are
~200 MB — and the sync processes it chunk by chunk (a mapped Prefect subflow per chunk). Built on
``lxml.etree.iterparse`` with the safe parser options; each card is converted as soon as its end tag is read,
then cleared and unlinked from the tree, so memory stays flat however big the file is.

What the caller sees:
- chunks of up to ``chunk_size`` cards (:class:`StockChunk`, a ``list[StockItem]``); each chunk's
  ``rejected`` names the cards of its stretch of the file that could not become models (code, position,
  line, field, reason) — the others go on;
- a truncated or broken file: the complete cards read before the fault come first (as a last, possibly
  shorter chunk), then ``TruncatedXml``/``MalformedXml``/``EncodingError`` with the position;
- a hostile file (DOCTYPE/ENTITY) or a foreign encoding: refused before any card is read;
- a ``responsePack`` whose pack or item says ``state="error"``: ``PackRejected``/``ItemError``;
- with ``company_ico``, an answer whose ``responsePack/@ico`` is another company's: ``WrongCompany`` before any
  card is yielded (the read path checks the same; an answer without ``@ico`` passes, as there).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.errors import ItemError, PackRejected, UnexpectedAnswer, WrongCompany, XmlError
from connectors.pohoda.models.responses import Rejected
from connectors.pohoda.models.stock import StockItem
from connectors.pohoda.namespaces import q
from connectors.pohoda.xml.agendas.stock_read import StockRecordError, read_stock_item
from connectors.pohoda.xml.safe import PARSER_OPTIONS, GuardedReader, syntax_error
from connectors.pohoda.xml.values import DEFAULT_TZ, read_local_datetime, same_ico

__all__ = ["StockChunk", "iter_stock_chunks"]

logger = logging.getLogger(__name__)

_PACK, _ITEM = q("rsp:responsePack"), q("rsp:responsePackItem")
_LIST, _STOCK = q("lStk:listStock"), q("lStk:stock")


class StockChunk(list[StockItem]):
    """Up to ``chunk_size`` stock cards, plus the cards of the same stretch that were rejected."""

    def __init__(self) -> None:
        super().__init__()
        self.rejected: list[Rejected] = []


def iter_stock_chunks(
    source: str | os.PathLike[str] | IO[bytes],
    chunk_size: int = 500,
    *,
    tz: ZoneInfo = DEFAULT_TZ,
    company_ico: str | None = None,
) -> Iterator[StockChunk]:
    """Chunks of the stock cards in ``source`` (a path, or a binary file object positioned at the start)."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            yield from _chunks(handle, chunk_size, tz, company_ico)
    else:
        yield from _chunks(source, chunk_size, tz, company_ico)


def _chunks(raw: IO[bytes], chunk_size: int, tz: ZoneInfo, company_ico: str | None) -> Iterator[StockChunk]:
    reader = GuardedReader(raw)
    # Only end events of the cards (and of the two envelopes, for empty or refused answers): the same events a
    # bare tag-filtered iterparse produces, so the streaming costs nothing beyond converting the cards.
    events = etree.iterparse(reader, events=("end",), tag=(_STOCK, _LIST, _PACK), **PARSER_OPTIONS)
    chunk = StockChunk()
    position = 0
    exported_at = None
    listing: etree._Element | None = None
    try:
        for _, element in events:
            if element.tag == _STOCK:
                if listing is None:
                    listing = element.getparent()
                    exported_at = _opened(listing, tz, company_ico)
                position += 1
                try:
                    chunk.append(read_stock_item(element, exported_at=exported_at))
                except StockRecordError as exc:
                    rejected = Rejected(
                        position=position,
                        line=element.sourceline,
                        record=exc.record,
                        field=exc.field,
                        reason=exc.reason,
                    )
                    logger.warning("stock export: %s", rejected)
                    chunk.rejected.append(rejected)
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del listing[0]
                if len(chunk) >= chunk_size:
                    yield chunk
                    chunk = StockChunk()
            elif element.tag == _LIST:
                if listing is None:
                    listing = element
                    _opened(listing, tz, company_ico)
            elif listing is None:
                _no_listing(element)
    except (etree.XMLSyntaxError, XmlError) as exc:
        if chunk or chunk.rejected:
            yield chunk  # every complete card read before the fault; the error follows on the next step
        if isinstance(exc, XmlError):
            raise
        raise syntax_error(exc, at_end=reader.at_eof) from None
    if listing is None:
        raise UnexpectedAnswer("the document holds no lStk:listStock (is it the answer to a listStockRequest?)")
    if chunk or chunk.rejected:
        yield chunk


def _opened(listing: etree._Element, tz: ZoneInfo, company_ico: str | None) -> datetime | None:
    """Check the company and the states around the listing (pack, item, list); return its ``dateTimeStamp``."""
    item = listing.getparent()
    pack = item.getparent() if item is not None else None
    if listing.tag != _LIST or item is None or item.tag != _ITEM or pack is None or pack.tag != _PACK:
        raise UnexpectedAnswer("lStk:stock outside rsp:responsePack/rsp:responsePackItem/lStk:listStock")
    answered = pack.get("ico")
    if company_ico and answered and not same_ico(answered, company_ico):
        raise WrongCompany(f"the stock export was answered for IČO {answered}, not {company_ico}")
    for element in (pack, item, listing):
        _refuse_error_state(element)
    return read_local_datetime(listing.get("dateTimeStamp"), "dateTimeStamp", tz)


def _no_listing(pack: etree._Element) -> None:
    """The pack ended without a stock listing: say why (a refused pack or item) when POHODA said so."""
    _refuse_error_state(pack)
    for item in pack.iterchildren(_ITEM):
        _refuse_error_state(item)


def _refuse_error_state(element: etree._Element) -> None:
    if element.get("state") != "error":
        return
    note = element.get("note")
    if element.tag == _PACK:
        raise PackRejected(f"POHODA refused the request: {note or 'no note'}", pack_id=element.get("id"), note=note)
    if element.tag == _ITEM:
        raise ItemError(element.get("id") or "?", "stock export", "error", note)
    raise ItemError("listStock", "stock export", "error", note)

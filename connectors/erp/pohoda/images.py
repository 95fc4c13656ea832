"""Item images: the pictures of an item's stock cards, read from and written to POHODA's documents folder.

- Reading: an item's pictures are those of its first card (lowest id; every card of the item carries the same
  list), in POHODA's picture order; the position is the index in that order. Each file is fetched from mServer
  (``GET /documents/Obrázky/<file>``). The picture's description holds the file name the shop gave the image,
  so it is the image's ``filename`` when it looks like one.
- Writing (shop → POHODA, the seeds' "image import"): the file goes into the documents folder through the
  :class:`~connectors.erp.pohoda.documents.DocumentStore`, then every card of the item gets the picture list
  (``stk:pictures``, the first one ``default``). A position that is taken keeps its file name and gets the
  new content, so its place in the list stays; a new position is appended (positions stay contiguous).
  POHODA keeps files, not links: an image known only by URL is refused.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Sequence
from typing import TypeGuard

from connectors.erp.errors import ErpRefused, RecordError, validated
from connectors.erp.pohoda.cards import group_cards, product_key
from connectors.erp.pohoda.catalog import PICTURE_PARTS, Cards
from connectors.erp.pohoda.documents import DOCUMENTS_ENV, DocumentStore
from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.mserver import MServer
from connectors.pohoda.models.requests import StockListRequest
from connectors.pohoda.models.stock import Picture, StockItem
from connectors.pohoda.xml.agendas.stock import stock_card
from connectors.pohoda.xml.encoding import transliterate
from domain.models import Image

__all__ = ["PICTURES_FOLDER", "Images"]

logger = logging.getLogger(__name__)
PICTURES_FOLDER = "Obrázky"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", transliterate(text)).strip("-") or "item"


def _pictures(card: StockItem) -> list[Picture]:
    return sorted(card.pictures, key=lambda p: (p.order or 0, p.id or 0))


def _looks_like_file(name: str | None) -> TypeGuard[str]:
    return name is not None and mimetypes.guess_type(name)[0] is not None


class Images:
    def __init__(self, mserver: MServer, cards: Cards, documents: DocumentStore | None) -> None:
        self.mserver = mserver
        self.cards = cards
        self.documents = documents

    @property
    def _parameter(self) -> str:
        return self.cards.settings.item_key_parameter

    def _item_cards(self, item_keys: Sequence[str] | None) -> dict[str, list[StockItem]]:
        if item_keys is None:
            found = [c for page in self.cards.pages(StockListRequest(restriction=PICTURE_PARTS)) for c in page.cards]
        else:
            self.cards.refresh_index()
            codes = self.cards.local.codes_of(item_keys)
            found, _, _ = self.cards.by_codes([c for group in codes.values() for c in group], PICTURE_PARTS)
        groups = group_cards(found, self._parameter)
        return {k: v for k, v in groups.items() if item_keys is None or k in set(item_keys)}

    def list(self, item_keys: Sequence[str] | None) -> list[Image]:
        images: list[Image] = []
        for key, cards in sorted(self._item_cards(item_keys).items()):
            for position, picture in enumerate(_pictures(cards[0])):
                content = self.mserver.document(f"{PICTURES_FOLDER}/{picture.filepath}")
                if content is None:
                    logger.warning("item %s: picture file %s is not in the documents folder", key, picture.filepath)
                    continue
                name = picture.description if _looks_like_file(picture.description) else picture.filepath
                images.append(
                    validated(
                        f"image {key}#{position}",
                        Image,
                        item_key=key,
                        position=position,
                        filename=name,
                        content=content,
                        mime_type=mimetypes.guess_type(name)[0] or mimetypes.guess_type(picture.filepath)[0],
                    )
                )
        return images

    def put(self, image: Image) -> None:
        label = f"image {image.item_key}#{image.position}"
        if image.content is None:
            raise RecordError(
                label,
                "content",
                "POHODA keeps pictures as files; an image with only a URL cannot be stored (download it first)",
            )
        if self.documents is None:
            raise ErpRefused(
                f"{label}: no POHODA documents folder is configured for writing pictures "
                f"(pass documents= to the adapter or set {DOCUMENTS_ENV})"
            )
        self.mserver.ensure_company()
        cards = self._item_cards([image.item_key]).get(image.item_key, [])
        cards = [c for c in cards if product_key(c, self._parameter) == image.item_key]
        if not cards:
            raise RecordError(label, "item_key", "no such ERP item")
        current = _pictures(cards[0])
        extension = ""
        if image.filename and "." in image.filename:
            extension = "." + image.filename.rsplit(".", 1)[1].lower()
        elif image.mime_type:
            extension = mimetypes.guess_extension(image.mime_type) or ""
        position = min(image.position, len(current))
        filepath = (
            current[position].filepath if position < len(current) else f"{_slug(image.item_key)}-{position}{extension}"
        )
        self.documents.put(f"{PICTURES_FOLDER}/{filepath}", image.content)
        wanted = [Picture(filepath=p.filepath, description=p.description or p.filepath, default=False) for p in current]
        new = Picture(filepath=filepath, description=image.filename or filepath, default=False)
        if position < len(wanted):
            wanted[position] = new
        else:
            wanted.append(new)
        wanted[0] = wanted[0].model_copy(update={"default": True})
        for code in sorted({c.code for c in cards}):
            card = next(c for c in cards if c.code == code)
            item = stock_card(
                StockItem(code=code, stock_type=card.stock_type, pictures=wanted),
                mode="update",
                tz=self.mserver.client.tz,
            )
            error = self.mserver.write(item, duplicity=False).error()
            if error is not None:
                raise refused(error, label)

"""How an item image is recognised on both sides, so nothing is ever sent or written twice: pure rules, no I/O.

Identity:
- An image is ``"{item_key}#{position}"`` (``image_key``) and its content hash: the SHA-256 of the bytes both
  sides hold (``digest_of``; an image the ERP holds only by URL is known by its URL). An ERP image whose hash
  is what was last sent is not sent again (BC's "Image Hash").
- Every image sent from the ERP carries ``[erp:<first 16 hex digits of its hash>]`` at the end of its alt text
  (``alt_text``). Attaching media is not retry-safe, so the marker is how a send whose answer was lost is
  recognised in the shop and adopted instead of uploaded again; the pull side leaves such media alone.
- Bytes are taken for an image only when their magic number says PNG, JPEG, GIF or WebP (``sniff_image``).

Shopify processes media after the mutation that sent them returns: UPLOADED → PROCESSING → READY, or FAILED
(https://shopify.dev/docs/api/admin-graphql/latest/enums/MediaStatus). So an image is remembered as sent (its
hash) only once the shop shows it READY under its marker, which the run after the send checks; a FAILED one is
reported and sent again in place, so an image whose processing failed is never taken for synced.

Plans, decided from what both sides show before anything is written (the tasks execute them):
- ``triage``: which of a chunk's ERP images wait to be sent, which are unchanged, which are no image.
- ``plan_push``: per product, from its shop media and the media we mapped: adopt (already there and READY),
  wait (still processing), send again in place (FAILED), replace in place (new content at a known position,
  retry-safe ``FileUpdate``) or attach (not retry-safe).
- ``plan_pull``: per product, the shop media the ERP lacks (to download), the ones sent from the ERP that the
  ERP still holds and Shopify has processed (adopted), the ones Shopify has not processed yet (next run).
- ``ErpSlots.place``: where bytes read from the shop go: the position already holding the same content
  (written by a run whose state was lost: adopted) or the item's next free position.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from domain.models import Image
from domain.report import SyncReport

__all__ = [
    "ErpSlots",
    "Placement",
    "PullPlan",
    "PushPlan",
    "ShopMedia",
    "Synced",
    "Triage",
    "alt_text",
    "by_marker",
    "digest_of",
    "image_key",
    "marker_of",
    "not_an_image",
    "plan_pull",
    "plan_push",
    "sniff_image",
    "triage",
]

MARKER = re.compile(r"\[erp:([0-9a-f]{16})\]\s*$")
READY = "READY"
FAILED = "FAILED"
MARKER_LENGTH = 16
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),  # after "RIFF" + size
)

Synced = dict[str, tuple[str | None, str]]
"""``{image key: (media GID, or None when the shop holds it under another key, content hash)}``: what to
remember once an image is known on both sides."""


# ---- identity ----------------------------------------------------------------------------------------------


def image_key(item_key: str, position: int) -> str:
    return f"{item_key}#{position}"


def key_of(image: Image) -> str:
    return image_key(image.item_key, image.position)


def sniff_image(content: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF or WebP bytes by their magic number; None for anything else."""
    for magic, offset, mime in _MAGIC:
        if content[offset : offset + len(magic)] == magic and (mime != "image/webp" or content[:4] == b"RIFF"):
            return mime
    return None


def not_an_image(content: bytes) -> str:
    return f"content is not a PNG, JPEG, GIF or WebP image (it starts with {content[:8].hex() or 'nothing'})"


def digest_of(image: Image) -> str:
    """The content hash; an image the ERP holds only by URL is identified by its URL."""
    return image.content_hash or hashlib.sha256(f"url:{image.url}".encode()).hexdigest()


def marker(image: Image) -> str:
    """What the image's alt text carries in the shop (``[erp:…]``): the start of its content hash."""
    return digest_of(image)[:MARKER_LENGTH]


def alt_text(image: Image) -> str:
    return f"{image.filename or image.item_key} [erp:{marker(image)}]"


def marker_of(alt: str | None) -> str | None:
    found = MARKER.search(alt or "")
    return found.group(1) if found else None


def file_name(url: str, mime: str, item_key: str, position: int) -> str:
    """The ERP file name of a picture read from ``url``: the URL's own name, with the extension its bytes have."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    extension = mimetypes.guess_extension(mime) or ""
    if not name:
        name = f"{item_key}-{position}"
    return name if mimetypes.guess_type(name)[0] == mime else f"{name.rsplit('.', 1)[0]}{extension}"


@dataclass(frozen=True)
class ShopMedia:
    """One media of a product as the shop shows it: enough to tell whose it is and whether it can be read."""

    id: str
    alt: str | None = None
    content_type: str | None = "IMAGE"
    status: str | None = None
    url: str | None = None

    @property
    def marker(self) -> str | None:
        return marker_of(self.alt)

    @property
    def ready(self) -> bool:
        return self.status == READY


def by_marker(media: Iterable[ShopMedia]) -> dict[str, str]:
    """``{ERP marker: media GID}`` of the media sent from the ERP."""
    return {m.marker: m.id for m in media if m.marker}


# ---- ERP → shop ----------------------------------------------------------------------------------------------


@dataclass
class Triage:
    """A chunk's ERP images sorted before the shop is read: the report holds the unchanged and the refused."""

    report: SyncReport = field(default_factory=SyncReport)
    pending: dict[str, list[Image]] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return sum(len(images) for images in self.pending.values())


def triage(images: Sequence[Image], sent: Mapping[str, str]) -> Triage:
    """``sent``: ``{image key: hash last sent}``. Unchanged content is skipped, bytes that are no image are
    reported, the rest wait per item."""
    result = Triage()
    for image in images:
        key = key_of(image)
        if sent.get(key) == digest_of(image):
            result.report.skipped += 1
        elif image.content is not None and sniff_image(image.content) is None:
            result.report.fail(f"image {key}", not_an_image(image.content), field="content")
        else:
            result.pending.setdefault(image.item_key, []).append(image)
    return result


@dataclass
class PushPlan:
    """What one item's images need, decided from the product's media before anything is sent."""

    report: SyncReport = field(default_factory=SyncReport)
    done: Synced = field(default_factory=dict)
    replace: list[tuple[Image, str]] = field(default_factory=list)
    resend: list[tuple[Image, str]] = field(default_factory=list)
    """Images whose media Shopify failed to process: sent again in place (reported as failures of this run)."""
    attach: list[Image] = field(default_factory=list)

    @property
    def to_send(self) -> list[Image]:
        return [image for image, _ in self.replace + self.resend] + self.attach


def plan_push(images: Sequence[Image], media: Sequence[ShopMedia], mapped: Mapping[str, str]) -> PushPlan:
    """``media``: the product's media now; ``mapped``: ``{image key: media GID}`` we recorded.

    Content already in the shop under its marker (sent by an earlier run, a send whose answer was lost, or an
    image that moved position) is adopted once Shopify shows it READY, waited for while it is processed, and
    sent again in place when its processing FAILED; new content at a position whose media still exists
    replaces it in place, unless that media is adopted for another image; the rest is attached. The same
    content twice on one item goes to the shop once.
    """
    plan = PushPlan()
    on_shop = {m.id for m in media}
    there = {m.marker: m for m in media if m.marker}
    taken = {there[marker(i)].id for i in images if marker(i) in there}
    seen: set[str] = set()
    for image in images:
        key, digest = key_of(image), digest_of(image)
        if digest in seen:
            plan.done[key] = (None, digest)
            plan.report.notes.append(f"image {key}: same content as another image of the item, sent once")
        elif (found := there.get(marker(image))) is not None:
            _sent_before(plan, image, found)
        elif mapped.get(key) in on_shop and mapped[key] not in taken:
            plan.replace.append((image, mapped[key]))
        else:
            plan.attach.append(image)
        seen.add(digest)
    return plan


def _sent_before(plan: PushPlan, image: Image, media: ShopMedia) -> None:
    """The image is in the shop under its marker: adopt it when processed, wait, or send it again."""
    key = key_of(image)
    if media.ready:
        plan.done[key] = (media.id, digest_of(image))
        plan.report.skipped += 1
    elif media.status == FAILED:
        plan.resend.append((image, media.id))
        plan.report.fail(f"image {key}", f"Shopify failed to process it (media {media.id}); sent again", "image")
    else:
        plan.report.skipped += 1
        plan.report.notes.append(f"image {key}: Shopify is still processing it ({media.status}); checked next run")


# ---- shop → ERP ----------------------------------------------------------------------------------------------


@dataclass
class PullPlan:
    """One product's media against its item's ERP images: what to remember, what to read."""

    report: SyncReport = field(default_factory=SyncReport)
    adopt: Synced = field(default_factory=dict)
    download: list[ShopMedia] = field(default_factory=list)


def plan_pull(media: Sequence[ShopMedia], known: set[str], slots: ErpSlots) -> PullPlan:
    """``known``: the media GIDs already mapped; ``slots``: the item's ERP images.

    Known media and anything but images are left alone; media sent from the ERP (a marker) are adopted at the
    position holding that content once Shopify has processed them, if the ERP still holds it (the push side
    waits for or re-sends the others); media Shopify has not processed yet wait for the next run; the rest are
    downloaded.
    """
    plan = PullPlan()
    for m in media:
        if m.id in known or m.content_type != "IMAGE":
            plan.report.skipped += 1
        elif m.marker is not None:
            if m.ready and (held := slots.with_marker(m.marker)) is not None:
                key, digest = held
                plan.adopt[key] = (m.id, digest)
            plan.report.skipped += 1
        elif not m.ready or not m.url:
            plan.report.skipped += 1
            state = "Shopify failed to process it; left alone" if m.status == FAILED else "not processed by Shopify yet"
            plan.report.notes.append(f"shop image {m.id} of item {slots.item_key}: {state} ({m.status}); next run")
        else:
            plan.download.append(m)
    return plan


@dataclass(frozen=True)
class Placement:
    """Where bytes read from the shop go: ``image`` to write, else ``key`` (the ERP holds them already), else
    ``refused`` (no image)."""

    digest: str
    image: Image | None = None
    key: str | None = None
    refused: str | None = None


class ErpSlots:
    """An item's ERP image positions and their content hashes: where a picture read from the shop goes."""

    def __init__(self, item_key: str, held: Mapping[int, str]) -> None:
        """``held``: ``{position: content hash}`` of the item's ERP images."""
        self.item_key = item_key
        self.position_of = {digest: position for position, digest in sorted(held.items(), reverse=True)}
        self.next_position = max(held, default=-1) + 1

    def with_marker(self, found: str) -> tuple[str, str] | None:
        """The image key and content hash of the lowest position whose content carries this marker."""
        matches = sorted((p, d) for d, p in self.position_of.items() if d.startswith(found))
        return (image_key(self.item_key, matches[0][0]), matches[0][1]) if matches else None

    def place(self, media: ShopMedia, content: bytes) -> Placement:
        """After the item's last position, unless the ERP holds this content already (written by a run whose
        state was lost, or the same picture twice)."""
        digest = hashlib.sha256(content).hexdigest()
        mime = sniff_image(content)
        if mime is None:
            return Placement(digest, refused=not_an_image(content))
        if digest in self.position_of:
            return Placement(digest, key=image_key(self.item_key, self.position_of[digest]))
        position = self.next_position
        image = Image(
            item_key=self.item_key,
            position=position,
            filename=file_name(media.url or "", mime, self.item_key, position),
            content=content,
            mime_type=mime,
        )
        return Placement(digest, image=image)

    def hold(self, image: Image, digest: str) -> None:
        """The image was written: later pictures go after it."""
        self.position_of[digest] = image.position
        self.next_position = image.position + 1

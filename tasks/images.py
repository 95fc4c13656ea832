"""Image tasks: item images both ways for one chunk of mapped items (BC 30107, Pohoda "Import obrázků").

How an image is recognised on both sides, so nothing is ever sent or written twice:
- hash entity ``image``, key ``"{item_key}#{position}"`` → SHA-256 of the content both sides hold; an ERP image
  whose hash is unchanged is not sent again (BC's "Image Hash");
- mapping entity ``media``, ``"{item_key}#{position}"`` ⇄ ``MediaImage`` GID: shop images already known;
- every image sent from the ERP carries ``[erp:<first 16 hex digits of its SHA-256>]`` at the end of its alt
  text. Attaching media is not retry-safe, so before sending, the product's media are re-read: an image whose
  marker is already there (a send whose answer was lost) is adopted, not uploaded again.

ERP → shop: changed images of a product are staged (``media.stage_images``) and attached in one
``ProductAttachMedia``; an image whose position already has a media in the shop is replaced in place with
``FileUpdate`` (retry-safe). Shop → ERP: product media the ERP lacks (not mapped, no marker) are downloaded and
written with ``erp.put_item_image`` after the item's last position; content the ERP already holds is adopted.
Bytes that are not PNG, JPEG, GIF or WebP (by magic number) are reported with their record; the rest go on.

API cost (a Standard plan restores 100 points/s): a chunk's media are read in batches (``media.product_media``,
43 products per request instead of one request each), the chunk's uploads reserve their targets in one
``stagedUploadsCreate``, and the media an attach made are read from ``ProductAttachMedia``'s answer; the product
is re-read only when that answer does not show every image sent (more than 10 media, or refused ones).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import HttpError, NotFound, UserError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.inputs import media_input
from connectors.shopify.media import download_image, product_media, stage_images
from connectors.shopify.mutations import attribute
from domain.models import Image
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

MARKER = re.compile(r"\[erp:([0-9a-f]{16})\]\s*$")
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),  # after "RIFF" + size
)


def image_key(item_key: str, position: int) -> str:
    return f"{item_key}#{position}"


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


def alt_text(image: Image, digest: str) -> str:
    return f"{image.filename or image.item_key} [erp:{digest[:16]}]"


def marker_of(alt: str | None) -> str | None:
    found = MARKER.search(alt or "")
    return found.group(1) if found else None


def _erp_images(res: ShopResources, item_keys: list[str], report: SyncReport) -> list[Image]:
    """The items' ERP images; an item whose image rows are invalid is reported and the others kept."""
    try:
        return res.erp.list_item_images(item_keys)
    except ErpRecordError:
        found: list[Image] = []
        for key in item_keys:
            try:
                found += res.erp.list_item_images([key])
            except ErpRecordError as exc:
                report.fail(exc.record, exc.reason, field=exc.field)
        return found


def _remember(res: ShopResources, shop: str, done: dict[str, tuple[str | None, str]], conn: Any = None) -> None:
    """Store ``{image key: (media GID or None, digest)}``: the hash always, the mapping when known."""
    pairs = [(key, media_id) for key, (media_id, _) in done.items() if media_id]
    res.state.put_mappings(shop, "media", pairs, conn=conn)
    res.state.put_hashes(shop, "image", {key: digest for key, (_, digest) in done.items()}, conn=conn)


@task(**IO_TASK)
def mapped_item_keys(ctx: SyncContext) -> list[str]:
    """Every ERP item that has a product in the shop (images need both sides), in key order."""
    return [str(k) for k in resources(ctx.shop).state.all_mappings(ctx.shop, "product")["erp_key"]]


@task(**IO_TASK)
def push_images(ctx: SyncContext, item_keys: list[str]) -> SyncReport:
    """ERP → shop for one chunk of items: send the images whose content hash changed."""
    res = resources(ctx.shop)
    report = SyncReport()
    products = res.state.shop_ids(ctx.shop, "product", item_keys)
    images = _erp_images(res, sorted(products), report)
    sent = res.state.get_hashes(ctx.shop, "image", [image_key(i.item_key, i.position) for i in images])
    pending: dict[str, list[Image]] = {}
    for image in images:
        key = image_key(image.item_key, image.position)
        if sent.get(key) == digest_of(image):
            report.skipped += 1
        elif image.content is not None and sniff_image(image.content) is None:
            report.fail(f"image {key}", not_an_image(image.content), field="content")
        else:
            pending.setdefault(image.item_key, []).append(image)
    if ctx.dry_run:
        waiting = sum(len(images) for images in pending.values())
        report.skipped += waiting
        if waiting:
            report.notes.append(f"dry run: would send {waiting} image(s) of {len(pending)} item(s) to the shop")
        return report
    media = product_media(res.shopify, [products[item_key] for item_key in pending])
    plans: dict[str, _ItemPlan] = {}
    for item_key, item_images in pending.items():
        on_shop = media.get(products[item_key])
        if on_shop is None:
            report.fail(f"item {item_key}", "its product no longer exists in the shop", field="product")
            continue
        plans[item_key] = _plan_item(res, ctx.shop, item_images, on_shop)
    sources = _sources(res, [image for plan in plans.values() for image in plan.to_send])
    for item_key, plan in plans.items():
        refused = [s for i in plan.to_send if isinstance(s := sources[image_key(i.item_key, i.position)], Exception)]
        if refused:  # an upload target refused: this item's images wait
            report.fail(f"item {item_key}", str(refused[0]), field="images")
            continue
        try:
            report = report + _push_item(res, ctx.shop, products[item_key], plan, sources)
        except NotFound:
            report.fail(f"item {item_key}", "its product no longer exists in the shop", field="product")
        except (ShopRecordError, HttpError) as exc:
            report.fail(f"item {item_key}", str(exc), field="images")
    return report


@dataclass
class _ItemPlan:
    """What one item's images need, decided from the product's media before anything is sent."""

    report: SyncReport = field(default_factory=SyncReport)
    done: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    replace: list[tuple[Image, str]] = field(default_factory=list)
    attach: list[Image] = field(default_factory=list)

    @property
    def to_send(self) -> list[Image]:
        return [image for image, _ in self.replace] + self.attach


def _plan_item(res: ShopResources, shop: str, images: list[Image], media: list[dict[str, Any]]) -> _ItemPlan:
    plan = _ItemPlan()
    on_shop = {node["id"] for node in media}
    by_marker = _markers({"nodes": media})
    mapped = res.state.shop_ids(shop, "media", [image_key(i.item_key, i.position) for i in images])
    taken = {by_marker[digest_of(i)[:16]] for i in images if digest_of(i)[:16] in by_marker}  # adopted below
    seen: set[str] = set()
    for image in images:
        key, digest = image_key(image.item_key, image.position), digest_of(image)
        if digest in seen:  # the same content twice on one item: the shop gets it once
            plan.done[key] = (None, digest)
            plan.report.notes.append(f"image {key}: same content as another image of the item, sent once")
        elif digest[:16] in by_marker:  # already there: a send whose answer was lost, or moved position
            plan.done[key] = (by_marker[digest[:16]], digest)
            plan.report.skipped += 1
        elif mapped.get(key) in on_shop and mapped[key] not in taken:  # new content at a known position
            plan.replace.append((image, mapped[key]))
        else:
            plan.attach.append(image)
        seen.add(digest)
    return plan


def _sources(res: ShopResources, images: list[Image]) -> dict[str, str | Exception]:
    """``{image key: originalSource, or the error staging it met}``: URL images as they are, the bytes of the
    others uploaded together (one ``stagedUploadsCreate`` for the whole chunk)."""
    sources: dict[str, str | Exception] = {
        image_key(i.item_key, i.position): str(i.url) for i in images if i.content is None
    }
    to_stage = [i for i in images if i.content is not None]
    staged = stage_images(
        res.shopify, [i.model_copy(update={"mime_type": sniff_image(i.content or b"")}) for i in to_stage]
    )
    sources.update({image_key(i.item_key, i.position): outcome for i, outcome in zip(to_stage, staged, strict=False)})
    return sources


def _push_item(
    res: ShopResources, shop: str, product_id: str, plan: _ItemPlan, sources: dict[str, str | Exception]
) -> SyncReport:
    report, done = plan.report, dict(plan.done)
    if plan.replace:
        files = [
            {
                "id": media_id,
                "originalSource": sources[image_key(image.item_key, image.position)],
                "alt": alt_text(image, digest_of(image)),
            }
            for image, media_id in plan.replace
        ]
        _, user_errors = res.shopify.mutate("FileUpdate", {"files": files}, "fileUpdate")
        ids = {image_key(i.item_key, i.position): media_id for i, media_id in plan.replace}
        report.updated += _outcome(
            [i for i, _ in plan.replace], ids, user_errors, ("files",), "FileUpdate", done, report
        )
    if plan.attach:
        inputs = [
            {
                **media_input(image, str(sources[image_key(image.item_key, image.position)])),
                "alt": alt_text(image, digest_of(image)),
            }
            for image in plan.attach
        ]
        payload, user_errors = res.shopify.mutate(
            "ProductAttachMedia", {"productId": product_id, "media": inputs}, "productUpdate"
        )
        now_there = _markers(((payload or {}).get("product") or {}).get("media"))
        if not {digest_of(i)[:16] for i in plan.attach} <= set(now_there):  # not all in the answer: read them
            now_there = _markers({"nodes": product_media(res.shopify, [product_id]).get(product_id) or []})
        ids = {image_key(i.item_key, i.position): now_there.get(digest_of(i)[:16]) for i in plan.attach}
        report.created += _outcome(plan.attach, ids, user_errors, ("media",), "ProductAttachMedia", done, report)
    with res.state.begin() as conn:
        _remember(res, shop, done, conn)
    return report


def _markers(media: dict[str, Any] | None) -> dict[str, str]:
    """``{ERP marker: media GID}`` of a media connection's nodes."""
    return {m: node["id"] for node in (media or {}).get("nodes") or () if (m := marker_of(node.get("alt")))}


def _outcome(
    images: list[Image],
    media_ids: dict[str, str | None],
    user_errors: list[UserError],
    list_path: tuple[str, ...],
    operation: str,
    done: dict[str, tuple[str | None, str]],
    report: SyncReport,
) -> int:
    """After one media mutation: report the images it refused, add the others to ``done``; returns how many
    were applied."""
    keys = [image_key(i.item_key, i.position) for i in images]
    by_index, general = attribute(user_errors, keys, list_path, operation=operation)
    applied = 0
    for index, (key, image) in enumerate(zip(keys, images, strict=False)):
        if index in by_index:
            report.fail(f"image {key}", by_index[index][0].message, field=by_index[index][0].field)
        elif general:
            report.fail(f"image {key}", "; ".join(e.message for e in general))
        else:
            done[key] = (media_ids.get(key), digest_of(image))
            applied += 1
    return applied


@task(**IO_TASK)
def pull_images(ctx: SyncContext, item_keys: list[str]) -> SyncReport:
    """Shop → ERP for one chunk of items: write the product images the ERP lacks."""
    res = resources(ctx.shop)
    report = SyncReport()
    products = res.state.shop_ids(ctx.shop, "product", item_keys)
    held: dict[str, dict[int, str]] = {}
    for image in _erp_images(res, sorted(products), report):
        held.setdefault(image.item_key, {})[image.position] = digest_of(image)
    media_of = product_media(res.shopify, [product_id for _, product_id in sorted(products.items())])
    for item_key, product_id in sorted(products.items()):
        media = media_of.get(product_id)
        if media is None:
            report.fail(f"item {item_key}", "its product no longer exists in the shop", field="product")
            continue
        report = report + _pull_item(res, ctx, item_key, media, held.get(item_key, {}))
    return report


def _pull_item(
    res: ShopResources, ctx: SyncContext, item_key: str, media: list[dict[str, Any]], held: dict[int, str]
) -> SyncReport:
    report = SyncReport()
    known = res.state.erp_keys(ctx.shop, "media", [node["id"] for node in media])
    position_of = {digest: position for position, digest in sorted(held.items(), reverse=True)}
    next_position = max(held, default=-1) + 1
    for node in media:
        if node["id"] in known or node.get("mediaContentType") != "IMAGE":
            report.skipped += 1
            continue
        record = f"shop image {node['id']} of item {item_key}"
        marker = marker_of(node.get("alt"))
        if marker is not None:  # sent from the ERP; adopt it if the ERP still holds that content
            found = next((p for d, p in position_of.items() if d.startswith(marker)), None)
            if found is not None and not ctx.dry_run:
                _remember(res, ctx.shop, {image_key(item_key, found): (node["id"], held[found])})
            report.skipped += 1
            continue
        url = (node.get("image") or {}).get("url")
        if node.get("status") != "READY" or not url:
            report.skipped += 1
            report.notes.append(f"{record}: not processed by Shopify yet ({node.get('status')}); next run")
            continue
        try:
            content = download_image(res.shopify, url)
        except HttpError as exc:
            report.fail(record, str(exc), field="image.url")
            continue
        mime = sniff_image(content)
        if mime is None:
            report.fail(record, not_an_image(content), field="image")
            continue
        digest = hashlib.sha256(content).hexdigest()
        if digest in position_of:  # written by a run whose state was lost, or the same picture twice
            if not ctx.dry_run:
                _remember(res, ctx.shop, {image_key(item_key, position_of[digest]): (node["id"], digest)})
            report.skipped += 1
            continue
        if ctx.dry_run:
            report.skipped += 1
            report.notes.append(f"dry run: would write {record} to the ERP")
            continue
        image = Image(
            item_key=item_key,
            position=next_position,
            filename=_filename(url, mime, item_key, next_position),
            content=content,
            mime_type=mime,
        )
        try:
            _write(res, ctx.shop, image, node["id"])
        except ErpRecordError as exc:
            report.fail(record, exc.reason, field=exc.field)
            continue
        position_of[digest] = next_position
        next_position += 1
        report.created += 1
    return report


def _filename(url: str, mime: str, item_key: str, position: int) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    extension = mimetypes.guess_extension(mime) or ""
    if not name:
        name = f"{item_key}-{position}"
    return name if mimetypes.guess_type(name)[0] == mime else f"{name.rsplit('.', 1)[0]}{extension}"


def _write(res: ShopResources, shop: str, image: Image, media_id: str) -> None:
    """The ERP image and the state that records it, in one transaction when they share a database."""
    done = {image_key(image.item_key, image.position): (media_id, str(image.content_hash))}
    # an upsert at (item, position): without a shared transaction, if the state write is lost, the next run
    # adopts the image by content
    with res.erp.unit_of_work(res.state) as work:
        work.erp.put_item_image(image)
        _remember(res, shop, done, work.conn)

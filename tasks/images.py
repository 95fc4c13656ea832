"""Image tasks: item images both ways for one chunk of mapped items (BC 30107, Pohoda "Import obrázków").

What an image is and what each side needs is decided by the pure rules of ``domain.images`` (content hash,
``[erp:…]`` alt markers, adopting what a lost answer made, sniffing the bytes); these tasks read both sides,
ask for a plan and carry it out. What is remembered, so nothing is ever sent or written twice:
- hash entity ``image``, key ``"{item_key}#{position}"`` → the content hash both sides hold. An image sent to the
  shop gets it only once Shopify shows its media READY (processing runs after the mutation returns): the next
  run reads the media, adopts the READY ones, waits for the PROCESSING ones and reports and re-sends the FAILED
  ones in place (``domain.images.plan_push``);
- mapping entity ``media``, ``"{item_key}#{position}"`` ⇄ ``MediaImage`` GID: shop images already known, written
  as soon as a send is accepted.

ERP → shop: changed images of a product are staged (``media.stage_images``) and attached in one
``ProductAttachMedia`` (``media.attach_media``, which adopts an attach whose answer was lost); an image whose
position already has a media in the shop is replaced in place with ``FileUpdate`` (retry-safe). Shop → ERP:
product media the ERP lacks (not mapped, no marker) are downloaded and written with ``erp.put_item_image``
after the item's last position; content the ERP already holds is adopted. Bytes that are not PNG, JPEG, GIF or
WebP are reported with their record; the rest go on.

API cost (a Standard plan restores 100 points/s): a chunk's media are read in batches (``media.product_media``,
43 products per request instead of one request each), the chunk's uploads reserve their targets in one
``stagedUploadsCreate``, and the media an attach made are read from ``ProductAttachMedia``'s answer; the product
is re-read only when that answer does not show every image sent (more than 10 media, or refused ones).
"""

from __future__ import annotations

from typing import Any

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import HttpError, NotFound, UserError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.inputs import media_input
from connectors.shopify.media import attach_media, download_image, product_media, stage_images
from connectors.shopify.mutations import attribute
from domain.images import (
    ErpSlots,
    PullPlan,
    PushPlan,
    ShopMedia,
    Synced,
    Triage,
    alt_text,
    digest_of,
    image_key,
    key_of,
    marker,
    plan_pull,
    plan_push,
    sniff_image,
    triage,
)
from domain.models import Image
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

GONE = "its product no longer exists in the shop"


@task(**IO_TASK)
def mapped_item_keys(ctx: SyncContext) -> list[str]:
    """Every ERP item that has a product in the shop (images need both sides), in key order."""
    return [str(k) for k in resources(ctx.shop).state.all_mappings(ctx.shop, "product")["erp_key"]]


@task(**IO_TASK)
def push_images(ctx: SyncContext, item_keys: list[str]) -> SyncReport:
    """ERP → shop for one chunk of items: send the images whose content hash changed."""
    res = resources(ctx.shop)
    products = res.state.shop_ids(ctx.shop, "product", item_keys)
    report = SyncReport()
    images = _erp_images(res, sorted(products), report)
    triaged = triage(images, res.state.get_hashes(ctx.shop, "image", [key_of(i) for i in images]))
    report = report + triaged.report
    if ctx.dry_run:
        return report + _would_send(triaged)
    plans, gone = _push_plans(res, ctx.shop, products, triaged.pending)
    sources = _sources(res, [image for plan in plans.values() for image in plan.to_send])
    for item_key, plan in plans.items():
        report = report + _push_item(res, ctx.shop, item_key, products[item_key], plan, sources)
    return report + gone


@task(**IO_TASK)
def pull_images(ctx: SyncContext, item_keys: list[str]) -> SyncReport:
    """Shop → ERP for one chunk of items: write the product images the ERP lacks."""
    res = resources(ctx.shop)
    products = dict(sorted(res.state.shop_ids(ctx.shop, "product", item_keys).items()))
    report = SyncReport()
    held: dict[str, dict[int, str]] = {}
    for image in _erp_images(res, list(products), report):
        held.setdefault(image.item_key, {})[image.position] = digest_of(image)
    media_of = product_media(res.shopify, list(products.values()))
    known = set(res.state.erp_keys(ctx.shop, "media", [m.id for media in media_of.values() for m in media or ()]))
    for item_key, product_id in products.items():
        if (media := media_of.get(product_id)) is None:
            report.fail(f"item {item_key}", GONE, field="product")
            continue
        slots = ErpSlots(item_key, held.get(item_key, {}))
        report = report + _pull_item(res, ctx, plan_pull(media, known, slots), slots)
    return report


# ---- reading ------------------------------------------------------------------------------------------------


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


def _remember(
    res: ShopResources, shop: str, done: Synced, conn: Any = None, sent: dict[str, str] | None = None
) -> None:
    """Store what is known on both sides: the hash always, the mapping when known; ``sent``: media accepted but
    not processed yet, whose mapping only is stored (their hash waits for READY)."""
    pairs = [(key, media_id) for key, (media_id, _) in done.items() if media_id] + list((sent or {}).items())
    res.state.put_mappings(shop, "media", pairs, conn=conn)
    res.state.put_hashes(shop, "image", {key: digest for key, (_, digest) in done.items()}, conn=conn)


# ---- ERP → shop ---------------------------------------------------------------------------------------------


def _would_send(triaged: Triage) -> SyncReport:
    report = SyncReport(skipped=triaged.waiting)
    if triaged.waiting:
        report.notes.append(
            f"dry run: would send {triaged.waiting} image(s) of {len(triaged.pending)} item(s) to the shop"
        )
    return report


def _push_plans(
    res: ShopResources, shop: str, products: dict[str, str], pending: dict[str, list[Image]]
) -> tuple[dict[str, PushPlan], SyncReport]:
    """A plan per item from its product's media now; an item whose product is gone is reported."""
    media: dict[str, list[ShopMedia] | None] = product_media(res.shopify, [products[key] for key in pending])
    mapped = res.state.shop_ids(shop, "media", [key_of(i) for images in pending.values() for i in images])
    plans, report = {}, SyncReport()
    for item_key, images in pending.items():
        if (on_shop := media.get(products[item_key])) is None:
            report.fail(f"item {item_key}", GONE, field="product")
        else:
            plans[item_key] = plan_push(images, on_shop, mapped)
    return plans, report


def _sources(res: ShopResources, images: list[Image]) -> dict[str, str | Exception]:
    """``{image key: originalSource, or the error staging it met}``: URL images as they are, the bytes of the
    others uploaded together (one ``stagedUploadsCreate`` for the whole chunk)."""
    sources: dict[str, str | Exception] = {key_of(i): str(i.url) for i in images if i.content is None}
    to_stage = [i for i in images if i.content is not None]
    staged = stage_images(
        res.shopify, [i.model_copy(update={"mime_type": sniff_image(i.content or b"")}) for i in to_stage]
    )
    sources.update({key_of(i): outcome for i, outcome in zip(to_stage, staged, strict=True)})
    return sources


def _push_item(
    res: ShopResources, shop: str, item_key: str, product_id: str, plan: PushPlan, sources: dict[str, str | Exception]
) -> SyncReport:
    """One item's plan; a refusal costs this item only."""
    report = SyncReport()
    refused = [s for i in plan.to_send if isinstance(s := sources[key_of(i)], Exception)]
    if refused:  # an upload target refused: this item's images wait
        report.fail(f"item {item_key}", str(refused[0]), field="images")
        return report
    try:
        return _send(res, shop, product_id, plan, sources)
    except NotFound:
        report.fail(f"item {item_key}", GONE, field="product")
    except (ShopRecordError, HttpError) as exc:
        report.fail(f"item {item_key}", str(exc), field="images")
    return report


def _send(
    res: ShopResources, shop: str, product_id: str, plan: PushPlan, sources: dict[str, str | Exception]
) -> SyncReport:
    report, sent = plan.report, {}
    if in_place := plan.replace + plan.resend:  # resent: FAILED in the shop, already reported
        files = [
            {"id": media_id, "originalSource": str(sources[key_of(image)]), "alt": alt_text(image)}
            for image, media_id in in_place
        ]
        _, user_errors = res.shopify.mutate("FileUpdate", {"files": files}, "fileUpdate")
        ids = {key_of(image): media_id for image, media_id in in_place}
        applied = _outcome([image for image, _ in in_place], ids, user_errors, ("files",), "FileUpdate", sent, report)
        report.updated += len(applied & {key_of(image) for image, _ in plan.replace})
    if plan.attach:
        inputs = [{**media_input(i, str(sources[key_of(i)])), "alt": alt_text(i)} for i in plan.attach]
        attached = attach_media(res.shopify, product_id, inputs, [marker(i) for i in plan.attach])
        ids = {key_of(i): attached.ids.get(marker(i)) for i in plan.attach}
        report.created += len(
            _outcome(plan.attach, ids, attached.user_errors, ("media",), "ProductAttachMedia", sent, report)
        )
    if sent:
        report.notes.append(f"{len(sent)} image(s) sent; remembered once Shopify has processed them (next run)")
    with res.state.begin() as conn:
        _remember(res, shop, plan.done, conn, sent)
    return report


def _outcome(
    images: list[Image],
    media_ids: dict[str, str | None],
    user_errors: list[UserError],
    list_path: tuple[str, ...],
    operation: str,
    sent: dict[str, str],
    report: SyncReport,
) -> set[str]:
    """After one media mutation: report the images it refused, add the media of the others to ``sent`` (their
    hash waits until Shopify has processed them); returns the keys of the images it applied."""
    keys = [key_of(i) for i in images]
    by_index, general = attribute(user_errors, keys, list_path, operation=operation)
    applied = set()
    for index, key in enumerate(keys):
        if index in by_index:
            report.fail(f"image {key}", by_index[index][0].reason, field=by_index[index][0].field)
        elif general:
            report.fail(f"image {key}", "; ".join(e.message for e in general))
        else:
            if media_id := media_ids.get(key):
                sent[key] = media_id
            applied.add(key)
    return applied


# ---- shop → ERP ---------------------------------------------------------------------------------------------


def _pull_item(res: ShopResources, ctx: SyncContext, plan: PullPlan, slots: ErpSlots) -> SyncReport:
    """One product's plan: adopt what the ERP holds, read the rest and write what is new."""
    report = plan.report
    if plan.adopt and not ctx.dry_run:
        _remember(res, ctx.shop, plan.adopt)
    for media in plan.download:
        record = f"shop image {media.id} of item {slots.item_key}"
        try:
            placed = slots.place(media, download_image(res.shopify, str(media.url)))
        except HttpError as exc:
            report.fail(record, str(exc), field="image.url")
            continue
        if placed.refused is not None:
            report.fail(record, placed.refused, field="image")
        elif placed.image is None:  # the ERP holds it: written by a run whose state was lost, or the same twice
            report.skipped += 1
            if not ctx.dry_run:
                _remember(res, ctx.shop, {str(placed.key): (media.id, placed.digest)})
        elif ctx.dry_run:
            report.skipped += 1
            report.notes.append(f"dry run: would write {record} to the ERP")
        else:
            try:
                _write(res, ctx.shop, placed.image, media.id)
            except ErpRecordError as exc:
                report.fail(record, exc.reason, field=exc.field)
                continue
            slots.hold(placed.image, placed.digest)
            report.created += 1
    return report


def _write(res: ShopResources, shop: str, image: Image, media_id: str) -> None:
    """The ERP image and the state that records it, in one transaction when they share a database."""
    done = {image_key(image.item_key, image.position): (media_id, str(image.content_hash))}
    # an upsert at (item, position): without a shared transaction, if the state write is lost, the next run
    # adopts the image by content
    with res.erp.unit_of_work(res.state) as work:
        work.erp.put_item_image(image)
        _remember(res, shop, done, work.conn)

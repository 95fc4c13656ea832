"""Product media: reading many products' images, and image bytes the ERP holds (no public URL) → a staged
upload Shopify can attach to a product.

Shopify's two steps: ``stagedUploadsCreate`` reserves a signed storage target, we POST the bytes there
(multipart, with the parameters it returned, and *without* the Admin token — the target is a storage host),
then ``resourceUrl`` goes into ``ProductAttachMedia`` as ``originalSource``. Images the ERP exposes by URL skip
this and go straight to ``inputs.media_input``. ``stage_images`` reserves the targets of many images in one
call (a mutation costs its 10 points whether it reserves one target or 250).

``product_media`` reads the media of many products per request (``ProductsMedia``, ``nodes(ids:)``) and pages
the rest of a product with many images (``ProductMedia``); one request per product cost 203 requested points
each, which on a Standard plan kept the image sync waiting for the bucket.

``attach_media`` attaches images to a product (``ProductAttachMedia``), which is not retry-safe: when its answer
is lost, the product's media are read until the images it sent show under their ERP markers, for as long as the
client waits for an answer (``lost_answers.create_or_adopt``) — Shopify may apply an attach after the client
gave up, and attaching again then puts the picture on the product twice.

The other direction, ``download_image``, fetches a product image from its (public CDN) URL for the ERP; the
Admin token is never sent there either.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from connectors.shopify.errors import ConnectionFailed, HttpError, NotFound, RecordError, ServerError, UserError
from connectors.shopify.lost_answers import create_or_adopt
from connectors.shopify.mutations import run_batch
from connectors.shopify.nodes import read_nodes
from connectors.shopify.paging import read_connection
from domain.images import ShopMedia, by_marker
from domain.models import Image

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient

__all__ = [
    "MAX_IMAGE_BYTES",
    "STAGED_UPLOADS_PER_CALL",
    "Attached",
    "attach_media",
    "download_image",
    "product_media",
    "stage_image",
    "stage_images",
]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Shopify's own limit for an image (20 MB); a bigger answer is no product image."""
STAGED_UPLOADS_PER_CALL = 250
"""Shopify's limit for any input list."""


def product_media(client: ShopifyClient, product_ids: Sequence[str]) -> dict[str, list[ShopMedia] | None]:
    """``{product GID: every media (``MediaFields``)}``; ``None`` for a product that no longer exists."""
    media: dict[str, list[ShopMedia] | None] = {}
    for gid, node in read_nodes(client, "ProductsMedia", product_ids).items():
        if node is None:
            media[gid] = None
            continue
        first = read_connection(node, "media", operation="ProductsMedia")
        nodes = list(first.nodes)
        if first.has_next_page:
            try:
                for page in client.iter_pages(
                    "ProductMedia", {"id": gid}, ("product", "media"), after=first.end_cursor
                ):
                    nodes += page.items
            except NotFound:  # deleted between the two reads
                media[gid] = None
                continue
        media[gid] = [_shop_media(node) for node in nodes]
    return media


def _shop_media(node: dict[str, Any]) -> ShopMedia:
    return ShopMedia(
        id=node["id"],
        alt=node.get("alt"),
        content_type=node.get("mediaContentType"),
        status=node.get("status"),
        url=(node.get("image") or {}).get("url"),
    )


@dataclass
class Attached:
    """What an attach left on the product: ``{ERP marker: media GID}`` and the inputs Shopify refused."""

    ids: dict[str, str] = field(default_factory=dict)
    user_errors: list[UserError] = field(default_factory=list)


def attach_media(
    client: ShopifyClient, product_id: str, media: list[dict[str, Any]], markers: Sequence[str]
) -> Attached:
    """``ProductAttachMedia`` of ``media`` (``CreateMediaInput``s whose alt texts carry ``markers``).

    The answer shows the product's last 10 media; when it does not show every marker sent (more media, or
    refused ones) the product is read again. When the answer is lost, the media are looked for under their
    markers instead of attached again (see the module's docstring); ``NotFound`` if the product is gone.
    """
    wanted = set(markers)

    def attach() -> Attached:
        payload, user_errors = client.mutate(
            "ProductAttachMedia", {"productId": product_id, "media": media}, "productUpdate"
        )
        nodes = (((payload or {}).get("product") or {}).get("media") or {}).get("nodes") or ()
        ids = by_marker(_shop_media(node) for node in nodes)
        if not wanted <= set(ids):
            ids = _markers_now(client, product_id)
        return Attached(ids, user_errors)

    def find() -> Attached | None:
        ids = _markers_now(client, product_id)
        return Attached(ids) if wanted <= set(ids) else None

    return create_or_adopt(client, attach, find)


def _markers_now(client: ShopifyClient, product_id: str) -> dict[str, str]:
    found = product_media(client, [product_id]).get(product_id)
    if found is None:
        raise NotFound(f"product {product_id} no longer exists")
    return by_marker(found)


def _names(image: Image) -> tuple[str, str]:
    mime = image.mime_type or (mimetypes.guess_type(image.filename)[0] if image.filename else None) or "image/jpeg"
    filename = image.filename or f"{image.item_key}-{image.position}{mimetypes.guess_extension(mime) or '.jpg'}"
    return filename, mime


def stage_image(client: ShopifyClient, image: Image) -> str:
    """Upload ``image.content`` to a staged target; returns the ``resourceUrl`` to attach."""
    outcome = stage_images(client, [image])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def stage_images(client: ShopifyClient, images: Sequence[Image]) -> list[str | RecordError | HttpError]:
    """Upload the bytes of every image: one ``stagedUploadsCreate`` per 250 images, then one POST per image.

    Returns, per image and in order, the ``resourceUrl`` to attach or the error that image met (Shopify refused
    its target: ``RecordError`` on its item key; the storage host refused the bytes: ``HttpError``). A retriable
    failure (5xx, lost connection) is raised: nothing has been attached yet, the whole batch may be retried.
    """
    missing = [i for i in images if i.content is None]
    if missing:
        raise ValueError(f"image of item {missing[0].item_key!r}: no bytes to upload (use its url instead)")
    outcomes: list[str | RecordError | HttpError] = []
    for start in range(0, len(images), STAGED_UPLOADS_PER_CALL):
        outcomes += _stage_batch(client, list(images[start : start + STAGED_UPLOADS_PER_CALL]))
    return outcomes


def _stage_batch(client: ShopifyClient, images: list[Image]) -> list[str | RecordError | HttpError]:
    names = [_names(image) for image in images]
    requests = [
        {
            "filename": filename,
            "mimeType": mime,
            "resource": "IMAGE",
            "httpMethod": "POST",
            "fileSize": str(len(image.content or b"")),
        }
        for image, (filename, mime) in zip(images, names, strict=False)
    ]
    result = run_batch(
        client,
        "StagedUploadsCreate",
        list(range(len(images))),
        atomic=True,
        list_path=("input",),
        key=str,
        variables=lambda batch: {"input": [requests[i] for i in batch]},
        payload_path="stagedUploadsCreate",
    )
    outcomes: dict[int, str | RecordError | HttpError] = {}
    for error in result.errors:
        index = int(error.record)
        outcomes.setdefault(
            index, RecordError(images[index].item_key, error.field, error.reason, error.code, "StagedUploadsCreate")
        )
    payload = result.payloads[-1] if result.payloads and result.applied else None
    targets = (payload or {}).get("stagedTargets") or []
    for position, index in enumerate(result.applied):
        target = targets[position] if position < len(targets) else None
        if not target or not target.get("url") or not target.get("resourceUrl"):
            outcomes[index] = RecordError(
                images[index].item_key, None, "Shopify returned no upload target", None, "StagedUploadsCreate"
            )
            continue
        try:
            outcomes[index] = _upload(client, images[index], names[index], target)
        except HttpError as exc:
            outcomes[index] = exc
    return [outcomes[i] for i in range(len(images))]


def _upload(client: ShopifyClient, image: Image, name: tuple[str, str], target: dict[str, Any]) -> str:
    filename, mime = name
    if image.content is None:  # only held bytes are staged; a URL-only image is attached by its URL
        raise RecordError(image.item_key, "content", f"{filename}: no bytes to upload", operation="stagedUploadsCreate")
    fields = {p["name"]: p["value"] for p in target.get("parameters") or ()}
    try:
        response = client.http.post(target["url"], data=fields, files={"file": (filename, image.content, mime)})
    except httpx.TransportError as exc:
        raise ConnectionFailed(f"staged upload of {filename}: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise ServerError(f"staged upload of {filename}: HTTP {response.status_code}", status=response.status_code)
    if response.status_code >= 300:
        raise HttpError(
            f"staged upload of {filename} refused: HTTP {response.status_code}", status=response.status_code
        )
    return str(target["resourceUrl"])


def download_image(client: ShopifyClient, url: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of a shop image (``MediaImage.image.url``), fetched without the Admin token.

    A 5xx or a lost connection is retriable; any other refusal (404 of a deleted file, 403) is an
    ``HttpError`` the caller reports on that image.
    """
    try:
        response = client.http.get(url, follow_redirects=True)
    except httpx.TransportError as exc:
        raise ConnectionFailed(f"download of {_where(url)}: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise ServerError(f"download of {_where(url)}: HTTP {response.status_code}", status=response.status_code)
    if response.status_code >= 300:
        raise HttpError(f"download of {_where(url)} refused: HTTP {response.status_code}", status=response.status_code)
    if len(response.content) > max_bytes:
        raise HttpError(f"download of {_where(url)}: {len(response.content)} bytes is over {max_bytes}", status=413)
    return response.content


def _where(url: str) -> str:
    """The URL without its query string (signed CDN URLs carry tokens there)."""
    return url.split("?", 1)[0]

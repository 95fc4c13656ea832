"""Image bytes the ERP holds (no public URL) → a staged upload Shopify can attach to a product.

Shopify's two steps: ``stagedUploadsCreate`` reserves a signed storage target, we POST the bytes there
(multipart, with the parameters it returned, and *without* the Admin token — the target is a storage host),
then ``resourceUrl`` goes into ``ProductAttachMedia`` as ``originalSource``. Images the ERP exposes by URL skip
this and go straight to ``inputs.media_input``.

The other direction, ``download_image``, fetches a product image from its (public CDN) URL for the ERP; the
Admin token is never sent there either.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING

import httpx

from commerce_sync.models import Image
from connectors.shopify.errors import ConnectionFailed, HttpError, RecordError, ServerError
from connectors.shopify.mutations import record_errors

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient

__all__ = ["MAX_IMAGE_BYTES", "download_image", "stage_image"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Shopify's own limit for an image (20 MB); a bigger answer is no product image."""


def _names(image: Image) -> tuple[str, str]:
    mime = image.mime_type or (mimetypes.guess_type(image.filename)[0] if image.filename else None) or "image/jpeg"
    filename = image.filename or f"{image.item_key}-{image.position}{mimetypes.guess_extension(mime) or '.jpg'}"
    return filename, mime


def stage_image(client: "ShopifyClient", image: Image) -> str:
    """Upload ``image.content`` to a staged target; returns the ``resourceUrl`` to attach."""
    if image.content is None:
        raise ValueError(f"image of item {image.item_key!r}: no bytes to upload (use its url instead)")
    filename, mime = _names(image)
    request = {
        "filename": filename,
        "mimeType": mime,
        "resource": "IMAGE",
        "httpMethod": "POST",
        "fileSize": str(len(image.content)),
    }
    payload, user_errors = client.mutate("StagedUploadsCreate", {"input": [request]}, "stagedUploadsCreate")
    if user_errors:
        raise record_errors(image.item_key, user_errors, operation="StagedUploadsCreate")[0]
    targets = (payload or {}).get("stagedTargets") or []
    if not targets or not targets[0].get("url") or not targets[0].get("resourceUrl"):
        raise RecordError(image.item_key, None, "Shopify returned no upload target", None, "StagedUploadsCreate")
    target = targets[0]
    fields = {p["name"]: p["value"] for p in target.get("parameters") or ()}
    try:
        response = client.http.post(target["url"], data=fields, files={"file": (filename, image.content, mime)})
    except httpx.TransportError as exc:
        raise ConnectionFailed(f"staged upload of {filename}: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise ServerError(f"staged upload of {filename}: HTTP {response.status_code}", status=response.status_code)
    if response.status_code >= 300:
        raise HttpError(f"staged upload of {filename} refused: HTTP {response.status_code}", status=response.status_code)
    return str(target["resourceUrl"])


def download_image(client: "ShopifyClient", url: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
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

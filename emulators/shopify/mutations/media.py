"""Images: staged uploads, files, and product media.

The byte path works as on Shopify: ``stagedUploadsCreate`` gives an upload URL on this emulator
(``/_emulator/uploads/<token>``) and a ``resourceUrl``; the client uploads the bytes there, then passes the
``resourceUrl`` as ``originalSource`` to ``fileCreate``/``productSet(files)``/``productUpdate(media)``. The
image is then served back from ``/_emulator/files/<id>/<filename>``. An external URL is kept as given.

Processing is asynchronous, as Shopify documents it: a media is ``UPLOADED`` in the answer of the mutation that
made it, ``PROCESSING`` for the next ``EmulatorConfig.media_processing_reads`` reads of its status (and at
least ``media_processing_seconds`` on the emulator clock), then ``READY`` — or ``FAILED``, for a source whose
upload never arrived and for a seeded share of the others (``FaultConfig.media_failed``, drawn per media and
attempt, so a re-send may succeed). Its ``image`` is null until it is ``READY``. Sources:
https://shopify.dev/docs/api/admin-graphql/latest/enums/MediaStatus (UPLOADED → PROCESSING → READY | FAILED),
https://shopify.dev/docs/api/admin-graphql/latest/objects/MediaImage ("image processing is handled
asynchronously"; ``image`` "Returns null until status is READY"),
https://shopify.dev/docs/apps/build/product-merchandising/products-and-collections/manage-media ("Poll for file
readiness").
"""

from __future__ import annotations

import random
import re
import secrets
from datetime import timedelta
from typing import Any

from graphql import GraphQLResolveInfo, OperationType

from .. import catalog_ops as ops
from .. import records as r
from ..context import RequestContext, ctx, user_error
from ..schema import resolver

_UPLOAD = re.compile(r"/_emulator/uploads/(?P<token>[A-Za-z0-9_-]+)")
FINAL = ("READY", "FAILED")


def _source_fields(url: str, filename: str | None) -> dict[str, str | None]:
    """A staged upload's token (its bytes are this emulator's) or an external URL kept as given."""
    match = _UPLOAD.search(url)
    if match:
        return {"upload_key": match.group("token"), "filename": filename or url.rstrip("/").rsplit("/", 1)[-1]}
    return {"source_url": url, "filename": filename}


def _source(context: RequestContext, url: str, alt: str | None, filename: str | None = None) -> r.MediaImage:
    media = ops.create_media(context.state, alt=alt, **_source_fields(url, filename))
    start_processing(context, media)
    return media


def start_processing(context: RequestContext, media: r.MediaImage) -> None:
    """The media's source was (re)set: it is UPLOADED and will be processed again."""
    media.attempts += 1
    media.status = "UPLOADED"
    media.reads_left = context.config.media_processing_reads
    media.ready_at = context.state.now() + timedelta(seconds=context.config.media_processing_seconds)


def _outcome(context: RequestContext, media: r.MediaImage) -> str:
    """How processing ends, drawn when it ends (seeded per media and attempt): FAILED for a source whose upload
    never arrived and for the ``media_failed`` share, else READY."""
    faults = context.faults.config if context.faults is not None else context.config.faults
    draw = random.Random(f"{faults.seed}/media/{media.id}/{media.attempts}").random()
    arrived = media.upload_key is not None or media.source_url is not None
    return "FAILED" if not arrived or draw < faults.media_failed else "READY"


def observe_status(info: GraphQLResolveInfo, media: r.MediaImage) -> str:
    """The status a read sees: UPLOADED in the answer of the mutation that made it, then PROCESSING for the
    configured reads and seconds, then how its processing ended. Reading is no write (``version`` stays)."""
    if media.status in FINAL or info.operation.operation == OperationType.MUTATION:
        return media.status
    if media.reads_left > 0 or (media.ready_at is not None and ctx(info).state.now() < media.ready_at):
        media.reads_left = max(media.reads_left - 1, 0)
        media.status = "PROCESSING"
    else:
        media.status = _outcome(ctx(info), media)
    return media.status


@resolver("MediaImage", "status")
def resolve_media_status(media: r.MediaImage, info: Any) -> str:
    return observe_status(info, media)


def media_input_errors(
    inputs: list[dict], path: list, source_key: str = "originalSource", code: str | None = None, allow_id: bool = False
) -> list[dict]:
    errors = []
    for i, item in enumerate(inputs):
        source = item.get(source_key)
        if allow_id and item.get("id") and not source:
            continue
        if not source or not re.match(r"^https?://", source):
            errors.append(user_error([*path, i, source_key], "Original source must be an http(s) URL", code))
        if item.get("mediaContentType") not in (None, "IMAGE") or item.get("contentType") not in (None, "IMAGE"):
            errors.append(user_error([*path, i, "mediaContentType"], "Only images are supported by the emulator", code))
    return errors


def add_media_inputs(context: RequestContext, product: r.Product, inputs: list[dict]) -> list[r.MediaImage]:
    made = []
    for item in inputs:
        media = _source(context, item["originalSource"], item.get("alt"))
        ops.attach_media(context.state, product, media)
        made.append(media)
    return made


def set_product_files(context: RequestContext, product: r.Product, files: list[dict]) -> None:
    """productSet(files): the listed files become the product's media, in order (existing ones by id)."""
    state = context.state
    wanted: list[r.MediaImage] = []
    for item in files:
        media = state.find(item["id"], "MediaImage") if item.get("id") else None
        if media is None:
            media = _source(context, item["originalSource"], item.get("alt"), item.get("filename"))
        elif item.get("alt") is not None:
            media.alt = item["alt"]
        wanted.append(media)
    for media_id in list(product.media_ids):
        if media_id not in {m.id for m in wanted} and media_id in state.media:
            ops.detach_media(state, product, state.media[media_id])
    for media in wanted:
        ops.attach_media(state, product, media)
    product.media_ids = [m.id for m in wanted]


@resolver("Mutation", "productCreateMedia")
def product_create_media(_: Any, info: Any, productId: str, media: list[dict]) -> dict:
    state = ctx(info).state
    product = state.find(productId, "Product")
    if product is None:
        return {
            "media": None,
            "product": None,
            "mediaUserErrors": [user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")],
        }
    errors = media_input_errors(media, ["media"], code="INVALID")
    if errors:
        return {"media": None, "product": product, "mediaUserErrors": errors}
    return {"media": add_media_inputs(ctx(info), product, media), "product": product, "mediaUserErrors": []}


@resolver("Mutation", "fileCreate")
def file_create(_: Any, info: Any, files: list[dict]) -> dict:
    errors = media_input_errors(files, ["files"], code="INVALID")
    if errors:
        return {"files": None, "userErrors": errors}
    return {
        "files": [_source(ctx(info), f["originalSource"], f.get("alt"), f.get("filename")) for f in files],
        "userErrors": [],
    }


@resolver("Mutation", "fileUpdate")
def file_update(_: Any, info: Any, files: list[dict]) -> dict:
    state = ctx(info).state
    errors = []
    for i, item in enumerate(files):
        if state.find(item["id"], "MediaImage") is None:
            errors.append(
                user_error(["files", i, "id"], f"File id {item['id']} does not exist.", "FILE_DOES_NOT_EXIST")
            )
        for ref in (item.get("referencesToAdd") or []) + (item.get("referencesToRemove") or []):
            if state.find(ref, "Product") is None:
                errors.append(user_error(["files", i, "referencesToAdd"], f"Product {ref} does not exist.", "INVALID"))
    if errors:
        return {"files": None, "userErrors": errors}
    updated = []
    for item in files:
        media = state.find(item["id"], "MediaImage")
        if item.get("alt") is not None:
            media.alt = item["alt"]
        if item.get("originalSource"):
            fresh = ops.create_media(
                state, alt=media.alt, **_source_fields(item["originalSource"], item.get("filename"))
            )
            del state.media[fresh.id]
            media.source_url, media.upload_key, media.filename = fresh.source_url, fresh.upload_key, fresh.filename
            media.mime_type, media.file_size = fresh.mime_type, fresh.file_size
            start_processing(ctx(info), media)  # a new source is processed again
        for ref in item.get("referencesToAdd") or []:
            ops.attach_media(state, state.find(ref, "Product"), media)
        for ref in item.get("referencesToRemove") or []:
            ops.detach_media(state, state.find(ref, "Product"), media)
        state.touch(media)
        updated.append(media)
    return {"files": updated, "userErrors": []}


@resolver("Mutation", "fileDelete")
def file_delete(_: Any, info: Any, fileIds: list[str]) -> dict:
    state = ctx(info).state
    missing = [i for i, f in enumerate(fileIds) if state.find(f, "MediaImage") is None]
    if missing:
        return {
            "deletedFileIds": None,
            "userErrors": [
                user_error(["fileIds"], f"File id {fileIds[i]} does not exist.", "FILE_DOES_NOT_EXIST") for i in missing
            ],
        }
    for file_id in fileIds:
        media = state.find(file_id, "MediaImage")
        for product_id in list(media.product_ids):
            ops.detach_media(state, state.products[product_id], media)
        del state.media[media.id]
    return {"deletedFileIds": fileIds, "userErrors": []}


@resolver("Mutation", "stagedUploadsCreate")
def staged_uploads_create(_: Any, info: Any, input: list[dict]) -> dict:
    base = ctx(info).base_url
    targets = []
    for item in input:
        token = secrets.token_urlsafe(12)
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", item["filename"]) or "upload"
        parameters = [{"name": "Content-Type", "value": item["mimeType"]}]
        if (item.get("httpMethod") or "PUT") == "POST":
            parameters.append({"name": "key", "value": f"uploads/{token}/{filename}"})
        targets.append(
            {
                "url": f"{base}/_emulator/uploads/{token}",
                "resourceUrl": f"{base}/_emulator/uploads/{token}/{filename}",
                "parameters": parameters,
            }
        )
    return {"stagedTargets": targets, "userErrors": []}

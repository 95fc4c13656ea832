"""Resolvers shared by every area: ``node``/``nodes``, the shop, metafields on any owner, media images."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graphql import GraphQLError

from .. import records as r
from ..access import visible
from ..context import by_id, connection, ctx
from ..schema import format_datetime, resolver
from ..state import OWNER_TYPES

APP_NAMESPACE = "$app"


@resolver("QueryRoot", "node")
def resolve_node(_: Any, info: Any, id: str) -> Any:
    found = ctx(info).state.find(id)
    return found if visible(info, found) else None


@resolver("QueryRoot", "nodes")
def resolve_nodes(_: Any, info: Any, ids: list[str]) -> list[Any]:
    limit = ctx(info).config.max_input_array
    if len(ids) > limit:
        raise GraphQLError(
            f"The input array size of {len(ids)} is greater than the maximum allowed of {limit}.",
            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
        )
    state = ctx(info).state
    return [found if visible(info, found := state.find(i)) else None for i in ids]


@resolver("QueryRoot", "shop")
@resolver("ProductCreatePayload", "shop")
@resolver("ProductDeletePayload", "shop")
@resolver("CollectionDeletePayload", "shop")
def resolve_shop(_: Any, info: Any) -> dict:
    config = ctx(info).config
    return {
        "id": "gid://shopify/Shop/1",
        "name": config.shop_name,
        "myshopifyDomain": config.domain,
        "currencyCode": config.currency,
        "ianaTimezone": "Etc/UTC",
        "email": f"owner@{config.domain}",
        "url": f"https://{config.domain}",
    }


@resolver("QueryRoot", "currentAppInstallation")
def resolve_current_app_installation(_: Any, info: Any) -> dict:
    """The scopes ``EmulatorConfig.scopes`` grants (handles only; descriptions are the handles' words)."""
    scopes = ctx(info).config.scopes
    return {
        "id": "gid://shopify/AppInstallation/1",
        "accessScopes": [{"handle": s, "description": s.replace("_", " ")} for s in scopes],
    }


# ---- metafields -------------------------------------------------------------------------------------------


def split_metafield_key(key: str, namespace: str | None) -> tuple[str, str]:
    """``metafield(key: "custom.material")`` names namespace and key in one; no namespace means the app's."""
    if namespace is None and "." in key:
        ns, _, k = key.partition(".")
        return ns, k
    return namespace or APP_NAMESPACE, key


def _owner_type(owner: Any) -> str:
    return OWNER_TYPES[owner.GQL_TYPE]


def resolve_metafield(owner: Any, info: Any, key: str, namespace: str | None = None) -> r.Metafield | None:
    return ctx(info).state.metafields_of(_owner_type(owner), owner.id).get(split_metafield_key(key, namespace))


def resolve_metafields(owner: Any, info: Any, **args: Any) -> Any:
    found = list(ctx(info).state.metafields_of(_owner_type(owner), owner.id).values())
    if args.get("namespace") is not None:
        found = [mf for mf in found if mf.namespace == args["namespace"]]
    if args.get("keys") is not None:
        wanted = {split_metafield_key(k, None) for k in args["keys"]}
        found = [mf for mf in found if (mf.namespace, mf.key) in wanted]
    return connection(info, found, args, sorts={"ID": by_id})


for _type in OWNER_TYPES:
    resolver(_type, "metafield")(resolve_metafield)
    resolver(_type, "metafields")(resolve_metafields)


def compare_digest(mf: r.Metafield) -> str:
    """Changes whenever the value does: metafieldsSet's optimistic-locking token."""
    return hashlib.sha256(f"{mf.id}|{mf.type}|{mf.value}|{format_datetime(mf.updated_at)}".encode()).hexdigest()


@resolver("Metafield", "compareDigest")
def resolve_compare_digest(mf: r.Metafield, info: Any) -> str:
    return compare_digest(mf)


@resolver("Metafield", "jsonValue")
def resolve_json_value(mf: r.Metafield, info: Any) -> Any:
    if mf.type == "number_integer":
        return int(mf.value)
    if mf.type == "boolean":
        return mf.value.strip().lower() == "true"
    if mf.type == "number_decimal":
        return mf.value
    if (
        mf.type == "json"
        or mf.type.startswith("list.")
        or mf.type in ("dimension", "volume", "weight", "money", "rating")
    ):
        try:
            return json.loads(mf.value)
        except ValueError:
            return mf.value
    return mf.value


@resolver("Metafield", "owner")
def resolve_metafield_owner(mf: r.Metafield, info: Any) -> Any:
    return ctx(info).state.owner_of(mf)


# ---- media ------------------------------------------------------------------------------------------------


def media_url(media: r.MediaImage, base_url: str) -> str | None:
    if media.upload_key is not None:
        return f"{base_url}/_emulator/files/{media.id}/{media.filename or 'image'}"
    return media.source_url


def _image(media: r.MediaImage, info: Any) -> dict | None:
    url = media_url(media, ctx(info).base_url)
    if url is None:
        return None
    return {
        "id": f"gid://shopify/ImageSource/{media.id}",
        "url": url,
        "altText": media.alt,
        "width": None,
        "height": None,
    }


@resolver("MediaImage", "image")
def resolve_media_image(media: r.MediaImage, info: Any) -> dict | None:
    return _image(media, info) if media.status == "READY" else None


@resolver("MediaImage", "preview")
def resolve_media_preview(media: r.MediaImage, info: Any) -> dict:
    return {"image": resolve_media_image(media, info), "status": media.status}


@resolver("MediaImage", "originalSource")
def resolve_media_source(media: r.MediaImage, info: Any) -> dict:
    return {"url": media_url(media, ctx(info).base_url), "fileSize": media.file_size}


@resolver("MediaImage", "mediaContentType")
def resolve_media_content_type(media: r.MediaImage, info: Any) -> str:
    return "IMAGE"


@resolver("MediaImage", "fileStatus")
def resolve_file_status(media: r.MediaImage, info: Any) -> str:
    from ..mutations.media import observe_status  # the processing model lives with the media mutations

    return observe_status(info, media)

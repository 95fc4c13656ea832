"""The ASGI app: Shopify's GraphQL endpoint plus the emulator's admin endpoints.

POST /admin/api/2026-04/graphql.json     the Admin GraphQL API (X-Shopify-Access-Token); an unsupported version
                                         falls forward to the oldest supported one, named in X-Shopify-API-Version
POST /admin/oauth/access_token           the client-credentials grant: a token that expires (oauth.py)
GET  /_emulator/bulk/<id>.jsonl          a bulk operation's result (``?partial=1``: its partial data)
POST /_emulator/uploads/<token>          staged upload target (multipart ``file`` field or raw body)
GET  /_emulator/files/<id>/<name>        an uploaded image's bytes
GET|POST /_emulator/faults               read / change the fault config (partial JSON merges)
POST /_emulator/seed                     {"locations", "products", "stock", "customers", "orders", "location_key"}
GET  /_emulator/state                    counts and API cost charged; ``?snapshot=1`` adds every record
POST /_emulator/reset                    empty shop, full buckets, request count 0
GET  /_emulator/requests                 {"count": GraphQL requests received}
"""

from __future__ import annotations

import asyncio
import json
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain import models as m
from emulators.faults import faults_endpoint

from .bucket import BucketRegistry
from .clock import Clock, SystemClock
from .config import EmulatorConfig, FaultConfig
from .executor import Executor
from .faults import FaultInjector
from .oauth import TokenIssuer, access_token_endpoint
from .recording import Recorder
from .schema import executable_schema
from .snapshot import snapshot
from .state import ShopState
from .webhook_delivery import WebhookHub

UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class Emulator:
    """One emulated shop: its state, rate-limit buckets, faults and recorder. Reachable as
    ``app.state.emulator`` so tests can seed it and switch faults between calls."""

    def __init__(self, config: EmulatorConfig, state: ShopState | None = None, clock: Clock | None = None):
        self.config = config
        self.clock = clock or (state.clock if state else SystemClock())
        self.state = state or ShopState(self.clock, currency=config.currency, unique_skus=config.unique_skus)
        self.faults = FaultInjector(config.faults)
        self.oauth = TokenIssuer(
            {app: secret.get_secret_value() for app, secret in config.client_credentials.items()},
            config.token_ttl_seconds,
            self.clock,
        )
        self.buckets = BucketRegistry(config.bucket_size, config.restore_rate, self.clock)
        self.recorder = Recorder(config.record_dir)
        self.executor = Executor(executable_schema(), self.state, config, self.buckets, self.faults)
        self.webhooks = WebhookHub(
            self.state, domain=config.domain, api_version=config.api_version, config=config.webhooks
        )

    def set_faults(self, faults: FaultConfig | None = None, **changes: Any) -> FaultConfig:
        """Replace the fault config (or change some of its fields); the random sequence and the request count
        of the script restart."""
        return self.faults.update(faults, **changes)

    def reset(self) -> None:
        self.state.reset()
        self.buckets.reset()
        self.recorder.count = 0
        self.executor.ledger.reset()


def create_app(
    config: EmulatorConfig | None = None, *, state: ShopState | None = None, clock: Clock | None = None
) -> Starlette:
    emulator = Emulator(config or EmulatorConfig(), state, clock)
    routes = [
        Route("/admin/api/{version}/graphql.json", _graphql, methods=["POST"]),
        Route("/admin/oauth/access_token", access_token_endpoint, methods=["POST"]),
        Route("/_emulator/bulk/{op_id:int}.jsonl", _bulk_result, methods=["GET"]),
        Route("/_emulator/uploads/{token}", _upload, methods=["POST", "PUT"]),
        Route("/_emulator/files/{media_id:int}/{name}", _file, methods=["GET"]),
        Route("/_emulator/faults", faults_endpoint, methods=["GET", "POST"]),
        Route("/_emulator/seed", _seed, methods=["POST"]),
        Route("/_emulator/state", _state, methods=["GET"]),
        Route("/_emulator/reset", _reset, methods=["POST"]),
        Route("/_emulator/requests", _requests, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = emulator
    return app


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _read_graphql_body(request: Request) -> dict | None:
    raw = await request.body()
    if "application/graphql" in request.headers.get("content-type", ""):
        return {"query": raw.decode("utf-8", "replace")}
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def _graphql(request: Request) -> Response:
    emulator = _emulator(request)
    body = await _read_graphql_body(request)
    emulator.recorder.record(body or {}, dict(request.headers), request.url.path)
    version = emulator.config.served_version(request.path_params["version"])
    if (
        version is None
    ):  # not a version at all; a retired one falls forward (https://shopify.dev/docs/api/usage/versioning)
        return JSONResponse({"errors": "Not Found"}, status_code=404)
    token = request.headers.get("x-shopify-access-token", "")
    known = token in emulator.config.token_values() or emulator.oauth.valid(token)  # an expired grant is unknown
    if not known or emulator.faults.token_revoked:
        return JSONResponse({"errors": UNAUTHORIZED}, status_code=401)
    bucket = emulator.oauth.bucket_key(token)
    if (
        body is None
        or not isinstance(body.get("query"), str)
        or (body.get("variables") is not None and not isinstance(body["variables"], dict))
    ):
        return JSONResponse({"errors": {"query": "Required parameter missing or invalid"}}, status_code=400)
    decision = emulator.faults.draw()
    if decision.latency:
        await asyncio.sleep(decision.latency)
    if decision.unauthorized:  # the script revoked the token at this request
        return JSONResponse({"errors": UNAUTHORIZED}, status_code=401)
    if decision.hang:
        await asyncio.sleep(decision.hang)
    headers = {"X-Shopify-API-Version": version, "X-Request-Id": str(uuid.uuid4())}
    if decision.status == 429:
        return JSONResponse(
            {
                "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume "
                "uninterrupted service."
            },
            status_code=429,
            headers={**headers, "Retry-After": "1.0"},
        )
    if decision.status is not None:
        return Response(
            f"{decision.status} emulated server error",
            status_code=decision.status,
            media_type="text/plain",
            headers=headers,
        )
    if decision.throttled:
        return JSONResponse(emulator.executor.throttled(bucket, None), headers=headers)
    outcome = await run_in_threadpool(
        emulator.executor.run,
        body["query"],
        body.get("variables"),
        body.get("operationName"),
        bucket,
        _base_url(request),
    )
    if outcome.executed:  # applied, or a job finished (a query too): the shop raises its webhooks, answered or not
        await run_in_threadpool(emulator.webhooks.publish)
    if decision.lost_answer or (decision.drop_after_apply and outcome.is_mutation and outcome.executed):
        return Response(
            "502 Bad Gateway (emulated: applied, answer dropped)",
            status_code=502,
            media_type="text/plain",
            headers=headers,
        )
    return JSONResponse(outcome.body, headers=headers)


async def _bulk_result(request: Request) -> Response:
    state = _emulator(request).state
    with state.lock:
        op = state.bulk_operations.get(request.path_params["op_id"])
        if op is None:
            return Response("Not Found", status_code=404)
        content = op.partial_jsonl if request.query_params.get("partial") else op.jsonl
    if content is None:
        return Response("Not Found", status_code=404)
    return Response(content, media_type="application/jsonl")


async def _upload(request: Request) -> Response:
    emulator = _emulator(request)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        fields, upload = _multipart(await request.body(), content_type)
        if upload is None:
            return JSONResponse({"error": "multipart upload needs a 'file' field"}, status_code=400)
        data, part_type = upload
        mime = fields.get("Content-Type") or part_type or ""
    else:
        data, mime = await request.body(), content_type
    with emulator.state.lock:
        emulator.state.uploads[request.path_params["token"]] = (data, mime or None)
    return Response(status_code=201 if request.method == "POST" else 200)


def _multipart(body: bytes, content_type: str) -> tuple[dict[str, str], tuple[bytes, str | None] | None]:
    """The form fields and the ``file`` part (bytes, its content type) of a multipart body.

    Parsed with the standard library's MIME parser, so the emulator needs no ``python-multipart``.
    """
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, str] = {}
    upload = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name == "file":
            upload = (payload, part.get_content_type() if part.get("content-type") else None)
        elif name:
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields, upload


async def _file(request: Request) -> Response:
    state = _emulator(request).state
    with state.lock:
        media = state.media.get(request.path_params["media_id"])
        content = state.uploads.get(media.upload_key) if media and media.upload_key else None
    if content is None:
        return Response("Not Found", status_code=404)
    return Response(content[0], media_type=content[1] or "application/octet-stream")


_SEED_TYPES = {
    "products": TypeAdapter(list[m.Product]),
    "stock": TypeAdapter(list[m.StockLevel]),
    "customers": TypeAdapter(list[m.Customer]),
    "orders": TypeAdapter(list[m.Order]),
}


async def _seed(request: Request) -> Response:
    state = _emulator(request).state
    try:
        body = await request.json()
        parsed = {key: adapter.validate_python(body.get(key) or []) for key, adapter in _SEED_TYPES.items()}
    except ValidationError as exc:
        return JSONResponse({"error": "invalid seed data", "detail": json.loads(exc.json())}, status_code=422)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)

    def apply() -> dict:
        return {
            "locations": state.seed_locations(body.get("locations") or []),
            "products": state.seed_products(parsed["products"]),
            "stock": state.seed_stock(parsed["stock"]),
            "customers": state.seed_customers(parsed["customers"]),
            "orders": state.seed_orders(parsed["orders"], body.get("location_key")),
        }

    try:
        made = await run_in_threadpool(apply)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    await run_in_threadpool(_emulator(request).webhooks.publish)
    return JSONResponse(made)


async def _state(request: Request) -> Response:
    state = _emulator(request).state
    body: dict[str, Any] = {"counts": state.counts(), "cost": _emulator(request).executor.ledger.as_json()}
    if request.query_params.get("snapshot"):
        body["snapshot"] = snapshot(state)
    return JSONResponse(body)


async def _reset(request: Request) -> Response:
    _emulator(request).reset()
    return JSONResponse({"reset": True})


async def _requests(request: Request) -> Response:
    return JSONResponse({"count": _emulator(request).recorder.count})

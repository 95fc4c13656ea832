"""Admin endpoints (not part of mServer) for tests and the demo, which drive the emulator from outside.

GET|POST /_emulator/faults            read / change the fault config (partial JSON merges)
POST /_emulator/seed                  explicit lists of domain records: locations, categories, parties,
                                      products, stock, customers, images (``content_base64`` instead of
                                      ``content``); the shell builds them (``commerce_sync.samples``)
GET  /_emulator/state                 counts; ``?snapshot=1`` adds every record as plain JSON
POST /_emulator/reset                 empty accounting unit, recorder and processing log
PUT  /_emulator/documents/<path>      put a file into the documents folder (e.g. ``Obrázky/a.png``)
POST /_emulator/actions/<action>      a POHODA user's action: set_order_executed, transfer_order,
                                      cancel_order, create_delivery_note, change_stock_card,
                                      set_stock_quantity (JSON body = keyword arguments)
GET  /_emulator/requests              {"count": POST /xml requests received}
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain import models as m
from emulators.faults import faults_endpoint

from .snapshot import _plain, snapshot


class LocationSeed(BaseModel):
    """A location as the seed JSON gives it (the shape of ``connectors.erp.port.Location``)."""

    model_config = ConfigDict(extra="forbid")
    erp_key: str = Field(min_length=1)
    name: str = Field(min_length=1)


_SEED_TYPES: dict[str, TypeAdapter] = {
    "locations": TypeAdapter(list[LocationSeed]),
    "categories": TypeAdapter(list[m.Category]),
    "parties": TypeAdapter(list[m.Party]),
    "products": TypeAdapter(list[m.Product]),
    "stock": TypeAdapter(list[m.StockLevel]),
    "customers": TypeAdapter(list[m.Customer]),
}
ACTIONS = (
    "set_order_executed",
    "transfer_order",
    "cancel_order",
    "create_delivery_note",
    "change_stock_card",
    "set_stock_quantity",
)


def routes() -> list[Route]:
    return [
        Route("/_emulator/faults", faults_endpoint, methods=["GET", "POST"]),
        Route("/_emulator/seed", _seed, methods=["POST"]),
        Route("/_emulator/state", _state, methods=["GET"]),
        Route("/_emulator/reset", _reset, methods=["POST"]),
        Route("/_emulator/documents/{path:path}", _put_document, methods=["PUT"]),
        Route("/_emulator/actions/{action}", _action, methods=["POST"]),
        Route("/_emulator/requests", _requests, methods=["GET"]),
    ]


def _emulator(request: Request) -> Any:
    return request.app.state.emulator


def _images(raw: list[dict[str, Any]]) -> list[m.Image]:
    images = []
    for index, entry in enumerate(raw):
        entry = dict(entry)
        if "content_base64" in entry:
            try:
                entry["content"] = base64.b64decode(entry.pop("content_base64"), validate=True)
            except ValueError as exc:
                raise ValueError(f"images[{index}].content_base64: {exc}") from None
        images.append(m.Image(**entry))
    return images


async def _seed(request: Request) -> Response:
    state = _emulator(request).state
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("the seed body must be a JSON object")
        parsed = {key: adapter.validate_python(body.get(key) or []) for key, adapter in _SEED_TYPES.items()}
        parsed["images"] = _images(body.get("images") or [])
    except ValidationError as exc:
        return JSONResponse({"error": "invalid seed data", "detail": json.loads(exc.json())}, status_code=422)
    except (ValueError, TypeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    try:
        report = await run_in_threadpool(lambda: state.seed(**parsed))
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    return JSONResponse(report.counts())


async def _state(request: Request) -> Response:
    emulator = _emulator(request)
    body: dict[str, Any] = {"counts": emulator.state.counts()}
    if request.query_params.get("snapshot"):
        body["snapshot"] = snapshot(emulator.state)
    return JSONResponse(body)


async def _reset(request: Request) -> Response:
    _emulator(request).reset()
    return JSONResponse({"reset": True})


async def _put_document(request: Request) -> Response:
    _emulator(request).state.put_document(request.path_params["path"], await request.body())
    return Response(status_code=201)


async def _action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ACTIONS:
        return JSONResponse({"error": f"unknown action {action!r}; one of {list(ACTIONS)}"}, status_code=404)
    try:
        arguments = await request.json() if await request.body() else {}
        if "lines" in arguments and isinstance(arguments["lines"], dict):
            arguments["lines"] = {k: Decimal(str(v)) for k, v in arguments["lines"].items()}
        result = getattr(_emulator(request).state, action)(**arguments)
    except (KeyError, ValueError, TypeError) as exc:
        return JSONResponse({"error": str(exc).strip('"')}, status_code=422)
    return JSONResponse(_plain(result))


async def _requests(request: Request) -> Response:
    return JSONResponse({"count": _emulator(request).recorder.count})

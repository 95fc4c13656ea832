"""Running the emulator: blocking (``serve``, the CLI and the demo), in a background thread on a free port
(``running_emulator``, end-to-end tests), or in-process without a socket (``emulator_client``, unit tests).

``emulator_client`` is Starlette's ``TestClient`` (an ``httpx.Client``), so a sync connector that takes an
``httpx.Client`` can be pointed at it directly. It cannot emulate a client-side timeout (no socket); use
``running_emulator`` for the ``timeout`` fault. The runner itself is :mod:`emulators.serving`, shared with
the POHODA emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from starlette.applications import Starlette

from emulators import serving

from .app import Emulator, create_app
from .config import EmulatorConfig


def emulator_of(app: Starlette) -> Emulator:
    return app.state.emulator


def serve(
    config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0, app: Starlette | None = None
) -> None:
    """Serve until interrupted (Ctrl-C). Port 0 picks a free port; uvicorn logs the one it got."""
    serving.serve(app or create_app(config), host, port)


@contextmanager
def running_emulator(
    config: EmulatorConfig | None = None, *, app: Starlette | None = None, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Start uvicorn in a background thread on a free port; yields the base URL (``http://127.0.0.1:PORT``)."""
    with serving.running(app or create_app(config), host=host, what="Shopify emulator") as base_url:
        yield base_url


def emulator_client(
    config: EmulatorConfig | None = None, *, app: Starlette | None = None, base_url: str | None = None
) -> httpx.Client:
    """An in-process ``httpx.Client`` talking to a fresh (or the given) emulator app.

    The base URL defaults to ``https://<shop>.myshopify.com`` so URLs the emulator hands out (bulk results,
    staged uploads, images) resolve through the same client.
    """
    app = app or create_app(config)
    return serving.in_process_client(app, base_url or f"https://{emulator_of(app).config.domain}")

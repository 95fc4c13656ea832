"""Running the emulator: blocking (``serve``, the CLI and the demo), in a background thread on a free port
(``running_emulator``, end-to-end tests), or in-process without a socket (``emulator_client``, unit tests).

``emulator_client`` is Starlette's ``TestClient`` (an ``httpx.Client``), so a sync connector that takes an
``httpx.Client`` can be pointed at it directly. It cannot emulate a client-side timeout (no socket); use
``running_emulator`` for the ``timeout`` fault.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette

from .app import Emulator, create_app
from .config import EmulatorConfig


def emulator_of(app: Starlette) -> Emulator:
    return app.state.emulator


def serve(
    config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0, app: Starlette | None = None
) -> None:
    """Serve until interrupted (Ctrl-C). Port 0 picks a free port; uvicorn logs the one it got."""
    uvicorn.run(app or create_app(config), host=host, port=port, log_level="info")


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the main thread keeps its handlers
        pass


@contextmanager
def running_emulator(
    config: EmulatorConfig | None = None, *, app: Starlette | None = None, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Start uvicorn in a background thread on a free port; yields the base URL (``http://127.0.0.1:PORT``)."""
    app = app or create_app(config)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it every
    # answer waits ~40 ms for a delayed ACK (Nagle)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = _ThreadedServer(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"shopify-emulator-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Shopify emulator did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def emulator_client(
    config: EmulatorConfig | None = None, *, app: Starlette | None = None, base_url: str | None = None
) -> httpx.Client:
    """An in-process ``httpx.Client`` talking to a fresh (or the given) emulator app.

    The base URL defaults to ``https://<shop>.myshopify.com`` so URLs the emulator hands out (bulk results,
    staged uploads, images) resolve through the same client.
    """
    with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx is what the project uses
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    app = app or create_app(config)
    domain = emulator_of(app).config.domain
    return TestClient(app, base_url=base_url or f"https://{domain}", raise_server_exceptions=True)

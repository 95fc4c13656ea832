"""Running an emulator app, for both emulators: blocking (``serve``), in a background thread on a free port
(``running``, end-to-end tests and the demo), or in-process without a socket (``in_process_client``).

Each emulator's ``server`` module wraps these with its own config type and defaults, so callers keep saying
``shopify.running_emulator(app=...)`` or ``pohoda.emulator_client(config)``.
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

STARTUP_SECONDS = 10.0


def serve(app: Starlette, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C). Port 0 picks a free port; uvicorn logs the one it got."""
    uvicorn.run(app, host=host, port=port, log_level="info")


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the main thread keeps its handlers
        pass


@contextmanager
def running(app: Starlette, *, host: str, what: str) -> Iterator[str]:
    """Start uvicorn in a background thread on a free port; yields the base URL (``http://127.0.0.1:PORT``).

    ``what`` names the emulator in the thread's name and in the error raised when it does not start.
    """
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it every
    # answer waits ~40 ms for a delayed ACK (Nagle)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = _ThreadedServer(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"{what}-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the {what} did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def in_process_client(app: Starlette, base_url: str) -> httpx.Client:
    """Starlette's ``TestClient`` (an ``httpx.Client``) on ``app``: no socket, requests run one at a time, and a
    client-side timeout cannot happen (use ``running`` for that)."""
    with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx is what the project uses
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(app, base_url=base_url, raise_server_exceptions=True)

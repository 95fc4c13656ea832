"""Running the emulator: blocking (``serve``, the CLI and the demo), in a background thread on a free port
(``running_emulator``, end-to-end tests), or in-process without a socket (``emulator_client``, unit tests).

``emulator_client`` is Starlette's ``TestClient`` (an ``httpx.Client``), so a connector that takes an
``httpx.Client`` can be pointed at it directly. Its requests run one at a time anyway; use
``running_emulator`` to exercise mServer's one-at-a-time processing with real concurrent clients. The runner
itself is :mod:`emulators.serving`, shared with the Shopify emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from starlette.applications import Starlette

from emulators import serving

from .app import PohodaEmulator, create_app
from .config import PohodaEmulatorConfig


def emulator_of(app: Starlette) -> PohodaEmulator:
    return app.state.emulator


def serve(
    config: PohodaEmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0, app: Starlette | None = None
) -> None:
    """Serve until interrupted (Ctrl-C). Port 0 picks a free port; uvicorn logs the one it got.
    mServer listens on IPv4 only, so ``127.0.0.1`` (not ``localhost``) is the default."""
    serving.serve(app or create_app(config), host, port)


@contextmanager
def running_emulator(
    config: PohodaEmulatorConfig | None = None, *, app: Starlette | None = None, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Start uvicorn in a background thread on a free port; yields the base URL (``http://127.0.0.1:PORT``)."""
    with serving.running(app or create_app(config), host=host, what="POHODA mServer emulator") as base_url:
        yield base_url


def emulator_client(
    config: PohodaEmulatorConfig | None = None, *, app: Starlette | None = None, base_url: str = "http://127.0.0.1:444"
) -> httpx.Client:
    """An in-process ``httpx.Client`` talking to a fresh (or the given) emulator app (444 = mServer's default)."""
    return serving.in_process_client(app or create_app(config), base_url)

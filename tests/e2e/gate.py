"""A gate in front of the Shopify emulator: GraphQL requests wait at it until the test opens it.

Why: to show that two flow runs of different categories really run at the same time, each must be caught
inside its work (past its category lock, at its first Shopify call) while the other is too. A latency fault
only makes that likely — on a busy machine the worker can start the second run many seconds after the
first — while a gate makes it certain whatever the machine's speed: the test waits until both runs' requests
are held, then opens the gate.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


class ShopifyGate:
    """A forwarding HTTP server; ``POST .../graphql.json`` waits while the gate is closed (it starts closed)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._changed = threading.Condition()
        self._open = False
        self.waiting = 0
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                gate._forward(self)

            def do_POST(self) -> None:
                if self.path.endswith("/graphql.json"):
                    gate._hold()
                gate._forward(self)

            do_PUT = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="shopify-gate", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ShopifyGate:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.open()
        self._server.shutdown()
        self._server.server_close()

    def open(self) -> None:
        with self._changed:
            self._open = True
            self._changed.notify_all()

    def wait_until_holding(self, count: int, timeout: float) -> bool:
        """True once ``count`` requests wait at the closed gate at the same time."""
        with self._changed:
            return self._changed.wait_for(lambda: self.waiting >= count, timeout=timeout)

    def _hold(self) -> None:
        with self._changed:
            self.waiting += 1
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._open)
            self.waiting -= 1

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        answer = httpx.request(
            handler.command, self.upstream + handler.path, content=body, headers=headers, timeout=120
        )
        handler.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in _HOP_BY_HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(answer.content)))
        handler.end_headers()
        handler.wfile.write(answer.content)

"""Request recording: with a record dir set, each GraphQL request becomes ``shopify-<seq>.json`` there.

The file holds ``query``, ``variables`` and ``operationName`` as received, plus the request headers with the
access token replaced by ``[REDACTED]`` — recordings get attached to bug reports and must never carry secrets.
"""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any

REDACTED = "[REDACTED]"
_SECRET_HEADERS = {"x-shopify-access-token", "authorization", "cookie"}


class Recorder:
    def __init__(self, directory: Path | None):
        self.directory = Path(directory) if directory else None
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.count = 0

    def record(self, body: Any, headers: dict[str, str], path: str) -> Path | None:
        with self._lock:
            self.count += 1
            if self.directory is None:
                return None
            self.directory.mkdir(parents=True, exist_ok=True)
            entry = {
                "query": body.get("query") if isinstance(body, dict) else None,
                "variables": body.get("variables") if isinstance(body, dict) else None,
                "operationName": body.get("operationName") if isinstance(body, dict) else None,
                "path": path,
                "headers": {k: REDACTED if k.lower() in _SECRET_HEADERS else v for k, v in headers.items()},
            }
            while True:
                target = self.directory / f"shopify-{next(self._seq):06d}.json"
                try:
                    with target.open("x", encoding="utf-8") as handle:
                        json.dump(entry, handle, indent=2, sort_keys=True, default=str)
                    return target
                except FileExistsError:
                    continue

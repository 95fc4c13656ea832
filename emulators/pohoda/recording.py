"""Request recording: with a record dir set, each ``POST /xml`` body is written as ``pohoda-<seq>.xml``.

The body is stored byte for byte (its own prolog and encoding), so a recording replays exactly. Credentials
travel in the ``STW-Authorization`` header, never in the body, so nothing secret reaches the files.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path


class Recorder:
    def __init__(self, directory: Path | None):
        self.directory = Path(directory) if directory else None
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.count = 0

    def record(self, body: bytes) -> Path | None:
        with self._lock:
            self.count += 1
            if self.directory is None:
                return None
            self.directory.mkdir(parents=True, exist_ok=True)
            while True:  # another emulator may record into the same directory
                target = self.directory / f"pohoda-{next(self._seq):06d}.xml"
                try:
                    with target.open("xb") as handle:
                        handle.write(body)
                    return target
                except FileExistsError:
                    continue

    def reset(self) -> None:
        with self._lock:
            self._seq = itertools.count(1)
            self.count = 0

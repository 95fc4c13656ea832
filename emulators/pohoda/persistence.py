"""A state file: the emulated company outlives the emulator process, as POHODA's database outlives mServer.

mServer is a Pohoda.exe process in front of the company's database; killing it loses the request it was
processing, never what it imported before. POHODA imports a dataPack item by item — each item gets its own
answer and state (``rsp:responsePackItem/@state`` in ``../shared/reference/pohoda/xsd/response.xsd``), and one
that fails does not undo the others (:mod:`emulators.pohoda.processor`) — so a death mid-dataPack keeps the
items imported before it and loses the one in progress and the rest (the most hostile reading: a client that
lost the answer cannot tell how far it got).

The emulator keeps its company in memory; with ``--state-file PATH`` it writes it to ``PATH`` after every item
that changed it and after every admin request that may have (seed, reset, documents, user actions), and a
restarted emulator starts from it. The file is replaced atomically (write beside it, then rename), so a kill
during a write leaves the previous one. Pickle: the file is the emulator's own, written and read by the same
code, never anything received over the wire.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from .state import PohodaState

TRANSIENT = ("lock", "clock")
"""What a state holds that is not the company's data: rebuilt by the process that loads it."""


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, state: PohodaState) -> None:
        with state.lock:
            data = {k: v for k, v in vars(state).items() if k not in TRANSIENT}
            body = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        with partial.open("wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)

    def load_into(self, state: PohodaState) -> bool:
        """Restore ``state`` from the file; False (``state`` untouched) when there is none yet."""
        try:
            body = self.path.read_bytes()
        except FileNotFoundError:
            return False
        data: dict[str, Any] = pickle.loads(body)
        with state.lock:
            for key, value in data.items():
                setattr(state, key, value)
        return True

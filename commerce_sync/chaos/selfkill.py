"""Kill points on the real stack: a flow-run process that sends itself SIGKILL at the N-th event of a kind.

The simulated chaos days (:mod:`commerce_sync.chaos.kills`) raise ``WorkerKilled`` at a kill point — between two
tasks, before a request, after a write was applied, before a state write, before the cursor commit — and every
``finally`` still runs. Here the same injector, armed through the environment of one flow run, kills the process
for real at that point: ``os.kill(os.getpid(), SIGKILL)``, nothing after it runs.

The harness (``commerce_sync/chaos/real.py``) starts the flow run with, in its job environment:

- ``PYTHONPATH`` starting with :data:`BOOT_DIR`, whose ``sitecustomize`` calls :func:`install_from_env` when the
  interpreter starts — before Prefect's engine imports the flow;
- ``COMMERCE_SYNC_CHAOS_PORTS``: the emulators' ports (only requests to them count, never the Prefect API's);
- ``COMMERCE_SYNC_CHAOS_TRACE``: a file each event is appended to (``kind<TAB>label``), from which a clean
  day's trace is read back to draw the crash day's kill points;
- ``COMMERCE_SYNC_CHAOS_KILL_AT``: the kill point, ``kind#ordinal`` (e.g. ``applied#2``); absent: trace only.

A process without these variables is not touched.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from commerce_sync.chaos.kills import KINDS, Event, Injector, KillPoint, injected

BOOT_DIR = Path(__file__).resolve().parent / "boot"
ENV_PORTS = "COMMERCE_SYNC_CHAOS_PORTS"
ENV_TRACE = "COMMERCE_SYNC_CHAOS_TRACE"
ENV_KILL_AT = "COMMERCE_SYNC_CHAOS_KILL_AT"

_installed = ExitStack()


def parse_point(text: str) -> KillPoint:
    kind, _, ordinal = text.partition("#")
    if kind not in KINDS or not ordinal.isdigit() or int(ordinal) < 1:
        raise ValueError(f"{ENV_KILL_AT}={text!r}: expected kind#N with kind one of {', '.join(KINDS)}, N ≥ 1")
    return KillPoint(kind, int(ordinal))


def install_from_env(environ: os._Environ[str] | dict[str, str] = os.environ) -> Injector | None:
    """Arm this process as its environment says (see the module docstring); None when it says nothing."""
    if ENV_PORTS not in environ:
        return None
    ports = {int(port) for port in environ[ENV_PORTS].split(",") if port}
    point = parse_point(environ[ENV_KILL_AT]) if environ.get(ENV_KILL_AT) else None
    trace = Path(environ[ENV_TRACE]) if environ.get(ENV_TRACE) else None
    injector = Injector(ports=ports, point=point, die=_die, on_event=_writer(trace) if trace else None)
    _installed.enter_context(injected(injector))  # for the process's lifetime
    return injector


def read_trace(path: Path) -> Counter[str]:
    """How many events of each kind a traced run went through (a missing file: none)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return Counter()
    return Counter(line.split("\t", 1)[0] for line in lines if line)


def _writer(path: Path) -> Callable[[Event], None]:
    out = path.open("a", encoding="utf-8", buffering=1)  # line-buffered: a killed process loses nothing written

    def write(event: Event) -> None:
        out.write(f"{event.kind}\t{event.label}\n")

    return write


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)

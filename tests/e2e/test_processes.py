"""What `commerce-sync demo --serve` and the e2e fixture rely on to leave nothing running: stop by pid, the
whole process group, SIGKILL for a process that ignores SIGTERM, and children that started their own session
(as the process worker does for every flow run)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from commerce_sync.processes import Started, alive, descendants, free_port, start_process, stop_process, wait_until

SLEEP = "import time; time.sleep(120)"


def _start(tmp_path: Path, code: str) -> Started:
    started = start_process("parent", [sys.executable, "-c", code], dict(os.environ), tmp_path)
    wait_until(lambda: "ready" in started.tail(), "the test process is ready", 60, started)
    return started


def test_stopping_a_process_also_stops_a_child_that_left_its_process_group(tmp_path: Path) -> None:
    started = _start(
        tmp_path,
        (
            "import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {SLEEP!r}], start_new_session=True)\n"
            "print('ready', flush=True); time.sleep(120)"
        ),
    )
    children = descendants(started.pid)
    assert len(children) == 1 and os.getpgid(children[0]) != started.pid

    stopped = stop_process(started, timeout=10)

    assert set(stopped) == {started.pid, *children}
    assert [pid for pid in stopped if alive(pid)] == []


def test_a_process_that_ignores_sigterm_is_killed_after_the_timeout(tmp_path: Path) -> None:
    started = _start(
        tmp_path,
        (
            "import signal, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('ready', flush=True); time.sleep(120)"
        ),
    )

    stop_process(started, timeout=1)

    assert started.process.returncode == -9
    assert not alive(started.pid)


def test_the_preferred_port_is_used_unless_something_listens_on_it() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert free_port(preferred=taken) != taken
    assert free_port(preferred=taken) == taken

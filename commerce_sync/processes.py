"""Processes a local installation is made of: started in sessions of their own, stopped by pid.

A process started here leads its own session, so its process group id is its pid: stopping it signals the
whole group (SIGTERM, then SIGKILL after a timeout) and cannot reach anything else. Children that started a
session of their own — Prefect's process worker does that for every flow run — are found through ``/proc``
before the group is signalled and stopped by their pids too. Used by ``commerce-sync demo --serve`` and by the
end-to-end tests, which check that nothing they started outlives them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Started:
    """A process this module started: its own session (so its group id is its pid) and a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_process(name: str, argv: list[str], env: dict[str, str], log_dir: Path, cwd: Path = REPO_ROOT) -> Started:
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Started(name=name, process=process, log=log)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux ``/proc``; elsewhere none): flow runs live in sessions of their own."""
    children: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def stop_process(started: Started, timeout: float = 20.0) -> list[int]:
    """SIGTERM the process group, SIGKILL it after ``timeout``; then the same for children outside the group.

    Returns every pid it stopped (the process and the descendants it found), so a caller can check they are gone.
    """
    if started.process.poll() is not None:
        return [started.pid]
    strays = descendants(started.pid)
    _signal_group(started.pid, signal.SIGTERM)
    try:
        started.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(started.pid, signal.SIGKILL)
        started.process.wait(timeout=10)
    for pid in strays:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            time.sleep(0.5)
    return [started.pid, *strays]


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process took the pid
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True  # no /proc: the signal check is all there is


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def free_port(host: str = "127.0.0.1", preferred: int | None = None) -> int:
    """``preferred`` when nothing listens on it, else a port the OS hands out.

    The probe binds with ``SO_REUSEADDR``, as the servers do: a port whose last server stopped a moment ago is
    in TIME_WAIT for a minute, which a plain bind takes for "in use" (a restarted demo then moved its UI off
    4200), while a port something still listens on is refused either way."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")  # the OS always has one for port 0


def wait_until(check: Callable[[], bool], what: str, timeout: float, started: Started | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if started is not None and started.process.poll() is not None:
            raise RuntimeError(f"{started.name} exited ({started.process.returncode}) before {what}:\n{started.tail()}")
        if time.monotonic() > deadline:
            log = f":\n{started.tail()}" if started else ""
            raise TimeoutError(f"{what}: not after {timeout:.0f} s{log}")
        time.sleep(0.3)


def answers(url: str) -> Callable[[], bool]:
    """A check for :func:`wait_until`: ``url`` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return check

"""What the real-death harness does to the pieces of a :class:`~commerce_sync.serve.LocalStack`, and how it
reads them back: processes killed and started again alike, the ERP database's connections cut, flow-run
processes found by their run id.

Every process of the stack leads a session of its own (``commerce_sync/processes.py``): a signal to its process
group reaches it and its children (the server's uvicorn) and nothing else. The process worker starts each flow
run in a session of its own too, so a worker killed alone leaves its runs running, as on a real machine whose
worker service restarts; :func:`kill_worker` with ``with_runs`` kills them as well, as a machine that dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from commerce_sync.processes import Started, alive, answers, descendants, start_process, wait_until
from commerce_sync.serve import LocalStack


def flow_run_pid(flow_run_id: str) -> int | None:
    """The pid of the process worker's process running ``flow_run_id`` (its environment names the run)."""
    needle = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            return int(entry.name)
    return None


def flow_run_pids(stack: LocalStack) -> list[int]:
    """Every flow-run process the worker started that is still alive."""
    worker = _started(stack, "worker")
    return [pid for pid in descendants(worker.pid) if _is_flow_run(pid)] if worker else []


def restart(
    stack: LocalStack, name: str, sig: signal.Signals, ready: Callable[[], bool], timeout: float = 300
) -> float:
    """Stop process ``name`` of the stack with ``sig`` to its group (SIGKILL after 20 s), start it again with the
    same command and environment, and wait until ``ready``; returns the seconds it was not answering."""
    old = _started(stack, name)
    if old is None:
        raise KeyError(f"the stack has no process {name!r}")
    stopped = time.monotonic()
    _signal_group(old, sig)
    try:
        old.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        _signal_group(old, signal.SIGKILL)
        old.process.wait(timeout=10)
    argv, env = stack.commands[name]
    new = start_process(name, argv, env, stack.logs)
    stack.started[stack.started.index(old)] = new
    wait_until(ready, f"{name} ready again", timeout, new)
    return time.monotonic() - stopped


def restart_server(stack: LocalStack, sig: signal.Signals) -> float:
    return restart(stack, "prefect-server", sig, answers(f"{stack.api_url}/health"))


def restart_mserver(stack: LocalStack, shop: str) -> float:
    """SIGKILL the shop's mServer emulator and start it again on the same port and state file."""
    return restart(stack, f"pohoda-{shop}", signal.SIGKILL, answers(f"{stack.pohoda_urls[shop]}/status"))


def kill_worker(stack: LocalStack, with_runs: bool) -> tuple[float, list[int]]:
    """SIGKILL the process worker (and, ``with_runs``, every flow-run process it started), then start a new one;
    returns the seconds no worker ran and the flow-run pids killed."""
    worker = _started(stack, "worker")
    if worker is None:
        raise KeyError("the stack has no worker")
    runs = flow_run_pids(stack) if with_runs else []
    log_size = worker.log.stat().st_size
    stopped = time.monotonic()
    _signal_group(worker, signal.SIGKILL)
    for pid in runs:
        _kill(pid)
    worker.process.wait(timeout=10)

    def started_again() -> bool:
        with worker.log.open("rb") as log:
            log.seek(log_size)
            return b"started" in log.read().lower()

    restart(stack, "worker", signal.SIGKILL, started_again)
    return time.monotonic() - stopped, runs


def erp_backends(admin_url: str, erp_url: str) -> int:
    """Connections open to the ERP's database (the runs' pooled ones, idle or writing)."""
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            return int(conn.execute(sa.text(query), {"db": sa.make_url(erp_url).database}).scalar_one())
    finally:
        admin.dispose()


def terminate_erp_backends(admin_url: str, erp_url: str) -> int:
    """End every connection to the ERP's database (``pg_terminate_backend``), as a database restart does to its
    clients; returns how many. The cluster itself is shared with other databases, so it is not restarted."""
    import sqlalchemy as sa

    database = sa.make_url(erp_url).database
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(ended)


def mserver_processing(stack: LocalStack, shop: str) -> int:
    """How many ``POST /xml`` requests the shop's mServer is processing or holding (its ``/status``)."""
    import httpx
    from lxml import etree

    try:
        response = httpx.get(f"{stack.pohoda_urls[shop]}/status", timeout=2)
        root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    except (httpx.HTTPError, etree.XMLSyntaxError):
        return 0
    found = root.findtext(".//processing")
    return int(found) if found and found.isdigit() else 0


def pid_alive(pid: int) -> bool:
    return alive(pid)


def _started(stack: LocalStack, name: str) -> Started | None:
    return next((s for s in stack.started if s.name == name), None)


def _signal_group(started: Started, sig: signal.Signals) -> None:
    try:
        os.killpg(started.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _is_flow_run(pid: int) -> bool:
    try:
        return b"PREFECT__FLOW_RUN_ID=" in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False

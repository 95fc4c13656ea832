"""What a run killed with SIGKILL leaves behind, cleared by the next run that may: its run record still
"running", the POHODA stock export folder it was writing, and the process worker's scratch folder of the run.

A killed process runs no ``finally``. Maintenance clears all of it for its shop (it holds every lock of the shop);
every other run clears what a dead run sharing its lock left (:func:`close_dead_runs`, called when it opens), so
the run history and the temporary directory are honest again within one run of the kill.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from uuid import UUID

from connectors.state import RunStatus, StateStore
from domain.categories import Category, locks_for

WORKSPACE_GRACE_SECONDS = 60.0
"""How long after its run ended a worker's scratch folder is left to the worker that made it (which removes it
the moment the run's process exits, unless the worker died first)."""

DEAD_RUN_REASON = "the run's process died before it recorded an outcome (closed by the next run holding its lock)"


def close_dead_runs(state: StateStore, shop: str, sync_type: str) -> list[str]:
    """Close as failed the run records that a run sharing a lock with this one left "running", remove the
    POHODA stock export folders a dead catalogue run left and the worker scratch folders of runs whose worker
    died (:func:`dead_worker_workspaces`); returns what it did, one line each.

    The caller holds its category's lock (``sync_run`` opens the run inside it), and every run writes its record
    inside its own locks: a "running" record of a sync type that shares a lock with this one belongs to a process
    that died (SIGKILL, a power cut: no ``finally`` ran). Closing it here, rather than at the next maintenance,
    keeps the run history honest within one run of the kill.
    """
    mine = set(locks_for(shop, sync_type))
    dead = [
        r
        for r in state.list_runs(shop, limit=1_000_000)
        if r.status is RunStatus.RUNNING and mine & set(locks_for(shop, r.sync_type))
    ]
    lines = []
    for record in dead:
        error = {"record": f"run {record.id}", "field": None, "reason": DEAD_RUN_REASON}
        state.finish_run(record.id, RunStatus.FAILED, record.counts, [error])
        lines.append(
            f"closed the run record of {record.sync_type} (flow run {record.flow_run_id}, started"
            f" {record.started_at:%Y-%m-%d %H:%M}) as failed: {DEAD_RUN_REASON}"
        )
    if f"{shop}:{Category.CATALOG.value}" in mine and (folders := dead_export_folders(shop)):
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        lines.append(f"removed {len(folders)} stock export folder(s) a dead run left in {folders[0].parent}")
    if workspaces := dead_worker_workspaces():
        for folder in workspaces:
            shutil.rmtree(folder, ignore_errors=True)
        lines.append(
            f"removed {len(workspaces)} scratch folder(s) of runs whose worker died, in {workspaces[0].parent}"
        )
    return lines


def dead_export_folders(shop: str) -> list[Path]:
    """The shop's POHODA stock export folders (``tasks/pohoda_export.py``) in this machine's temporary directory.

    A run removes its own on the way out; one killed with SIGKILL cannot. Only a run holding the shop's catalogue
    lock may call this (maintenance holds every lock): then none of them belongs to a live run. ``mkdtemp``'s
    suffix has no hyphen, so shop ``demo`` never matches ``demo-pohoda``'s folders.
    """
    prefix = f"cs-stock-export-{shop}-"
    root = Path(tempfile.gettempdir())
    return sorted(p for p in root.glob(f"{prefix}*") if p.is_dir() and "-" not in p.name[len(prefix) :])


def dead_worker_workspaces(older_than: float = WORKSPACE_GRACE_SECONDS) -> list[Path]:
    """The process worker's per-run scratch folders in this machine's temporary directory whose run (on this
    server) ended ``older_than`` seconds ago: their worker died before it could remove them (a live worker
    removes its own as the run's process exits). A folder of a run this server does not know is another
    server's, and is left alone. Per run that is ``prefect-workspace-attempt-*``
    (the run's id in ``supervisor.json``, its environment in ``workspace.json``) and the empty working folder
    ``tmp…prefect`` it names as ``workspace_root``."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    root = Path(tempfile.gettempdir())
    found: list[Path] = []
    folders = sorted(root.glob("prefect-workspace-attempt-*"))
    if not folders:
        return found
    with get_client(sync_client=True) as client:
        for folder in folders:
            try:
                supervisor = json.loads((folder / "supervisor.json").read_text())
                run_id = UUID(supervisor["flow_run_id"])
            except (OSError, ValueError, KeyError):
                continue  # being written, or not a worker's: leave it
            try:
                state = client.read_flow_run(run_id).state
            except ObjectNotFound:
                # another Prefect server's run (a second installation or a test stack on this machine shares the
                # temporary directory): its worker may be about to read the folder — removing it crashed that run
                continue
            if state is None or not state.is_final() or time.time() - state.timestamp.timestamp() <= older_than:
                continue
            found.append(folder)
            working = Path(str(supervisor.get("workspace_root", "")))
            if working.parent == root and working.name.endswith("prefect") and working.is_dir():
                found.append(working)
    return found

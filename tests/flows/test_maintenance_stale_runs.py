"""A run killed with SIGKILL leaves its run record "running"; maintenance closes it as failed and says so."""

from __future__ import annotations

import tempfile

from connectors.state import StateStore
from connectors.state.runs import RunStatus
from flows.maintenance import MaintenanceParams, maintenance
from tasks.maintenance import STALE_REASON


def _seed_runs(sqlite_shop) -> tuple[int, int]:
    seeded = StateStore.from_url(sqlite_shop.db_url)
    seeded.create_schema()
    finished = seeded.start_run(sqlite_shop.name, "sync_products", "flow-run-1", None, None)
    seeded.finish_run(finished, "completed", {"created": 3})
    dead = seeded.start_run(sqlite_shop.name, "sync_orders", "flow-run-2", None, None)  # its process was killed
    seeded.engine.dispose()
    return finished, dead


def test_maintenance_closes_run_records_a_dead_process_left_running(sqlite_shop):
    finished, dead = _seed_runs(sqlite_shop)

    report = maintenance(MaintenanceParams(shop=sqlite_shop.name))

    runs = {r.id: r for r in sqlite_shop.state.list_runs(sqlite_shop.name)}
    assert runs[dead].status is RunStatus.FAILED
    assert runs[dead].errors == [{"record": f"run {dead}", "field": None, "reason": STALE_REASON}]
    assert runs[finished].status is RunStatus.COMPLETED and runs[finished].counts == {"created": 3}
    assert [r.status for r in runs.values() if r.sync_type == "maintenance"] == [RunStatus.COMPLETED]
    assert any("closed 1 run record(s) left running" in note and "flow-run-2" in note for note in report.notes)


def test_a_dry_run_only_reports_the_stale_records(sqlite_shop):
    _, dead = _seed_runs(sqlite_shop)

    report = maintenance(MaintenanceParams(shop=sqlite_shop.name, dry_run=True))

    assert {r.id: r.status for r in sqlite_shop.state.list_runs(sqlite_shop.name)}[dead] is RunStatus.RUNNING
    assert any("1 run record(s) left running by a dead process" in note for note in report.notes)


def test_maintenance_removes_the_export_folders_of_a_killed_run_and_no_other_shops(sqlite_shop, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"cs-stock-export-{sqlite_shop.name}-9rz43r_d"
    dead.mkdir()
    (dead / "stock-00001.xml").write_text("<x/>")
    other_shop = tmp_path / f"cs-stock-export-{sqlite_shop.name}-pohoda-siix89p4"
    other_shop.mkdir()

    report = maintenance(MaintenanceParams(shop=sqlite_shop.name))

    assert not dead.exists() and other_shop.exists()
    assert any("removed 1 stock export folder(s)" in note for note in report.notes)


def test_the_next_run_of_a_category_closes_what_a_killed_run_of_it_left(sqlite_shop, tmp_path, monkeypatch):
    """Between two maintenances: the record a killed orders run left is closed by the next orders run (which holds
    the same lock), while another category's is left to a run of that category."""
    from flows.params import SyncParams
    from flows.sync_payments import sync_payments
    from tasks.leftovers import DEAD_RUN_REASON

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    export = tmp_path / f"cs-stock-export-{sqlite_shop.name}-9rz43r_d"  # a catalogue run's: not this run's to remove
    export.mkdir()
    seeded = StateStore.from_url(sqlite_shop.db_url)
    seeded.create_schema()
    dead_orders = seeded.start_run(sqlite_shop.name, "sync_orders", "flow-run-killed", None, None)
    catalog = seeded.start_run(sqlite_shop.name, "sync_products", "flow-run-elsewhere", None, None)
    seeded.engine.dispose()

    sync_payments(SyncParams(shop=sqlite_shop.name), return_state=True)

    runs = {r.id: r for r in sqlite_shop.state.list_runs(sqlite_shop.name)}
    assert runs[dead_orders].status is RunStatus.FAILED
    assert runs[dead_orders].errors == [{"record": f"run {dead_orders}", "field": None, "reason": DEAD_RUN_REASON}]
    assert runs[catalog].status is RunStatus.RUNNING
    assert export.exists()
    assert [r.status for r in runs.values() if r.sync_type == "sync_payments"] == [RunStatus.COMPLETED]


def test_the_next_catalogue_run_removes_the_export_folder_a_killed_run_left(sqlite_shop, tmp_path, monkeypatch):
    from flows.params import SyncParams
    from flows.sync_categories import sync_categories

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"cs-stock-export-{sqlite_shop.name}-9rz43r_d"
    dead.mkdir()
    (dead / "stock-00001.xml").write_text("<x/>")

    sync_categories(SyncParams(shop=sqlite_shop.name), return_state=True)

    assert not dead.exists()


def test_the_scratch_folders_of_runs_whose_worker_died_are_found_once_their_runs_are_over(tmp_path, monkeypatch):
    """A process worker removes a run's ``prefect-workspace-attempt-*`` folder when the run's process exits;
    a worker that was killed cannot. Folders of runs still going, of runs another Prefect server knows (a test
    stack or a second installation on the machine: removing one crashed that server's run as it started), or of
    files not the worker's, stay."""
    import json
    import uuid

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed, Running

    from tasks.leftovers import dead_worker_workspaces

    @flow
    def some_sync() -> None:
        pass

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with get_client(sync_client=True) as client:
        over = client.create_flow_run(some_sync, state=Crashed())
        going = client.create_flow_run(some_sync, state=Running())
    folders = {}
    for name, run_id in (("over", over.id), ("going", going.id), ("unknown", uuid.uuid4())):
        folders[name] = tmp_path / f"prefect-workspace-attempt-{name}"
        folders[name].mkdir()
        working = tmp_path / f"tmp{name}prefect"  # the run's empty working folder, named by its supervisor.json
        working.mkdir()
        (folders[name] / "supervisor.json").write_text(
            json.dumps({"flow_run_id": str(run_id), "workspace_root": str(working)})
        )
    (tmp_path / "prefect-workspace-attempt-other").mkdir()  # no supervisor.json: not a worker's

    assert dead_worker_workspaces(older_than=0) == [folders["over"], tmp_path / "tmpoverprefect"]
    # a run over for less than a minute: still its worker's to remove
    assert dead_worker_workspaces() == []

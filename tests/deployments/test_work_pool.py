"""The process pool's job template: runs start their engine directly, send heartbeats, keep their own output."""

from __future__ import annotations

import sys
import tempfile

from prefect.workers.process import ProcessWorker

from deployments.work_pool import engine_command, pool_template, pool_template_current


def _command(template: dict) -> str | None:
    return template["variables"]["properties"]["command"]["default"]


def test_prefects_default_template_gets_the_engine_of_setups_interpreter_and_is_current_after():
    template = ProcessWorker.get_default_base_job_template()
    assert _command(template) is None and not pool_template_current(template)

    done = pool_template(template)

    assert _command(done) == f"{sys.executable} -m prefect.engine"
    # no per-run scratch folder for a killed worker to leave behind: runs start in the temporary directory
    assert done["variables"]["properties"]["working_dir"]["default"] == tempfile.gettempdir()
    assert pool_template_current(done)


def test_a_moved_virtualenv_renews_the_command_and_a_command_set_by_hand_is_kept():
    moved = pool_template(ProcessWorker.get_default_base_job_template(), interpreter="/old/venv/bin/python")
    assert not pool_template_current(moved)
    assert _command(pool_template(moved)) == engine_command()

    by_hand = ProcessWorker.get_default_base_job_template()
    by_hand["variables"]["properties"]["command"]["default"] = "/opt/run-with-vault.sh"
    assert _command(pool_template(by_hand)) == "/opt/run-with-vault.sh"
    assert pool_template_current(by_hand)

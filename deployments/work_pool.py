"""The process work pool's base job template: how every run of the pool starts and what it sends.

- **Heartbeats** (``crash_detection.HEARTBEAT_ENV``) in the default environment, for the zombie automation; an
  ``env`` default already there is kept, and its own heartbeat setting wins.
- **Output not piped** into the worker's (``stream_output`` false): a worker killed alone no longer takes its
  runs with it.
- **The engine started directly**: a command of the interpreter ``commerce-sync setup`` ran with and
  ``-m prefect.engine``. Without a command, Prefect 3.8's process worker starts each run as a workspace
  supervisor (``prefect.runner._workspace_supervisor``) that imports Prefect, prepares a workspace this project
  does not use (its deployments only ``set_working_directory``) and then execs the same engine, which imports
  Prefect again: measured on the e2e stack, Submitting → Running went 2.2 s → 1.4 s a run, and ~0.8 s of CPU.
  A pool whose command someone set to anything else keeps it; a command of this form is renewed when setup runs
  from another interpreter (a moved virtualenv). Workers on other machines need the same interpreter path, or
  the pool's command set by hand.
- **Runs start in the temporary directory** (``working_dir``), which their pull step leaves for the project's
  directory at once. Without one the worker makes an empty ``tmp…prefect`` folder per run and removes it when the
  run's process exits — a worker killed meanwhile leaves it behind, with nothing in it to say whose it was.
"""

from __future__ import annotations

import sys
import tempfile
from typing import Any

from deployments.crash_detection import HEARTBEAT_ENV

ENGINE_ARGS = "-m prefect.engine"


def engine_command(interpreter: str | None = None) -> str:
    """The command that starts a run's engine with ``interpreter`` (this one by default)."""
    return f"{interpreter or sys.executable} {ENGINE_ARGS}"


def pool_template(template: dict[str, Any], interpreter: str | None = None) -> dict[str, Any]:
    """``template`` (a process pool's base job template) with the defaults the module docstring lists."""
    properties = template["variables"]["properties"]
    properties["env"]["default"] = {**HEARTBEAT_ENV, **properties["env"].get("default", {})}
    properties["stream_output"]["default"] = False
    if _ours(properties["command"].get("default")):
        properties["command"]["default"] = engine_command(interpreter)
    if properties["working_dir"].get("default") is None:
        properties["working_dir"]["default"] = tempfile.gettempdir()
    return template


def pool_template_current(template: dict[str, Any], interpreter: str | None = None) -> bool:
    """Whether :func:`pool_template` would change nothing."""
    properties = template.get("variables", {}).get("properties", {})
    env = properties.get("env", {}).get("default", {})
    command = properties.get("command", {}).get("default")
    return (
        HEARTBEAT_ENV.keys() <= env.keys()
        and properties.get("stream_output", {}).get("default") is False
        and (command == engine_command(interpreter) or not _ours(command))
        and properties.get("working_dir", {}).get("default") is not None
    )


def _ours(command: str | None) -> bool:
    """No command (Prefect's default), or one this module set (perhaps with another interpreter)."""
    return command is None or command.endswith(f" {ENGINE_ARGS}")

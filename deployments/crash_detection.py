"""Runs whose process died with its machine are marked Crashed within two minutes; runs outlive their worker.

The process worker marks a flow run Crashed when it sees the run's process exit. When nobody is left to see
it — the worker died with its runs (an OOM kill of the container, a power cut), or the run's last state
change was lost while the server was down — Prefect leaves the run Running for ever: its work queue (one run
at a time per shop and category) takes no further run, and its category lock is only given back once the
run is known to be over (``engine/locks.py``).

Prefect's answer is its "detect zombie flows" guide (https://docs.prefect.io/v3/advanced/detect-zombie-flows):
every flow run emits a ``prefect.flow-run.heartbeat`` event every ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``
seconds (30, the least Prefect accepts; its default is 180), and a proactive automation marks a run Crashed
when no heartbeat and no final state followed its last heartbeat within ``ZOMBIE_AFTER_SECONDS`` (90: three
heartbeats missed, so one late heartbeat on a loaded machine is no false alarm). A dead run is Crashed 60–90 s
after its last heartbeat; bench/chaos_real.py measures it.

Two changes to the guide's automation:

- the guide starts the window at a heartbeat only, so a run that died before its first heartbeat reached the
  server — while Pending (its process starting) or in the moment after it turned Running — was never armed
  and stayed Pending or Running for ever. Here the window also starts at the run's Pending and Running, and
  Running also answers the Pending window;
- the guide's automation watches every flow run of the server, and a run that sends heartbeats at Prefect's
  default (every 180 s) — another project's, or a sync started in the foreground by ``commerce-sync run`` —
  would be crashed 90 s into its run. This one watches the runs tagged ``category:…`` only: the deployments'
  runs (``deployments/builder.py`` tags them) and their child runs, which inherit their tags
  (``flows/runtime.py``) as they inherit the pool's environment.

The heartbeat setting is put in the work pool's default job environment (every deployment of the pool gets
it unless it sets an ``env`` of its own); the automation is created, or brought up to date, by name.

**A worker's death does not take its runs with it.** The process worker starts each run in a session of its
own, so a worker killed alone (its service restarted, an OOM kill of the worker only) leaves the run's process
alive — but by default it pipes the run's output into its own (``stream_output``), and the run's next log line
to a pipe nobody reads any more ends the run: Prefect's console handler (rich) answers the broken pipe with
``SystemExit`` ("Execution was aborted by Python system exit call"; bench/chaos_real.py found every run in
flight Crashed so). The pool's default is therefore ``stream_output: false``: a run's output goes to
``/dev/null`` and its logs to the Prefect API, as before, and the run finishes under the next worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

HEARTBEAT_SECONDS = 30
ZOMBIE_AFTER_SECONDS = 90
HEARTBEAT_ENV = {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}
ZOMBIE_AUTOMATION = "commerce-sync: crash flow runs whose heartbeats stopped"
WATCHED_TAGS = "prefect.tag.category:*"
"""The runs the automation watches: those tagged with a queue category (the deployments' and their children)."""
ZOMBIE_MESSAGE = (
    f"No heartbeat for {ZOMBIE_AFTER_SECONDS} s: the run's process died with nobody left to report it "
    "(marked Crashed by the zombie automation)"
)


def zombie_automation() -> AutomationCore:
    """Prefect's "Crash zombie flows" automation, with this project's name and window."""
    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description="Marks a flow run Crashed when its heartbeats stop (deployments/crash_detection.py).",
        trigger=EventTrigger(
            after={"prefect.flow-run.Pending", "prefect.flow-run.Running", "prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.Running",
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            match_related=ResourceSpecification({"prefect.resource.role": "tag", "prefect.resource.id": WATCHED_TAGS}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=ZOMBIE_AFTER_SECONDS),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, message=ZOMBIE_MESSAGE)],
    )


async def ensure_zombie_automation(client: PrefectClient) -> str:
    """Create the automation, or replace the trigger and actions of the one with its name; returns its name."""
    wanted = zombie_automation()
    found = await client.read_automations_by_name(ZOMBIE_AUTOMATION)
    if found:
        await client.update_automation(found[0].id, wanted)
    else:
        await client.create_automation(wanted)
    return ZOMBIE_AUTOMATION


def pool_template(template: dict[str, Any]) -> dict[str, Any]:
    """A process work pool's base job template whose runs send heartbeats and outlive their worker: the
    default environment gets the heartbeat setting (an ``env`` default already there is kept; its own
    heartbeat setting wins), and a run's output is not piped into the worker's."""
    properties = template["variables"]["properties"]
    properties["env"]["default"] = {**HEARTBEAT_ENV, **properties["env"].get("default", {})}
    properties["stream_output"]["default"] = False
    return template


def pool_template_current(template: dict[str, Any]) -> bool:
    """Whether :func:`pool_template` would change nothing."""
    properties = template.get("variables", {}).get("properties", {})
    env = properties.get("env", {}).get("default", {})
    return HEARTBEAT_ENV.keys() <= env.keys() and properties.get("stream_output", {}).get("default") is False

"""Runs whose process died with its machine are marked Crashed within two minutes; runs outlive their worker.

The process worker marks a flow run Crashed when it sees the run's process exit. When nobody is left to see
it — the worker died with its runs (an OOM kill of the container, a power cut), or the run's last state
change was lost while the server was down — Prefect leaves the run Running for ever: its work queue (one run
at a time per shop and category) takes no further run, and its category lock is only given back once the
run is known to be over (``engine/locks.py``).

Prefect's answer is its "detect zombie flows" guide (https://docs.prefect.io/v3/advanced/detect-zombie-flows):
every flow run emits a ``prefect.flow-run.heartbeat`` event every ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``
seconds (30, the least Prefect accepts; its default is 180), and a proactive automation marks a run Crashed
when no heartbeat and no final state followed its last heartbeat within ``ZOMBIE_AFTER_SECONDS`` (60: two
heartbeats missed, so a heartbeat up to 30 s late on a loaded machine is no false alarm). A dead run is Crashed
30–60 s after its last heartbeat, and its category's next run can start. bench/chaos_real.py measures it: with
90 s (the guide's three heartbeats) a dead machine's category waited up to 151 s for its next run, over the
2-minute goal (92 s to Crashed, then the next run's process start on a loaded machine).

Two changes to the guide's automation:

- the guide starts the window at a heartbeat only, so a run that died before its first heartbeat reached the
  server — while Pending (its process starting) or in the moment after it turned Running — was never armed
  and stayed Pending or Running for ever. Here the window also starts at the run's Pending and Running, and
  Running also answers the Pending window;
- the guide's automation watches every flow run of the server, and a run that sends heartbeats at Prefect's
  default (every 180 s) — another project's flow — would be crashed 90 s into its run. This one watches the
  runs of this project's flows only (:data:`WATCHED_FLOWS`, matched by the flow's name: a deployment's runs and
  their chunk runs, which inherit the pool's environment). A sync run in the foreground by
  ``commerce-sync run`` heartbeats every 30 s too (``commerce_sync/runner.py``); a script that calls a flow
  on a server with this automation must set ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30`` likewise.

(Tagging the chunk runs with their deployment's tags and watching the tags was tried first: every task run
then carries the tags, and Prefect's task engine asks the server for tag concurrency slots before each task —
an extra request per task, which failed the run while the server restarted; bench/chaos_real.py found it.)
"""

from __future__ import annotations

from datetime import timedelta

from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

from deployments.builder import flow_name
from domain.categories import SYNC_TYPES

HEARTBEAT_SECONDS = 30
ZOMBIE_AFTER_SECONDS = 60
HEARTBEAT_ENV = {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}
ZOMBIE_AUTOMATION = "commerce-sync: crash flow runs whose heartbeats stopped"
WATCHED_FLOWS = [flow_name(sync) for sync in SYNC_TYPES] + ["sync-products-chunk", "sync-products-export-chunk"]
"""The flows whose runs the automation watches: every sync's and sync_products' chunk flows (a test checks it
names every flow of ``flows/``)."""
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
            match_related=ResourceSpecification(
                {"prefect.resource.role": "flow", "prefect.resource.name": WATCHED_FLOWS}
            ),
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

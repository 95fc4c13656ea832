"""Cancelling a shop order, which Shopify does later: send ``orderCancel`` once, remember its job, look before
sending again.

``orderCancel`` answers a ``Job`` and cancels the order when that job runs ("The mutation performs cancellation
asynchronously in a background job", https://shopify.dev/changelog/order-cancellation-now-available-on-graphql-admin-api).
Nothing on Shopify's side refuses a second ``orderCancel`` while the first job is still queued, and a second one
may notify the customer twice, so the job is remembered per order (``JobMemory``: the sync state's hash entity
``order_cancel_job``) and a later run asks ``job(id:)`` and the order's ``cancelledAt`` before sending again.

Whether an order is cancelled is told by its state (``cancelledAt``), never by the words of a refusal. A send
whose answer was lost may still have made a job: it is remembered as ``lost@<time>`` and not repeated before
``LOST_GRACE`` has passed without the order being cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from connectors.shopify.client import ShopifyClient
from connectors.shopify.errors import Retriable
from connectors.shopify.mutations import record_errors

JOB_ENTITY = "order_cancel_job"
POLLS = 3
"""``job(id:)`` reads right after sending: Shopify's jobs usually finish within seconds."""
POLL_SECONDS = 0.5
LOST_GRACE = timedelta(minutes=15)
"""How long a send whose answer was lost counts as possibly queued before the cancel is sent again."""
_LOST = "lost@"

Status = Literal["done", "running", "refused"]


@dataclass(frozen=True)
class CancelResult:
    """``done``: the order is cancelled now; ``running``: a job of ours may still cancel it (look again next
    run, send nothing); ``refused``: Shopify refused or the job ended without cancelling (``reasons``)."""

    status: Status
    reasons: list[str] = field(default_factory=list)


class JobMemory(Protocol):
    """Where the job sent for an order is kept between runs (the sync state, in the same database as the run)."""

    def get(self, order_id: str) -> str | None: ...

    def put(self, order_id: str, job: str) -> None: ...

    def forget(self, order_id: str) -> None: ...


@dataclass
class OrderCanceller:
    client: ShopifyClient
    jobs: JobMemory
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def cancel(self, order_id: str, variables: Mapping[str, Any]) -> CancelResult:
        """Bring one order to cancelled without sending twice while a job of ours may still do it."""
        remembered = self.jobs.get(order_id)
        if remembered is not None:
            if self._may_still_run(remembered):
                return self._done_or_running(order_id)
            self.jobs.forget(order_id)
            if self.is_cancelled(order_id):
                return CancelResult("done")
        try:
            payload, errors = self.client.mutate(
                "OrderCancel", variables, "orderCancel", errors_field="orderCancelUserErrors"
            )
        except Retriable:  # sent, answer lost: a job may exist that we cannot ask about
            self.jobs.put(order_id, f"{_LOST}{self.now().isoformat()}")
            return self._done_or_running(order_id)
        if errors:
            if self.is_cancelled(order_id):  # e.g. cancelled in the admin meanwhile: the state says done
                return CancelResult("done")
            return CancelResult("refused", [e.reason for e in record_errors(order_id, errors, operation="OrderCancel")])
        job = (payload or {}).get("job") or {}
        self.jobs.put(order_id, str(job.get("id")))
        return self._settle(order_id, str(job.get("id")), bool(job.get("done")))

    def _done_or_running(self, order_id: str) -> CancelResult:
        """While a job of ours may still run: done once the order is cancelled — by that job, an earlier one whose
        answer was lost, or a person — and the job forgotten, since no cancel will be sent for the order again
        (a remembered job outlived its order in a real-death bench run); else running."""
        if self.is_cancelled(order_id):
            self.jobs.forget(order_id)
            return CancelResult("done")
        return CancelResult("running")

    def is_cancelled(self, order_id: str) -> bool:
        data = self.client.execute("OrderStates", {"ids": [order_id]})
        node = next(iter(data.get("nodes") or ()), None)
        return bool(node and node.get("cancelledAt"))

    def _settle(self, order_id: str, job_id: str, done: bool) -> CancelResult:
        """Poll the job a few times; a finished job's order tells whether it was cancelled."""
        for attempt in range(POLLS):
            if done:
                break
            if attempt:
                self.sleep(POLL_SECONDS)
            done = self._job_done(job_id)
        if not done:
            return CancelResult("running")
        self.jobs.forget(order_id)
        if self.is_cancelled(order_id):
            return CancelResult("done")
        return CancelResult("refused", [f"Shopify's cancellation job {job_id} finished without cancelling the order"])

    def _may_still_run(self, remembered: str) -> bool:
        if remembered.startswith(_LOST):
            sent = datetime.fromisoformat(remembered.removeprefix(_LOST))
            return self.now() - sent < LOST_GRACE
        return not self._job_done(remembered)

    def _job_done(self, job_id: str) -> bool:
        job = self.client.execute("CancelJob", {"id": job_id}).get("job")
        return job is None or bool(job.get("done"))  # a job Shopify forgot is not running

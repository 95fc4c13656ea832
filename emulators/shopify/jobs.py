"""Asynchronous jobs: work Shopify accepts now and does later, polled with ``job(id:) { done }``.

``orderCancel`` is one: "The mutation performs cancellation asynchronously in a background job and as such,
returns a ``job`` that can be queried for using the job API"
(https://shopify.dev/changelog/order-cancellation-now-available-on-graphql-admin-api; the payload's ``job`` is
"The job that asynchronously cancels the order",
https://shopify.dev/docs/api/admin-graphql/latest/payloads/ordercancelpayload). ``job(id:)`` "Returns a Job
resource by ID. Used to check the status of internal jobs", and ``Job.query`` "will only resolve once the job is
done" (https://shopify.dev/docs/api/admin-graphql/latest/queries/Job.md).

Shopify documents neither how long a job takes nor anything that refuses a second ``orderCancel`` while the
first job runs, so the emulator is hostile on both: a job finishes only when ``EmulatorConfig.job_seconds`` of
the emulator's clock have passed or ``job(id:)`` has been read ``job_polls`` times with ``done: false``
(whichever comes first; ``job_seconds=0`` finishes at once), and a second request makes a second job. A job's
work runs once, when it finishes, under the state lock; it checks again whether it still applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .clock import Clock
from .gids import gid, parse_gid


@dataclass(eq=False)
class Job:
    """One queued piece of work; ``id``/``done`` back the GraphQL ``Job`` type."""

    number: int
    work: Callable[[], None]
    queued_at: float
    seconds: float
    polls_left: int
    done: bool = False

    @property
    def gid(self) -> str:
        return gid("Job", self.number)

    def finish(self) -> None:
        if not self.done:
            self.done = True
            self.work()


class JobQueue:
    """The shop's jobs by number. ``run_due()`` finishes every job whose time has come (the executor calls it
    before each request, so a job finishes whether or not anyone polls it)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.jobs: dict[int, Job] = {}

    def submit(self, work: Callable[[], None], *, seconds: float, polls: int) -> Job:
        job = Job(len(self.jobs) + 1, work, self.clock.monotonic(), seconds, polls)
        self.jobs[job.number] = job
        self.run_due()
        return job

    def run_due(self) -> None:
        now = self.clock.monotonic()
        for job in self.jobs.values():
            if not job.done and now - job.queued_at >= job.seconds:
                job.finish()

    def poll(self, job_id: object) -> Job | None:
        """The job a ``job(id:)`` read names, one poll nearer to done; None for an id no job has."""
        number = parse_gid(job_id, "Job")
        job = self.jobs.get(number) if number is not None else None
        if job is None or job.done:
            return job
        if job.polls_left > 0:
            job.polls_left -= 1
        else:
            job.finish()
        return job

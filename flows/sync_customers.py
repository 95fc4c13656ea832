"""sync_customers: shop customers changed in the period → ERP customers (BC report 30100).

Each customer is matched to an ERP customer by the ``customer`` mapping, else by email (case-insensitive),
else by phone digits, then created or updated in the ERP (see ``tasks.customers``). Customers that failed
last run are tried again first; a customer with neither email nor phone is reported and the rest go on.
"""

from __future__ import annotations

from prefect import flow
from prefect.client.schemas.objects import State

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.customers import sync_customers_page


@flow(name="sync-customers", log_prints=True)
def sync_customers(params: SyncParams) -> SyncReport | State:
    """Bring the shop's customers changed in the period to the ERP: matched by email, then phone, then created
    or updated there. Customers that failed last run are tried first."""
    with sync_run(params, "sync_customers") as run:
        if not run.ctx.nothing_due:
            run.shop_changes(sync_customers_page)
    return run.final_state

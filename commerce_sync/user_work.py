"""What the ERP's users do between two syncs: the warehouse ships some of the shop's orders, the back office
executes ("Vyřízeno"), cancels and invoices ("Přeneseno") others.

One plan (``plan_user_work``, pure) carried out on either ERP: the SQL tables (``sql_user_works``) or the POHODA
mServer emulator, by the methods a POHODA user's clicks stand for (``pohoda_user_works``). The demo, the
API-cost bench and the chaos harness all use it, so "a day of a shop" means the same in each of them; the
flows that follow (``sync_shipments``, ``sync_order_status``, ``reconcile``) then have work to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from domain.models import Order, OrderState, Shipment, ShipmentLine, Tracking

if TYPE_CHECKING:
    from domain.schedule import SyncSchedule
    from emulators.pohoda import PohodaState

MAX_TENTH = 3
"""A tenth of the placed orders, but at most 3: a big shop's day stays at 24 orders of work (the demo's 100)."""
CARRIER = "PPL"


@dataclass(frozen=True)
class UserWork:
    """Which orders get which treatment; every order is in at most one list."""

    ship: tuple[Order, ...]
    execute: tuple[Order, ...]
    cancel: tuple[Order, ...]
    transfer: tuple[Order, ...]


def plan_user_work(placed: Sequence[Order]) -> UserWork:
    """Of the orders the ERP holds (in the given order), four tenths are shipped, two executed, one cancelled
    and one invoiced; the rest is left for another day. A shop of fewer than ten orders counts as ten."""
    tenth = min(max(len(placed) // 10, 1), MAX_TENTH)
    cuts = [0, 4 * tenth, 6 * tenth, 7 * tenth, 8 * tenth]
    ship, execute, cancel, transfer = (tuple(placed[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))
    return UserWork(ship, execute, cancel, transfer)


def tracking(number: int) -> Tracking:
    """The parcel of the ``number``-th shipment of the day (1-based)."""
    code = f"CS{number:09d}"
    return Tracking(company=CARRIER, number=code, url=f"https://www.ppl.cz/vyhledat-zasilku?shipmentId={code}")


def late_in_current_period(schedule: SyncSchedule, now: datetime | None = None) -> datetime:
    """An hour before the current sync period ends: the period's runs still pick a change made then up."""
    return schedule.sync_period(now or datetime.now(UTC)).end - timedelta(hours=1)


def sql_user_works(erp_url: str, orders: Sequence[Order], at: datetime) -> dict[str, int]:
    """The plan on the SQL ERP's tables, every change dated ``at``; ``orders`` are the shop's (the ones the ERP
    has sales orders for are planned). Returns how many orders got each treatment."""
    import sqlalchemy as sa

    from connectors.erp.sql import loader

    engine = sa.create_engine(erp_url)
    done = {"shipped": 0, "processed": 0, "cancelled": 0, "transferred": 0}
    try:
        with engine.begin() as conn:
            keys = dict(conn.execute(sa.text("select shop_order_id, erp_key from erp_sales_orders")).all())
            work = plan_user_work([o for o in orders if o.shop_id in keys])
            for number, order in enumerate(work.ship, start=1):
                lines = [
                    ShipmentLine(sku=line.sku, quantity=line.quantity, order_line_shop_id=line.shop_id)
                    for line in order.lines
                    if line.sku and line.quantity > 0
                ]
                if not lines:  # services only: nothing to deliver
                    continue
                shipment = Shipment(
                    erp_key=f"DL-USER-{number:03d}",
                    order_shop_id=order.shop_id,
                    lines=lines,
                    shipped_at=at,
                    tracking=tracking(number),
                )
                loader.add_shipment(conn, shipment)
                done["shipped"] += 1
            for state, chosen in (
                (OrderState.PROCESSED, work.execute),
                (OrderState.CANCELLED, work.cancel),
                (OrderState.TRANSFERRED, work.transfer),
            ):
                for order in chosen:
                    loader.set_sales_order_state(conn, keys[order.shop_id], state, at)
                    done[state.value] += 1
    finally:
        engine.dispose()
    return done


def pohoda_user_works(mserver: PohodaState, orders: Sequence[Order]) -> dict[str, int]:
    """The plan in POHODA: delivery notes (výdejky) with the parcel's tracking for the shipped orders, "Vyřízeno"
    ticked, orders cancelled, orders invoiced ("Přeneseno"), as its users do it by hand. Returns the counts."""
    received = {order.ext_id.ids for order in mserver.orders.values() if order.ext_id}
    work = plan_user_work([o for o in orders if o.shop_id in received])
    done = {"shipped": 0, "processed": 0, "cancelled": 0, "transferred": 0}
    for number, order in enumerate(work.ship, start=1):
        parcel = tracking(number)
        try:
            mserver.create_delivery_note(
                order.shop_id, carrier=parcel.company, tracking_number=parcel.number, tracking_url=parcel.url
            )
        except ValueError:  # services only: nothing to deliver
            continue
        done["shipped"] += 1
    for order in work.execute:
        mserver.set_order_executed(order.shop_id)
        done["processed"] += 1
    for order in work.cancel:
        mserver.cancel_order(order.shop_id)
        done["cancelled"] += 1
    for order in work.transfer:
        mserver.transfer_order(order.shop_id)
        done["transferred"] += 1
    return done

"""The ERP users' work between syncs, one plan for the demo, the API-cost bench and the chaos days."""

from __future__ import annotations

from commerce_sync.samples.data import generate
from commerce_sync.user_work import plan_user_work, pohoda_user_works
from emulators.pohoda import PohodaEmulatorConfig, create_app, emulator_of


def test_four_tenths_are_shipped_two_executed_one_cancelled_one_invoiced_and_each_order_gets_one_treatment():
    orders = generate(items=12, customers=6, orders=30, seed=7).orders

    work = plan_user_work(orders)

    assert [len(work.ship), len(work.execute), len(work.cancel), len(work.transfer)] == [12, 6, 3, 3]
    treated = [o.shop_id for group in (work.ship, work.execute, work.cancel, work.transfer) for o in group]
    assert treated == [o.shop_id for o in orders[:24]]  # in the given order, none twice


def test_a_small_shop_counts_as_ten_orders_and_a_big_one_stops_at_24():
    orders = generate(items=12, customers=6, orders=100, seed=7).orders

    small, big = plan_user_work(orders[:8]), plan_user_work(orders)

    assert [len(small.ship), len(small.execute), len(small.cancel), len(small.transfer)] == [4, 2, 1, 1]
    assert sum(map(len, (big.ship, big.execute, big.cancel, big.transfer))) == 24
    assert plan_user_work([]).ship == ()


def test_in_pohoda_the_users_touch_no_order_pohoda_never_received():
    data = generate(items=12, customers=6, orders=8, seed=7)
    mserver = emulator_of(create_app(PohodaEmulatorConfig())).state
    mserver.seed_sample_data(data)

    assert pohoda_user_works(mserver, data.orders) == {"shipped": 0, "processed": 0, "cancelled": 0, "transferred": 0}

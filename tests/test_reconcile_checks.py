"""A reconcile check, step by step and without a flow: each compare (``domain.reconcile``) on small frames, how a
run's results add up to its report, how a check chains its steps, and the scope its repair writes under."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from domain import drift
from domain.drift import Difference, DriftKind
from domain.reconcile import (
    CheckName,
    CheckResult,
    ErpOrders,
    ShopOrders,
    Stock,
    add_up,
    check_inventory,
    check_orders,
    left_to_a_person,
)
from engine.context import SyncContext
from tasks.reconcile.checks import CHECKS
from tasks.reconcile.repair import repair_context

CURSOR = datetime(2025, 6, 1, tzinfo=UTC)
BEFORE, AFTER = datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 2, tzinfo=UTC)
PRICE = Difference(kind=DriftKind.PRICE, key="A", erp_value="price=2", shop_value="price=1", detail="ERP item I1")
GONE = Difference(kind=DriftKind.VARIANT_MISSING_IN_ERP, key="OLD", shop_value="gid://shopify/Product/1")


def shop_orders(*rows) -> ShopOrders:
    return ShopOrders(
        drift.frame(rows, drift.SHOP_ORDER_COLUMNS),
        drift.frame([], drift.TRANSACTION_COLUMNS),
        drift.frame([], drift.FULFILLMENT_COLUMNS),
    )


def test_stock_is_compared_and_counted_only_for_skus_both_catalogues_have():
    erp = Stock(
        drift.frame([("A", "PRAHA", 3), ("B", "PRAHA", 1), ("X", "PRAHA", 9)], drift.STOCK_COLUMNS), frozenset("ABX")
    )
    shop = Stock(drift.frame([("A", "PRAHA", 2), ("B", "PRAHA", 1)], drift.STOCK_COLUMNS), frozenset({"A", "B"}))
    result = check_inventory(shop, erp)
    assert (result.check, result.compared) == (CheckName.INVENTORY, 2)  # X is the catalogue check's difference
    assert [(d.key, d.erp_value, d.shop_value) for d in result.differences] == [("A@PRAHA", "3", "2")]


def test_orders_changed_after_sync_orders_read_them_are_not_judged_and_the_result_says_how_many():
    shop = shop_orders(("o1", "#1", BEFORE, True), ("o2", "#2", AFTER, True))
    result = check_orders(shop, ErpOrders(drift.frame([], drift.ERP_ORDER_COLUMNS), CURSOR))
    assert result.compared == 2
    assert [d.key for d in result.differences] == ["o1"]
    assert result.notes == [
        "1 order(s) changed after sync_orders last read them: not judged "
        "(reconcile this period again after sync_orders)"
    ]


def test_orders_shopify_hides_are_counted_as_not_checked_named_up_to_ten_and_never_drift():
    why = "Shopify shows an app without the read_all_orders access scope only the orders of the last 60 days"
    names = tuple(f"#{n}" for n in range(1001, 1013))
    shop = shop_orders(("o1", "#2001", BEFORE, True))
    hidden = ShopOrders(shop.orders, shop.transactions, shop.fulfillments, hidden=names, hidden_why=why)
    result = check_orders(
        hidden, ErpOrders(drift.frame([("o1", "SO1", "done", None)], drift.ERP_ORDER_COLUMNS), CURSOR)
    )
    assert (result.compared, result.not_checked, result.differences) == (1, 12, [])
    assert result.notes == [
        f"12 order(s) of the period not checked ({', '.join(names[:10])}, …): {why}; "
        "neither are their payments and fulfillments compared. Not drift"
    ]
    found = add_up([result])
    assert found.notes[0] == "0 difference(s) in orders 1 compared; 12 orders not checked"
    assert "| check | records compared | not checked |" in found.markdown("t")
    assert "| orders | 1 | 12 |" in found.markdown("t")
    none_known = ShopOrders(shop.orders, shop.transactions, shop.fulfillments, hidden_why=why)
    assert check_orders(none_known, ErpOrders(drift.frame([], drift.ERP_ORDER_COLUMNS), CURSOR)).notes[-1] == (
        f"{why}: the period's older orders are not read (none of them known to the sync)"
    )
    assert "not checked" not in add_up(
        [check_orders(shop, ErpOrders(drift.frame([], drift.ERP_ORDER_COLUMNS), CURSOR))]
    ).markdown("t")


def test_a_check_the_adapter_cannot_answer_is_named_and_not_counted_as_compared():
    results = [
        CheckResult(check=CheckName.CATALOG, compared=3, differences=[PRICE]),
        CheckResult(check=CheckName.FULFILLMENTS, cannot_run="this ERP adapter cannot list shipments by order"),
    ]
    found = add_up(results)
    assert found.compared == {"catalog": 3}
    assert found.notes == [
        "1 difference(s) in catalog 3 compared",
        "fulfillments not compared: this ERP adapter cannot list shipments by order",
    ]
    assert "| fulfillments |" not in found.markdown("reconcile · acme")


def test_repaired_differences_count_as_updated_and_the_others_fail_with_their_kind_and_values():
    results = [CheckResult(check=CheckName.CATALOG, compared=10, differences=[GONE, PRICE], repaired=[PRICE.ref])]
    found = add_up(results)
    report = found.report()
    assert (report.updated, report.skipped, report.failed) == (1, 8, 1)
    (failure,) = report.failures
    assert (failure.field, failure.record) == ("variant_missing_in_erp", "OLD")
    assert "(ERP: —, shop: gid://shopify/Product/1)" in failure.reason
    assert [(row["kind"], row["repaired"]) for row in found.rows()] == [
        ("variant_missing_in_erp", "no"),
        ("price", "yes"),
    ]  # in report order: the catalogue's kinds as DriftKind lists them


def test_differences_from_several_checks_are_reported_in_kind_order_whatever_the_check_order():
    stock = Difference(kind=DriftKind.INVENTORY, key="A@PRAHA")
    results = [
        CheckResult(check=CheckName.INVENTORY, compared=1, differences=[stock]),
        CheckResult(check=CheckName.CATALOG, compared=1, differences=[PRICE]),
    ]
    assert [d.kind for d in add_up(results).differences] == [DriftKind.PRICE, DriftKind.INVENTORY]


def test_after_a_repair_the_kinds_a_check_never_repairs_are_named_with_what_puts_them_right():
    result = CheckResult(check=CheckName.CATALOG, compared=2, differences=[PRICE, GONE], repaired=[PRICE.ref])
    noted = left_to_a_person(result, {DriftKind.PRICE}, "archive it in the shop")
    assert noted.notes == ["catalog not repaired automatically: variant_missing_in_erp (archive it in the shop)"]
    assert left_to_a_person(result, {DriftKind.PRICE, DriftKind.VARIANT_MISSING_IN_ERP}, "-") == result


def test_a_check_whose_erp_side_the_adapter_cannot_read_compares_nothing_and_says_why():
    reads = SimpleNamespace(erp_shipments=None)  # shop_orders absent: the shop side must not even be read
    result = CHECKS[CheckName.FULFILLMENTS].run(reads, repair=True)
    assert result == CheckResult(
        check=CheckName.FULFILLMENTS, cannot_run="this ERP adapter cannot list shipments by order"
    )


def test_a_check_without_repair_only_compares_and_with_it_names_what_a_person_must_do():
    reads = SimpleNamespace(
        shop_orders=shop_orders(("o1", "#1", BEFORE, True)),
        erp_orders=ErpOrders(drift.frame([], drift.ERP_ORDER_COLUMNS), CURSOR),
    )
    check = CHECKS[CheckName.ORDERS]
    assert check.run(reads, repair=False).notes == []
    (note,) = check.run(reads, repair=True).notes
    assert note.startswith("orders not repaired automatically: order_not_imported (") and "create_sales_orders" in note


def test_every_check_a_run_can_be_asked_for_exists_in_order():
    assert list(CHECKS) == list(CheckName)
    assert all(check.bulk for check in CHECKS.values())  # every check reads the shop in bulk


def test_idempotency_keys_follow_the_sync_type_unless_the_run_names_its_own_scope():
    end = datetime(2025, 6, 1, tzinfo=UTC)
    ctx = SyncContext(shop="acme", sync_type="reconcile", run_id=7, period_end=end)
    assert ctx.idempotency_scope == "reconcile"
    assert ctx.scope == SyncContext(shop="acme", sync_type="reconcile", run_id=8, period_end=end).scope

    first, second = repair_context(ctx), repair_context(ctx.model_copy(update={"run_id": 8}))
    assert first.sync_type == "reconcile"  # the repair writes as reconcile, not as another sync type
    assert first.scope != ctx.scope and first.scope != second.scope  # a repair repeated later is sent again
    assert first.scope == repair_context(ctx).scope  # a retried task of the same run repeats its key

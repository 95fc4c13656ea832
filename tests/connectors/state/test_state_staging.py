"""Staged shop orders: deduped by id, conflicts flagged, failures kept on their row and retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from state_helpers import T0, make_order

from connectors.state import InvalidTransition, RecordNotFound, StagedStatus, StateStore

SHOP = "shop-a"


def gid(number: int) -> str:
    return f"gid://shopify/Order/{number}"


def test_staging_dedupes_by_order_id_across_overlapping_fetches(store: StateStore):
    first_page = [make_order(1), make_order(2), make_order(3)]
    overlapping_page = [make_order(3), make_order(4), make_order(4)]  # 3 again; 4 twice in one page
    assert store.stage_orders(SHOP, first_page).new == 3
    result = store.stage_orders(SHOP, overlapping_page)
    assert (result.new, result.updated, result.unchanged) == (1, 0, 1)
    assert [s.shop_id for s in store.pending_orders(SHOP)] == [gid(1), gid(2), gid(3), gid(4)]


def test_restaging_an_unchanged_order_is_a_no_op(store: StateStore, clock):
    store.stage_orders(SHOP, [make_order(1)])
    before = store.staged_order(SHOP, gid(1))
    clock.advance(hours=1)
    result = store.stage_orders(SHOP, [make_order(1)])
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    assert store.staged_order(SHOP, gid(1)) == before


def test_an_older_version_fetched_late_never_overwrites_a_newer_one(store: StateStore):
    store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=2), note="newer")])
    result = store.stage_orders(SHOP, [make_order(1, T0, note="older")])
    assert result.unchanged == 1
    assert store.staged_order(SHOP, gid(1)).order.note == "newer"


def test_latest_version_wins_when_one_batch_holds_an_order_twice(store: StateStore):
    later, earlier = make_order(1, T0 + timedelta(hours=1), quantity=2), make_order(1, T0, quantity=1)
    store.stage_orders(SHOP, [later, earlier])
    assert store.staged_order(SHOP, gid(1)).order.lines[0].quantity == 2


def test_an_edit_to_a_pending_order_replaces_what_will_be_sent(store: StateStore):
    store.stage_orders(SHOP, [make_order(1, quantity=1)])
    result = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(minutes=5), quantity=3)])
    assert result.updated == 1 and not result.conflicts
    staged = store.staged_order(SHOP, gid(1))
    assert staged.status is StagedStatus.PENDING
    assert staged.order.lines[0].quantity == 3
    assert staged.lines_signature == make_order(1, quantity=3).lines_signature()


def test_conflict_flagged_on_an_edit_to_a_done_order_and_not_requeued(store: StateStore):
    store.stage_orders(SHOP, [make_order(1, quantity=1)])
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    result = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), quantity=2)])
    assert result.updated == 0
    [conflict] = result.conflicts
    assert conflict.shop_id == gid(1) and conflict.erp_key == "SO-0001"
    assert "SO-0001" in conflict.reason and "quantity 1 -> 2" in conflict.reason
    assert result.errors() == [{"record": gid(1), "field": "lines", "reason": conflict.reason}]
    staged = store.staged_order(SHOP, gid(1))
    assert staged.status is StagedStatus.CONFLICT
    assert staged.conflict_reason == conflict.reason
    assert store.pending_orders(SHOP) == []


def test_conflicting_order_edited_again_stays_a_conflict(store: StateStore):
    store.stage_orders(SHOP, [make_order(1, quantity=1)])
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), quantity=2)])
    result = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=2), quantity=5)])
    assert len(result.conflicts) == 1
    assert store.staged_order(SHOP, gid(1)).status is StagedStatus.CONFLICT
    assert store.pending_orders(SHOP) == []


def test_header_only_edit_to_a_done_order_refreshes_it_without_conflict_and_is_no_update(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)])
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    result = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), note="paid by card")])
    assert (result.updated, result.refreshed, result.conflicts) == (0, 1, ())  # the ERP document takes nothing
    staged = store.staged_order(SHOP, gid(1))
    assert (staged.status, staged.erp_key, staged.order.note) == (StagedStatus.DONE, "SO-0001", "paid by card")


def test_a_changed_shipping_amount_on_a_done_order_is_a_conflict(store: StateStore):
    store.stage_orders(SHOP, [make_order(1, shipping="5")])
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    [conflict] = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), shipping="9")]).conflicts
    assert "shipping 5 -> 9" in conflict.reason


def test_failed_order_keeps_error_and_attempt_count_and_is_returned_next_time(store: StateStore):
    store.stage_orders(SHOP, [make_order(1), make_order(2)])
    store.mark_order_failed(SHOP, gid(1), "item MUG-1: unknown SKU in the ERP")
    store.mark_order_failed(SHOP, gid(1), "item MUG-1: still unknown")
    store.mark_order_done(SHOP, gid(2), "SO-0002")
    [retry] = store.pending_orders(SHOP)
    assert retry.shop_id == gid(1)
    assert (retry.status, retry.attempts, retry.last_error) == (StagedStatus.FAILED, 2, "item MUG-1: still unknown")
    assert retry.order == make_order(1)


def test_orders_that_failed_max_attempts_times_are_left_out_but_kept(store: StateStore):
    store.stage_orders(SHOP, [make_order(1), make_order(2)])
    for _ in range(3):
        store.mark_order_failed(SHOP, gid(1), "ERP rejected the customer")
    assert [s.shop_id for s in store.pending_orders(SHOP, max_attempts=3)] == [gid(2)]
    assert store.count_staged(SHOP) == {
        "pending": 1,
        "done": 0,
        "failed": 1,
        "conflict": 0,
        "skipped": 0,
        "cancelling": 0,
        "cancelled": 0,
    }


def test_an_edit_to_a_failed_order_requeues_it_with_fresh_attempts(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)])
    store.mark_order_failed(SHOP, gid(1), "unknown SKU")
    store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), quantity=2)])
    [again] = store.pending_orders(SHOP, max_attempts=1)
    assert (again.status, again.attempts, again.order.lines[0].quantity) == (StagedStatus.PENDING, 0, 2)


def test_pending_orders_come_oldest_first_up_to_the_limit(store: StateStore):
    store.stage_orders(SHOP, [make_order(n, created_at=T0 - timedelta(hours=n)) for n in (1, 2, 3)])
    assert [s.shop_id for s in store.pending_orders(SHOP, limit=2)] == [gid(3), gid(2)]


def test_staging_is_separate_per_shop(store: StateStore):
    store.stage_orders("shop-a", [make_order(1)])
    store.stage_orders("shop-b", [make_order(2)])
    assert [s.shop_id for s in store.pending_orders("shop-b")] == [gid(2)]


def test_marking_done_again_with_the_same_erp_key_is_harmless_but_another_key_is_refused(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)])
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    with pytest.raises(InvalidTransition, match="Order/1.*done.*SO-0001"):
        store.mark_order_done(SHOP, gid(1), "SO-0002")
    with pytest.raises(InvalidTransition):
        store.mark_order_failed(SHOP, gid(1), "late failure")
    assert store.staged_order(SHOP, gid(1)).erp_key == "SO-0001"


def test_marking_an_order_that_was_never_staged_names_it(store: StateStore):
    with pytest.raises(RecordNotFound, match="Order/9.*never staged"):
        store.mark_order_done(SHOP, gid(9), "SO-9")


def test_order_stays_pending_when_the_erp_write_in_its_transaction_fails(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)])
    with pytest.raises(RuntimeError):
        with store.begin() as conn:
            store.mark_order_done(SHOP, gid(1), "SO-0001", conn=conn)
            raise RuntimeError("ERP insert failed after the row was marked")
    assert store.staged_order(SHOP, gid(1)).status is StagedStatus.PENDING


def test_purge_removes_only_done_orders_finished_before_the_cutoff(store: StateStore, clock):
    store.stage_orders(SHOP, [make_order(n) for n in (1, 2, 3, 4)])
    store.mark_order_done(SHOP, gid(1), "SO-1")  # done at T0
    store.mark_order_failed(SHOP, gid(3), "boom")
    clock.advance(days=10)
    store.mark_order_done(SHOP, gid(2), "SO-2")  # done at T0 + 10 days
    assert store.purge_staged(T0 + timedelta(days=5)) == 1
    assert store.staged_order(SHOP, gid(1)) is None
    assert store.count_staged(SHOP) == {
        "pending": 1,
        "done": 1,
        "failed": 1,
        "conflict": 0,
        "skipped": 0,
        "cancelling": 0,
        "cancelled": 0,
    }


def test_a_skipped_order_is_kept_with_its_reason_and_never_offered_for_creation(store: StateStore):
    result = store.stage_orders(SHOP, [make_order(1), make_order(2)], {gid(2): "test order"})
    assert result.new == 1 and [(s.name, s.reason) for s in result.skipped] == [("#1002", "test order")]
    assert [s.shop_id for s in store.pending_orders(SHOP)] == [gid(1)]
    skipped = store.staged_order(SHOP, gid(2))
    assert skipped.status is StagedStatus.SKIPPED and skipped.skip_reason == "test order"


def test_a_skipped_order_is_queued_once_it_stops_matching_a_skip_rule(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)], {gid(1): "payment status VOIDED is not imported"})
    result = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), note="paid")])
    assert result.updated == 1 and not result.skipped
    staged = store.staged_order(SHOP, gid(1))
    assert staged.status is StagedStatus.PENDING and staged.skip_reason is None


def test_an_unchanged_order_is_judged_again_when_the_conditions_change(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)], {gid(1): "test order"})
    assert store.stage_orders(SHOP, [make_order(1)]).updated == 1  # test orders are imported now
    assert store.staged_order(SHOP, gid(1)).status is StagedStatus.PENDING
    assert store.stage_orders(SHOP, [make_order(1)], {gid(1): "test order"}).skipped
    assert store.pending_orders(SHOP) == []


def test_a_queued_order_cancelled_before_creation_leaves_the_queue(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)])
    store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1))], {gid(1): "cancelled before import"})
    assert store.pending_orders(SHOP) == []


def test_skip_rules_never_touch_an_order_that_is_already_an_erp_order(store: StateStore):
    store.stage_orders(SHOP, [make_order(1)])
    store.mark_order_done(SHOP, gid(1), "SO1")
    result = store.stage_orders(SHOP, [make_order(1, T0 + timedelta(hours=1), note="x")], {gid(1): "test order"})
    assert result.refreshed == 1 and not result.skipped
    assert store.staged_order(SHOP, gid(1)).status is StagedStatus.DONE


def test_a_version_newer_only_in_its_updated_at_is_no_update_but_moves_the_staged_time(store: StateStore):
    """The syncs' own writes (a fulfillment, a close, a tag, a payment read) bump Shopify's updatedAt: coming
    back, an order whose content did not change is no news, queued or imported."""
    store.stage_orders(SHOP, [make_order(1), make_order(2)])
    store.mark_order_done(SHOP, gid(2), "SO-0002")
    later = T0 + timedelta(hours=1)
    result = store.stage_orders(SHOP, [make_order(1, later), make_order(2, later)])
    assert (result.new, result.updated, result.unchanged, result.refreshed) == (0, 0, 0, 2)
    assert [store.staged_order(SHOP, gid(n)).updated_at for n in (1, 2)] == [later, later]
    assert [s.status for s in (store.staged_order(SHOP, gid(n)) for n in (1, 2))] == [
        StagedStatus.PENDING,
        StagedStatus.DONE,
    ]


def test_an_order_the_erp_cancelled_itself_is_no_order_to_cancel_when_its_shop_cancellation_comes_back(
    store: StateStore,
):
    store.stage_orders(SHOP, [make_order(1), make_order(2)])
    store.mark_order_done(SHOP, gid(1), "SO-0001")
    assert store.mark_cancelled_by_erp(SHOP, [gid(1), gid(2)]) == 1  # 2 is no ERP order yet: left alone
    cancelled = make_order(1, T0 + timedelta(hours=1)).model_copy(update={"cancelled_at": T0 + timedelta(hours=1)})
    result = store.stage_orders(SHOP, [cancelled])
    assert (result.cancelled, result.updated, result.refreshed) == ((), 0, 1)
    assert store.orders_to_cancel(SHOP) == []
    assert store.staged_order(SHOP, gid(1)).status is StagedStatus.CANCELLED

"""The POHODA adapter's local state, one concern at a time, on a SQLite file (no POHODA involved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.local_state import listings as listings_module

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def local(tmp_path) -> LocalState:
    state = LocalState.from_url(f"sqlite:///{tmp_path / 'local.db'}", scope="12345678")
    yield state
    state.close()


def test_a_blank_scope_is_refused(local: LocalState) -> None:
    with pytest.raises(ValueError, match="scope must not be empty"):
        LocalState(local.engine, "  ")


def test_each_accounting_unit_sees_only_its_own_rows(local: LocalState) -> None:
    other = LocalState(local.engine, "87654321")
    local.set_mark("cards", "2026-03-01T06:00:00+00:00")
    local.put_cards([(1, "A-1", "ZBOZI", "A")])
    assert other.mark("cards") is None and other.codes_of(["A"]) == {}
    other.put_cards([(2, "B-1", None, "B")], replace=True)
    assert local.card_product_keys() == {1: "A"}


def test_a_mark_set_to_none_is_forgotten(local: LocalState) -> None:
    local.set_mark("shipments-floor", "41")
    local.set_mark("shipments-floor", None)
    assert local.mark("shipments-floor") is None


def test_codes_of_a_product_come_once_each_in_card_order(local: LocalState) -> None:
    local.put_cards(
        [(3, "A-2", "SKLAD2", "A"), (1, "A-1", "ZBOZI", "A"), (2, "A-2", "ZBOZI", "A"), (4, "B", None, "B")]
    )
    assert local.codes_of(["A", "missing"]) == {"A": ["A-1", "A-2"]}


def test_addresses_match_by_email_then_lowest_customer_key_first(local: LocalState) -> None:
    local.put_addresses([(7, "K-2", "jan@example.cz", "420601"), (5, "K-1", "jan@example.cz", None)])
    assert local.address_candidates(email_key="jan@example.cz") == [5, 7]
    assert local.address_candidates(phone_key="420601") == [7]
    local.drop_address(5)
    assert local.address_key(5) is None and local.address_ids_of("K-2") == [7]


def test_a_deleted_order_keeps_its_revision_so_the_next_import_is_a_new_document(local: LocalState) -> None:
    local.save_order("gid://shopify/Order/1", "250100001", 0, "sig", T0)
    local.forget_order("250100001")
    row = local.order("gid://shopify/Order/1")
    assert (row.erp_key, row.lines_signature, row.revision) == (None, None, 1)


def test_a_payment_is_booked_once_per_transaction(local: LocalState) -> None:
    local.book_payment("t-1", "250100001")
    local.book_payment("t-1", "250100001")
    assert local.payments_of(["250100001", "other"]) == [("t-1", "250100001")]
    assert local.has_payments("250100001") and not local.has_payments("other")


def test_a_shipment_outcome_is_remembered_by_note_number(local: LocalState) -> None:
    local.save_shipment("VYD-1", "failed", None, "no such order")
    local.save_shipment("VYD-1", "synced", "gid://shopify/Fulfillment/9", None)
    assert local.handled_shipments(["VYD-1", "VYD-2"]) == {"VYD-1"}
    assert local.shipment("VYD-1").state == "synced"


def test_a_listing_pages_in_key_order_and_an_abandoned_one_expires(local: LocalState, monkeypatch) -> None:
    rows = [("B", "", Decimal("1")), ("A", "2", None), ("A", "1", Decimal("3"))]
    abandoned = local.new_listing(rows, T0)
    assert local.listing_page(abandoned, None, 2) == [("A", "1", Decimal("3")), ("A", "2", None)]
    assert local.listing_page(abandoned, ("A", "2"), 2) == [("B", "", Decimal("1"))]
    later = datetime.now(UTC) + listings_module.LISTING_TTL + timedelta(minutes=1)
    monkeypatch.setattr(listings_module, "utc_now", lambda: later)
    fresh = local.new_listing([], None)
    assert local.listing_as_of(abandoned) == (False, None)
    assert local.listing_as_of(fresh) == (True, None)
    local.drop_listing(fresh)
    assert local.listing_as_of(fresh) == (False, None)

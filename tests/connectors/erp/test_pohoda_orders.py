"""The pohoda adapter's orders: imports made harmless to repeat, the company check, states, payments, shipments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from erp_builders import order, product, transaction

from connectors.erp.errors import ErpError, ErpUnavailable, RecordError
from connectors.erp.pohoda import PohodaSettings
from connectors.erp.port import Location
from connectors.pohoda.mapping import received_order_from_shop
from connectors.pohoda.xml.agendas.orders import received_order
from domain.models import Customer, Image, OrderState, StockLevel, Tracking


@pytest.fixture
def shop(pohoda):
    pohoda.load(
        locations=[Location(erp_key="PRAHA", name="Sklad Praha")],
        products=[product("CHAIR", "CHAIR-BUK"), product("CHOC", "CHOC-70")],
        stock=[StockLevel(sku=sku, location_key="PRAHA", quantity=Decimal(20)) for sku in ("CHAIR-BUK", "CHOC-70")],
        customers=[Customer(erp_key="K1", email="jana@example.cz", first_name="Jana")],
    )
    return pohoda.backend


def _foreign_order(pohoda, number: int) -> str:
    """An order another e-shop imported: same POHODA, another external system."""
    model = received_order_from_shop(order(number, ("CHOC-70", 1, "59.90")), ex_system_name="another-shop")
    pohoda.backend.mserver.write(received_order(model), duplicity=True).check()
    return next(o.number for o in pohoda.state.orders.values() if o.ext_id and o.ext_id.system == "another-shop")


# ---- imports made harmless to repeat ------------------------------------------------------------------------


def test_a_retried_order_whose_answer_was_lost_is_imported_once(pohoda, shop):
    shop_order = order(501, ("CHAIR-BUK", 1, "1290.00"))
    pohoda.mserver.set_faults(drop_after_apply=1.0)
    with pytest.raises(ErpUnavailable):
        shop.create_sales_order(shop_order, "K1")
    pohoda.mserver.set_faults(drop_after_apply=0.0)
    key = shop.create_sales_order(shop_order, "K1")
    assert [o.number for o in pohoda.state.orders.values()] == [key]
    # and the adopted document is recorded as this order's, as if the first answer had arrived
    assert shop.get_sales_order_by_shop_id(shop_order.shop_id).lines_signature == shop_order.lines_signature()


def test_a_duplicity_answer_returns_the_order_imported_before(pohoda, shop, monkeypatch):
    shop_order = order(502, ("CHOC-70", 2, "59.90"))
    key = shop.create_sales_order(shop_order, None)
    other = pohoda.new_backend()  # another worker, whose lookup raced with the first import and saw nothing
    lookups: list[str] = []
    real = other._orders.by_shop_id

    def racing(shop_id: str):
        lookups.append(shop_id)
        return None if len(lookups) == 1 else real(shop_id)

    monkeypatch.setattr(other._orders, "by_shop_id", racing)
    assert other.create_sales_order(shop_order, None) == key
    assert len(lookups) == 2 and len(pohoda.state.orders) == 1


def test_an_order_a_pohoda_user_deleted_is_imported_anew(pohoda, shop):
    shop_order = order(503, ("CHOC-70", 1, "59.90"))
    first = shop.create_sales_order(shop_order, None)
    with pohoda.state.lock:
        del pohoda.state.orders[pohoda.state.order(first).id]
    again = shop.create_sales_order(shop_order, None)
    assert again != first and [o.number for o in pohoda.state.orders.values()] == [again]


@pytest.mark.parametrize(
    "client", [{"company_ico": "87654321"}, {"fiscal_year": 2024}], ids=["other IČO", "other year"]
)
def test_a_wrong_company_or_year_is_refused_before_anything_is_sent(pohoda, shop, client):
    wrong = pohoda.new_backend(**client)
    writes = [
        lambda: wrong.create_sales_order(order(504, ("CHOC-70", 1, "59.90")), "K1"),
        lambda: wrong.upsert_customer(Customer(erp_key="K1", email="jana@example.cz")),
        lambda: wrong.record_payment(transaction(1, 504), "250100001"),
        lambda: wrong.delete_sales_order("250100001"),
        lambda: wrong.put_item_image(Image(item_key="CHAIR", content=b"\x89PNG")),
    ]
    for write in writes:
        with pytest.raises(ErpError, match="IČO|fiscal year") as caught:
            write()
        assert not isinstance(caught.value, (RecordError, ErpUnavailable))
    assert pohoda.mserver.recorder.count == 0 and not pohoda.state.orders


# ---- reading orders back ------------------------------------------------------------------------------------


def test_a_sales_order_reads_back_its_lines_discounts_shipping_and_customer(pohoda, shop):
    base = order(505, ("CHAIR-BUK", 2, "1290.00"), (None, 1, "25.00"))
    lines = [base.lines[0].model_copy(update={"discount": Decimal("100")}), base.lines[1]]
    shop_order = base.model_copy(update={"lines": lines, "shipping_total": Decimal("89"), "total": Decimal("2594")})
    key = shop.create_sales_order(shop_order, "K1")
    sales_order = shop.get_sales_order_by_shop_id(shop_order.shop_id)
    assert (sales_order.erp_key, sales_order.shop_order_name, sales_order.customer_key) == (key, "#505", "K1")
    assert [(ln.shop_id, ln.sku, ln.quantity, ln.unit_price, ln.discount) for ln in sales_order.lines] == [
        ("gid://shopify/LineItem/5050", "CHAIR-BUK", 2, Decimal("1290"), Decimal("100")),
        ("gid://shopify/LineItem/5051", None, 1, Decimal("25"), Decimal("0")),
    ]
    assert (sales_order.shipping_total, sales_order.total) == (Decimal("89"), Decimal("2594"))
    assert sales_order.lines_signature == shop_order.lines_signature() and sales_order.state is None


def test_order_states_come_from_executed_transferred_and_cancelled_orders_of_the_shop_only(pohoda, shop):
    keys = {n: shop.create_sales_order(order(n, ("CHOC-70", 1, "59.90")), None) for n in range(601, 606)}
    foreign = _foreign_order(pohoda, 699)
    clock = pohoda.emulator.clock
    clock.advance(3600)
    pohoda.state.set_order_executed(keys[601])
    pohoda.state.set_order_executed(foreign)
    clock.advance(3600)
    later = clock.now()
    pohoda.state.transfer_order(keys[602])
    pohoda.state.transfer_order(keys[603], set_executed=True)  # invoiced wins over executed
    pohoda.state.cancel_order(keys[604])
    changes = [c for page in shop.iter_order_status_changes(None, 1) for c in page.items]
    assert [(c.order_shop_id, c.erp_key, c.state) for c in changes] == [
        ("gid://shopify/Order/601", keys[601], OrderState.PROCESSED),
        ("gid://shopify/Order/602", keys[602], OrderState.TRANSFERRED),
        ("gid://shopify/Order/603", keys[603], OrderState.TRANSFERRED),
        ("gid://shopify/Order/604", keys[604], OrderState.CANCELLED),
    ]
    since_later = shop.list_order_status_changes(later, None, 10)
    assert [c.erp_key for c in since_later.items] == [keys[602], keys[603], keys[604]]
    assert all(c.changed_at >= later for c in since_later.items)
    cancelled = shop.get_sales_order_by_shop_id("gid://shopify/Order/604")
    assert cancelled.state is OrderState.CANCELLED and cancelled.state_changed_at is not None


# ---- payments -----------------------------------------------------------------------------------------------


def test_a_bank_payment_carries_the_order_number_as_its_variable_symbol(pohoda, shop):
    key = shop.create_sales_order(order(801, ("CHOC-70", 1, "59.90")), None)
    assert shop.record_payment(transaction(81, 801, "59.90"), key) is True
    (payment,) = pohoda.state.payments.values()
    assert (payment.agenda, payment.sym_var, payment.amount) == ("bank", key, Decimal("59.90"))
    assert payment.order_id == pohoda.state.order(key).id


def test_a_cash_gateway_payment_is_a_cash_receipt_of_its_order_booked_once(pohoda, shop):
    cash = pohoda.new_backend(settings=PohodaSettings(cash_gateways=frozenset({"cash"})))
    key = cash.create_sales_order(order(802, ("CHOC-70", 2, "59.90")), None)
    tx = transaction(82, 802, "119.80").model_copy(update={"gateway": "cash"})
    assert cash.record_payment(tx, key) is True
    assert cash.record_payment(tx, key) is False
    (payment,) = pohoda.state.payments.values()
    assert (payment.agenda, payment.amount, payment.ext_id.ids) == ("cash", Decimal("119.80"), tx.shop_id)
    assert payment.order_id == pohoda.state.order(key).id


# ---- shipments ----------------------------------------------------------------------------------------------


def test_a_delivery_note_with_tracking_is_a_shipment_of_its_shop_order_line_by_line(pohoda, shop):
    shop_order = order(701, ("CHAIR-BUK", 2, "1290.00"), ("CHOC-70", 3, "59.90"), (None, 1, "99.00"))
    key = shop.create_sales_order(shop_order, None)
    with pohoda.emulator.clock.frozen_at(datetime(2025, 6, 3, 22, 30, tzinfo=UTC)):  # 4 June in Prague
        note = pohoda.state.create_delivery_note(
            key,
            lines={"CHAIR-BUK": 1, "CHOC-70": 3},
            carrier="PPL",
            tracking_number="CZ123",
            tracking_url="https://ppl.example/CZ123",
        )
    (shipment,) = shop.list_unsynced_shipments(10)
    assert (shipment.erp_key, shipment.order_shop_id, shipment.location_key) == (
        note.number,
        shop_order.shop_id,
        "PRAHA",
    )
    assert [(line.sku, line.quantity, line.order_line_shop_id) for line in shipment.lines] == [
        ("CHAIR-BUK", 1, "gid://shopify/LineItem/7010"),
        ("CHOC-70", 3, "gid://shopify/LineItem/7011"),
    ]
    assert shipment.tracking == Tracking(company="PPL", number="CZ123", url="https://ppl.example/CZ123")
    assert shipment.shipped_at == datetime(2025, 6, 3, 22, 0, tzinfo=UTC)  # the note's day, Prague midnight


def test_sent_failed_and_foreign_delivery_notes_are_not_listed_again_by_any_adapter(pohoda, shop):
    foreign = pohoda.state.create_delivery_note(_foreign_order(pohoda, 799))
    keys = [shop.create_sales_order(order(n, ("CHOC-70", 1, "59.90")), None) for n in (711, 712, 713)]
    notes = [pohoda.state.create_delivery_note(key) for key in keys]
    shop.mark_shipment_synced(notes[0].number, "gid://shopify/Fulfillment/1", None)
    shop.mark_shipment_synced(notes[1].number, None, "fulfillment order is closed")
    assert [s.erp_key for s in pohoda.new_backend().list_unsynced_shipments(10)] == [notes[2].number]
    assert foreign.id < notes[1].id == int(pohoda.local.mark("shipments-floor"))
    shop.mark_shipment_synced(notes[2].number, None, None)
    assert shop.list_unsynced_shipments(10) == []


def test_an_order_with_a_delivery_note_is_not_deleted(pohoda, shop):
    key = shop.create_sales_order(order(901, ("CHOC-70", 1, "59.90")), None)
    pohoda.state.create_delivery_note(key)
    with pytest.raises(RecordError, match="shipments"):
        shop.delete_sales_order(key)
    assert pohoda.state.order(key).number == key


def test_an_order_with_a_delivery_note_is_not_cancelled_and_says_why(pohoda, shop):
    key = shop.create_sales_order(order(902, ("CHOC-70", 1, "59.90")), None)
    pohoda.state.create_delivery_note(key)
    outcome = shop.cancel_sales_order(key, "cancelled in Shopify (#902)")
    assert not outcome.cancelled and "shipped or processed in POHODA" in (outcome.refused or "")
    assert pohoda.state.order(key).number == key

"""Payments booked once per shop transaction; shipments listed until sent, failed or found empty."""

from __future__ import annotations

from decimal import Decimal

import pytest
from erp_builders import at, order, product, transaction

from connectors.erp.errors import RecordError
from domain.models import Shipment, ShipmentLine, Tracking


@pytest.fixture
def orders(erp_harness, erp):
    erp_harness.load(products=[product("CHAIR", "CHAIR-BUK"), product("CHOC", "CHOC-70")])
    return {
        n: erp.create_sales_order(order(n, ("CHAIR-BUK", 1, "1290.00"), ("CHOC-70", 2, "59.90")), None)
        for n in (1, 2, 3, 4)
    }


def test_a_transaction_is_booked_once_however_often_it_is_recorded(erp, orders):
    assert erp.record_payment(transaction(10, 1, "1409.80"), orders[1]) is True
    assert erp.record_payment(transaction(10, 1, "1409.80"), orders[1]) is False
    assert erp.record_payment(transaction(11, 1, "5.00"), orders[1]) is True


def test_a_payment_for_an_unknown_order_names_the_transaction(erp, orders):
    with pytest.raises(RecordError) as caught:
        erp.record_payment(transaction(12, 1), "SO-NOPE")
    assert caught.value.record == "transaction gid://shopify/OrderTransaction/12"
    assert caught.value.field == "order_erp_key"


def _ship(harness, key: str, order_number: int, minutes: int, tracking: Tracking | None = None) -> None:
    harness.ship(
        Shipment(
            erp_key=key,
            order_shop_id=f"gid://shopify/Order/{order_number}",
            location_key="PRAHA",
            lines=[
                ShipmentLine(sku="CHAIR-BUK", quantity=1, order_line_shop_id=f"gid://shopify/LineItem/{order_number}0")
            ],
            tracking=tracking,
            shipped_at=at(minutes),
        )
    )


def test_unsynced_shipments_come_oldest_first_with_lines_and_tracking(erp_harness, erp, orders):
    _ship(erp_harness, "DL-B", 2, 20)
    _ship(erp_harness, "DL-A", 1, 10, Tracking(company="PPL", number="CZ123", url="https://ppl.example/CZ123"))
    shipments = erp.list_unsynced_shipments(10)
    assert [s.erp_key for s in shipments] == ["DL-A", "DL-B"]
    first = shipments[0]
    assert first.order_shop_id == "gid://shopify/Order/1" and first.location_key == "PRAHA"
    assert first.tracking.number == "CZ123" and first.shipped_at == at(10)
    assert [(line.sku, line.quantity, line.order_line_shop_id) for line in first.lines] == [
        ("CHAIR-BUK", 1, "gid://shopify/LineItem/10")
    ]
    assert shipments[1].tracking is None
    assert [s.erp_key for s in erp.list_unsynced_shipments(1)] == ["DL-A"]


def test_sent_failed_and_empty_shipments_are_not_listed_again(erp_harness, erp, orders):
    for n in (1, 2, 3, 4):
        _ship(erp_harness, f"DL-{n}", n, n)
    erp.mark_shipment_synced("DL-1", "gid://shopify/Fulfillment/77", None)
    erp.mark_shipment_synced("DL-2", None, "fulfillment order is closed")
    erp.mark_shipment_synced("DL-3", None, None)
    assert [s.erp_key for s in erp.list_unsynced_shipments(10)] == ["DL-4"]


def test_marking_an_unknown_shipment_is_a_record_error(erp, orders):
    with pytest.raises(RecordError, match="DL-NOPE"):
        erp.mark_shipment_synced("DL-NOPE", "gid://shopify/Fulfillment/1", None)


def test_a_gift_card_payment_is_booked_as_its_own_kind_not_as_cash(erp_harness, erp, orders):
    from connectors.erp.sql import SqlErpBackend

    gift = transaction(20, 2, "500.00").model_copy(update={"gateway": "gift_card"})
    assert gift.is_gift_card
    assert erp.record_payment(gift, orders[2]) is True
    assert erp.record_payment(transaction(21, 2, "909.80"), orders[2]) is True
    if isinstance(erp, SqlErpBackend):
        import sqlalchemy as sa

        from connectors.erp.sql import tables as t

        with erp.engine.connect() as conn:
            rows = conn.execute(sa.select(t.payments.c.shop_transaction_id, t.payments.c.method)).all()
        assert sorted((r[0].rsplit("/", 1)[1], r[1]) for r in rows) == [("20", "gift_card"), ("21", "gateway")]
    else:
        booked = {p.ext_id.ids.rsplit("/", 1)[1]: (p.agenda, p.account) for p in erp_harness.state.payments.values()}
        assert booked == {"20": ("bank", "DK"), "21": ("bank", "KB")}  # a clearing account, never the cash desk


def test_payments_are_booked_in_the_orders_currency_with_its_code_and_the_buyers_currency_beside(erp_harness, erp):
    """An order of a shop keeping its books in EUR is booked in EUR (POHODA: ``foreignCurrency``), bank and cash
    alike; a payment the buyer made in EUR on a CZK shop is booked in CZK, what they paid kept beside it."""
    import sqlalchemy as sa

    from connectors.erp.pohoda.settings import PohodaSettings
    from connectors.erp.sql import SqlErpBackend
    from connectors.erp.sql import tables as t

    erp_harness.load(products=[product("CHAIR", "CHAIR-BUK")])
    if not isinstance(erp, SqlErpBackend):  # the cash-on-delivery gateway is booked in POHODA's cash desk
        erp = erp_harness.new_backend(settings=PohodaSettings(cash_gateways=frozenset({"cash_on_delivery"})))
    in_eur = erp.create_sales_order(order(7, ("CHAIR-BUK", 1, "51.60"), currency="EUR"), None)
    in_czk = erp.create_sales_order(order(8, ("CHAIR-BUK", 1, "1290.00")), None)
    by_card = transaction(70, 7, "40.00").model_copy(update={"currency": "EUR"})
    cash = transaction(71, 7, "11.60").model_copy(update={"currency": "EUR", "gateway": "cash_on_delivery"})
    paid_in_eur = transaction(80, 8, "1290.00").model_copy(
        update={"presentment_amount": Decimal("51.60"), "presentment_currency": "EUR"}
    )

    assert all(erp.record_payment(tx, key) for tx, key in ((by_card, in_eur), (cash, in_eur), (paid_in_eur, in_czk)))

    if isinstance(erp, SqlErpBackend):
        p = t.payments
        columns = (p.c.shop_transaction_id, p.c.amount, p.c.currency, p.c.presentment_amount, p.c.presentment_currency)
        with erp.engine.connect() as conn:
            rows = conn.execute(sa.select(*columns).order_by(p.c.shop_transaction_id)).all()
        assert [(r[0].rsplit("/", 1)[1], *r[1:]) for r in rows] == [
            ("70", Decimal("40.00"), "EUR", None, None),
            ("71", Decimal("11.60"), "EUR", None, None),
            ("80", Decimal("1290.00"), "CZK", Decimal("51.60"), "EUR"),
        ]
        with erp.engine.connect() as conn:
            lines = conn.execute(sa.select(t.sales_order_lines.c.order_key, t.sales_order_lines.c.currency)).all()
        assert sorted(lines) == sorted([(in_eur, "EUR"), (in_czk, "CZK")])  # every money row names its currency
    else:
        booked = {
            p.ext_id.ids.rsplit("/", 1)[1]: (p.agenda, p.amount, p.currency)
            for p in erp_harness.state.payments.values()
        }
        assert booked == {
            "70": ("bank", Decimal("40.00"), "EUR"),  # foreignCurrency: EUR is not POHODA's home currency
            "71": ("cash", Decimal("11.60"), "EUR"),
            "80": ("bank", Decimal("1290.00"), None),  # home currency: the books take the shop's CZK
        }

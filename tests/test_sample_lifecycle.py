"""The lifecycle set the demo applies after its first pass: new orders of every kind, and the turns the shared
sample already holds, told apart — without touching the shared sample other tests count."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from commerce_sync.samples.data import generate
from commerce_sync.samples.lifecycle import new_orders, sample_scenarios

AT = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_the_new_orders_are_a_test_order_one_cancelled_before_import_and_one_paid_in_eur_at_a_czk_shop():
    data = generate(items=12, customers=6, orders=8, seed=7)

    placed = dict(new_orders(data.products, AT))

    assert placed["test order"].test and placed["test order"].transactions[0].gateway == "bogus"
    assert placed["cancelled before import"].cancelled_at == AT and placed["cancelled before import"].closed
    eur = placed["second currency"]
    paid = eur.transactions[0]
    assert (eur.currency, eur.presentment_currency, paid.currency, paid.presentment_currency) == (
        "CZK",
        "EUR",
        "CZK",
        "EUR",
    )
    assert paid.presentment_amount == (paid.amount / 25).quantize(Decimal("0.01"))
    assert {o.shop_id for o in placed.values()}.isdisjoint(o.shop_id for o in data.orders)


def test_the_shared_samples_refunds_and_gift_card_are_named_by_what_they_give_back():
    data = generate(items=200, customers=50, orders=100, seed=1)  # the demo's SQL shop

    kinds = {s.kind: s.name for s in sample_scenarios(data.orders, data.refunds)}

    assert set(kinds) == {"partial refund with restock", "full refund", "shipping refund", "gift-card payment"}

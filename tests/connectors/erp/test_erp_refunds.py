"""A shop refund becomes exactly one ERP credit document (SQL credit memo, POHODA issued credit note) with its
lines and the money paid back, whatever adapter; the sales order itself is left as it was ordered."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from erp_builders import T0, order, product

from connectors.erp.errors import RecordError
from connectors.erp.sql import SqlErpBackend
from connectors.erp.sql import tables as t
from domain.models import Transaction, TransactionKind, TransactionStatus
from domain.refunds import Refund, RefundLine, RestockType


def refund(number: int, order_number: int = 1, *, restock: bool = True, shipping: str = "0") -> Refund:
    return Refund(
        shop_id=f"gid://shopify/Refund/{number}",
        order_shop_id=f"gid://shopify/Order/{order_number}",
        order_name=f"#{order_number}",
        processed_at=T0,
        currency="CZK",
        lines=[
            RefundLine(
                line_shop_id=f"gid://shopify/LineItem/{order_number}1",
                sku="CHOC-70",
                title="Čokoláda",
                quantity=1,
                amount=Decimal("49.50"),
                tax=Decimal("10.40"),
                restock_type=RestockType.RETURN if restock else RestockType.NO_RESTOCK,
            )
        ],
        shipping=Decimal(shipping),
        transactions=[
            Transaction(
                shop_id=f"gid://shopify/OrderTransaction/9{number}",
                order_shop_id=f"gid://shopify/Order/{order_number}",
                kind=TransactionKind.REFUND,
                status=TransactionStatus.SUCCESS,
                gateway="shopify_payments",
                amount=Decimal("59.90") + Decimal(shipping),
                currency="CZK",
                processed_at=T0,
            )
        ],
    )


@pytest.fixture
def sales_order(erp_harness, erp) -> str:
    erp_harness.load(products=[product("CHAIR", "CHAIR-BUK"), product("CHOC", "CHOC-70")])
    return erp.create_sales_order(order(1, ("CHAIR-BUK", 1, "1290.00"), ("CHOC-70", 2, "59.90")), None)


def test_a_refund_is_booked_once_however_often_it_is_recorded(erp_harness, erp, sales_order):
    assert erp.record_refund(refund(1, shipping="89.00"), sales_order) is True
    assert erp.record_refund(refund(1, shipping="89.00"), sales_order) is False
    assert erp.record_refund(refund(2, restock=False), sales_order) is True
    kept = erp.get_sales_order_by_shop_id("gid://shopify/Order/1")
    assert [line.quantity for line in kept.lines if line.sku] == [1, 2]  # the order is not shrunk
    if isinstance(erp, SqlErpBackend):
        with erp.engine.connect() as conn:
            memos = conn.execute(sa.select(t.credit_memos).order_by(t.credit_memos.c.erp_key)).all()
            lines = conn.execute(sa.select(t.credit_memo_lines).order_by(t.credit_memo_lines.c.memo_key)).all()
            money = conn.execute(sa.select(t.refunds).order_by(t.refunds.c.shop_transaction_id)).all()
        assert [(m.shop_refund_id, m.order_key, m.total, m.restock) for m in memos] == [
            ("gid://shopify/Refund/1", sales_order, Decimal("148.90"), True),
            ("gid://shopify/Refund/2", sales_order, Decimal("59.90"), False),
        ]
        assert [(x.sku, x.quantity, x.restock_type, x.currency) for x in lines] == [
            ("CHOC-70", 1, "RETURN", "CZK"),
            ("CHOC-70", 1, "NO_RESTOCK", "CZK"),
        ]
        assert [(m.amount, m.currency, m.memo_key) for m in money] == [
            (Decimal("148.90"), "CZK", memos[0].erp_key),
            (Decimal("59.90"), "CZK", memos[1].erp_key),
        ]
    else:
        notes = sorted(erp_harness.state.invoices.values(), key=lambda n: n.id)
        assert [(n.invoice_type, n.ext_id.ids, n.number_order) for n in notes] == [
            ("issuedCreditNotice", "gid://shopify/Refund/1", "#1"),
            ("issuedCreditNotice", "gid://shopify/Refund/2", "#1"),
        ]
        assert [(i.quantity, i.stock_card_id is not None) for i in notes[0].items] == [
            (Decimal("-1"), True),  # the return: POHODA receives the unit back
            (Decimal("-1"), False),  # shipping: money only
        ]
        assert [i.stock_card_id for i in notes[1].items] == [None]  # not restocked: no stock moves
        expenses = [p for p in erp_harness.state.payments.values() if p.kind == "expense"]
        assert sorted(p.amount for p in expenses) == [Decimal("59.90"), Decimal("148.90")]


def test_a_refund_of_an_unknown_sales_order_names_the_refund(erp, sales_order):
    with pytest.raises(RecordError) as caught:
        erp.record_refund(refund(3), "SO-NOPE")
    assert caught.value.record == "refund gid://shopify/Refund/3"
    assert caught.value.field == "order_erp_key"


def test_booked_refunds_are_listed_by_refund_id_and_their_money_is_no_payment(erp, sales_order):
    erp.record_refund(refund(1, shipping="89.00"), sales_order)
    erp.record_refund(refund(2, restock=False), sales_order)

    booked = erp.list_refunds(["gid://shopify/Refund/2", "gid://shopify/Refund/1", "gid://shopify/Refund/9"])

    assert [b.refund_id for b in booked] == ["gid://shopify/Refund/1", "gid://shopify/Refund/2"]
    if isinstance(erp, SqlErpBackend):  # POHODA's credit notes are compared by id only
        assert [(b.order_erp_key, b.amount, b.currency) for b in booked] == [
            (sales_order, Decimal("148.90"), "CZK"),
            (sales_order, Decimal("59.90"), "CZK"),
        ]
    assert erp.list_payments([sales_order]) == []  # money paid back is no payment received


def test_a_cancelled_sales_orders_refund_pays_the_money_back_once_and_its_payment_stays_booked(
    erp_harness, erp, sales_order
):
    """The shop cancelled an imported, paid order and refunded it: the payment booked before is not sent again
    (POHODA took the order off its books), and the money paid back is booked once."""
    paid = (
        refund(7)
        .transactions[0]
        .model_copy(update={"shop_id": "gid://shopify/OrderTransaction/70", "kind": TransactionKind.SALE})
    )
    assert erp.record_payment(paid, sales_order) is True
    assert erp.cancel_sales_order(sales_order, "cancelled in Shopify (#1)").cancelled

    assert erp.record_payment(paid, sales_order) is False
    assert erp.record_refund(refund(7, restock=False), sales_order) is True
    assert erp.record_refund(refund(7, restock=False), sales_order) is False

    if isinstance(erp, SqlErpBackend):
        assert [b.refund_id for b in erp.list_refunds(["gid://shopify/Refund/7"])] == ["gid://shopify/Refund/7"]
    else:  # nothing was delivered or invoiced: no credit note, the money back as one bank expense
        assert not erp_harness.state.invoices
        expenses = [p.amount for p in erp_harness.state.payments.values() if p.kind == "expense"]
        assert expenses == [Decimal("59.90")]

"""Shop models → POHODA documents, and POHODA cards → shop products/stock: the business decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.pohoda.errors import RecordError
from connectors.pohoda.mapping import (
    address_book_from_customer,
    bank_payment_from_transaction,
    received_order_from_shop,
)
from connectors.pohoda.models import PriceLevel, StockItem, VatRate
from connectors.pohoda.xml import builders
from connectors.pohoda.xml.pack import DataPack
from domain.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    Transaction,
    TransactionKind,
    TransactionStatus,
)

CREATED = datetime(2025, 1, 5, 23, 30, tzinfo=UTC)  # 6 January in Prague


def shop_order(**changes: object) -> Order:
    customer = Customer(
        shop_id="gid://shopify/Customer/5",
        email="jan@example.com",
        first_name="Jan",
        last_name="Novák",
        phone="+420777123456",
    )
    billing = Address(
        first_name="Jan",
        last_name="Novák",
        street="Dlouhá 12",
        street2="byt 3",
        city="Praha",
        zip="110 00",
        country_code="CZ",
    )
    base = Order(
        shop_id="gid://shopify/Order/1001",
        name="#1001",
        created_at=CREATED,
        updated_at=CREATED,
        currency="CZK",
        customer=customer,
        billing_address=billing,
        shipping_address=billing,
        lines=[
            OrderLine(
                sku="ABC-001",
                title="Hrnek " + "velký " * 20,
                quantity=2,
                unit_price=Decimal("199"),
                discount=Decimal("20"),
                tax_rate=Decimal("0.21"),
            ),
            OrderLine(sku=None, title="Dárkové balení", quantity=1, unit_price=Decimal("30"), tax_rate=Decimal("0.12")),
        ],
        shipping_total=Decimal("99"),
        total=Decimal("507"),
    )
    return base.model_copy(update=changes)


def test_a_shop_order_becomes_a_received_order_keyed_by_the_shop_id(pohoda_xsd) -> None:
    order = received_order_from_shop(shop_order(), ex_system_name="shopify", payment_type="Kartou")
    assert (order.ext_id.ids, order.ext_id.system, order.number_order) == (
        "gid://shopify/Order/1001",
        "shopify",
        "#1001",
    )
    assert order.date.isoformat() == "2025-01-06"
    assert (order.partner.name, order.partner.street, order.partner.email) == (
        "Jan Novák",
        "Dlouhá 12, byt 3",
        "jan@example.com",
    )
    assert order.ship_to is None  # same as billing
    pohoda_xsd.assert_valid_request(
        DataPack(application="a", ico="1", note="n", items=[builders.received_order(order)]).to_bytes()
    )


def test_lines_discounts_and_shipping_add_up_to_the_shop_total() -> None:
    order = received_order_from_shop(shop_order(), ex_system_name="shopify")
    items = [(i.text[:6], i.quantity, i.unit_price, i.rate_vat) for i in order.items]
    assert items == [
        ("Hrnek ", 2, Decimal("199"), VatRate.HIGH),
        ("Sleva:", 1, Decimal("-20"), VatRate.HIGH),
        ("Dárkov", 1, Decimal("30"), VatRate.LOW),
        ("Doprav", 1, Decimal("99"), VatRate.HIGH),
    ]
    assert sum(i.quantity * i.unit_price for i in order.items) == Decimal("507")
    assert all(i.pay_vat for i in order.items)
    assert order.items[0].stock_code == "ABC-001" and order.items[2].stock_code is None


def test_a_long_line_title_is_shortened_to_pohodas_90_characters() -> None:
    text = received_order_from_shop(shop_order(), ex_system_name="shopify").items[0].text
    assert len(text) == 90 and text.endswith("…")


def test_a_vat_rate_pohoda_has_no_symbol_for_is_refused_naming_the_line() -> None:
    order = shop_order(
        lines=[OrderLine(sku="X", title="X", quantity=1, unit_price=Decimal(1), tax_rate=Decimal("0.15"))]
    )
    with pytest.raises(RecordError, match=r"order #1001: lines\[0\]\.tax_rate: no POHODA VAT rate for 15 %"):
        received_order_from_shop(order, ex_system_name="shopify")


def test_a_customer_becomes_an_address_keyed_by_the_shop_customer_id(pohoda_xsd) -> None:
    customer = Customer(
        shop_id="gid://shopify/Customer/5",
        email="jan@example.com",
        first_name="Jan",
        last_name="Novák",
        addresses=[Address(street="Dlouhá 12", city="Praha", country_code="CZ")],
    )
    entry = address_book_from_customer(customer, ex_system_name="shopify")
    assert entry.ext_id_for("shopify") == "gid://shopify/Customer/5"
    assert (entry.address.name, entry.address.city, entry.email) == ("Jan Novák", "Praha", "jan@example.com")
    pohoda_xsd.assert_valid_request(
        DataPack(application="a", ico="1", note="n", items=[builders.address_book_entry(entry)]).to_bytes()
    )


def transaction(
    kind: TransactionKind = TransactionKind.SALE, status=TransactionStatus.SUCCESS, currency: str = "CZK"
) -> Transaction:
    return Transaction(
        shop_id="gid://shopify/OrderTransaction/77",
        order_shop_id="gid://shopify/Order/1001",
        kind=kind,
        status=status,
        gateway="shopify_payments",
        amount=Decimal("507"),
        currency=currency,
        processed_at=CREATED,
    )


def test_a_payment_is_a_bank_receipt_with_the_order_number_as_variable_symbol() -> None:
    payment = bank_payment_from_transaction(transaction(), order_number="#1001", account="KB", ex_system_name="shopify")
    assert (payment.kind, payment.variable_symbol, payment.amount, payment.currency, payment.date.isoformat()) == (
        "receipt",
        "1001",
        Decimal("507"),
        None,
        "2025-01-06",
    )
    assert payment.ext_id.ids == "gid://shopify/OrderTransaction/77"


def test_a_refund_is_a_bank_expense_and_a_foreign_payment_keeps_its_currency() -> None:
    refund = bank_payment_from_transaction(
        transaction(TransactionKind.REFUND, currency="EUR"),
        order_number="#1001",
        account="KB",
        ex_system_name="shopify",
    )
    assert (refund.kind, refund.currency) == ("expense", "EUR")


def test_a_payment_made_in_another_currency_is_booked_in_the_shops_with_what_the_buyer_paid_in_its_note() -> None:
    paid = transaction().model_copy(update={"presentment_amount": Decimal("20.28"), "presentment_currency": "EUR"})
    payment = bank_payment_from_transaction(paid, order_number="#1001", account="KB", ex_system_name="shopify")
    plain = bank_payment_from_transaction(transaction(), order_number="#1001", account="KB", ex_system_name="shopify")
    assert (payment.amount, payment.currency, payment.note) == (Decimal("507"), None, "Zákazník platil 20.28 EUR")
    assert plain.note is None


def test_an_authorization_moves_no_money_and_is_not_booked() -> None:
    with pytest.raises(RecordError, match="moves no money"):
        bank_payment_from_transaction(
            transaction(TransactionKind.AUTHORIZATION), order_number="#1", account="KB", ex_system_name="shopify"
        )


def test_an_order_number_without_digits_gives_no_variable_symbol() -> None:
    with pytest.raises(RecordError, match="variable_symbol"):
        bank_payment_from_transaction(transaction(), order_number="#ABC", account="KB", ex_system_name="shopify")


def stock(**changes: object) -> StockItem:
    base = StockItem(
        id=1,
        code="ABC-001",
        name="Hrnek",
        ean="859",
        selling_price=Decimal("100"),
        selling_vat="high",
        producer="Příbor",
        supplier_id=12,
        category_ids=[5, 7],
        count=Decimal("17"),
        reservation=Decimal("2"),
        is_internet=True,
    )
    return base.model_copy(update=changes)


def test_a_net_price_becomes_a_gross_shop_price_at_the_cards_vat_rate() -> None:
    product = stock().to_product()
    assert product.variants[0].price == Decimal("121.00") and product.vat_rate == Decimal("21")
    assert (product.vendor, product.supplier_key, product.category_keys) == ("Příbor", "12", ["5", "7"])


def test_a_gross_price_stays_and_can_be_made_net() -> None:
    assert stock(selling_price_with_vat=True).shop_price() == Decimal("100.00")
    assert stock(selling_price_with_vat=True).shop_price(gross=False) == Decimal("82.64")


def test_a_named_price_level_can_be_the_shop_price() -> None:
    card = stock(selling_price_with_vat=True, price_levels=[PriceLevel(name="E-shop", price=Decimal("95"))])
    assert card.to_product(price_level="E-shop").variants[0].price == Decimal("95.00")
    with pytest.raises(RecordError, match=r"stockPriceItem\[VIP\]: no price"):
        card.shop_price(price_level="VIP")


def test_a_card_without_price_or_vat_rate_names_the_card() -> None:
    with pytest.raises(RecordError, match="stock item 'ABC-001': sellingPrice: no price"):
        stock(selling_price=None).to_product()
    with pytest.raises(RecordError, match="sellingRateVAT"):
        stock(selling_vat=None).to_product()


def test_stock_level_is_what_may_still_be_sold() -> None:
    assert stock().to_stock_level("ZBOZI").quantity == Decimal("15")
    assert stock(count_issue=Decimal("14")).to_stock_level("ZBOZI").quantity == Decimal("14")
    assert stock().to_stock_level("ZBOZI", basis="count").quantity == Decimal("17")
    with pytest.raises(RecordError, match="count"):
        stock(count=None).to_stock_level("ZBOZI")


def test_a_card_hidden_from_the_internet_is_an_inactive_product() -> None:
    assert stock(is_internet=False).to_product().active is False

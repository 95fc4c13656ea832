"""Sample data: deterministic, internally consistent, realistic enough to exercise the syncs, loaded idempotently."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from commerce_sync.samples.data import generate, write_sql_erp
from domain.models import FinancialStatus, TransactionKind, TransactionStatus, build_category_tree


@pytest.fixture(scope="module")
def data():
    return generate(items=300, customers=60, orders=150, seed=42)


def test_the_same_seed_gives_identical_data_and_another_seed_different_data():
    first = generate(items=40, customers=10, orders=20, seed=7)
    assert first == generate(items=40, customers=10, orders=20, seed=7)
    other = generate(items=40, customers=10, orders=20, seed=8)
    assert [p.title for p in other.products] != [p.title for p in first.products]


def test_the_requested_amounts_are_generated(data):
    assert (len(data.products), len(data.customers), len(data.orders)) == (300, 60, 150)
    assert all(1 <= len(p.variants) <= 3 for p in data.products)
    assert {len(p.variants) for p in data.products} == {1, 2, 3}


def test_every_barcode_is_a_unique_valid_ean13(data):
    barcodes = [v.barcode for p in data.products for v in p.variants]
    assert len(set(barcodes)) == len(barcodes)
    for code in barcodes:
        assert re.fullmatch(r"\d{13}", code), code
        weighted = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code))
        assert weighted % 10 == 0, f"bad check digit in {code}"


def test_catalogue_references_point_at_existing_records(data):
    skus = [v.sku for p in data.products for v in p.variants]
    assert len(set(skus)) == len(skus)
    build_category_tree(data.categories)  # raises on a dangling parent or a cycle
    by_key = {c.erp_key: c for c in data.categories}

    def depth(key: str) -> int:
        parent = by_key[key].parent_key
        return 1 if parent is None else 1 + depth(parent)

    assert {depth(key) for p in data.products for key in p.category_keys} == {2, 3}
    categories = {c.erp_key for c in data.categories}
    producers = {p.erp_key for p in data.parties if p.kind == "producer"}
    suppliers = {p.erp_key for p in data.parties if p.kind == "supplier"}
    for product in data.products:
        assert set(product.category_keys) <= categories
        assert product.producer_key in producers and product.supplier_key in suppliers
    locations = {loc.erp_key for loc in data.locations}
    assert {"PRAHA", "BRNO", "OSTRAVA"} <= locations
    assert {s.sku for s in data.stock} == set(skus)
    assert {s.location_key for s in data.stock} == locations
    assert {p.vat_rate for p in data.products} == {Decimal("21"), Decimal("12"), Decimal("0")}
    assert {i.item_key for i in data.images} <= {p.erp_key for p in data.products}


def test_orders_reference_existing_skus_and_their_totals_add_up(data):
    skus = {v.sku for p in data.products for v in p.variants}
    for order in data.orders:
        assert order.lines, order.name
        assert {line.sku for line in order.lines} <= skus
        assert order.total == sum(line.total for line in order.lines) + order.shipping_total, order.name
        assert 0 < order.tax_total < order.total
        assert order.currency in ("CZK", "EUR")
        if order.financial_status is FinancialStatus.PAID:
            paid = [t for t in order.transactions if t.is_money_in]
            assert sum(t.amount for t in paid) == order.total, order.name
        for tx in order.transactions:
            assert tx.order_shop_id == order.shop_id and tx.processed_at <= order.updated_at
    assert {o.currency for o in data.orders} == {"CZK", "EUR"}
    assert [o.name for o in data.orders[:2]] == ["#1001", "#1002"]
    assert all(a.created_at <= b.created_at for a, b in zip(data.orders, data.orders[1:], strict=False))
    assert any(tx.kind is TransactionKind.REFUND for o in data.orders for tx in o.transactions)
    assert any(tx.status is TransactionStatus.PENDING for o in data.orders for tx in o.transactions)


def test_names_keep_their_czech_diacritics(data):
    czech = re.compile(r"[áčďéěíňóřšťúůýž]", re.IGNORECASE)
    assert sum(bool(czech.search(p.title)) for p in data.products) > len(data.products) // 3
    assert any(czech.search(c.last_name or "") for c in data.customers)
    assert all(c.email and c.email.isascii() for c in data.customers)


def test_shop_customers_spelled_differently_still_match_their_erp_customer(data, sqlite_url):
    write_sql_erp(data, sqlite_url)
    from connectors.erp.sql import SqlErpBackend

    erp = SqlErpBackend.from_url(sqlite_url)
    erp_emails = {c.email: c.erp_key for c in data.customers}
    respelled = [
        o.customer for o in data.orders if o.customer.email not in erp_emails and o.customer.email.lower() in erp_emails
    ]
    assert respelled, "some orders should spell an ERP customer's e-mail differently"
    for customer in respelled:
        assert erp.find_customer(customer.email, None).erp_key == erp_emails[customer.email.lower()]
    erp.close()


def _dump(url: str) -> dict[str, list[tuple]]:
    from connectors.erp.sql import metadata

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        dump = {
            table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return dump


def test_writing_the_sample_twice_leaves_the_same_database(db_url):
    data = generate(items=60, customers=15, orders=0, seed=3)
    write_sql_erp(data, db_url)
    first = _dump(db_url)
    write_sql_erp(data, db_url)
    assert _dump(db_url) == first
    assert len(first["erp_items"]) == 60 and len(first["erp_customers"]) == 15
    assert len(first["erp_variants"]) == sum(len(p.variants) for p in data.products)
    assert len(first["erp_stock"]) == len(data.stock) and len(first["erp_images"]) == len(data.images)


def test_orders_without_any_item_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="items"):
        generate(items=0, customers=0, orders=5, seed=1)

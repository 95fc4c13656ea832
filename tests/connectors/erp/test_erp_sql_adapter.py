"""What only the ``sql`` adapter promises: shared transactions, the embedded SQLite default, error translation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from erp_builders import T0, order, product, transaction

from connectors.erp.errors import ErpError, ErpUnavailable, RecordError
from connectors.erp.sql import SqlErpBackend, default_sqlite_url, loader, tables
from domain.models import Customer


@pytest.fixture
def backend(db_url):
    erp = SqlErpBackend.from_url(db_url)
    erp.create_schema()
    with erp.engine.begin() as conn:
        loader.upsert_products(conn, [product("CHOC", "CHOC-70")])
    yield erp
    erp.close()


def test_writes_in_a_callers_transaction_roll_back_with_it(backend):
    shop_order = order(1, ("CHOC-70", 1, "59.90"))
    with backend.engine.connect() as conn:
        with conn.begin() as outer:
            key = backend.create_sales_order(shop_order, None, conn=conn)
            backend.record_payment(transaction(1, 1, "59.90"), key, conn=conn)
            backend.upsert_customer(Customer(email="rollback@example.cz"), conn=conn)
            assert backend.get_sales_order_by_shop_id(shop_order.shop_id, conn=conn).erp_key == key
            outer.rollback()
    assert backend.get_sales_order_by_shop_id(shop_order.shop_id) is None
    assert backend.find_customer("rollback@example.cz", None) is None
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.payments)).scalar() == 0


def test_writes_in_a_callers_transaction_commit_with_it_and_not_before(backend):
    shop_order = order(2, ("CHOC-70", 1, "59.90"))
    with backend.engine.begin() as conn:
        key = backend.create_sales_order(shop_order, None, conn=conn)
        conn.execute(sa.text("select 1"))  # the caller's own work, e.g. moving a cursor
    assert backend.get_sales_order_by_shop_id(shop_order.shop_id).erp_key == key


def test_datetimes_come_back_aware_utc(backend):
    assert backend.get_products(["CHOC"])[0].updated_at == T0
    assert backend.get_products(["CHOC"])[0].updated_at.utcoffset().total_seconds() == 0
    with pytest.raises(sa.exc.StatementError, match="naive"):
        with backend.engine.begin() as conn:
            conn.execute(tables.locations.insert().values(erp_key="X", name="X", updated_at=datetime(2025, 1, 1)))


def test_the_embedded_sqlite_database_enforces_references_and_waits_for_locks(sqlite_url):
    erp = SqlErpBackend.from_url(sqlite_url)
    with erp.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    erp.close()


def test_the_default_database_is_a_file_in_the_overridable_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMERCE_SYNC_DATA_DIR", str(tmp_path / "data"))
    assert default_sqlite_url() == f"sqlite:///{tmp_path / 'data' / 'erp.db'}"
    erp = SqlErpBackend.from_url(default_sqlite_url())
    erp.create_schema()
    assert (tmp_path / "data" / "erp.db").is_file()
    erp.close()


def test_an_unreachable_database_is_retriable_and_names_no_password():
    erp = SqlErpBackend.from_url(
        "postgresql+psycopg://sync:s3cret-pw@127.0.0.1:9/erp", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(ErpUnavailable) as caught:
        erp.list_locations()
    assert "s3cret-pw" not in str(caught.value) and "s3cret-pw" not in repr(erp)
    erp.close()


def test_missing_tables_are_a_setup_error_not_a_retriable_one(sqlite_url):
    erp = SqlErpBackend.from_url(sqlite_url)
    with pytest.raises(ErpError) as caught:
        erp.list_locations()
    assert not isinstance(caught.value, ErpUnavailable) and "create_schema" in str(caught.value)
    erp.close()


def test_a_concurrent_creator_of_the_same_order_does_not_make_a_second_document(backend, monkeypatch):
    """The race: another run's header appears between our existence check and our insert."""
    from connectors.erp.sql import orders

    shop_order = order(3, ("CHOC-70", 1, "59.90"))
    theirs = backend.create_sales_order(shop_order, None)
    original, calls = orders._order_key, []

    def blind_first_check(conn, shop_id):
        calls.append(shop_id)
        return None if len(calls) == 1 else original(conn, shop_id)

    monkeypatch.setattr(orders, "_order_key", blind_first_check)
    assert backend.create_sales_order(shop_order, None) == theirs
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.sales_orders)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.sales_order_lines)).scalar() == 1


def test_the_catalogue_can_be_views_over_the_users_own_tables(db_url):
    """The docs' promise: name a view ``erp_items`` over your article table and the sync reads it."""
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE my_articles (code VARCHAR(20) PRIMARY KEY, name VARCHAR(100) NOT NULL,"
            " price NUMERIC(12, 2) NOT NULL, changed TIMESTAMP NOT NULL)"
        )
        conn.exec_driver_sql("INSERT INTO my_articles VALUES ('A1', 'Židle Lena', 1290.50, '2025-03-01 08:00:00')")
        conn.exec_driver_sql(
            "CREATE VIEW erp_items AS SELECT code AS erp_key, name AS title, NULL AS description, NULL AS vendor,"
            " NULL AS supplier_key, NULL AS producer_key, 21 AS vat_rate, TRUE AS active, changed AS updated_at"
            " FROM my_articles"
        )
        conn.exec_driver_sql(
            "CREATE VIEW erp_variants AS SELECT code AS sku, code AS item_key, 0 AS position, NULL AS barcode,"
            " NULL AS title, NULL AS options, price, NULL AS compare_at_price, changed AS updated_at FROM my_articles"
        )
    engine.dispose()
    erp = SqlErpBackend.from_url(db_url)
    erp.create_schema()  # creates the other tables, leaves the views alone
    (item,) = erp.list_products_changed(None, None, 10).items
    assert (item.erp_key, item.title, item.variants[0].sku) == ("A1", "Židle Lena", "A1")
    assert item.variants[0].price == Decimal("1290.50") and item.vat_rate == Decimal("21")
    assert item.updated_at == T0  # a naive timestamp column is read as UTC
    erp.close()


def test_an_invalid_item_is_reported_by_name_while_the_rest_of_its_page_arrives(backend):
    with backend.engine.begin() as conn:
        conn.execute(
            tables.items.insert(),
            [
                {"erp_key": "NOVAR", "title": "Služba bez varianty", "active": True, "updated_at": T0},
                {"erp_key": "NEG", "title": "Záporná cena", "active": True, "updated_at": T0},
            ],
        )
        conn.execute(tables.variants.insert().values(sku="NEG-1", item_key="NEG", price=Decimal("-1"), updated_at=T0))
    pages = list(backend.iter_products_changed(None, 2))
    assert [p.erp_key for page in pages for p in page.items] == ["CHOC"]
    rejected = [message for page in pages for message in page.rejected]
    assert len(rejected) == 2
    assert any("item NEG" in m and "price" in m for m in rejected)
    assert any("item NOVAR" in m and "variants" in m for m in rejected)
    with pytest.raises(RecordError, match="item NEG"):
        backend.get_products(["NEG", "CHOC"])


def test_a_stored_customer_with_a_malformed_email_is_a_record_error_naming_them(backend):
    with backend.engine.begin() as conn:
        conn.execute(
            tables.customers.insert().values(
                erp_key="BAD", email="jana@", email_key="jana@", phone="777000111", phone_key="777000111", updated_at=T0
            )
        )
    with pytest.raises(RecordError) as caught:
        backend.find_customer(None, "+420 777 000 111")
    assert caught.value.record == "customer BAD" and caught.value.field == "email"

"""``demo --serve`` puts its Prefect server on the local PostgreSQL when one answers, SQLite otherwise."""

from __future__ import annotations

import sqlalchemy as sa

from commerce_sync.serve import demo_prefect_database


def test_with_postgresql_answering_the_server_gets_a_fresh_database_of_its_own(pg_server):
    name = "cs_test_demo_prefect"
    url, what = demo_prefect_database(pg_server, name)
    try:
        assert url is not None and url.startswith("postgresql+asyncpg://") and url.endswith(f"/{name}")
        assert what.startswith(f"PostgreSQL database {name} at ")
        engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE left_over (x int)"))
        engine.dispose()

        demo_prefect_database(pg_server, name)  # the next demo starts as empty as its emulators

        engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_table("left_over")
        engine.dispose()
    finally:
        admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_without_postgresql_it_is_sqlite_and_the_output_says_why():
    url, what = demo_prefect_database("postgresql+psycopg://postgres@127.0.0.1:1/postgres")
    assert url is None
    assert what.startswith("SQLite (no PostgreSQL answered at 127.0.0.1:1: OperationalError")

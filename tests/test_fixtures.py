def test_pg_fixture_gives_an_empty_database(pg_url):
    import sqlalchemy as sa

    eng = sa.create_engine(pg_url)
    with eng.connect() as c:
        assert (
            c.execute(sa.text("select count(*) from information_schema.tables where table_schema='public'")).scalar()
            == 0
        )
    eng.dispose()

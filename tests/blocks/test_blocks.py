"""Blocks: what a data engineer types into the Prefect UI is validated, saved, loaded, and never leaks a secret."""

from __future__ import annotations

import logging
import uuid

import pytest
from pydantic import ValidationError

from blocks import ErpDatabase, PohodaMServer, ShopifyShop

TOKEN = "shpat_SECRET_TOKEN_3f9a"
DB_PASSWORD = "pg-Pa55word-7c1"
POHODA_PASSWORD = "stw-Heslo-91"


def shop(**overrides):
    fields = dict(
        shop_url="acme-store.myshopify.com",
        access_token=TOKEN,
        erp_block="erp-database/main",
        schedule={"selectedFrequency": "Daily", "startDate": "2026-01-01"},
    )
    fields.update(overrides)
    return ShopifyShop(**fields)


def error_fields(exc: ValidationError) -> set[str]:
    return {str(part) for err in exc.errors() for part in err["loc"]}


def test_shop_domain_is_normalised_to_https():
    assert shop().shop_url == "https://acme-store.myshopify.com"
    assert shop().graphql_url() == "https://acme-store.myshopify.com/admin/api/2026-04/graphql.json"


def test_loopback_emulator_url_is_accepted_as_given():
    assert shop(shop_url="http://127.0.0.1:8081/").shop_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shop_url", "http://acme-store.myshopify.com"),
        ("shop_url", "https://evil.example.com"),
        ("shop_url", "http://127.0.0.1"),
        ("api_version", "2026-05"),
        ("access_token", "  "),
        ("erp_block", "main"),
        ("location_mapping", {"PRAHA": "gid://shopify/Product/1"}),
        ("schedule", {"selectedFrequency": "Hourly"}),
    ],
)
def test_invalid_shop_field_is_named_in_the_error(field, value):
    with pytest.raises(ValidationError) as caught:
        shop(**{field: value})
    assert field in error_fields(caught.value)
    assert TOKEN not in str(caught.value)


def test_shop_shares_a_standard_plan_budget_unless_told_otherwise():
    assert (shop().restore_rate, shop().shared_rate_limit) == (100.0, False)
    plus = shop(restore_rate=1000, shared_rate_limit=True)
    assert (plus.restore_rate, plus.shared_rate_limit) == (1000.0, True)


@pytest.mark.parametrize("value", [0, -100, "fast"])
def test_a_restore_rate_that_is_not_a_positive_number_is_named_in_the_error(value):
    with pytest.raises(ValidationError) as caught:
        shop(restore_rate=value)
    assert error_fields(caught.value) == {"restore_rate"}


def test_shop_schedule_accepts_codat_json():
    configured = shop(
        schedule={"selectedFrequency": "Monthly", "startDate": "2026-05-01", "syncHour": 3, "timeZone": "Europe/Prague"}
    )
    assert configured.schedule.cron() == "0 3 1 * *"
    assert configured.schedule.timezone == "Europe/Prague"


def test_shop_token_never_shows_in_repr_str_or_dump():
    configured = shop()
    assert TOKEN not in repr(configured)
    assert TOKEN not in str(configured)
    assert TOKEN not in configured.model_dump_json()


def test_invalid_database_url_error_does_not_echo_the_password():
    with pytest.raises(ValidationError) as caught:
        ErpDatabase(url=f"mysql://erp:{DB_PASSWORD}@db/erp")
    assert "url" in error_fields(caught.value)
    assert DB_PASSWORD not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        ErpDatabase(url=f"not a url {DB_PASSWORD}")
    assert DB_PASSWORD not in str(caught.value)


@pytest.mark.parametrize(("field", "value"), [("company_ico", "1234567"), ("url", "pohoda:444"), ("user", "")])
def test_invalid_pohoda_field_is_named_in_the_error(field, value):
    fields = dict(url="http://127.0.0.1:4444", user="admin", password=POHODA_PASSWORD, company_ico="12345678")
    fields[field] = value
    with pytest.raises(ValidationError) as caught:
        PohodaMServer(**fields)
    assert field in error_fields(caught.value)
    assert POHODA_PASSWORD not in str(caught.value)


def test_blocks_round_trip_through_prefect_without_leaking_secrets(prefect_harness, caplog):
    caplog.set_level(logging.DEBUG)
    suffix = uuid.uuid4().hex[:8]
    ErpDatabase(url=f"postgresql+psycopg://erp:{DB_PASSWORD}@127.0.0.1/erp").save(f"erp-{suffix}")
    PohodaMServer(url="http://127.0.0.1:4444", user="admin", password=POHODA_PASSWORD, company_ico="12345678").save(
        f"pohoda-{suffix}"
    )
    shop(
        erp_block=f"erp-database/erp-{suffix}",
        schedule={"selectedFrequency": "Daily", "syncHour": 4, "startDate": "2026-01-01"},
    ).save(f"shop-{suffix}")

    loaded = ShopifyShop.load(f"shop-{suffix}")
    assert loaded.access_token.get_secret_value() == TOKEN
    assert loaded.schedule.sync_hour == 4
    erp = loaded.erp()
    assert isinstance(erp, ErpDatabase)
    assert erp.url.get_secret_value().endswith("127.0.0.1/erp")
    assert PohodaMServer.load(f"pohoda-{suffix}").password.get_secret_value() == POHODA_PASSWORD
    for secret in (TOKEN, DB_PASSWORD, POHODA_PASSWORD):
        assert secret not in caplog.text
        assert secret not in repr(loaded) + repr(erp)


def test_every_block_type_is_strict_and_the_base_itself_is_never_registered(prefect_harness):
    from prefect.blocks.core import InvalidBlockRegistration

    from blocks.base import StrictBlock

    for block_type in (ShopifyShop, ErpDatabase, PohodaMServer):
        assert issubclass(block_type, StrictBlock)
        with pytest.raises(ValidationError) as caught:
            block_type(**{"typo_field": DB_PASSWORD})
        assert "typo_field" in error_fields(caught.value)
        assert DB_PASSWORD not in str(caught.value)
    with pytest.raises(InvalidBlockRegistration):
        StrictBlock.register_type_and_schema()

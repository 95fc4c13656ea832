"""Bad configuration: every field of the blocks, the schedule and the shops file, refused with its name.

One table per thing a data engineer types (a block in the Prefect UI, a schedule, a shops.yaml entry): each row
is a field, a bad value, and where the error must point. Blocks are built holding recognisable secrets, and no
error may echo one of them, whichever field was wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from blocks import ErpDatabase, PohodaMServer, ShopifyShop
from deployments.builder import load_shops
from domain.schedule import SyncSchedule

TOKEN = "shpat_BADCONFIG_token_5e1"
DB_PASSWORD = "BadConfig-pg-pw-83"
POHODA_PASSWORD = "BadConfig-stw-pw-27"
SECRETS = (TOKEN, DB_PASSWORD, POHODA_PASSWORD)

SCHEDULE = {"selectedFrequency": "Daily", "startDate": "2026-01-01", "syncHour": 2, "timeZone": "Europe/Prague"}
VALID: dict[type, dict[str, Any]] = {
    ShopifyShop: {
        "shop_url": "acme-store.myshopify.com",
        "access_token": TOKEN,
        "erp_block": "erp-database/main",
        "schedule": SCHEDULE,
        "state_url": f"postgresql+psycopg://sync:{DB_PASSWORD}@db/state",
    },
    ErpDatabase: {"url": f"postgresql+psycopg://erp:{DB_PASSWORD}@db/erp"},
    PohodaMServer: {
        "url": "http://pohoda-host:444",
        "user": "admin",
        "password": POHODA_PASSWORD,
        "company_ico": "12345678",
        "state_url": f"postgresql+psycopg://sync:{DB_PASSWORD}@db/state",
    },
    SyncSchedule: SCHEDULE,
}

BAD_FIELDS = [
    # ShopifyShop
    (ShopifyShop, "shop_url", "", "shop_url"),
    (ShopifyShop, "shop_url", "ftp://acme-store.myshopify.com", "shop_url"),
    (ShopifyShop, "shop_url", "https://acme-store.myshopify.com/admin", "shop_url"),
    (ShopifyShop, "shop_url", "https://acme.example.com", "shop_url"),
    (ShopifyShop, "shop_url", "http://localhost", "shop_url"),
    (ShopifyShop, "access_token", "", "access_token"),
    (ShopifyShop, "access_token", None, "access_token"),
    (ShopifyShop, "api_version", "2026-4", "api_version"),
    (ShopifyShop, "api_version", "unstable", "api_version"),
    (ShopifyShop, "allow_background_syncs", "sometimes", "allow_background_syncs"),
    (ShopifyShop, "schedule", "daily at two", "schedule"),
    (ShopifyShop, "schedule", {**SCHEDULE, "syncHour": 24}, "schedule.syncHour"),
    (ShopifyShop, "erp_block", "main", "erp_block"),
    (ShopifyShop, "erp_block", "erp-database/", "erp_block"),
    (ShopifyShop, "erp_block", "sap-r3/main", "erp_block"),
    (ShopifyShop, "location_mapping", {"PRAHA": ""}, "location_mapping"),
    (ShopifyShop, "location_mapping", {" ": "Prague warehouse"}, "location_mapping"),
    (ShopifyShop, "location_mapping", {"PRAHA": "gid://shopify/Location/abc"}, "location_mapping"),
    (ShopifyShop, "location_mapping", ["PRAHA"], "location_mapping"),
    (ShopifyShop, "restore_rate", 0, "restore_rate"),
    (ShopifyShop, "restore_rate", float("inf"), "restore_rate"),
    (ShopifyShop, "restore_rate", float("nan"), "restore_rate"),
    (ShopifyShop, "shared_rate_limit", "sometimes", "shared_rate_limit"),
    (ShopifyShop, "state_url", f"mysql://sync:{DB_PASSWORD}@db/state", "state_url"),
    (ShopifyShop, "state_url", f"no url {DB_PASSWORD}", "state_url"),
    (ShopifyShop, "state_url", "sqlite://", "state_url"),
    (ShopifyShop, "restore_rat", 200, "restore_rat"),  # a typo'd field name is not ignored
    # ErpDatabase
    (ErpDatabase, "url", "", "url"),
    (ErpDatabase, "url", f"mysql://erp:{DB_PASSWORD}@db/erp", "url"),
    (ErpDatabase, "url", f"postgresql://erp:{DB_PASSWORD}@db:port/erp", "url"),
    (ErpDatabase, "url", "sqlite:///:memory:", "url"),
    (ErpDatabase, "url", None, "url"),
    (ErpDatabase, "password", DB_PASSWORD, "password"),
    # PohodaMServer
    (PohodaMServer, "url", "pohoda-host:444", "url"),
    (PohodaMServer, "url", "http://", "url"),
    (PohodaMServer, "url", "http://pohoda-host:port", "url"),
    (PohodaMServer, "url", "http://pohoda host:444", "url"),
    (PohodaMServer, "url", f"http://admin:{POHODA_PASSWORD}@pohoda-host:444", "url"),
    (PohodaMServer, "url", "http://pohoda-host:444/xml?x=1", "url"),
    (PohodaMServer, "user", "", "user"),
    (PohodaMServer, "user", "   ", "user"),
    (PohodaMServer, "password", None, "password"),
    (PohodaMServer, "company_ico", "1234567", "company_ico"),
    (PohodaMServer, "company_ico", "1234567a", "company_ico"),
    (PohodaMServer, "company_ico", 12345678, "company_ico"),
    (PohodaMServer, "application", "", "application"),
    (PohodaMServer, "application", "x" * 65, "application"),
    (PohodaMServer, "state_url", f"oracle://sync:{DB_PASSWORD}@db/state", "state_url"),
    (PohodaMServer, "ico", "12345678", "ico"),
    # SyncSchedule (Codat's names)
    (SyncSchedule, "selectedFrequency", "Hourly", "selectedFrequency"),
    (SyncSchedule, "selectedFrequency", None, "selectedFrequency"),
    (SyncSchedule, "frequencyOptions", ["Weekly"], "frequencyOptions.0"),
    (SyncSchedule, "frequencyOptions", ["Monthly"], "selectedFrequency"),
    (SyncSchedule, "startDate", "2026-13-01", "startDate"),
    (SyncSchedule, "startDate", None, "startDate"),
    (SyncSchedule, "syncHour", 24, "syncHour"),
    (SyncSchedule, "syncHour", -1, "syncHour"),
    (SyncSchedule, "syncHour", 1.5, "syncHour"),
    (SyncSchedule, "timeZone", "Mars/Olympus", "timeZone"),
    (SyncSchedule, "timeZone", 2, "timeZone"),
    (SyncSchedule, "syncMinute", 30, "syncMinute"),
    # SyncSchedule: exactly one series, each checked
    (SyncSchedule, "every", "15m", "every"),  # beside selectedFrequency
    (SyncSchedule, "every", "7m", "every"),
    (SyncSchedule, "every", "45m", "every"),
    (SyncSchedule, "every", "1d", "every"),
    (SyncSchedule, "cron", "0 2 * * *", "cron"),  # beside selectedFrequency
    (SyncSchedule, "cron", "61 * * * *", "cron"),
    (SyncSchedule, "cron", "0 0 * * * *", "cron"),
    (SyncSchedule, "cron", "@daily", "cron"),
]


def locations(exc: ValidationError) -> set[str]:
    return {".".join(str(part) for part in error["loc"]) for error in exc.errors()}


@pytest.mark.parametrize(
    ("model", "field", "value", "named"), BAD_FIELDS, ids=[f"{m.__name__}.{f}={v!r}"[:60] for m, f, v, _ in BAD_FIELDS]
)
def test_a_bad_field_is_refused_with_its_name_and_no_secret_in_the_message(model, field, value, named):
    with pytest.raises(ValidationError) as caught:
        model(**{**VALID[model], field: value})
    assert locations(caught.value) == {named}
    message = str(caught.value)
    assert f"\n{named}\n" in message  # pydantic prints the location on a line of its own
    for secret in SECRETS:
        assert secret not in message and secret not in repr(caught.value)


@pytest.mark.parametrize("model", list(VALID), ids=lambda m: m.__name__)
def test_the_valid_configuration_of_each_table_is_accepted(model):
    """The tables above fail for their one bad field, not because the rest is wrong."""
    model(**VALID[model])


def test_an_emptied_optional_state_url_means_not_set():
    assert ShopifyShop(**{**VALID[ShopifyShop], "state_url": ""}).state_url is None
    assert PohodaMServer(**{**VALID[PohodaMServer], "state_url": "  "}).state_url is None


def test_an_mserver_url_is_kept_without_its_trailing_slash():
    assert PohodaMServer(**{**VALID[PohodaMServer], "url": "https://pohoda-host:444/"}).url == "https://pohoda-host:444"


# -- shops.yaml ---------------------------------------------------------------------------------------------


def entry(name: str, **changes: Any) -> dict[str, Any]:
    return {"name": name, "erp": "sql", "schedule": dict(SCHEDULE), **changes}


BAD_SHOPS = [
    ([entry("good"), entry("acme", schedule={**SCHEDULE, "syncHour": 25})], "shops.acme.schedule.syncHour"),
    ([entry("good"), entry("acme", schedule={**SCHEDULE, "timeZone": "Europe/Praha"})], "shops.acme.schedule.timeZone"),
    ([entry("acme", erp="sap")], "shops.acme.erp"),
    ([entry("acme", syncs=["sync_everything"])], "shops.acme.syncs"),
    ([entry("acme", syncs={"sync_everything": {}})], "shops.acme.syncs"),
    ([entry("acme", syncs={"sync_orders": {"every": "7m"}})], "shops.acme.syncs.sync_orders.every"),
    ([entry("acme", syncs={"sync_orders": {"cron": "*/10 8-18 * *"}})], "shops.acme.syncs.sync_orders.cron"),
    ([entry("acme", syncs={"sync_orders": {"every": "15m", "syncHour": 3}})], "shops.acme.syncs.sync_orders.syncHour"),
    (
        [entry("acme", syncs={"sync_orders": {"every": "15m", "timeZone": "Mars/Base"}})],
        "shops.acme.syncs.sync_orders.timeZone",
    ),
    ([entry("acme", syncs={"sync_orders": "every 15m"})], "shops.acme.syncs.sync_orders"),
    ([entry("acme", schedul={})], "shops.acme.schedul"),
    ([entry("Acme Shop")], "shops.Acme Shop.name"),
    ([entry("acme"), entry("acme", erp="pohoda")], "shops.acme.name"),
    ([{"erp": "sql", "schedule": SCHEDULE}], "shops.0.name"),  # no name to point at: the position it is at
    ([], "shops"),
]


@pytest.mark.parametrize(("shops", "named"), BAD_SHOPS, ids=[named for _, named in BAD_SHOPS])
def test_a_bad_shops_file_entry_is_refused_naming_the_file_the_shop_and_the_field(tmp_path: Path, shops, named):
    path = tmp_path / "shops.yaml"
    path.write_text(yaml.safe_dump({"shops": shops}), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_shops(path)
    assert locations(caught.value) == {named}
    assert str(path) in str(caught.value) and f"\n{named}\n" in str(caught.value)


def test_a_shops_file_that_is_not_yaml_is_refused_naming_the_file(tmp_path: Path):
    path = tmp_path / "shops.yaml"
    path.write_text("shops: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}: not valid YAML"):
        load_shops(path)

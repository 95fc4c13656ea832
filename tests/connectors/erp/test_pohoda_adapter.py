"""The pohoda adapter as a whole: built from its block, its local state, and POHODA's failures as the port's errors."""

from __future__ import annotations

import socket
from decimal import Decimal

import pytest
import sqlalchemy as sa
from erp_builders import product

from blocks import PohodaMServer
from connectors.erp.errors import ErpError, ErpUnavailable, RecordError
from connectors.erp.pohoda import EmulatorDocuments, FolderDocuments, PohodaErpBackend, PohodaSettings
from connectors.erp.pohoda.documents import DOCUMENTS_ENV
from connectors.erp.port import Location
from domain.models import Customer, StockLevel


def _block(pohoda, **fields) -> PohodaMServer:
    config = pohoda.mserver.config
    values = (
        dict(url=pohoda.emulator.url, user=config.user, password=config.password, company_ico=config.company_ico)
        | fields
    )
    return PohodaMServer(**values)


def test_the_block_builds_the_adapter_with_its_local_state_beside_the_sync_state(pohoda, tmp_path, monkeypatch):
    monkeypatch.setenv(DOCUMENTS_ENV, "emulator")
    state_url = f"sqlite:///{tmp_path / 'state.db'}"
    backend = _block(pohoda, state_url=state_url).backend(
        fiscal_year=pohoda.mserver.config.fiscal_year, http=pohoda.emulator.http
    )
    try:
        assert isinstance(backend, PohodaErpBackend) and isinstance(backend.documents, EmulatorDocuments)
        pohoda.load(locations=[Location(erp_key="PRAHA", name="Sklad Praha")])
        assert [loc.erp_key for loc in backend.list_locations()] == ["PRAHA"]
        tables = sa.inspect(sa.create_engine(state_url)).get_table_names()
        assert {"cs_pohoda_cards", "cs_pohoda_addresses", "cs_pohoda_shipments"} <= set(tables)
        assert pohoda.mserver.config.password.get_secret_value() not in repr(backend)
    finally:
        backend.close()


def test_the_documents_store_comes_from_the_environment_unless_given(pohoda, tmp_path, monkeypatch):
    state_url = f"sqlite:///{tmp_path / 'state.db'}"
    monkeypatch.setenv(DOCUMENTS_ENV, str(tmp_path / "Dokumenty"))
    http = pohoda.emulator.http
    from_env = _block(pohoda, state_url=state_url).backend(http=http)
    given = _block(pohoda, state_url=state_url).backend(
        documents=EmulatorDocuments(pohoda.emulator.url, http), http=http
    )
    monkeypatch.delenv(DOCUMENTS_ENV)
    without = _block(pohoda, state_url=state_url).backend(http=http)
    try:
        assert isinstance(from_env.documents, FolderDocuments) and from_env.documents.root == tmp_path / "Dokumenty"
        assert isinstance(given.documents, EmulatorDocuments) and without.documents is None
    finally:
        for backend in (from_env, given, without):
            backend.close()


def test_an_unreachable_mserver_is_unavailable_and_a_wrong_password_is_not(pohoda, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    state_url = f"sqlite:///{tmp_path / 'state.db'}"
    http = pohoda.emulator.http
    unreachable = _block(pohoda, url=f"http://127.0.0.1:{closed_port}", state_url=state_url).backend(http=http)
    refused = _block(pohoda, password="Špatné-heslo-7", state_url=state_url).backend(http=http)
    try:
        with pytest.raises(ErpUnavailable):
            unreachable.list_locations()
        with pytest.raises(ErpError) as caught:
            refused.list_locations()
        assert not isinstance(caught.value, ErpUnavailable) and "401" in str(caught.value)
        assert "Špatné-heslo-7" not in str(caught.value)
    finally:
        unreachable.close()
        refused.close()


def test_a_cursor_of_another_listing_is_refused(pohoda):
    stock_cursor = pohoda.backend.list_stock(skus=["A", "B"], limit=1).next_cursor or "e30"
    with pytest.raises(RecordError, match="cursor"):
        pohoda.backend.list_products_changed(None, stock_cursor, 1)
    with pytest.raises(RecordError, match="cursor"):
        pohoda.backend.list_order_status_changes(None, "not-a-cursor", 1)


def test_tiny_pohoda_pages_and_packs_give_the_same_answers(pohoda, monkeypatch):
    pohoda.load(
        locations=[Location(erp_key="PRAHA", name="Praha"), Location(erp_key="BRNO", name="Brno")],
        products=[product(k, f"{k}-1", f"{k}-2") for k in "ABC"],
        stock=[
            StockLevel(sku=f"{k}-{n}", location_key=loc, quantity=Decimal(n))
            for k in "ABC"
            for n in (1, 2)
            for loc in ("PRAHA", "BRNO")
        ],
        customers=[Customer(erp_key=f"K{n}", email=f"k{n}@example.cz", first_name="Jan") for n in range(5)],
    )
    monkeypatch.setattr("connectors.erp.pohoda.stock.SWEEP_PAGE", 2)
    tiny = pohoda.new_backend(settings=PohodaSettings(page_size=2, pack_size=1))
    for backend in (pohoda.backend, tiny):
        by_sku = backend.get_products_by_sku(["C-2", "A-1"])
        assert [(p.erp_key, len(p.variants)) for p in by_sku] == [("A", 2), ("C", 2)]
        assert [p.erp_key for page in backend.iter_products_changed(None, 2) for p in page.items] == ["A", "B", "C"]
        assert len([s for page in backend.iter_stock(limit=5) for s in page.items]) == 12
        assert backend.find_customer("K4@example.cz", None).erp_key == "K4"


def test_a_fresh_company_answers_every_listing_with_nothing(pohoda):
    backend = pohoda.backend
    assert backend.list_stock().items == [] and backend.list_stock(location_keys=["NIKDE"]).items == []
    assert backend.list_products_changed(None, None, 5).items == [] and backend.list_item_images() == []
    assert backend.list_parties() == [] and backend.list_unsynced_shipments(5) == []
    assert backend.list_order_status_changes(None, None, 5).items == []
    assert backend.find_customer("a@example.cz", "+420 123 456 789") is None


def test_the_blocks_pohoda_settings_reach_the_adapter(pohoda, tmp_path):
    state_url = f"sqlite:///{tmp_path / 'state.db'}"
    http = pohoda.emulator.http
    default = _block(pohoda, state_url=state_url).backend(http=http)
    tuned = _block(
        pohoda,
        state_url=state_url,
        bank_account="FIO",
        cash_desk="POK2",
        cash_gateways=["Dobírka"],
        stock_basis="count",
        price_level="Eshop",
        compare_at_level="",
        shipping_vat="low",
        page_size=200,
    ).backend(http=http)
    try:
        assert default.settings == PohodaSettings()
        assert tuned.settings == PohodaSettings(
            bank_account="FIO",
            cash_desk="POK2",
            cash_gateways=frozenset({"Dobírka"}),
            stock_basis="count",
            price_level="Eshop",
            compare_at_level=None,
            shipping_vat="low",
            page_size=200,
        )
        assert tuned._stock.basis == "count" and tuned.mserver.pack_size == 50
    finally:
        default.close()
        tuned.close()


@pytest.mark.parametrize("wrong", ["company_ico", "fiscal_year"])
def test_a_block_of_another_accounting_unit_or_year_writes_nothing(pohoda, tmp_path, wrong):
    config = pohoda.mserver.config
    fields = {"company_ico": "87654321"} if wrong == "company_ico" else {"fiscal_year": config.fiscal_year - 1}
    backend = _block(pohoda, state_url=f"sqlite:///{tmp_path / 'state.db'}", **fields).backend(
        http=pohoda.emulator.http
    )
    try:
        with pytest.raises(ErpError, match="87654321" if wrong == "company_ico" else str(config.fiscal_year - 1)):
            backend.upsert_customer(Customer(email="nova@example.cz", first_name="Nová"))
        assert pohoda.backend.find_customer("nova@example.cz", None) is None
    finally:
        backend.close()

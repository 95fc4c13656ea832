"""Real requests sent to live mServers (``../shared/reference/pohoda/real/``) select in the emulator what POHODA
selected: the emulator holds the company the real answers describe (STORMWARE's demo unit "Novák": its cards,
stores and orders, with their real ids), each real request is sent as it was, byte for byte, and the records it
answers are the records of the real answer beside it. The answers are read here with plain lxml, so the
emulator is checked against POHODA, not against the connector's readers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from lxml import etree
from pohoda_emu_support import HEADERS, START

from emulators.pohoda import NS, FakeClock, PohodaEmulatorConfig, PohodaState, create_app, emulator_client, emulator_of
from emulators.pohoda import records as r

SOUKUP = Path("soukupm2__acc-sync/tests/PohodaXML")
STOCK_ANSWERS = [SOUKUP / "Stock" / f"zasoby_0{n}_v2.0_response.xml" for n in range(1, 5)]
STORES = {"MATERIÁL": 1, "PRODEJ": 3, "ZBOŽÍ": 4}  # ftr:store/typ:id 1 selected MATERIÁL; orders name ZBOŽÍ as 4
UNFILED = "ZBOŽÍ/Nábytek"  # the two internet cards whose answer (zasoby_04) carries no storage

REQUESTS = [
    # (request, the real answer beside it, records compared by)
    (SOUKUP / "Stock/zasoby_01_v2.0.xml", SOUKUP / "Stock/zasoby_01_v2.0_response.xml", "stk"),
    (SOUKUP / "Stock/zasoby_02_v2.0.xml", SOUKUP / "Stock/zasoby_02_v2.0_response.xml", "stk"),
    (SOUKUP / "Stock/zasoby_03_v2.0.xml", SOUKUP / "Stock/zasoby_03_v2.0_response.xml", "stk"),
    (SOUKUP / "Stock/zasoby_04_v2.0.xml", SOUKUP / "Stock/zasoby_04_v2.0_response.xml", "stk"),
    # zasoby_05 (store by typ:id) was answered with zasoby_02's five cards (SOURCES.md)
    (SOUKUP / "Stock/zasoby_05_v2.0.xml", SOUKUP / "Stock/zasoby_02_v2.0_response.xml", "stk"),
    (SOUKUP / "Orders/objednavky_01_v2.0.xml", SOUKUP / "Orders/objednavky_01_v2.0_response.xml", "ord"),
    # objednavky_02 (ftr:selectedIco) was answered with objednavky_01's order (SOURCES.md)
    (SOUKUP / "Orders/objednavky_02_v2.0.xml", SOUKUP / "Orders/objednavky_01_v2.0_response.xml", "ord"),
    (SOUKUP / "Orders/objednavky_02_v2.0_issued.xml", SOUKUP / "Orders/objednavky_02_v2.0_issued_response.xml", "ord"),
]


@pytest.fixture(scope="module")
def real(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "pohoda" / "real"


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path, NS)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _cards(real: Path) -> dict[int, etree._Element]:
    """Every card of the stock answers by id (a card in several answers is the same card), and the components."""
    cards: dict[int, etree._Element] = {}
    for answer in STOCK_ANSWERS:
        for card in etree.parse(str(real / answer)).iterfind(".//lStk:stock/stk:stockHeader", NS):
            cards.setdefault(int(_text(card, "stk:id") or 0), card)
    return cards


def _seed_stock(pohoda: PohodaState, real: Path) -> None:
    pohoda.stores.clear()
    for name, store_id in STORES.items():
        pohoda.stores[store_id] = r.Store(store_id, name, name, START)
    for card_id, header in _cards(real).items():
        storage = _text(header, "stk:storage/typ:ids") or UNFILED
        card = r.StockCard(
            id=card_id,
            store_id=STORES[storage.split("/")[0]],
            code=_text(header, "stk:code") or "",
            name=_text(header, "stk:name") or "",
            changed_at=START,
            storage=storage,
            stock_type=_text(header, "stk:stockType") or "card",
            is_internet=_text(header, "stk:isInternet") == "true",
            count=Decimal(_text(header, "stk:count") or "0"),
        )
        for item in header.getparent().iterfind("stk:stockDetail/stk:stockItem", NS):
            part_id = int(_text(item, "stk:id") or 0)
            if part_id not in pohoda.cards and part_id not in _cards(real):
                part_storage = _text(item, "stk:storage/typ:ids") or UNFILED
                pohoda.cards[part_id] = r.StockCard(
                    part_id,
                    STORES[part_storage.split("/")[0]],
                    _text(item, "stk:code") or "",
                    _text(item, "stk:name") or "",
                    START,
                    part_storage,
                    is_internet=False,
                    count=Decimal(_text(item, "stk:count") or "0"),
                )
            card.components.append(r.Component(part_id, Decimal(_text(item, "stk:quantity") or "1")))
        pohoda.cards[card_id] = card


def _seed_orders(pohoda: PohodaState, real: Path) -> None:
    for answer in (
        SOUKUP / "Orders/objednavky_01_v2.0_response.xml",
        SOUKUP / "Orders/objednavky_02_v2.0_issued_response.xml",
    ):
        for header in etree.parse(str(real / answer)).iterfind(".//lst:order/ord:orderHeader", NS):
            order_id = int(_text(header, "ord:id") or 0)
            pohoda.orders[order_id] = r.Order(
                id=order_id,
                number=_text(header, "ord:number/typ:numberRequested") or "",
                order_type=_text(header, "ord:orderType") or "receivedOrder",
                date=date.fromisoformat(_text(header, "ord:date") or ""),
                changed_at=START,
                created_at=START,
                items=[],
                partner=r.Address(
                    company=_text(header, "ord:partnerIdentity/typ:address/typ:company"),
                    ico=_text(header, "ord:partnerIdentity/typ:address/typ:ico"),
                ),
            )


@pytest.fixture
def company(xsd_dir: Path, real: Path) -> tuple[PohodaState, httpx.Client]:
    app = create_app(PohodaEmulatorConfig(company_ico="12345678"), clock=FakeClock(START))
    pohoda = emulator_of(app).state
    _seed_stock(pohoda, real)
    _seed_orders(pohoda, real)
    return pohoda, emulator_client(app=app)


def _selected(answer: etree._Element, kind: str) -> list[int]:
    path = ".//lStk:stock/stk:stockHeader/stk:id" if kind == "stk" else ".//lst:order/ord:orderHeader/ord:id"
    return sorted(int(node.text) for node in answer.iterfind(path, NS))


@pytest.mark.parametrize(("request_file", "answer_file", "kind"), REQUESTS, ids=[r[0].name for r in REQUESTS])
def test_a_real_request_selects_what_the_real_mserver_selected(
    company: tuple[PohodaState, httpx.Client], real: Path, request_file: Path, answer_file: Path, kind: str
) -> None:
    _, client = company
    response = client.post("/xml", content=(real / request_file).read_bytes(), headers=HEADERS)
    assert response.status_code == 200
    answer = etree.fromstring(response.content)
    assert answer.get("state") == "ok", response.text
    item = answer.find("rsp:responsePackItem", NS)
    assert item is not None and item.get("state") == "ok", response.text
    expected = etree.parse(str(real / answer_file)).getroot()
    assert _selected(answer, kind) == _selected(expected, kind)


def test_a_package_exports_its_components_and_no_count_of_its_own(
    company: tuple[PohodaState, httpx.Client], real: Path
) -> None:
    _, client = company
    response = client.post("/xml", content=(real / SOUKUP / "Stock/zasoby_03_v2.0.xml").read_bytes(), headers=HEADERS)
    answer = etree.fromstring(response.content)
    package = next(h for h in answer.iterfind(".//stk:stockHeader", NS) if _text(h, "stk:code") == "FK")
    assert _text(package, "stk:stockType") == "package"
    assert package.find("stk:count", NS) is None
    parts = package.getparent().iterfind("stk:stockDetail/stk:stockItem", NS)
    assert [(_text(p, "stk:code"), _text(p, "stk:count"), _text(p, "stk:quantity")) for p in parts] == [
        ("Z100", "8", "1"),
        ("St1550", "8", "1"),
        ("Konf11", "5", "1"),
        ("Kř1320", "4", "2"),
    ]


def test_a_storage_filter_by_id_alone_is_refused_naming_it_not_dropped(
    company: tuple[PohodaState, httpx.Client], real: Path
) -> None:
    """filter.xsd allows ``ftr:storage`` by ``typ:id``; the emulator keeps no storage ids, so it refuses the
    item rather than answer every card as if there were no filter."""
    _, client = company
    body = (real / SOUKUP / "Stock/zasoby_04_v2.0.xml").read_bytes()
    body = body.replace(b"<ftr:internet>true</ftr:internet>", b"<ftr:storage><typ:id>8</typ:id></ftr:storage>")
    answer = etree.fromstring(client.post("/xml", content=body, headers=HEADERS).content)
    item = answer.find("rsp:responsePackItem", NS)
    assert item is not None
    assert item.get("state") == "error"
    assert "ftr:storage" in (item.get("note") or "")
    assert answer.find(".//lStk:stock", NS) is None

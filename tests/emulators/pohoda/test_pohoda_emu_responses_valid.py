"""Every kind of answer the emulator gives validates against the real ``response.xsd``.

The schema here is loaded by the test itself (not through the emulator), and each case also checks that the
answer holds the element it is about, so an empty pack cannot pass for a valid list.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from lxml import etree
from pohoda_emu_support import HEADERS, E, data_pack, order_list, received_order, stock_card, stock_list

from emulators.pohoda import NS


@pytest.fixture
def company(client, pohoda, seeded):
    """Seeded catalogue plus orders in every state, a delivery note, a payment."""
    card = next(iter(pohoda.cards.values()))
    store = pohoda.stores[card.store_id].name
    pohoda.set_stock_quantity(card.code, store, 50)
    line = E("ord:stockItem", E("typ:store", E("typ:ids", store)), E("typ:stockItem", E("typ:ids", card.code)))
    for n in range(1, 6):
        order = received_order(f"R{n}", (card.code, 2, 150))
        order.find("ord:orderDetail/ord:orderItem", NS).replace(
            order.find("ord:orderDetail/ord:orderItem/ord:stockItem", NS), copy.deepcopy(line)
        )
        body = data_pack((f"o{n}", order), pack_id=f"seed-{n}")
        assert client.post("/xml", content=body, headers=HEADERS).status_code == 200
    pohoda.set_order_executed("R1")
    pohoda.transfer_order("R2")
    pohoda.cancel_order("R3")
    pohoda.create_delivery_note("R4", carrier="PPL", tracking_number="123")
    return card


def _bank(ext: str = "tx-1") -> etree._Element:
    return E(
        "bnk:bank",
        E(
            "bnk:bankHeader",
            E("bnk:extId", E("typ:ids", ext), E("typ:exSystemName", "shop")),
            E("bnk:bankType", "receipt"),
            E("bnk:symVar", "R1"),
        ),
        E("bnk:bankSummary", E("bnk:homeCurrency", E("typ:priceNone", 300))),
        version="2.0",
    )


def _voucher() -> etree._Element:
    return E(
        "vch:voucher",
        E("vch:voucherHeader", E("vch:voucherType", "receipt"), E("vch:originalDocument", "R2")),
        E("vch:voucherSummary", E("vch:homeCurrency", E("typ:priceNone", 300))),
        version="2.0",
    )


def _address() -> etree._Element:
    identity = E("adb:identity", E("typ:address", E("typ:company", "ACME")))
    return E("adb:addressbook", E("adb:addressbookHeader", identity), version="2.0")


def _credit_note(currency: str | None = None) -> etree._Element:
    """What the pohoda adapter sends for a shop refund: one returned unit of a card, and shipping."""
    from datetime import date
    from decimal import Decimal

    from connectors.pohoda.models import ExtId
    from connectors.pohoda.models.credit_notes import IssuedCreditNote
    from connectors.pohoda.models.orders import OrderItem
    from connectors.pohoda.xml.agendas.credit_notes import issued_credit_note

    note = IssuedCreditNote(
        ext_id=ExtId(ids=f"refund-{currency}", system="shop"),
        number_order="R1",
        date=date(2025, 3, 1),
        currency=currency,
        items=[
            OrderItem(text="Vráceno", quantity=Decimal(-1), unit_price=Decimal(150), stock_code="CS00001-CERVENA"),
            OrderItem(text="Doprava", quantity=Decimal(-1), unit_price=Decimal(89)),
        ],
    )
    return issued_credit_note(note).element


def _list(name: str, request: str, **attrs: str) -> etree._Element:
    return E(name, E(request), version="2.0", **attrs)


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "stock import": (
        lambda: data_pack(("i", stock_card("NEW-1", "Nový", store="PRAHA"))),
        "stk:stockItemResponse/rdc:producedDetails",
    ),
    "stock import refused": (
        lambda: data_pack(("i", stock_card("NEW-2", "Nový", store="NIKDE"))),
        "stk:stockItemResponse/rdc:importDetails",
    ),
    "order import": (
        lambda: data_pack(("i", received_order("NEW", ("CS00001-CERVENA", 1, 1)))),
        "ord:orderResponse/rdc:producedDetails",
    ),
    "order duplicity": (
        lambda: data_pack(("i", received_order("R1", ("X", 1, 1)))),
        "rsp:errorDetail/rsp:recordDuplicity",
    ),
    "address import": (lambda: data_pack(("i", _address())), "adb:addressbookResponse/rdc:producedDetails"),
    "bank import": (lambda: data_pack(("i", _bank())), "bnk:bankResponse/rdc:producedDetails"),
    "voucher import": (lambda: data_pack(("i", _voucher())), "vch:voucherResponse/rdc:producedDetails"),
    "credit note import": (lambda: data_pack(("i", _credit_note())), "inv:invoiceResponse/rdc:producedDetails"),
    "credit note list": (
        lambda: data_pack(
            ("n", _credit_note()),
            ("f", _credit_note("EUR")),
            (
                "i",
                _list(
                    "lst:listInvoiceRequest",
                    "lst:requestInvoice",
                    invoiceType="issuedCreditNotice",
                    invoiceVersion="2.0",
                    extSystem="shop",
                ),
            ),
        ),
        "lst:listInvoice/lst:invoice/inv:invoiceDetail/inv:invoiceItem/inv:stockItem",
    ),
    "stock list": (lambda: data_pack(("i", stock_list())), "lStk:listStock/lStk:stock"),
    "order list": (lambda: data_pack(("i", order_list(ext_system="shop"))), "lst:listOrder/lst:order"),
    "delivery note list": (
        lambda: data_pack(("i", _list("lst:listVydejkaRequest", "lst:requestVydejka", vydejkaVersion="2.0"))),
        "lst:listVydejka/lst:vydejka",
    ),
    "address book list": (
        lambda: data_pack(
            ("i", _list("lAdb:listAddressBookRequest", "lAdb:requestAddressBook", addressBookVersion="2.0"))
        ),
        "lAdb:listAddressBook/lAdb:addressbook",
    ),
    "category list": (
        lambda: data_pack(("i", _list("lst:listCategoryRequest", "lst:requestCategory", categoryVersion="2.0"))),
        "lst:listCategory//ctg:category",
    ),
    "int param list": (
        lambda: data_pack(("i", _list("lst:listIntParamRequest", "lst:requestIntParam"))),
        "lst:listIntParam//ipm:intParam",
    ),
    "supplier list": (
        lambda: data_pack(("i", _list("lst:listSupplierRequest", "lst:requestSupplier", supplierVersion="2.0"))),
        "lst:listSupplier/lst:supplier",
    ),
    "store list": (
        lambda: data_pack(("i", _list("lst:listStoreRequest", "lst:requestStore", storeVersion="2.0"))),
        "lst:listStore/lst:store",
    ),
    "bank list": (
        lambda: data_pack(
            ("b", _bank("tx-9")), ("i", _list("lst:listBankRequest", "lst:requestBank", bankVersion="2.0"))
        ),
        "lst:listBank/lst:bank",
    ),
    "unsupported agenda": (lambda: data_pack(("i", E("lst:listAccountRequest", version="2.0"))), ""),
    "refused list": (
        lambda: data_pack(
            (
                "i",
                E(
                    "lStk:listStockRequest",
                    E("lStk:requestStock", E("ftr:userFilterName", "Moje")),
                    version="2.0",
                    stockVersion="2.0",
                ),
            )
        ),
        "",
    ),
    "pack for another company": (lambda: data_pack(("i", stock_list()), ico="99999999"), None),
    "schema-invalid pack": (lambda: data_pack(("i", E("stk:stock", E("stk:nonsense"), version="2.0"))), None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_of_answer_validates_against_response_xsd(case, client, company, response_schema):
    build, expected = CASES[case]
    response = client.post("/xml", content=build(), headers=HEADERS)
    pack = etree.fromstring(response.content)
    assert response_schema.validate(pack), "; ".join(str(e) for e in response_schema.error_log)
    if expected is None:
        assert pack.get("state") == "error" and pack.get("note")
        return
    answer = pack.find("rsp:responsePackItem[@id='i']", NS)
    assert answer is not None
    if expected:
        assert answer.find(expected, NS) is not None, etree.tostring(answer, encoding="unicode")[:2000]
    else:
        assert answer.get("state") == "error" and answer.get("note")


def test_batch_duplicity_answer_and_malformed_body_answer_validate(client, company, response_schema):
    body = data_pack(("i", stock_card("DUP-1", "Dvakrát", store="PRAHA")), pack_id="twice")
    first = etree.fromstring(
        client.post("/xml", content=body, headers={**HEADERS, "STW-Check-Duplicity": "true"}).content
    )
    assert first.find("rsp:responsePackItem", NS).get("state") == "ok"
    again = etree.fromstring(
        client.post("/xml", content=body, headers={**HEADERS, "STW-Check-Duplicity": "true"}).content
    )
    assert again.find("rsp:responsePackItem/rsp:errorDetail/rsp:recordDuplicity", NS) is not None
    assert response_schema.validate(again)
    broken = client.post("/xml", content=b"<oops>", headers=HEADERS)
    assert broken.status_code == 400 and response_schema.validate(etree.fromstring(broken.content))

"""List requests the sync pages through: stock (paging, lastChanges, filters), orders with their states,
delivery notes, the address book, categories, parameters, suppliers, stores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pohoda_emu_support import E, data_pack, item, one, order_list, post, received_order, stock_card, stock_list, texts

from emulators.pohoda import NS
from emulators.pohoda.clock import local_text


def _stock_ids(client, *filters, **limit) -> list[int]:
    answer = item(post(client, data_pack(("s", stock_list(*filters, **limit)))), "s")
    assert answer.get("state") == "ok", answer.get("note")
    return [int(x) for x in texts(answer, "lStk:listStock/lStk:stock/stk:stockHeader/stk:id")]


def test_paging_with_id_from_and_count_returns_every_card_exactly_once(client, pohoda, seeded):
    seen: list[int] = []
    id_from = 1
    while True:
        page = _stock_ids(client, id_from=id_from, count=7)
        seen += page
        if len(page) < 7:
            break
        id_from = page[-1] + 1
    assert seen == sorted(pohoda.cards) and len(seen) == len(set(seen)) == 66


def test_paging_keeps_working_when_a_card_is_deleted_between_pages(client, pohoda, seeded):
    first = _stock_ids(client, id_from=1, count=10)
    del pohoda.cards[first[-1] + 1]
    rest = _stock_ids(client, id_from=first[-1] + 1, count=1000)
    assert first + rest == sorted(pohoda.cards)


def test_last_changes_returns_only_cards_changed_since(client, pohoda, seeded, clock):
    clock.advance(60)
    watermark = clock.now()
    clock.advance(1)
    changed = pohoda.change_stock_card("CS00001-CERVENA", store="BRNO", name="Hrnek přejmenovaný")
    ids = _stock_ids(client, E("ftr:lastChanges", local_text(watermark, "Europe/Prague")))
    assert ids == [changed.id]


def test_last_changes_is_inclusive_and_honours_an_explicit_offset(client, pohoda, seeded, clock):
    changed = pohoda.change_stock_card("CS00001-CERVENA", store="BRNO", availability="skladem")
    assert _stock_ids(client, E("ftr:lastChanges", changed.changed_at.isoformat())) == [changed.id]
    later = (changed.changed_at + timedelta(seconds=1)).isoformat()
    assert _stock_ids(client, E("ftr:lastChanges", later)) == []


def test_list_timestamp_is_local_time_of_the_company(client, seeded, clock):
    answer = item(post(client, data_pack(("s", stock_list(count=1)))), "s")
    assert answer.find("lStk:listStock", NS).get("dateTimeStamp") == "2025-04-01T09:00:00"


def test_internet_and_store_filters_narrow_the_list(client, pohoda, seeded):
    offline = pohoda.change_stock_card(min(pohoda.cards), is_internet=False)
    assert offline.id not in _stock_ids(client, E("ftr:internet", True))
    assert offline.id in _stock_ids(client, E("ftr:internet", False))
    brno = pohoda.store_by_name("BRNO").id
    assert set(_stock_ids(client, E("ftr:store", E("typ:ids", "BRNO")))) == {
        c.id for c in pohoda.cards.values() if c.store_id == brno
    }


def test_card_exports_prices_parameters_and_the_item_key(client, pohoda, seeded, sample):
    product = next(p for p in sample.products if len(p.variants) > 1)
    variant = product.variants[0]
    card = pohoda.cards[seeded.cards[variant.sku][0]]
    answer = item(post(client, data_pack(("s", stock_list(E("ftr:id", card.id))))), "s")
    header = answer.find("lStk:listStock/lStk:stock/stk:stockHeader", NS)
    assert one(header, "stk:code") == variant.sku and one(header, "stk:EAN") == variant.barcode
    assert Decimal(one(header, "stk:sellingPrice")) == variant.price
    assert one(header, "stk:parameters/typ:parameter[typ:name='VPrItemKey']/typ:textValue") == product.erp_key
    options = header.find("stk:intParameters/stk:intParameter[stk:intParameterType='listValue']", NS)
    assert one(options, "stk:intParameterName") in variant.options
    assert texts(header, "stk:relatedStocks/stk:idStocks/typ:stockItem/typ:ids")  # the product's other variants


def test_restriction_data_drops_pictures_and_parameters(client, pohoda, seeded):
    card = next(c for c in pohoda.cards.values() if c.pictures)
    restriction = E("lStk:restrictionData", E("lStk:pictures", False), E("lStk:intParameters", False))
    answer = item(post(client, data_pack(("s", stock_list(E("ftr:id", card.id), restriction=restriction)))), "s")
    header = answer.find("lStk:listStock/lStk:stock/stk:stockHeader", NS)
    assert header.find("stk:pictures", NS) is None and header.find("stk:intParameters", NS) is None
    assert header.find("stk:categories", NS) is not None


def test_query_filter_is_refused_rather_than_ignored(client, seeded):
    request = E(
        "lStk:listStockRequest",
        E("lStk:requestStock", E("ftr:queryFilter", E("ftr:filter", "1=1"))),
        version="2.0",
        stockVersion="2.0",
    )
    answer = item(post(client, data_pack(("s", request))), "s")
    assert answer.get("state") == "error" and "queryFilter" in answer.get("note")


def test_reserved_order_shows_in_the_cards_quantities(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    pohoda.set_stock_quantity("MUG", "ZBOŽÍ", 10)
    post(client, data_pack(("o", received_order("1", ("MUG", 3, 100)))))
    header = item(post(client, data_pack(("s", stock_list()))), "s").find(
        "lStk:listStock/lStk:stock/stk:stockHeader", NS
    )
    assert [one(header, f"stk:{n}") for n in ("count", "reservation", "countIssue", "countReceivedOrders")] == [
        "10",
        "3",
        "7",
        "3",
    ]


def _orders(client, *filters, **kwargs):
    answer = item(post(client, data_pack(("o", order_list(*filters, **kwargs)))), "o")
    assert answer.get("state") == "ok", answer.get("note")
    return answer.findall("lst:listOrder/lst:order", NS)


def test_order_list_shows_executed_transferred_and_cancelled_orders(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(*[(f"o{n}", received_order(str(n), ("MUG", 1, 100))) for n in (1, 2, 3, 4)]))
    pohoda.set_order_executed("1")
    invoice = pohoda.transfer_order("2")
    pohoda.cancel_order("3")
    by_ref = {one(o, "ord:orderHeader/ord:numberOrder"): o for o in _orders(client)}
    assert one(by_ref["1"], "ord:orderHeader/ord:isExecuted") == "true"
    assert one(by_ref["2"], "ord:linkedDocuments/typ:link/typ:sourceAgenda") == "issuedInvoice"
    assert one(by_ref["2"], "ord:linkedDocuments/typ:link/typ:sourceDocument/typ:number") == invoice.number
    assert one(by_ref["3"], "ord:orderHeader/ord:storno") == "cancelledDocument"
    assert one(by_ref["3"], "ord:orderHeader/ord:dateCancellation") == "2025-04-01"
    untouched = by_ref["4"]
    assert one(untouched, "ord:orderHeader/ord:isExecuted") == "false"
    assert untouched.find("ord:linkedDocuments", NS) is None
    assert untouched.find("ord:orderHeader/ord:storno", NS) is None


def test_order_last_changes_finds_orders_changed_in_pohoda(client, pohoda, clock):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(("a", received_order("1", ("MUG", 1, 100))), ("b", received_order("2", ("MUG", 1, 100)))))
    clock.advance(3600)
    since = local_text(clock.now(), "Europe/Prague")
    pohoda.set_order_executed("2")
    assert [one(o, "ord:orderHeader/ord:numberOrder") for o in _orders(client, E("ftr:lastChanges", since))] == ["2"]


def test_order_ext_id_is_exported_only_for_the_named_external_system(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(("o", received_order("1001", ("MUG", 1, 100), system="shop"))))
    (plain,) = _orders(client)
    (named,) = _orders(client, ext_system="shop")
    assert plain.find("ord:orderHeader/ord:extId", NS) is None
    assert one(named, "ord:orderHeader/ord:extId/typ:ids") == "1001"
    (found,) = _orders(client, E("ftr:extId", E("typ:ids", "1001"), E("typ:exSystemName", "shop")))
    assert one(found, "ord:orderHeader/ord:numberOrder") == "1001"


def test_delivery_note_lists_with_its_order_link_and_tracking(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek")), ("d", stock_card("TEA", "Čaj"))))
    pohoda.set_stock_quantity("MUG", "ZBOŽÍ", 5)
    post(client, data_pack(("o", received_order("77", ("MUG", 2, 100), ("TEA", 1, 50)))))
    note = pohoda.create_delivery_note("77", lines={"MUG": 2}, carrier="PPL", tracking_number="PPL123")
    request = E("lst:listVydejkaRequest", E("lst:requestVydejka"), version="2.0", vydejkaVersion="2.0")
    answer = item(post(client, data_pack(("v", request))), "v")
    (vydejka,) = answer.findall("lst:listVydejka/lst:vydejka", NS)
    assert one(vydejka, "vyd:vydejkaHeader/vyd:number/typ:numberRequested") == note.number
    assert one(vydejka, "vyd:vydejkaHeader/vyd:carrier/typ:ids") == "PPL"
    assert one(vydejka, "vyd:vydejkaHeader/vyd:parameters/typ:parameter/typ:textValue") == "PPL123"
    assert one(vydejka, "vyd:vydejkaDetail/vyd:vydejkaItem/vyd:code") == "MUG"
    assert one(vydejka, "vyd:linkedDocuments/typ:link/typ:sourceDocument/typ:number") == pohoda.order("77").number
    (order,) = _orders(client)
    assert one(order, "ord:orderHeader/ord:isDelivered") == "false"  # the tea is still to come
    assert pohoda.card_by_code("MUG").count == 3


def test_address_book_lists_customers_by_number_and_last_changes(client, pohoda, seeded, sample, clock):
    request = E(
        "lAdb:listAddressBookRequest",
        E("lAdb:requestAddressBook", E("ftr:filter", E("ftr:number", E("typ:numberRequested", "CUST00002")))),
        version="2.0",
        addressBookVersion="2.0",
    )
    answer = item(post(client, data_pack(("a", request))), "a")
    (entry,) = answer.findall("lAdb:listAddressBook/lAdb:addressbook", NS)
    assert one(entry, "adb:addressbookHeader/adb:email") == sample.customers[1].email
    clock.advance(10)
    since = local_text(clock.now(), "Europe/Prague")
    request = E(
        "lAdb:listAddressBookRequest",
        E("lAdb:requestAddressBook", E("ftr:filter", E("ftr:lastChanges", since))),
        version="2.0",
        addressBookVersion="2.0",
    )
    assert item(post(client, data_pack(("b", request))), "b").findall("lAdb:listAddressBook/lAdb:addressbook", NS) == []


def test_category_tree_is_nested_like_the_seeded_one(client, seeded, sample):
    request = E("lst:listCategoryRequest", E("lst:requestCategory"), version="2.0", categoryVersion="2.0")
    detail = item(post(client, data_pack(("c", request))), "c").find("lst:listCategory/lst:categoryDetail", NS)
    roots = texts(detail, "ctg:category/ctg:name")
    assert roots == [
        c.name
        for c in sorted((c for c in sample.categories if c.parent_key is None), key=lambda c: (c.position, c.erp_key))
    ]
    assert len(detail.findall(".//ctg:category", NS)) == len(sample.categories)


def test_int_param_list_defines_options_as_list_values_with_their_values(client, pohoda, seeded):
    request = E("lst:listIntParamRequest", E("lst:requestIntParam"), version="2.0")
    detail = item(post(client, data_pack(("p", request))), "p").find("lst:listIntParam/lst:intParamDetail", NS)
    lists = detail.findall("ipm:intParam[ipm:parameterType='listValue']", NS)
    assert lists and all(
        texts(p, "ipm:parameterSettings/ipm:parameterList/ipm:parameterListItem/ipm:name") for p in lists
    )


def test_supplier_and_store_lists(client, pohoda, seeded, sample):
    card = next(c for c in pohoda.cards.values() if c.supplier_id)
    request = E(
        "lst:listSupplierRequest",
        E("lst:requestSupplier", E("ftr:filter", E("ftr:id", card.id))),
        version="2.0",
        supplierVersion="2.0",
    )
    (supplier,) = item(post(client, data_pack(("s", request))), "s").findall("lst:listSupplier/lst:supplier", NS)
    assert int(one(supplier, "sup:suppliers/sup:supplierItem/sup:refAd/typ:id")) == card.supplier_id
    assert one(supplier, "sup:stockItem/typ:stockItem/typ:ids") == card.code
    stores = E("lst:listStoreRequest", E("lst:requestStore"), version="2.0", storeVersion="2.0")
    names = texts(item(post(client, data_pack(("t", stores))), "t"), "lst:listStore/lst:store/sto:name")
    assert names == [loc.erp_key for loc in sample.locations]

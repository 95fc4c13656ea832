"""Shop nodes → domain models, domain models → mutation inputs, shipments → fulfillments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from graphql import GraphQLSchema
from graphql.utilities import coerce_input_value

from connectors.shopify.errors import RecordError
from connectors.shopify.fulfillment import plan_fulfillments
from connectors.shopify.inputs import (
    collection_input,
    inventory_quantity,
    media_input,
    metafield_key,
    metafields_set_inputs,
    product_set_input,
    variant_price_input,
)
from connectors.shopify.mapping import (
    customer_from_node,
    more_lines_cursor,
    order_from_node,
    refund_from_node,
    stock_from_level,
    transaction_from_node,
)
from domain.models import (
    Category,
    FinancialStatus,
    Image,
    Parameter,
    Product,
    Shipment,
    ShipmentLine,
    Tracking,
    TransactionKind,
    Variant,
)


def money(amount: str, currency: str = "CZK") -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def line(gid: int, sku: str, qty: int, price: str, discount: str = "0.0", rate: float | None = 0.21) -> dict:
    return {
        "id": f"gid://shopify/LineItem/{gid}",
        "sku": sku,
        "title": f"Item {sku}",
        "name": f"Item {sku}",
        "quantity": qty,
        "currentQuantity": qty - 1,  # a unit refunded: the ERP order keeps what was ordered
        "variant": {"id": f"gid://shopify/ProductVariant/{gid}"},
        "originalUnitPriceSet": money(price),
        "totalDiscountSet": money(discount),
        "taxLines": [] if rate is None else [{"rate": rate, "title": "DPH"}],
    }


ORDER_NODE = {
    "id": "gid://shopify/Order/1001",
    "name": "#1001",
    "createdAt": "2026-01-05T10:00:00Z",
    "updatedAt": "2026-01-06T08:30:00Z",
    "processedAt": "2026-01-05T10:00:00Z",
    "cancelledAt": None,
    "closed": False,
    "closedAt": None,
    "test": False,
    "currencyCode": "CZK",
    "presentmentCurrencyCode": "EUR",  # the buyer paid in euros; the shop books in crowns
    "displayFinancialStatus": "PAID",
    "displayFulfillmentStatus": "UNFULFILLED",
    "email": "jana@example.cz",
    "phone": None,
    "note": "ring twice",
    "tags": ["vip"],
    "taxesIncluded": True,
    "customer": {
        "id": "gid://shopify/Customer/7",
        "firstName": "Jana",
        "lastName": "Nováková",
        "updatedAt": "2026-01-01T00:00:00Z",
        "defaultEmailAddress": {"emailAddress": "jana@example.cz"},
        "defaultPhoneNumber": {"phoneNumber": "+420777123456"},
    },
    "billingAddress": {
        "firstName": "Jana",
        "lastName": "Nováková",
        "company": None,
        "address1": "Dlouhá 1",
        "address2": None,
        "city": "Praha",
        "zip": "11000",
        "provinceCode": None,
        "countryCodeV2": "CZ",
        "phone": None,
    },
    "shippingAddress": None,
    "subtotalPriceSet": money("300.00"),
    "totalShippingPriceSet": money("89.00"),
    "totalTaxSet": money("67.51"),
    "totalDiscountsSet": money("10.00"),
    "totalPriceSet": money("379.00"),
    "lineItems": {
        "nodes": [line(1, "A-1", 2, "100.00", "10.00"), line(2, "B-2", 1, "100.00")],
        "pageInfo": {"hasNextPage": True, "endCursor": "lines-2"},
    },
    "transactions": [
        {
            "id": "gid://shopify/OrderTransaction/5",
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": "shopify_payments",
            "processedAt": "2026-01-05T10:00:05Z",
            "createdAt": "2026-01-05T10:00:04Z",
            "amountSet": money("379.00"),
            "parentTransaction": None,
        }
    ],
}


def test_an_order_node_becomes_a_domain_order_in_shop_currency():
    order = order_from_node(ORDER_NODE, more_lines=[line(3, "C-3", 4, "5.50", rate=None)])
    assert (order.currency, order.presentment_currency) == ("CZK", "EUR")

    assert (order.shop_id, order.name, order.currency, order.total) == (
        "gid://shopify/Order/1001",
        "#1001",
        "CZK",
        Decimal("379.00"),
    )
    assert order.updated_at == datetime(2026, 1, 6, 8, 30, tzinfo=UTC)
    assert [(ln.sku, ln.quantity, ln.unit_price, ln.discount, ln.tax_rate) for ln in order.lines] == [
        ("A-1", 2, Decimal("100.00"), Decimal("10.00"), Decimal("0.21")),
        ("B-2", 1, Decimal("100.00"), Decimal("0.0"), Decimal("0.21")),
        ("C-3", 4, Decimal("5.50"), Decimal("0.0"), None),
    ]
    assert order.customer.email == "jana@example.cz" and order.customer.shop_id == "gid://shopify/Customer/7"
    assert order.billing_address.street == "Dlouhá 1" and order.billing_address.country_code == "CZ"
    assert order.financial_status is FinancialStatus.PAID and order.shipping_total == Decimal("89.00")
    assert order.transactions[0].kind is TransactionKind.SALE and order.transactions[0].is_money_in


def test_the_cursor_for_the_rest_of_an_orders_lines_is_exposed():
    assert more_lines_cursor(ORDER_NODE) == "lines-2"
    assert more_lines_cursor({**ORDER_NODE, "lineItems": [line(1, "A", 1, "1.00")]}) is None  # bulk shape


def test_a_refund_leaves_the_order_lines_and_their_signature_as_ordered():
    refunded = {
        **ORDER_NODE,
        "lineItems": {"nodes": [{**n, "currentQuantity": 0} for n in ORDER_NODE["lineItems"]["nodes"]]},
    }
    assert order_from_node(refunded).lines_signature() == order_from_node(ORDER_NODE).lines_signature()


def test_a_refund_node_keeps_goods_restock_shipping_adjustments_and_money_back():
    node = {
        "id": "gid://shopify/Refund/7",
        "processedAt": "2026-03-02T10:00:00Z",
        "refundLineItems": {
            "nodes": [
                {
                    "quantity": 1,
                    "restockType": "RETURN",
                    "lineItem": {"id": "gid://shopify/LineItem/1", "sku": "A-1", "title": "Item"},
                    "subtotalSet": money("100.00"),
                    "totalTaxSet": money("21.00"),
                }
            ]
        },
        "refundShippingLines": {"nodes": [{"subtotalAmountSet": money("50.00"), "taxAmountSet": money("0")}]},
        "orderAdjustments": {"nodes": [{"amountSet": money("-10.00")}]},
        "transactions": {
            "nodes": [
                {
                    "id": "gid://shopify/OrderTransaction/9",
                    "kind": "REFUND",
                    "status": "SUCCESS",
                    "gateway": "manual",
                    "processedAt": "2026-03-02T10:00:00Z",
                    "amountSet": money("161.00"),
                },
                {
                    "id": "gid://shopify/OrderTransaction/10",
                    "kind": "REFUND",
                    "status": "FAILURE",
                    "gateway": "manual",
                    "processedAt": "2026-03-02T10:00:00Z",
                    "amountSet": money("161.00"),
                },
            ]
        },
    }
    refund = refund_from_node(node, "gid://shopify/Order/1001", "#1001")
    assert [(x.sku, x.quantity, x.restocked) for x in refund.lines] == [("A-1", 1, True)]
    assert (refund.currency, refund.shipping, refund.adjustments) == ("CZK", Decimal("50.00"), Decimal("-10.00"))
    assert refund.total == Decimal("161.00")
    assert [t.shop_id for t in refund.payments] == ["gid://shopify/OrderTransaction/9"]
    assert refund.paid_back == Decimal("161.00")


def test_a_guest_order_keeps_the_buyers_email_as_its_customer():
    order = order_from_node({**ORDER_NODE, "customer": None})
    assert order.customer.shop_id is None and order.customer.email == "jana@example.cz"
    assert order.customer.last_name == "Nováková"


def test_bad_shop_data_names_the_order_and_the_field():
    with pytest.raises(RecordError) as caught:
        order_from_node({**ORDER_NODE, "billingAddress": {**ORDER_NODE["billingAddress"], "countryCodeV2": "Czechia"}})
    assert caught.value.record == "#1001" and caught.value.field == "country_code"


def test_a_customer_node_becomes_a_domain_customer():
    node = {
        "id": "gid://shopify/Customer/7",
        "firstName": "Jan",
        "lastName": "Novák",
        "updatedAt": "2026-01-01T00:00:00Z",
        "defaultEmailAddress": {"emailAddress": "JAN@example.cz"},
        "defaultPhoneNumber": None,
        "defaultAddress": {"address1": "Krátká 2", "city": "Brno", "countryCodeV2": "CZ"},
    }
    customer = customer_from_node(node)
    assert customer.email_key == "jan@example.cz" and customer.addresses[0].city == "Brno"


def test_an_inventory_level_node_gives_on_hand_and_available():
    node = {
        "id": "x",
        "quantities": [{"name": "on_hand", "quantity": 7}, {"name": "available", "quantity": 5}],
        "item": {"id": "gid://shopify/InventoryItem/3", "sku": "A-1"},
    }
    stock = stock_from_level(node, "gid://shopify/Location/1")
    assert (stock.sku, stock.on_hand, stock.available) == ("A-1", 7, 5)


PRODUCT = Product(
    erp_key="TSHIRT",
    title="Tričko",
    description="<p>Bavlna</p>",
    vendor="Acme",
    variants=[
        Variant(sku="TS-S", price=Decimal("399.00"), options={"Velikost": "S"}),
        Variant(
            sku="TS-M",
            price=Decimal("399.00"),
            compare_at_price=Decimal("499"),
            options={"Velikost": "M"},
            barcode="8590000000001",
        ),
    ],
)


def test_builders_produce_inputs_the_real_schema_accepts(shopify_schema: GraphQLSchema):
    def accepts(type_name: str, value):
        coerce_input_value(value, shopify_schema.type_map[type_name])  # raises GraphQLError when refused

    accepts("ProductSetInput", product_set_input(PRODUCT, variant_ids={"TS-S": "gid://shopify/ProductVariant/1"}))
    accepts(
        "InventoryQuantityInput", inventory_quantity("gid://shopify/InventoryItem/1", "gid://shopify/Location/1", 5)
    )
    accepts("ProductVariantsBulkInput", variant_price_input("gid://shopify/ProductVariant/1", PRODUCT.variants[1]))
    for metafield in metafields_set_inputs("gid://shopify/Product/1", [Parameter(name="Materiál", value="bavlna")]):
        accepts("MetafieldsSetInput", metafield)
    accepts("CollectionInput", collection_input(Category(erp_key="10", name="Trička & mikiny")))
    accepts("CreateMediaInput", media_input(Image(item_key="TSHIRT", url="https://img.example/ts.jpg")))
    plans, _ = plan_fulfillments(SHIPMENT, FULFILLMENT_ORDERS, notify_customer=True)
    accepts("FulfillmentInput", plans[0].fulfillment)


def test_product_options_come_from_variant_options_and_keep_variant_ids():
    payload = product_set_input(PRODUCT, variant_ids={"TS-S": "gid://shopify/ProductVariant/1"})
    assert payload["productOptions"] == [{"name": "Velikost", "values": [{"name": "S"}, {"name": "M"}]}]
    assert payload["variants"][0]["id"] == "gid://shopify/ProductVariant/1" and "id" not in payload["variants"][1]
    assert payload["variants"][1]["compareAtPrice"] == "499" and payload["variants"][0]["price"] == "399.00"


def test_an_item_without_options_gets_shopifys_default_option():
    single = Product(erp_key="MUG", title="Hrnek", variants=[Variant(sku="MUG-1", price=Decimal("120"))])
    payload = product_set_input(single)
    assert payload["productOptions"] == [{"name": "Title", "values": [{"name": "Default Title"}]}]
    assert payload["variants"][0]["optionValues"] == [{"optionName": "Title", "name": "Default Title"}]


def test_inventory_quantities_always_carry_change_from_quantity():
    assert inventory_quantity("i", "l", 3) == {
        "inventoryItemId": "i",
        "locationId": "l",
        "quantity": 3,
        "changeFromQuantity": None,
    }


def test_metafield_keys_are_ascii_slugs_and_collisions_are_refused():
    assert metafield_key("Barva / Color") == "barva_color" and metafield_key("Hmotnost (kg)") == "hmotnost_kg"
    with pytest.raises(ValueError, match="same metafield key"):
        metafields_set_inputs("o", [Parameter(name="Barva", value="1"), Parameter(name="barva", value="2")])


FULFILLMENT_ORDERS = [
    {
        "id": "gid://shopify/FulfillmentOrder/1",
        "status": "OPEN",
        "assignedLocation": {"name": "Praha", "location": {"id": "gid://shopify/Location/1"}},
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/11",
                    "sku": "A-1",
                    "totalQuantity": 2,
                    "remainingQuantity": 2,
                    "lineItem": {"id": "gid://shopify/LineItem/1"},
                },
            ]
        },
    },
    {
        "id": "gid://shopify/FulfillmentOrder/2",
        "status": "OPEN",
        "assignedLocation": {"name": "Brno", "location": {"id": "gid://shopify/Location/2"}},
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/21",
                    "sku": "A-1",
                    "totalQuantity": 1,
                    "remainingQuantity": 1,
                    "lineItem": {"id": "gid://shopify/LineItem/1"},
                },
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/22",
                    "sku": "B-2",
                    "totalQuantity": 1,
                    "remainingQuantity": 0,
                    "lineItem": {"id": "gid://shopify/LineItem/2"},
                },
            ]
        },
    },
    {
        "id": "gid://shopify/FulfillmentOrder/3",
        "status": "CLOSED",
        "assignedLocation": {"name": "Praha", "location": {"id": "gid://shopify/Location/1"}},
        "lineItems": {
            "nodes": [{"id": "gid://shopify/FulfillmentOrderLineItem/31", "sku": "B-2", "remainingQuantity": 5}]
        },
    },
]

SHIPMENT = Shipment(
    erp_key="DL-2026-7",
    order_shop_id="gid://shopify/Order/1001",
    lines=[ShipmentLine(sku="A-1", quantity=3), ShipmentLine(sku="B-2", quantity=1)],
    tracking=Tracking(company="PPL", number="123456"),
    shipped_at=datetime(2026, 1, 7, tzinfo=UTC),
)


def test_a_shipment_is_spread_over_open_fulfillment_orders_one_fulfillment_per_location():
    plans, errors = plan_fulfillments(SHIPMENT, FULFILLMENT_ORDERS, notify_customer=True)

    by_location = {p.location_id: p for p in plans}
    assert set(by_location) == {"gid://shopify/Location/1", "gid://shopify/Location/2"}
    prague = by_location["gid://shopify/Location/1"].fulfillment
    assert prague["lineItemsByFulfillmentOrder"] == [
        {
            "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1",
            "fulfillmentOrderLineItems": [{"id": "gid://shopify/FulfillmentOrderLineItem/11", "quantity": 2}],
        }
    ]
    assert prague["trackingInfo"] == {"company": "PPL", "number": "123456"} and prague["notifyCustomer"] is True
    assert by_location["gid://shopify/Location/2"].skus == {"A-1": 1}
    # B-2 is only open on a CLOSED fulfillment order and fully fulfilled elsewhere: reported, not sent
    assert [(e.record, e.field) for e in errors] == [("DL-2026-7", "lines[1].quantity")]


def test_the_erp_location_is_preferred_when_an_item_is_open_at_several():
    shipment = SHIPMENT.model_copy(update={"lines": [ShipmentLine(sku="A-1", quantity=1)]})
    plans, errors = plan_fulfillments(
        shipment, FULFILLMENT_ORDERS, notify_customer=False, location_id="gid://shopify/Location/2"
    )
    assert [p.location_id for p in plans] == ["gid://shopify/Location/2"] and errors == []


def test_image_bytes_are_staged_without_the_token_and_the_resource_url_returned(make_client):
    from connectors.shopify.media import stage_image
    from connectors.shopify.testing import TOKEN, ScriptedShop, ok

    target = {
        "url": "https://shopify-staged-uploads.storage.googleapis.com/",
        "resourceUrl": "https://r.example/tmp/1/a.png",
        "parameters": [{"name": "key", "value": "tmp/1/a.png"}, {"name": "policy", "value": "p"}],
    }
    shop = ScriptedShop(
        [ok({"stagedUploadsCreate": {"stagedTargets": [target], "userErrors": []}}), httpx.Response(204)]
    )
    image = Image(item_key="MUG", filename="a.png", content=b"\x89PNG...")

    assert stage_image(make_client(shop), image) == "https://r.example/tmp/1/a.png"
    assert shop.variables[0]["input"][0] == {
        "filename": "a.png",
        "mimeType": "image/png",
        "resource": "IMAGE",
        "httpMethod": "POST",
        "fileSize": "7",
    }
    assert shop.urls[1] == target["url"] and "X-Shopify-Access-Token" not in shop.headers[1]
    assert TOKEN not in str(shop.headers[1])


def test_a_transaction_keeps_the_shop_currency_and_what_the_buyer_paid_in():
    node = {
        "id": "gid://shopify/OrderTransaction/5",
        "kind": "SALE",
        "status": "SUCCESS",
        "gateway": "shopify_payments",
        "processedAt": "2025-03-01T10:00:00Z",
        "amountSet": {
            "shopMoney": {"amount": "1290.00", "currencyCode": "CZK"},
            "presentmentMoney": {"amount": "51.60", "currencyCode": "EUR"},
        },
    }

    tx = transaction_from_node(node, "gid://shopify/Order/1")
    same = transaction_from_node({**node, "amountSet": money("1290.00")}, "gid://shopify/Order/1")

    assert (tx.amount, tx.currency, tx.presentment_amount, tx.presentment_currency) == (
        Decimal("1290.00"),
        "CZK",
        Decimal("51.60"),
        "EUR",
    )
    assert tx.in_other_currency and not same.in_other_currency

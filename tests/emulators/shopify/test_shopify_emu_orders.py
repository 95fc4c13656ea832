"""Orders, customers, payments, fulfillments and refunds: reads reflect the seed, writes apply or explain."""

from __future__ import annotations

from decimal import Decimal

ORDER = """query($id: ID!) { order(id: $id) {
  name closed cancelledAt displayFinancialStatus displayFulfillmentStatus updatedAt tags
  totalPriceSet { shopMoney { amount currencyCode } } totalOutstandingSet { shopMoney { amount } }
  customer { email } transactions { kind status amountSet { shopMoney { amount } } }
  lineItems(first: 10) { nodes { id sku quantity unfulfilledQuantity variant { sku } } }
  fulfillmentOrders(first: 5) { nodes { id status assignedLocation { name }
    lineItems(first: 10) { nodes { id remainingQuantity lineItem { sku } } } } }
  fulfillments { name trackingInfo { company number url } }
} }"""


def order(gql, gid: str) -> dict:
    return gql(ORDER, {"id": gid})["data"]["order"]


def test_a_seeded_order_reads_back_with_its_lines_payments_and_fulfillment_order(gql, seeded):
    read = order(gql, "gid://shopify/Order/1002")
    assert (read["name"], read["displayFinancialStatus"], read["displayFulfillmentStatus"]) == (
        "#1002",
        "PAID",
        "UNFULFILLED",
    )
    assert read["totalPriceSet"]["shopMoney"] == {"amount": "40.00", "currencyCode": "EUR"}
    assert read["totalOutstandingSet"]["shopMoney"]["amount"] == "0.00"
    assert read["transactions"] == [
        {"kind": "SALE", "status": "SUCCESS", "amountSet": {"shopMoney": {"amount": "40.00"}}}
    ]
    assert [(li["id"], li["sku"], li["variant"]["sku"]) for li in read["lineItems"]["nodes"]] == [
        ("gid://shopify/LineItem/100201", "P1-S", "P1-S"),
        ("gid://shopify/LineItem/100202", "P2-M", "P2-M"),
    ]
    fulfillment_order = read["fulfillmentOrders"]["nodes"][0]
    assert (fulfillment_order["status"], fulfillment_order["assignedLocation"]["name"]) == ("OPEN", "MAIN")


FULFILL = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
  fulfillment { id name status totalQuantity trackingInfo { company number url } }
  userErrors { field message } } }"""


def test_fulfilling_part_then_the_rest_moves_the_order_to_fulfilled(gql, seeded, shop, clock):
    read = order(gql, "gid://shopify/Order/1002")
    fo = read["fulfillmentOrders"]["nodes"][0]
    first_line = fo["lineItems"]["nodes"][0]
    clock.advance(120)
    body = gql(
        FULFILL,
        {
            "f": {
                "lineItemsByFulfillmentOrder": [
                    {
                        "fulfillmentOrderId": fo["id"],
                        "fulfillmentOrderLineItems": [{"id": first_line["id"], "quantity": 2}],
                    }
                ],
                "trackingInfo": {"company": "PPL", "number": "123", "url": "https://ppl.example/123"},
            }
        },
    )
    made = body["data"]["fulfillmentCreate"]
    assert made["userErrors"] == []
    assert made["fulfillment"]["name"] == "#1002-F1" and made["fulfillment"]["totalQuantity"] == 2
    assert made["fulfillment"]["trackingInfo"] == [
        {"company": "PPL", "number": "123", "url": "https://ppl.example/123"}
    ]
    partial = order(gql, "gid://shopify/Order/1002")
    assert partial["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert partial["updatedAt"] == "2026-03-01T00:02:00Z"
    assert partial["fulfillmentOrders"]["nodes"][0]["status"] == "IN_PROGRESS"
    gql(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}})
    done = order(gql, "gid://shopify/Order/1002")
    assert done["displayFulfillmentStatus"] == "FULFILLED"
    assert done["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert [li["unfulfilledQuantity"] for li in done["lineItems"]["nodes"]] == [0, 0]


def test_fulfilling_more_than_remains_or_a_closed_fulfillment_order_is_refused(gql, seeded):
    fo = order(gql, "gid://shopify/Order/1001")["fulfillmentOrders"]["nodes"][0]
    line = fo["lineItems"]["nodes"][0]
    too_many = gql(
        FULFILL,
        {
            "f": {
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [{"id": line["id"], "quantity": 3}]}
                ]
            }
        },
    )
    assert too_many["data"]["fulfillmentCreate"]["userErrors"] == [
        {
            "field": ["fulfillment", "lineItemsByFulfillmentOrder", "0", "fulfillmentOrderLineItems", "0", "quantity"],
            "message": "Invalid fulfillment order line item quantity requested.",
        }
    ]
    gql(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}})
    again = gql(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}})
    assert "unfulfillable status= closed" in again["data"]["fulfillmentCreate"]["userErrors"][0]["message"]
    unknown = gql(
        FULFILL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/999"}]}}
    )
    assert unknown["data"]["fulfillmentCreate"]["userErrors"][0]["message"] == "Fulfillment order does not exist."


def test_tracking_info_can_be_updated(gql, seeded):
    fo = order(gql, "gid://shopify/Order/1001")["fulfillmentOrders"]["nodes"][0]
    made = gql(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}})
    fulfillment_id = made["data"]["fulfillmentCreate"]["fulfillment"]["id"]
    body = gql(
        """mutation($id: ID!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $id,
        trackingInfoInput: {company: "DPD", numbers: ["A1", "A2"]}) { fulfillment { trackingInfo { number } } } }""",
        {"id": fulfillment_id},
    )
    assert body["data"]["fulfillmentTrackingInfoUpdate"]["fulfillment"]["trackingInfo"] == [
        {"number": "A1"},
        {"number": "A2"},
    ]


CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true) {
    job { id done } orderCancelUserErrors { field message code } } }"""
JOB = 'query($id: ID!) { job(id: $id) { id done query { order(id: "gid://shopify/Order/1003") { cancelledAt } } } }'


def test_order_close_and_cancel(gql, seeded, shop, clock):
    closed = gql(
        'mutation { orderClose(input: {id: "gid://shopify/Order/1001"}) { order { closed } userErrors { message } } }'
    )
    assert closed["data"]["orderClose"] == {"order": {"closed": True}, "userErrors": []}
    first = gql(CANCEL, {"id": "gid://shopify/Order/1003"})["data"]["orderCancel"]
    assert first["orderCancelUserErrors"] == [] and first["job"]["done"] is False
    clock.advance(5)  # the job's time (EmulatorConfig.job_seconds) passes: it finishes without being polled
    assert gql(JOB, {"id": first["job"]["id"]})["data"]["job"]["done"] is True
    assert shop.orders[1003].cancelled_at is not None
    assert order(gql, "gid://shopify/Order/1003")["fulfillmentOrders"]["nodes"][0]["status"] == "CANCELLED"
    again = gql(CANCEL, {"id": "gid://shopify/Order/1003"})["data"]["orderCancel"]
    assert again["orderCancelUserErrors"][0]["code"] == "INVALID"
    missing = gql(CANCEL, {"id": "gid://shopify/Order/1"})["data"]["orderCancel"]
    assert missing["orderCancelUserErrors"][0]["code"] == "NOT_FOUND"


def test_a_cancel_applies_only_when_its_job_finishes_and_a_second_cancel_meanwhile_makes_a_second_job(
    gql, seeded, shop
):
    first = gql(CANCEL, {"id": "gid://shopify/Order/1003"})["data"]["orderCancel"]["job"]
    second = gql(CANCEL, {"id": "gid://shopify/Order/1003"})["data"]["orderCancel"]  # nothing protects the order
    assert second["orderCancelUserErrors"] == [] and second["job"]["id"] != first["id"]
    assert order(gql, "gid://shopify/Order/1003")["cancelledAt"] is None

    running = gql(JOB, {"id": first["id"]})["data"]["job"]  # one read still sees it running (job_polls=1)
    assert (running["done"], running["query"], shop.orders[1003].cancelled_at) == (False, None, None)
    done = gql(JOB, {"id": first["id"]})["data"]["job"]
    assert done["done"] is True and done["query"]["order"]["cancelledAt"] is not None
    cancelled_at = shop.orders[1003].cancelled_at
    gql(JOB, {"id": second["job"]["id"]})
    assert gql(JOB, {"id": second["job"]["id"]})["data"]["job"]["done"] is True
    assert shop.orders[1003].cancelled_at == cancelled_at  # the second job found nothing left to cancel
    assert gql(JOB, {"id": "gid://shopify/Job/999"})["data"]["job"] is None


def test_marking_an_unpaid_order_as_paid_records_a_sale(gql, seeded):
    mark = """mutation($id: ID!) { orderMarkAsPaid(input: {id: $id}) {
        order { displayFinancialStatus transactions { kind amountSet { shopMoney { amount } } } }
        userErrors { message } } }"""
    body = gql(mark, {"id": "gid://shopify/Order/1003"})["data"]["orderMarkAsPaid"]
    assert body["order"]["displayFinancialStatus"] == "PAID"
    assert body["order"]["transactions"] == [{"kind": "SALE", "amountSet": {"shopMoney": {"amount": "20.00"}}}]
    again = gql(mark, {"id": "gid://shopify/Order/1003"})["data"]["orderMarkAsPaid"]
    assert again["userErrors"] == [{"message": "Order cannot be marked as paid."}]


def test_a_refund_needs_an_idempotency_key_and_records_a_refund_transaction(gql, seeded, shop):
    refund = """mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "r-1") {
        refund { totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes { quantity } } }
        order { displayFinancialStatus } userErrors { field message } } }"""
    variables = {
        "input": {
            "orderId": "gid://shopify/Order/1001",
            "refundLineItems": [
                {
                    "lineItemId": "gid://shopify/LineItem/100101",
                    "quantity": 1,
                    "restockType": "RETURN",
                    "locationId": seeded.locations["MAIN"],
                }
            ],
            "transactions": [
                {"orderId": "gid://shopify/Order/1001", "kind": "REFUND", "gateway": "manual", "amount": "10.00"}
            ],
        }
    }
    body = gql(refund, variables)["data"]["refundCreate"]
    assert body["userErrors"] == []
    assert body["refund"]["totalRefundedSet"]["shopMoney"]["amount"] == "10.00"
    assert body["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert gql(refund, variables)["data"]["refundCreate"] == body  # the retry does not refund twice
    assert [t.kind for t in shop.orders[1001].transactions] == ["SALE", "REFUND"]
    restocked = shop.levels_of_item(seeded.variant(shop, "P1-S").inventory_item_id)
    assert restocked[1].quantity("available") == 8
    over = gql(
        refund.replace("r-1", "r-2"),
        {
            "input": {
                **variables["input"],
                "refundLineItems": [],
                "transactions": [{**variables["input"]["transactions"][0], "amount": "500"}],
            }
        },
    )
    assert over["data"]["refundCreate"]["userErrors"][0]["field"] == ["transactions"]


CUSTOMER_CREATE = """mutation($input: CustomerInput!) { customerCreate(input: $input) {
  customer { id email displayName defaultEmailAddress { emailAddress } } userErrors { field message } } }"""


def test_customers_are_created_and_updated_and_emails_stay_unique(gql, seeded):
    made = gql(CUSTOMER_CREATE, {"input": {"email": "new@example.com", "firstName": "New", "lastName": "Person"}})
    customer = made["data"]["customerCreate"]["customer"]
    assert (customer["displayName"], customer["defaultEmailAddress"]) == (
        "New Person",
        {"emailAddress": "new@example.com"},
    )
    taken = gql(CUSTOMER_CREATE, {"input": {"email": "KNOWN@example.com"}})
    assert taken["data"]["customerCreate"]["userErrors"] == [
        {"field": ["email"], "message": "Email has already been taken"}
    ]
    invalid = gql(CUSTOMER_CREATE, {"input": {"email": "not-an-email"}})
    assert invalid["data"]["customerCreate"]["userErrors"] == [{"field": ["email"], "message": "Email is invalid"}]
    updated = gql(
        """mutation($id: ID!) { customerUpdate(input: {id: $id, phone: "+420 777 123 456"}) {
        customer { phone } userErrors { field message } } }""",
        {"id": customer["id"]},
    )
    assert updated["data"]["customerUpdate"]["userErrors"] == [
        {"field": ["phone"], "message": "Phone has already been taken"}
    ]


def test_customers_are_searchable_by_email_and_updated_at(gql, seeded):
    body = gql('{ customers(first: 10, query: "email:known@example.com") { nodes { email phone } } }')
    assert body["data"]["customers"]["nodes"] == [{"email": "known@example.com", "phone": "+420777123456"}]
    body = gql("{ customers(first: 10, query: \"updated_at:>='2026-03-01T00:00:00Z'\") { nodes { email } } }")
    assert {n["email"] for n in body["data"]["customers"]["nodes"]} == {"known@example.com"}


def test_a_refund_reads_back_through_order_refunds_with_its_shipping_and_current_quantity(gql, seeded, shop):
    """What sync_payments reads (OrderRefunds) maps to one refund with goods, restock, shipping and money."""
    from connectors.shopify.mapping import refund_from_node
    from connectors.shopify.operations import catalog

    shop.orders[1001].shipping_total = Decimal("5.00")
    create = """mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "r-3") {
        userErrors { field message } } }"""
    line = "gid://shopify/LineItem/100101"
    refund_input = {
        "orderId": "gid://shopify/Order/1001",
        "refundLineItems": [
            {"lineItemId": line, "quantity": 1, "restockType": "RETURN", "locationId": seeded.locations["MAIN"]}
        ],
        "shipping": {"fullRefund": True},
        "transactions": [
            {"orderId": "gid://shopify/Order/1001", "kind": "REFUND", "gateway": "manual", "amount": "12.00"}
        ],
    }
    assert gql(create, {"input": refund_input})["data"]["refundCreate"]["userErrors"] == []
    body = gql(catalog.get("OrderRefunds").document, {"id": "gid://shopify/Order/1001"})
    assert "errors" not in body, body
    order = body["data"]["order"]
    refund = refund_from_node(order["refunds"][0], order["id"], order["name"], order["currencyCode"])
    assert [(x.line_shop_id, x.quantity, x.restocked) for x in refund.lines] == [(line, 1, True)]
    assert refund.shipping == Decimal("5.00")
    assert [(t.kind.value, t.amount) for t in refund.payments] == [("REFUND", Decimal("12.00"))]
    quantities = gql(
        '{ order(id: "gid://shopify/Order/1001") { lineItems(first: 5) { nodes { id quantity currentQuantity } } } }'
    )["data"]["order"]["lineItems"]["nodes"]
    refunded = next(n for n in quantities if n["id"] == line)
    assert refunded["currentQuantity"] == refunded["quantity"] - 1


def test_a_multi_currency_order_answers_in_the_shop_currency_and_the_buyers(gql, shop):
    """Shopify keeps a multi-currency order's amounts in both currencies (``MoneyBag``): the shop's, and the
    presentment currency the buyer paid in at the checkout's rate."""
    from shopify_emu_support import order_model

    base = order_model(1009)
    paid = base.transactions[0].model_copy(
        update={"presentment_amount": Decimal("800.00"), "presentment_currency": "CZK"}
    )
    [gid] = shop.seed_orders([base.model_copy(update={"presentment_currency": "CZK", "transactions": [paid]})])
    query = """query($id: ID!) { order(id: $id) { currencyCode presentmentCurrencyCode
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      transactions { amountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } } } }"""

    read = gql(query, {"id": gid})["data"]["order"]

    assert (read["currencyCode"], read["presentmentCurrencyCode"]) == ("EUR", "CZK")
    assert read["totalPriceSet"] == {
        "shopMoney": {"amount": "20.00", "currencyCode": "EUR"},
        "presentmentMoney": {"amount": "800.00", "currencyCode": "CZK"},
    }
    assert read["transactions"][0]["amountSet"]["presentmentMoney"] == {"amount": "800.00", "currencyCode": "CZK"}

"""Read side of customers and mailing addresses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import records as r
from ..context import by_id, connection, count_matching, ctx, money, time_key
from ..schema import resolver
from ..search import Field, dt, num, text

# Enough country names for the demo data; other codes fall back to the code itself.
COUNTRY_NAMES = {
    "AT": "Austria",
    "BE": "Belgium",
    "CH": "Switzerland",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "HU": "Hungary",
    "IT": "Italy",
    "NL": "Netherlands",
    "PL": "Poland",
    "SE": "Sweden",
    "SK": "Slovakia",
    "US": "United States",
}

CUSTOMER_FIELDS: dict[str, Field] = {
    "id": num(by_id),
    "email": text(lambda c: c.email),
    "phone": text(lambda c: c.phone),
    "first_name": text(lambda c: c.first_name),
    "last_name": text(lambda c: c.last_name),
    "updated_at": dt(lambda c: c.updated_at),
    "created_at": dt(lambda c: c.created_at),
    "tag": text(lambda c: c.tags),
    "state": text(lambda c: c.state),
    "country": text(lambda c: [a.country_code for a in c.addresses]),
}
CUSTOMER_SORTS = {
    "ID": by_id,
    "UPDATED_AT": lambda c: time_key(c.updated_at),
    "CREATED_AT": lambda c: time_key(c.created_at),
    "NAME": lambda c: f"{c.first_name or ''} {c.last_name or ''}".strip().lower(),
}
_CUSTOMER_TEXT = [lambda c: c.email, lambda c: c.first_name, lambda c: c.last_name, lambda c: c.phone]


@resolver("QueryRoot", "customers")
def resolve_customers(_: Any, info: Any, **args: Any) -> Any:
    return connection(
        info,
        ctx(info).state.customers.values(),
        args,
        sorts=CUSTOMER_SORTS,
        fields=CUSTOMER_FIELDS,
        default_text=_CUSTOMER_TEXT,
    )


@resolver("QueryRoot", "customersCount")
def resolve_customers_count(_: Any, info: Any, **args: Any) -> dict:
    return count_matching(ctx(info).state.customers.values(), args, CUSTOMER_FIELDS, _CUSTOMER_TEXT)


@resolver("QueryRoot", "customer")
def resolve_customer(_: Any, info: Any, id: str) -> r.Customer | None:
    return ctx(info).state.find(id, "Customer")


@resolver("Customer", "displayName")
def resolve_display_name(customer: r.Customer, info: Any) -> str:
    name = " ".join(x for x in (customer.first_name, customer.last_name) if x)
    return name or customer.email or customer.phone or ""


@resolver("Customer", "defaultEmailAddress")
def resolve_default_email(customer: r.Customer, info: Any) -> dict | None:
    return {"emailAddress": customer.email} if customer.email else None


@resolver("Customer", "defaultPhoneNumber")
def resolve_default_phone(customer: r.Customer, info: Any) -> dict | None:
    return {"phoneNumber": customer.phone} if customer.phone else None


@resolver("Customer", "defaultAddress")
def resolve_default_address(customer: r.Customer, info: Any) -> r.Address | None:
    return customer.addresses[0] if customer.addresses else None


@resolver("Customer", "addresses")
def resolve_addresses(customer: r.Customer, info: Any, first: int | None = None) -> list[r.Address]:
    return customer.addresses[:first] if first is not None else customer.addresses


@resolver("Customer", "addressesV2")
def resolve_addresses_v2(customer: r.Customer, info: Any, **args: Any) -> Any:
    position = {a.id: i for i, a in enumerate(customer.addresses)}
    return connection(
        info, customer.addresses, {"sortKey": "POSITION", **args}, sorts={"POSITION": lambda a: position[a.id]}
    )


def _orders_of(info: Any, customer: r.Customer) -> list[r.Order]:
    return [o for o in ctx(info).state.orders.values() if o.customer_id == customer.id]


@resolver("Customer", "numberOfOrders")
def resolve_number_of_orders(customer: r.Customer, info: Any) -> int:
    return len(_orders_of(info, customer))


@resolver("Customer", "amountSpent")
def resolve_amount_spent(customer: r.Customer, info: Any) -> dict:
    orders = [o for o in _orders_of(info, customer) if o.cancelled_at is None]
    return money(sum((o.total for o in orders), Decimal("0")), ctx(info).state.currency)


@resolver("MailingAddress", "country")
def resolve_country(address: r.Address, info: Any) -> str | None:
    code = address.country_code
    return COUNTRY_NAMES.get(code, code) if code else None


@resolver("MailingAddress", "countryCodeV2")
def resolve_country_code(address: r.Address, info: Any) -> str | None:
    return address.country_code


@resolver("MailingAddress", "name")
def resolve_address_name(address: r.Address, info: Any) -> str | None:
    return " ".join(x for x in (address.first_name, address.last_name) if x) or None


@resolver("MailingAddress", "province")
def resolve_province(address: r.Address, info: Any) -> str | None:
    return address.province_code

"""``customerCreate`` and ``customerUpdate``: email and phone are unique per shop, as on Shopify."""

from __future__ import annotations

import re
from typing import Any

from .. import catalog_ops as ops
from .. import records as r
from ..context import ctx, user_error
from ..schema import resolver
from .support import metafield_errors

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "note": "note",
    "locale": "locale",
    "taxExempt": "tax_exempt",
}


def _errors(state: Any, data: dict, own: r.Customer | None) -> list[dict]:
    errors = []
    email = data.get("email")
    if email:
        if not _EMAIL.match(email):
            errors.append(user_error(["email"], "Email is invalid"))
        elif any((c.email or "").casefold() == email.casefold() and c is not own for c in state.customers.values()):
            errors.append(user_error(["email"], "Email has already been taken"))
    phone = data.get("phone")
    if phone:
        digits = re.sub(r"\D", "", phone)
        if len(digits) < 6:
            errors.append(user_error(["phone"], "Phone is invalid"))
        elif any(c.phone and re.sub(r"\D", "", c.phone) == digits and c is not own for c in state.customers.values()):
            errors.append(user_error(["phone"], "Phone has already been taken"))
    if own is None and not any(data.get(k) for k in ("email", "phone", "firstName", "lastName")):
        errors.append(user_error(None, "Customer must have a name, phone number or email address"))
    errors += metafield_errors(state, "CUSTOMER", own.id if own else 0, data.get("metafields") or [], ["metafields"])
    return errors


def _apply(state: Any, customer: r.Customer, data: dict) -> None:
    for key, attr in _FIELDS.items():
        if key in data and data[key] is not None:
            setattr(customer, attr, data[key])
    if "email" in data:
        customer.email = data["email"] or None
    if "phone" in data:
        customer.phone = data["phone"] or None
    if data.get("tags") is not None:
        customer.tags = list(dict.fromkeys(t.strip() for v in data["tags"] for t in v.split(",") if t.strip()))
    for mf in data.get("metafields") or []:
        ops.set_metafield(
            state, customer, "CUSTOMER", mf.get("namespace") or "$app", mf["key"], mf.get("type") or "", mf["value"]
        )
    state.touch(customer)


@resolver("Mutation", "customerCreate")
def customer_create(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    errors = _errors(state, input, None)
    if errors:
        return {"customer": None, "userErrors": errors}
    now = state.now()
    customer = r.Customer(id=state.next_id("customers"), created_at=now, updated_at=now)
    state.customers[customer.id] = customer
    _apply(state, customer, input)
    return {"customer": customer, "userErrors": []}


@resolver("Mutation", "customerUpdate")
def customer_update(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    customer = state.find(input.get("id"), "Customer") if input.get("id") else None
    if customer is None:
        return {"customer": None, "userErrors": [user_error(["id"], "Customer does not exist")]}
    errors = _errors(state, input, customer)
    if errors:
        return {"customer": None, "userErrors": errors}
    _apply(state, customer, input)
    return {"customer": customer, "userErrors": []}

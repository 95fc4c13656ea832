"""What every resolver can reach during one request, and the helpers most of them share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from . import search
from .paging import Page, paginate, sort_records

if TYPE_CHECKING:
    from .config import EmulatorConfig
    from .faults import FaultInjector
    from .search_index import SearchIndex
    from .state import ShopState


@dataclass
class RequestContext:
    state: ShopState
    config: EmulatorConfig
    base_url: str = "http://127.0.0.1"
    bulk: bool = False  # inside a bulk operation: connections return everything, in order
    faults: FaultInjector | None = None
    search_warnings: list[dict] = field(default_factory=list)


def ctx(info: GraphQLResolveInfo) -> RequestContext:
    return info.context


NO_TIME = -1e12


def time_key(value: datetime | None) -> float:
    """A sortable, JSON-safe (cursor) key for a datetime: its POSIX timestamp; None sorts first."""
    return value.timestamp() if value is not None else NO_TIME


def by_id(record: Any) -> int:
    return record.id


_PAGING_ARGS = frozenset({"first", "last", "after", "before"})


def connection(
    info: GraphQLResolveInfo,
    records: Iterable[Any],
    args: dict[str, Any],
    *,
    sorts: dict[str, Callable[[Any], Any]] | None = None,
    fields: dict[str, search.Field] | None = None,
    default_text: Iterable[Callable[[Any], Any]] = (),
) -> Page:
    """Filter ``records`` by the ``query`` argument, sort by ``sortKey``/``reverse`` and cut one page."""
    context = ctx(info)
    query = args.get("query")
    sort_key = args.get("sortKey") or "ID"
    key = (sorts or {}).get(sort_key, by_id)
    reverse = bool(args.get("reverse"))
    state = context.state
    # a walk over a top-level listing asks the same filter+sort for every page: keep it until the next write
    searched = _searchable(context) if query and fields is not None else None
    cache_key = None
    if info.path.prev is None:
        filters = tuple(sorted((k, repr(v)) for k, v in args.items() if k not in _PAGING_ARGS))
        cache_key = (info.field_name, filters, state.version, searched and searched[1])
    presorted = state.page_cache.get(cache_key) if cache_key else None
    if presorted is None:
        if query and fields is not None:
            try:
                match = search.matcher(query, fields, default_text)
            except search.SearchSyntaxError as exc:
                raise GraphQLError(str(exc), extensions={"code": "BAD_REQUEST"}) from exc
            if match.warnings:
                context.search_warnings.append(
                    {"path": [str(p) for p in info.path.as_list()], "query": query, "warnings": match.warnings}
                )
            records = [rec for rec in records if _matches(rec, match, searched)]
        presorted = sort_records(records, key, reverse)
        if cache_key:
            state.remember_page(cache_key, presorted)
    return paginate(
        (),
        key=key,
        first=args.get("first"),
        last=args.get("last"),
        after=args.get("after"),
        before=args.get("before"),
        reverse=reverse,
        max_page=context.config.max_page_size,
        unbounded=context.bulk,
        presorted=presorted,
    )


def _searchable(context: RequestContext) -> tuple[SearchIndex, datetime] | None:
    """The search index and its horizon when it lags writes (``search_index.py``), else None."""
    lag = context.config.search_lag_seconds
    if lag <= 0:
        return None
    index = context.state.search_index
    return index, index.horizon(lag)


def _matches(record: Any, match: search.Matcher, searched: tuple[SearchIndex, datetime] | None) -> bool:
    if searched is None:
        return match(record)
    seen = searched[0].view(record, searched[1])
    return seen is not None and match(seen)


def count_matching(
    records: Iterable[Any],
    args: dict[str, Any],
    fields: dict[str, search.Field],
    default_text: Iterable[Callable[[Any], Any]] = (),
) -> dict:
    """A ``Count`` of the records the ``query`` argument matches, capped at ``limit`` like Shopify's counts."""
    try:
        match = search.matcher(args.get("query"), fields, default_text)
    except search.SearchSyntaxError as exc:
        raise GraphQLError(str(exc), extensions={"code": "BAD_REQUEST"}) from exc
    n = sum(1 for rec in records if match(rec))
    limit = args.get("limit")
    if limit is not None and n > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return count(n)


def money(amount: Decimal | int | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {"amount": Decimal(amount), "currencyCode": currency}


def money_bag(
    amount: Decimal | int | None, currency: str, presentment: tuple[str, Decimal] | None = None
) -> dict | None:
    """A ``MoneyBag``: the amount in the shop currency and in the order's presentment currency, which is
    ``presentment`` = (currency, units per shop unit) for a multi-currency order, else the shop currency
    (https://shopify.dev/docs/api/admin-graphql/latest/objects/MoneyBag)."""
    value = money(amount, currency)
    if value is None:
        return None
    if presentment is None:
        return {"shopMoney": value, "presentmentMoney": value}
    code, rate = presentment
    return {"shopMoney": value, "presentmentMoney": money((Decimal(amount) * rate).quantize(_CENT), code)}


_CENT = Decimal("0.01")


def count(n: int) -> dict:
    return {"count": n, "precision": "EXACT"}


def user_error(field_path: list | None, message: str, code: str | None = None, **extra: Any) -> dict:
    error = {"field": [str(p) for p in field_path] if field_path is not None else None, "message": message}
    if code is not None:
        error["code"] = code
    error.update(extra)
    return error

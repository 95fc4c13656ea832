"""Shopify's search syntax for the ``query:`` argument: ``updated_at:>='2024-01-01T00:00:00Z' AND status:open``.

Supported: ``field:value`` with comparators ``:`` ``:<`` ``:>`` ``:<=`` ``:>=``, quoted values (single or
double quotes), ``AND``/``OR``/``NOT``/``-term``, parentheses, implicit AND between terms, a trailing ``*`` as a
prefix wildcard, and bare words (matched against the resource's default text fields).

Dates follow Shopify's documented quirk: a *quoted* value keeps its time; an *unquoted* one keeps only the date
(``updated_at:>=2024-01-01T10:00:00Z`` means ``>= 2024-01-01T00:00:00Z``). A date-only value compares as that
day's midnight UTC; with ``:`` it matches the whole day. Unknown fields are ignored with a warning, as Shopify
does (``extensions.search``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .gids import split_gid

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lp>\()|(?P<rp>\))
    | (?P<neg>-)(?=[^\s)])
    | (?P<field>[A-Za-z_][\w.]*):(?P<op><=|>=|<|>|=)?(?P<value>'[^']*'|"[^"]*"|[^\s()]*)
    | (?P<quoted>'[^']*'|"[^"]*")
    | (?P<word>[^\s()]+)
    )""",
    re.VERBOSE,
)


class SearchSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    field: str | None  # None: free text
    op: str  # ":", "<", ">", "<=", ">="
    value: str
    quoted: bool


@dataclass(frozen=True)
class Not:
    inner: Any


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


def parse(text: str | None) -> Any:
    """The query as a tree of ``Term``/``And``/``Or``/``Not``; None for an empty query."""
    if text is None or not text.strip():
        return None
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    tree = parser.or_expr()
    if parser.pos != len(tokens):
        raise SearchSyntaxError(f"unexpected {tokens[parser.pos][1]!r} in search query")
    return tree


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SearchSyntaxError(f"cannot parse search query near {text[pos:]!r}")
        pos = m.end()
        if m.group("lp"):
            tokens.append(("(", "("))
        elif m.group("rp"):
            tokens.append((")", ")"))
        elif m.group("neg"):
            tokens.append(("NOT", "-"))
        elif m.group("field"):
            raw = m.group("value")
            quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\""
            value = raw[1:-1] if quoted else raw
            op = m.group("op") or ":"
            tokens.append(("TERM", Term(m.group("field").lower(), ":" if op == "=" else op, value, quoted)))
        elif m.group("quoted"):
            tokens.append(("TERM", Term(None, ":", m.group("quoted")[1:-1], True)))
        else:
            word = m.group("word")
            if word in ("AND", "OR", "NOT"):
                tokens.append((word, word))
            else:
                tokens.append(("TERM", Term(None, ":", word, False)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def or_expr(self) -> Any:
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.pos += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Any:
        parts = [self.unary()]
        while self.peek() in ("AND", "NOT", "TERM", "("):
            if self.peek() == "AND":
                self.pos += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Any:
        kind = self.peek()
        if kind == "NOT":
            self.pos += 1
            return Not(self.unary())
        if kind == "(":
            self.pos += 1
            inner = self.or_expr()
            if self.peek() != ")":
                raise SearchSyntaxError("missing ')' in search query")
            self.pos += 1
            return inner
        if kind == "TERM":
            self.pos += 1
            return self.tokens[self.pos - 1][1]
        raise SearchSyntaxError("search query ends where a term was expected")


# ---- field kinds -------------------------------------------------------------------------------------------

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """How one search field reads a record and compares: ``kind`` is datetime, number, text or custom."""

    kind: str
    get: Getter | None = None
    match: Callable[[Any, Term], bool] | None = None


def dt(get: Getter) -> Field:
    return Field("datetime", get)


def num(get: Getter) -> Field:
    return Field("number", get)


def text(get: Getter) -> Field:
    return Field("text", get)


def custom(match: Callable[[Any, Term], bool]) -> Field:
    return Field("custom", match=match)


@dataclass
class Matcher:
    """A parsed query bound to one resource's fields, compiled once into a predicate over records;
    ``warnings`` collects fields it does not know."""

    tree: Any
    fields: dict[str, Field]
    default_text: list[Getter]
    warnings: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._predicate = self._compile(self.tree) if self.tree is not None else (lambda record: True)

    def __call__(self, record: Any) -> bool:
        return self._predicate(record)

    def _compile(self, node: Any) -> Callable[[Any], bool]:
        if isinstance(node, (And, Or)):
            parts = [self._compile(p) for p in node.parts]
            combine = all if isinstance(node, And) else any
            return lambda record: combine(p(record) for p in parts)
        if isinstance(node, Not):
            inner = self._compile(node.inner)
            return lambda record: not inner(record)
        return self._compile_term(node)

    def _compile_term(self, term: Term) -> Callable[[Any], bool]:
        if term.field is None:
            needle = term.value.lower().rstrip("*")
            getters = self.default_text
            return lambda record: any(needle in str(v).lower() for g in getters for v in _values(g(record)))
        spec = self.fields.get(term.field)
        if spec is None:
            return lambda record: True
        if spec.kind == "custom":
            match = spec.match
            return lambda record: match(record, term)
        get = spec.get
        if spec.kind == "datetime":
            try:
                parsed = parse_search_datetime(term)
            except ValueError:
                return lambda record: False
            op = term.op
            return lambda record: any(_compare_datetime(v, op, parsed) for v in _values(get(record)))
        compare = _compare_number if spec.kind == "number" else _compare_text
        return lambda record: any(compare(v, term) for v in _values(get(record)))


def matcher(text_query: str | None, fields: dict[str, Field], default_text: Iterable[Getter] = ()) -> Matcher:
    tree = parse(text_query)
    m = Matcher(tree, fields, list(default_text))
    for name in sorted(_field_names(tree)):
        if name not in fields:
            m.warnings.append({"field": name, "message": "Invalid search field for this query."})
    return m


def _field_names(node: Any) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, (And, Or)):
        return set().union(*(_field_names(p) for p in node.parts))
    if isinstance(node, Not):
        return _field_names(node.inner)
    return {node.field} if node.field else set()


def _values(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


def _cmp(left: Any, op: str, right: Any) -> bool:
    if op == ":":
        return left == right
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    return left >= right


def parse_search_datetime(term: Term) -> tuple[datetime, bool]:
    """The instant a date term names and whether it is a whole day (date only)."""
    raw = term.value.strip()
    if not term.quoted or len(raw) <= 10:
        day = date.fromisoformat(raw[:10])
        return datetime(day.year, day.month, day.day, tzinfo=UTC), True
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC), False


def _compare_datetime(value: datetime, op: str, parsed: tuple[datetime, bool]) -> bool:
    bound, whole_day = parsed
    if whole_day and op == ":":
        return bound <= value < bound + timedelta(days=1)
    return _cmp(value, op, bound)


def _compare_number(value: Any, term: Term) -> bool:
    raw = term.value.strip()
    parsed = split_gid(raw)
    try:
        bound = Decimal(parsed[1]) if parsed else Decimal(raw)
    except InvalidOperation:
        return False
    return _cmp(Decimal(value), term.op, bound)


def _compare_text(value: Any, term: Term) -> bool:
    left = str(value).lower()
    right = term.value.lower()
    if term.op == ":":
        # ``status:active,draft`` lists alternatives; ``title:Shi*`` is a prefix
        return any(left.startswith(alt[:-1]) if alt.endswith("*") else left == alt for alt in right.split(","))
    return _cmp(left, term.op, right)

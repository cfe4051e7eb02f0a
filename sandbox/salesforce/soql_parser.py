"""A small SOQL parser: the subset Baton uses, with MALFORMED_QUERY for everything else.

Supported: SELECT of fields, relationship paths (`Owner.Type`), `COUNT()` / `COUNT(field)`,
child subqueries `(SELECT ... FROM Contacts)`; FROM one object; WHERE with AND / OR / NOT and
parentheses (AND and OR may not be mixed without parentheses, as in SOQL), = != <> < > <= >=,
[NOT] IN (list or semi-join subquery), LIKE, INCLUDES/EXCLUDES, NULL, TRUE/FALSE, strings,
numbers, date and datetime literals and the date literals TODAY, YESTERDAY, TOMORROW,
LAST_N_DAYS:n, NEXT_N_DAYS:n, N_DAYS_AGO:n; ORDER BY with ASC/DESC and NULLS FIRST/LAST; LIMIT;
OFFSET. Pure: text in, syntax tree out.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import SalesforceApiError, malformed_query
from .soql_ast import (
    BoolOp,
    Comparison,
    CountItem,
    FieldPath,
    InCondition,
    Literal,
    OrderItem,
    Query,
    SubqueryItem,
    Token,
)

__all__ = [
    "BoolOp", "Comparison", "CountItem", "FieldPath", "InCondition", "Literal", "OrderItem",
    "Query", "SubqueryItem", "Token", "parse", "tokenize",
]  # fmt: skip

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>[+-]?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),:])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
DATE_FUNCTIONS = frozenset({"TODAY", "YESTERDAY", "TOMORROW"})
DATE_N_FUNCTIONS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"})
_UNSUPPORTED_CLAUSES = frozenset({"GROUP", "HAVING", "WITH", "FOR", "TYPEOF", "USING", "UPDATE"})


def tokenize(text: str) -> list[Token]:
    """Split SOQL into tokens; MALFORMED_QUERY on a character that starts no token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise _unexpected(text, pos, text[pos])
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def _unexpected(text: str, pos: int, token: str) -> SalesforceApiError:
    line = text.replace("\n", " ")
    return malformed_query(
        f"\n{line}\n{' ' * pos}^\nERROR at Row:1:Column:{pos + 1}\nunexpected token: '{token}'"
    )


def parse(text: str) -> Query:
    """Parse one SOQL statement."""
    if not text or not text.strip():
        raise malformed_query("SOQL statement cannot be empty")
    parser = _Parser(text, tokenize(text))
    query = parser.query()
    parser.expect_end()
    return query


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0

    # ---- token helpers ----
    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise _unexpected(self.text, len(self.text), "<EOF>")
        self.pos += 1
        return token

    def error(self, token: Token | None = None) -> SalesforceApiError:
        token = token or self.peek()
        if token is None:
            return _unexpected(self.text, len(self.text), "<EOF>")
        return _unexpected(self.text, token.pos, token.text)

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "ident" and token.upper in words

    def keyword(self, word: str) -> None:
        token = self.next()
        if token.kind != "ident" or token.upper != word:
            raise self.error(token)

    def punct(self, char: str) -> None:
        token = self.next()
        if token.text != char:
            raise self.error(token)

    def expect_end(self) -> None:
        if self.peek() is not None:
            raise self.error()

    # ---- grammar ----
    def query(self) -> Query:
        start = self.peek().pos if self.peek() else 0
        self.keyword("SELECT")
        select = self.select_list()
        self.keyword("FROM")
        sobject = self.next()
        if sobject.kind != "ident" or "." in sobject.text:
            raise self.error(sobject)
        where = None
        if self.at_keyword("WHERE"):
            self.next()
            where = self.condition()
        if self.at_keyword(*_UNSUPPORTED_CLAUSES):
            token = self.peek()
            raise malformed_query(f"{token.text} is not supported by this stand-in's SOQL engine")
        order_by: list[OrderItem] = []
        if self.at_keyword("ORDER"):
            self.next()
            self.keyword("BY")
            order_by.append(self.order_item())
            while self.peek() is not None and self.peek().text == ",":
                self.next()
                order_by.append(self.order_item())
        limit = self.int_clause("LIMIT")
        offset = self.int_clause("OFFSET")
        end = self.peek().pos if self.peek() else len(self.text)
        return Query(
            tuple(select), sobject.text, where, tuple(order_by), limit, offset, self.text[start:end]
        )

    def int_clause(self, word: str) -> int | None:
        if not self.at_keyword(word):
            return None
        self.next()
        token = self.next()
        if token.kind != "number" or not token.text.isdigit():
            raise self.error(token)
        return int(token.text)

    def select_list(self) -> list[Any]:
        items = [self.select_item()]
        while self.peek() is not None and self.peek().text == ",":
            self.next()
            items.append(self.select_item())
        if any(isinstance(i, CountItem) and i.field is None for i in items) and len(items) > 1:
            raise malformed_query("COUNT() must be the only element in the SELECT list")
        return items

    def select_item(self) -> Any:
        token = self.next()
        if token.text == "(":
            sub = self.query()
            self.punct(")")
            return SubqueryItem(sub)
        if token.kind != "ident":
            raise self.error(token)
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            return self.function_item(token)
        if token.upper in ("TYPEOF", "FIELDS"):
            raise malformed_query(f"{token.text} is not supported by this stand-in's SOQL engine")
        return FieldPath(tuple(token.text.split(".")))

    def function_item(self, name: Token) -> CountItem:
        if name.upper != "COUNT":
            raise malformed_query(
                f"aggregate function {name.text}() is not supported by this stand-in's SOQL engine"
            )
        self.punct("(")
        if self.peek() is not None and self.peek().text == ")":
            self.next()
            return CountItem(None)
        arg = self.next()
        if arg.kind != "ident":
            raise self.error(arg)
        self.punct(")")
        alias = None
        nxt = self.peek()
        if nxt is not None and nxt.kind == "ident" and nxt.upper != "FROM":
            alias = self.next().text
        return CountItem(FieldPath(tuple(arg.text.split("."))), alias)

    def condition(self) -> Any:
        first = self.term()
        if not self.at_keyword("AND", "OR"):
            return first
        op = self.peek().upper
        items = [first]
        while self.at_keyword("AND", "OR"):
            token = self.next()
            if token.upper != op:  # SOQL refuses a AND b OR c without parentheses
                raise self.error(token)
            items.append(self.term())
        return BoolOp(op, tuple(items))

    def term(self) -> Any:
        token = self.peek()
        if token is None:
            raise self.error()
        if token.kind == "ident" and token.upper == "NOT":
            self.next()
            return BoolOp("NOT", (self.term(),))
        if token.text == "(":
            self.next()
            inner = self.condition()
            self.punct(")")
            return inner
        return self.simple()

    def simple(self) -> Any:
        token = self.next()
        if token.kind != "ident":
            raise self.error(token)
        path = FieldPath(tuple(token.text.split(".")))
        nxt = self.next()
        if nxt.kind == "op":
            op = "!=" if nxt.text == "<>" else nxt.text
            return Comparison(path, op, self.literal())
        word = nxt.upper if nxt.kind == "ident" else ""
        if word == "LIKE":
            value = self.literal()
            if value.kind != "string":
                raise self.error()
            return Comparison(path, "LIKE", value)
        negated = False
        if word == "NOT":
            negated = True
            nxt = self.next()
            word = nxt.upper if nxt.kind == "ident" else ""
        if word in ("IN", "INCLUDES", "EXCLUDES") and not (negated and word != "IN"):
            return self.in_list(path, negated, word)
        raise self.error(nxt)

    def in_list(self, path: FieldPath, negated: bool, op: str) -> InCondition:
        self.punct("(")
        if self.at_keyword("SELECT"):
            if op != "IN":
                raise self.error()
            sub = self.query()
            self.punct(")")
            return InCondition(path, (), sub, negated)
        values = [self.literal()]
        while self.peek() is not None and self.peek().text == ",":
            self.next()
            values.append(self.literal())
        self.punct(")")
        return InCondition(path, tuple(values), None, negated, op)

    def literal(self) -> Literal:
        token = self.next()
        if token.kind == "string":
            return Literal("string", _unescape(token.text[1:-1]), token.text)
        if token.kind == "number":
            number = float(token.text) if "." in token.text else int(token.text)
            return Literal("number", number, token.text)
        if token.kind == "date":
            return Literal("date", token.text, token.text)
        if token.kind == "datetime":
            return Literal("datetime", token.text, token.text)
        if token.kind == "ident":
            word = token.upper
            if word in ("TRUE", "FALSE"):
                return Literal("boolean", word == "TRUE", token.text)
            if word == "NULL":
                return Literal("null", None, token.text)
            if word in DATE_FUNCTIONS:
                return Literal("date_literal", (word, 0), token.text)
            if word in DATE_N_FUNCTIONS:
                self.punct(":")
                amount = self.next()
                if amount.kind != "number" or not amount.text.isdigit():
                    raise self.error(amount)
                return Literal(
                    "date_literal", (word, int(amount.text)), f"{token.text}:{amount.text}"
                )
            raise malformed_query(f"unsupported or unknown literal in filter: {token.text}")
        if token.text == ":":
            raise malformed_query("Bind variables are only allowed in Apex code")
        raise self.error(token)

    def order_item(self) -> OrderItem:
        token = self.next()
        if token.kind != "ident":
            raise self.error(token)
        descending = False
        nulls_last: bool | None = None
        if self.at_keyword("ASC", "DESC"):
            descending = self.next().upper == "DESC"
        if self.at_keyword("NULLS"):
            self.next()
            which = self.next()
            if which.upper not in ("FIRST", "LAST"):
                raise self.error(which)
            nulls_last = which.upper == "LAST"
        return OrderItem(FieldPath(tuple(token.text.split("."))), descending, nulls_last)


def _unescape(body: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt in "%_":
                out.append("\\" + nxt)  # kept escaped for LIKE; '=' compares strip it
            else:
                raise malformed_query(
                    f"Invalid string literal '{body}'. Illegal character sequence '\\{nxt}'"
                )
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)

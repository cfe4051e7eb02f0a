"""The pure storability check and the strict JSON decoder in front of it (issue 8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters import strict_json
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.storable import event_problem, nesting_exceeds, value_problem


def event(**fields: object) -> ChangeEvent:
    values: dict[str, object] = {
        "source": Source.HUBSPOT,
        "kind": EventKind.UPDATED,
        "object_type": ObjectType.CONTACT,
        "object_id": "501",
        "event_id": "1:abc",
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return ChangeEvent(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("\ud800", "lone surrogate"),
        ({"\udfff": 1}, "lone surrogate"),
        (["ok", "a\x00"], "NUL"),
        (float("nan"), "not finite"),
        ({"n": float("-inf")}, "not finite"),
        (2**63, "out of range"),
        (-(2**63) - 1, "out of range"),
    ],
)
def test_unstorable_values_are_named(value: object, reason: str) -> None:
    problem = value_problem(value)
    assert problem is not None and reason in problem


def test_nesting_beyond_the_recursion_limit_is_reported_not_raised() -> None:
    value: list[object] = []
    for _ in range(5000):
        value = [value]
    assert value_problem(value) == "value nested too deeply"
    assert value_problem([[[1]]], max_depth=3) is None


@pytest.mark.parametrize(
    "value", ["plain", "\U0001f600 emoji", 2**63 - 1, -(2**63), 1e308, True, None, {"a": [1.5]}]
)
def test_ordinary_values_pass(value: object) -> None:
    assert value_problem(value) is None


def test_event_columns_are_checked_for_text_and_length() -> None:
    assert event_problem(event()) is None
    assert event_problem(event(provider_type="x" * 129)) == "provider_type too long"
    assert "surrogate" in (event_problem(event(actor="CRM_UI:\ud800")) or "")
    assert "NUL" in (event_problem(event(changes={"stage": "lead\x00"})) or "")
    assert "surrogate" in (event_problem(event(related_ids=("\ud800",))) or "")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1e309]", "not finite"),
        (b"[NaN]", "NaN"),
        (b"[-Infinity]", "Infinity"),
        (b"[" + b"9" * 5000 + b"]", "out of range"),
        (b"[9223372036854775808]", "out of range"),
        (b'["\\ud800"]', "surrogate"),
        (b'{"k": ["x\\uDFFF"]}', "surrogate"),
        (b'{"a": "\\u0000"}', "NUL"),
        (b"\xed\xa0\x80", "not UTF-8"),
        (b"[" * 40 + b"]" * 40, "nested too deeply"),
        (b'{"a": ' * 33 + b"1" + b"}" * 33, "nested too deeply"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"[1,", "malformed JSON"),
    ],
)
def test_strict_json_refuses_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        strict_json.loads(body)


def test_strict_json_keeps_ordinary_documents() -> None:
    body = b'[{"eventId": 9223372036854775807, "v": 1.5e10, "s": "\\u00e9\\ud83d\\ude00"}]'
    assert strict_json.loads(body) == [{"eventId": 2**63 - 1, "v": 1.5e10, "s": "é😀"}]


@pytest.mark.parametrize(
    "body",
    [
        b'["\\\\u0000"]',  # an escaped backslash, then the letters u0000: plain text
        b'{"n": 1234567890123456789}',  # 19 digits, within 64 bits: checked the slow way
        b'{"id": "12345678901234567890"}',  # a long digit string is text, not a number
        b"[" * 32 + b"]" * 32,
    ],
)
def test_strict_json_keeps_what_only_looks_suspect(body: bytes) -> None:
    assert strict_json.loads(body) == json.loads(body)


def test_nesting_is_judged_alike_by_the_container_walk_and_the_full_walk() -> None:
    for depth in range(40):
        value: object = "leaf"
        for level in range(depth):
            value = [value] if level % 3 else {"k": value, "n": 1}
        for max_depth in (0, 1, 5, 32):
            too_deep = value_problem(value, max_depth) == "value nested too deeply"
            assert nesting_exceeds(value, max_depth) is too_deep, (depth, max_depth)

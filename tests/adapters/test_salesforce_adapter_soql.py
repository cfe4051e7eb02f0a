"""SOQL building: names checked, values quoted, ids validated — no value changes a query."""

from __future__ import annotations

import pytest

from adapters.salesforce import soql


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("ann@example.com", "'ann@example.com'"),
        ("o'brien@example.com", "'o\\'brien@example.com'"),
        ("back\\slash", "'back\\\\slash'"),
        ("x' OR Name != '", "'x\\' OR Name != \\''"),
        ('say "hi"\n', "'say \\\"hi\\\"\\n'"),
    ],
)
def test_quote(value: str, literal: str) -> None:
    assert soql.quote(value) == literal


@pytest.mark.parametrize("name", ["Lead", "Status", "HubSpot_Contact_Id__c", "Owner.Type"])
def test_identifier_accepts_api_names(name: str) -> None:
    assert soql.identifier(name) == name


@pytest.mark.parametrize("name", ["", "Lead;", "Id FROM User", "1Lead", "a.b.c", "Name,Email"])
def test_identifier_refuses_anything_else(name: str) -> None:
    with pytest.raises(ValueError, match="API name"):
        soql.identifier(name)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("00Q000000000001", True), ("00Q000000000001AAA", True), ("00Q0000000000", False),
     ("00Q000000000001AA", False), ("00Q00000000000'AA", False)],
)  # fmt: skip
def test_record_id(value: str, ok: bool) -> None:
    if ok:
        assert soql.record_id(value) == value
    else:
        with pytest.raises(ValueError):
            soql.record_id(value)


def test_select_always_reads_the_id_once() -> None:
    query = soql.select("Lead", ["Id", "Status"], soql.in_list("Id", ["a", "b"]))
    assert query == "SELECT Id, Status FROM Lead WHERE Id IN ('a', 'b')"

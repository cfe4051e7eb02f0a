"""SOQL of the Salesforce stand-in: query/queryAll with paging and the filters Baton uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest_salesforce import *  # noqa: F403
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig
from sandbox.salesforce.errors import SalesforceApiError
from sandbox.salesforce.soql_parser import BoolOp, Comparison, parse


class Clock:
    """A settable org clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def leads(sf: SalesforceSandbox, *rows: dict) -> list[str]:
    return [sf.ui_create("Lead", {"Company": "Acme", **row}) for row in rows]


def error_code(client: Salesforce, soql: str) -> str:
    with pytest.raises(SalesforceMalformedRequest) as error:
        client.query(soql)
    return error.value.content[0]["errorCode"]


def test_parser_requires_parentheses_to_mix_and_with_or():
    tree = parse("SELECT Id FROM Lead WHERE (Status = 'a' OR Status = 'b') AND IsConverted = false")
    assert isinstance(tree.where, BoolOp) and tree.where.op == "AND"
    assert isinstance(tree.where.items[0], BoolOp) and tree.where.items[0].op == "OR"
    assert isinstance(tree.where.items[1], Comparison)
    with pytest.raises(SalesforceApiError) as mixed:
        parse("SELECT Id FROM Lead WHERE Status = 'a' OR Status = 'b' AND IsConverted = false")
    assert mixed.value.error_code == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT FROM Lead",
        "SELECT Id Lead",
        "SELECT Id FROM Lead WHERE",
        "SELECT Id FROM Lead GROUP BY Status",
        "SELECT SUM(Amount) FROM Opportunity",
        "SELECT Id FROM Lead WHERE Email = :email",
        "SELECT Id FROM Lead LIMIT ten",
    ],
)
def test_unsupported_or_broken_soql_is_malformed_query(soql: str):
    with pytest.raises(SalesforceApiError) as error:
        parse(soql)
    assert error.value.error_code == "MALFORMED_QUERY" and error.value.status == 400


def test_query_pages_with_next_records_url(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    ids = leads(salesforce_sandbox, *({"LastName": f"L{i:02d}"} for i in range(12)))
    first = salesforce_client.query("SELECT Id, LastName FROM Lead ORDER BY LastName")
    assert first["totalSize"] == 12 and first["done"] is False and len(first["records"]) == 5
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-5")
    every = salesforce_client.query_all("SELECT Id FROM Lead ORDER BY LastName")
    assert [r["Id"] for r in every["records"]] == ids
    pages = [r for r in salesforce_sandbox.requests if "/query/" in r.path]
    assert [p.n_records for p in pages[-3:]] == [5, 5, 2]


def test_relationship_fields_and_polymorphic_owner(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    queue = salesforce_sandbox.add_queue("Marketing Nurture")
    rep = salesforce_sandbox.add_user("Rita Rep", "rita@example.com")
    queued, owned = leads(
        salesforce_sandbox, {"LastName": "Q", "OwnerId": queue}, {"LastName": "U", "OwnerId": rep}
    )
    rows = salesforce_client.query(
        "SELECT Id, Owner.Type, Owner.Name FROM Lead WHERE Owner.Type = 'Queue'"
    )["records"]
    assert [r["Id"] for r in rows] == [queued]
    assert rows[0]["Owner"]["attributes"]["type"] == "Name"
    assert rows[0]["Owner"]["attributes"]["url"].endswith(f"/sobjects/Group/{queue}")
    assert rows[0]["Owner"]["Name"] == "Marketing Nurture" and rows[0]["Owner"]["Type"] == "Queue"
    mine = salesforce_client.query(f"SELECT Id FROM Lead WHERE OwnerId = '{rep[:15]}'")
    assert [r["Id"] for r in mine["records"]] == [owned]
    # Owner on Lead is polymorphic: only the Name entity's fields are reachable through it.
    assert error_code(salesforce_client, "SELECT Owner.ManagerId FROM Lead") == "INVALID_FIELD"


def test_converted_contact_path_and_null_relationships(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    converted, open_lead = leads(
        salesforce_sandbox,
        {"LastName": "C", "Email": "c@example.com"},
        {"LastName": "O"},
    )
    salesforce_sandbox.ui_convert_lead(converted)
    rows = salesforce_client.query("SELECT Id, ConvertedContact.Email FROM Lead ORDER BY LastName")[
        "records"
    ]
    assert rows[0]["ConvertedContact"]["Email"] == "c@example.com"
    assert rows[1]["Id"] == open_lead and rows[1]["ConvertedContact"] is None


def test_filters_compare_like_salesforce(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    a, b, c = leads(
        salesforce_sandbox,
        {"LastName": "Alpha", "Email": "Alpha@Example.com", "NumberOfEmployees": 10},
        {"LastName": "Beta", "Email": "beta@example.org", "NumberOfEmployees": 500},
        {"LastName": "Gamma", "NumberOfEmployees": None},
    )

    def ids(where: str) -> list[str]:
        soql = f"SELECT Id FROM Lead WHERE {where} ORDER BY LastName"
        return [r["Id"] for r in salesforce_client.query(soql)["records"]]

    assert ids("Email = 'alpha@example.com'") == [a]  # case-insensitive
    assert ids("Email LIKE '%example.%'") == [a, b]
    assert ids("Email = null") == [c]
    assert ids("Email != null AND NumberOfEmployees >= 100") == [b]
    assert ids("NOT LastName IN ('Alpha', 'beta')") == [c]
    assert ids("LastName NOT IN ('Alpha')") == [b, c]
    assert ids("(NumberOfEmployees < 100 OR NumberOfEmployees = null) AND IsConverted = false") == [
        a,
        c,
    ]
    assert ids(f"Id IN ('{a}', '{c[:15]}')") == [a, c]


def test_filter_literal_types_are_checked(salesforce_client: Salesforce):
    assert error_code(salesforce_client, "SELECT Id FROM Lead WHERE Id = 'abc'") == (
        "INVALID_QUERY_FILTER_OPERATOR"
    )
    assert error_code(salesforce_client, "SELECT Id FROM Lead WHERE IsConverted = 'false'") == (
        "INVALID_QUERY_FILTER_OPERATOR"
    )
    assert error_code(salesforce_client, "SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01") == (
        "INVALID_QUERY_FILTER_OPERATOR"
    )
    assert error_code(salesforce_client, "SELECT Id FROM Lead WHERE Nope = 1") == "INVALID_FIELD"
    assert error_code(salesforce_client, "SELECT Id FROM Lede") == "INVALID_TYPE"


def test_datetime_literals_with_offsets_and_ordering_by_systemmodstamp():
    clock = Clock(datetime(2024, 5, 1, 9, 0, tzinfo=UTC))
    with SalesforceSandbox(SalesforceSandboxConfig(clock=clock)) as sf:
        early = sf.ui_create("Lead", {"LastName": "Early", "Company": "A"})
        clock.now += timedelta(hours=2)
        late = sf.ui_create("Lead", {"LastName": "Late", "Company": "A"})
        client = sf.client()

        def ids(where: str) -> list[str]:
            soql = f"SELECT Id FROM Lead WHERE {where} ORDER BY SystemModstamp DESC"
            return [r["Id"] for r in client.query(soql)["records"]]

        assert ids("SystemModstamp > 2024-05-01T10:00:00Z") == [late]
        assert ids("SystemModstamp > 2024-05-01T10:00:00+02:00") == [late, early]  # 08:00Z
        assert ids("SystemModstamp > 2024-05-01T10:00:00+01:00") == [late]  # 09:00Z
        assert ids("SystemModstamp >= 2024-05-01T09:00:00.000Z") == [late, early]
        assert ids("CreatedDate = TODAY") == [late, early]
        assert ids("CreatedDate < LAST_N_DAYS:3") == []


def test_order_by_nulls_limit_offset_and_count(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    a, b, c = leads(
        salesforce_sandbox,
        {"LastName": "a", "NumberOfEmployees": 5},
        {"LastName": "b"},
        {"LastName": "c", "NumberOfEmployees": 50},
    )

    def ids(tail: str) -> list[str]:
        return [r["Id"] for r in salesforce_client.query(f"SELECT Id FROM Lead {tail}")["records"]]

    assert ids("ORDER BY NumberOfEmployees") == [b, a, c]  # nulls first ascending
    assert ids("ORDER BY NumberOfEmployees DESC") == [c, a, b]  # nulls last descending
    assert ids("ORDER BY NumberOfEmployees ASC NULLS LAST") == [a, c, b]
    assert ids("ORDER BY LastName DESC LIMIT 2 OFFSET 1") == [b, a]
    count = salesforce_client.query("SELECT COUNT() FROM Lead WHERE NumberOfEmployees > 1")
    assert count["totalSize"] == 2 and count["records"] == []
    aggregate = salesforce_client.query("SELECT COUNT(Id) total FROM Lead")["records"][0]
    assert aggregate["total"] == 3


def test_query_all_includes_deleted_rows(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    kept, gone = leads(salesforce_sandbox, {"LastName": "kept"}, {"LastName": "gone"})
    salesforce_sandbox.ui_delete("Lead", gone)
    live = salesforce_client.query("SELECT Id FROM Lead")["records"]
    assert [r["Id"] for r in live] == [kept]
    every = salesforce_client.query_all("SELECT Id, IsDeleted FROM Lead", include_deleted=True)
    assert {r["Id"]: r["IsDeleted"] for r in every["records"]} == {kept: False, gone: True}
    assert any("/queryAll/" in r.path for r in salesforce_sandbox.requests)


def test_child_subquery_and_semi_join(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    account = salesforce_sandbox.ui_create("Account", {"Name": "Acme"})
    contact = salesforce_sandbox.ui_create("Contact", {"LastName": "Buyer", "AccountId": account})
    opportunity = salesforce_sandbox.ui_create(
        "Opportunity",
        {
            "Name": "Deal",
            "StageName": "Prospecting",
            "CloseDate": "2024-06-30",
            "AccountId": account,
        },
    )
    salesforce_sandbox.ui_create(
        "OpportunityContactRole",
        {"OpportunityId": opportunity, "ContactId": contact, "IsPrimary": True},
    )
    rows = salesforce_client.query(
        "SELECT Id, (SELECT ContactId, IsPrimary FROM OpportunityContactRoles) FROM Opportunity"
    )["records"]
    roles = rows[0]["OpportunityContactRoles"]
    assert roles["totalSize"] == 1 and roles["records"][0]["ContactId"] == contact
    joined = salesforce_client.query(
        "SELECT Id FROM Contact WHERE Id IN "
        "(SELECT ContactId FROM OpportunityContactRole WHERE IsPrimary = true)"
    )
    assert [r["Id"] for r in joined["records"]] == [contact]


def test_invalid_query_locator(salesforce_client: Salesforce):
    with pytest.raises(SalesforceMalformedRequest) as error:
        salesforce_client.query_more("01g000000000000AAA-5")
    assert error.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_query_errors_have_the_rest_shape(salesforce_client: Salesforce):
    with pytest.raises(SalesforceMalformedRequest) as error:
        salesforce_client.query("SELECT Id FROM Lead WHERE")
    (body,) = error.value.content
    assert set(body) == {"message", "errorCode"} and "unexpected token" in body["message"]


def test_record_urls_follow_the_requested_version(salesforce_sandbox: SalesforceSandbox):
    salesforce_sandbox.ui_create("Lead", {"LastName": "A", "Company": "B"})
    older = Salesforce(
        instance_url=salesforce_sandbox.instance_url,
        session_id=salesforce_sandbox.config.session_id,
        session=salesforce_sandbox.session(),
        version="58.0",
    )
    record = older.query("SELECT Id FROM Lead")["records"][0]
    assert record["attributes"]["url"].startswith("/services/data/v58.0/sobjects/Lead/")

"""Reads that several records miss at once are fetched in one call per kind
(``prefetch.fetch_together``), and each record gets exactly the answer its own call would have."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from connector.commands import System
from connector.ports import CrmRecord
from connector.prefetch import NeedsRead, PrefetchingReader, fetch_together

LEAD_18 = "00Q000000000001AAA"


class CountingReader:
    """A Salesforce-like reader: records by id (15- and 18-character forms alike), by e-mail."""

    system = System.SALESFORCE

    def __init__(self, *, outage: bool = False) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.outage = outage
        self.records = {
            LEAD_18: {"Email": "ada@acme.nl"},
            "00Q000000000002AAA": {"Email": "bo@acme.nl"},
        }

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        self.calls.append(("read", tuple(ids)))
        if self.outage:
            raise ConnectionError("the CRM is down")
        for asked in ids:
            if len(asked) not in (15, 18):
                raise ValueError(f"not a Salesforce record id: {asked!r}")
        found = {}
        for asked in ids:
            for key, fields_ in self.records.items():
                if key[:15] == asked[:15]:
                    found[asked] = CrmRecord(object_type, asked, fields_)
        return found

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list:
        self.calls.append(("find_by_email", (email,)))
        return self._with_email(object_type, email)

    def _with_email(self, object_type: str, email: str) -> list[CrmRecord]:
        return [
            CrmRecord(object_type, key, f)
            for key, f in self.records.items()
            if f["Email"] == email.lower()
        ]

    def find_by_emails(self, object_type: str, emails: Sequence[str], fields: Sequence[str]):  # type: ignore[no-untyped-def]
        self.calls.append(("find_by_emails", tuple(emails)))
        return {email: self._with_email(object_type, email) for email in emails}


def _miss(reader: PrefetchingReader, call) -> NeedsRead:  # type: ignore[no-untyped-def]
    with pytest.raises(NeedsRead) as missed:
        call(reader)
    return missed.value


def _needs(reader: CountingReader, cache: dict, calls: list) -> list[NeedsRead]:  # type: ignore[type-arg]
    cached = PrefetchingReader(reader, cache)
    return [_miss(cached, call) for call in calls]


def test_reads_by_id_and_lookups_by_email_merge_per_kind():
    reader, cache = CountingReader(), {}
    needs = _needs(
        reader,
        cache,
        [
            lambda r: r.read("Lead", [LEAD_18], ["Email"]),
            lambda r: r.read("Lead", ["00Q000000000002"], ["Email"]),  # the 15-character form
            lambda r: r.read("Lead", ["00Q000000000009AAA"], ["Email"]),  # no such Lead
            lambda r: r.find_by_email("Lead", "Ada@Acme.nl", ["Id"]),
            lambda r: r.find_by_email("Lead", "nobody@acme.nl", ["Id"]),
            lambda r: r.read("Lead", [LEAD_18], ["Status"]),  # other fields: its own call
        ],
    )
    assert fetch_together(needs, cache) == {}
    kinds = sorted(kind for kind, _ in reader.calls)
    assert kinds == ["find_by_emails", "read", "read"]
    cached = PrefetchingReader(reader, cache)
    calls = len(reader.calls)
    # each record's own question now answers from the cache, as its own call would have
    assert cached.read("Lead", [LEAD_18], ["Email"]) == {
        LEAD_18: CrmRecord("Lead", LEAD_18, {"Email": "ada@acme.nl"})
    }
    assert list(cached.read("Lead", ["00Q000000000002"], ["Email"])) == ["00Q000000000002"]
    assert cached.read("Lead", ["00Q000000000009AAA"], ["Email"]) == {}
    assert [r.object_id for r in cached.find_by_email("Lead", "ada@acme.nl", ["Id"])] == [LEAD_18]
    assert cached.find_by_email("Lead", "nobody@acme.nl", ["Id"]) == []
    assert len(reader.calls) == calls  # nothing more was asked


def test_one_bad_id_costs_only_its_own_record():
    reader, cache = CountingReader(), {}
    needs = _needs(
        reader,
        cache,
        [
            lambda r: r.read("Lead", [LEAD_18], ["Email"]),
            lambda r: r.read("Lead", ["not-an-id"], ["Email"]),
        ],
    )
    failed = fetch_together(needs, cache)
    assert list(failed) == [needs[1].key] and isinstance(failed[needs[1].key], ValueError)
    assert cache[needs[0].key][LEAD_18].fields == {"Email": "ada@acme.nl"}


def test_an_outage_fails_every_record_of_the_merged_call_and_caches_nothing():
    reader, cache = CountingReader(outage=True), {}
    needs = _needs(
        reader,
        cache,
        [
            lambda r: r.read("Lead", [LEAD_18], ["Email"]),
            lambda r: r.read("Lead", [LEAD_18[:15]], ["Email"]),
        ],
    )
    failed = fetch_together(needs, cache)
    assert set(failed) == {need.key for need in needs}
    assert cache == {} and len(reader.calls) == 1  # one call tried, not one per record


def test_a_read_of_fewer_fields_is_answered_from_a_wider_one():
    """A contact created at the hand-off stage: its stage read asks for the hand-off's fields
    too, so the hand-off's own read costs no second call."""
    reader, cache = CountingReader(), {}
    cached = PrefetchingReader(reader, cache)
    (wide,) = _needs(reader, cache, [lambda r: r.read("Lead", [LEAD_18], ["Email", "Status"])])
    reader.records[LEAD_18] = {"Id": LEAD_18, "Email": "ada@acme.nl", "Status": "Open"}
    assert fetch_together([wide], cache) == {}
    calls = len(reader.calls)
    narrow = cached.read("Lead", [LEAD_18], ["Status"])
    assert narrow == {LEAD_18: CrmRecord("Lead", LEAD_18, {"Id": LEAD_18, "Status": "Open"})}
    assert len(reader.calls) == calls
    with pytest.raises(NeedsRead):  # a field the wider read did not ask for: a read of its own
        cached.read("Lead", [LEAD_18], ["Status", "OwnerId"])

"""Hand-offs waiting in one chunk read their contacts and look up their e-mails together
(``connector.prefetch.fetch_together``): one call per kind, not one per record, so a backlog
of hand-offs does not spend HubSpot's burst share in seconds (docs/RELIABILITY.md, restart)."""

from __future__ import annotations

from sync_world import MQL

HANDOFFS = 6


def _calls(requests: list, method: str, fragment: str) -> list:  # type: ignore[type-arg]
    return [r for r in requests if r.method == method and fragment in r.path]


def test_a_chunk_of_handoffs_reads_each_kind_once(world):  # type: ignore[no-untyped-def]
    contacts = [world.new_contact(f"merged{i}-{world.tag}") for i in range(HANDOFFS)]
    world.settle()
    world.hs.reset_request_log()
    world.sf.reset_request_log()
    for contact in contacts:
        world.hs.ui_update("contacts", contact, {"lifecyclestage": MQL}, user_id=7)
    world.flush()  # every MQL event is in the inbox before the worker's first pass
    world.settle()
    for contact in contacts:
        assert len(world.leads_for(contact)) == 1, f"contact {contact}: not one Lead"
    contact_reads = _calls(world.hs.requests, "POST", "/objects/contacts/batch/read")
    # one batch read by id carried all six contacts (hand-off properties)
    assert [r.n_inputs for r in contact_reads] == [HANDOFFS]
    # one query for Contacts and one for Leads by e-mail, not two per hand-off
    lookups = [r for r in world.sf.requests if r.method == "GET" and "/query" in r.path]
    by_email = [r for r in lookups if "Email+IN" in r.query or "Email IN" in r.query]
    assert len(by_email) == 2, [r.query[:120] for r in lookups]

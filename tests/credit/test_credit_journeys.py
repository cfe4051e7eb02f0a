"""Journeys of won and lost deals, and the Markov model switched on by them (real store).

Journey paths and the snapshot are pure; recording is checked on the store (one row per deal,
re-sent events change nothing, a re-open withdraws); the job records lost deals in each CRM
mode and fits Markov once enough journeys are recorded, with the history in the ledger and in
``baton credit show``. The hand-computed Markov case is in ``test_markov_credit_…``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from credit_testing import CLOSE, deal_handler, timeline, touch
from sqlalchemy import select

import connector.config
from baton.cli import main
from connector.commands import System
from connector.config import default_config, with_changes
from connector.config.check import check_config_command
from connector.events import Source
from connector.jobs.base import DONE, SKIPPED
from connector.jobs.credit import journeys
from connector.jobs.credit.history import journey_path, snapshot, unavailable_reason
from connector.jobs.credit.markov import Journey
from connector.ports import CrmRecord
from connector.store import Store
from connector.store.models import CreditJourney, CreditLedgerRow, RecordLink

NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


# -- pure: paths and snapshots ------------------------------------------------------------------


def test_a_journey_path_is_the_timeline_in_order_with_repeats_collapsed():
    line = timeline(
        [
            touch("c", 3, "webinar", source="salesforce", campaign="7011"),
            touch("a", 9, "paid_search"),
            touch("a", 9, "paid_search"),  # delivered twice: one touch on the timeline
            touch("b", 5, "paid_search"),
            touch("d", 2, "webinar", source="salesforce", campaign="7012"),
            touch("late", -1, "email"),  # after the close: not on the path
        ]
    )
    assert journey_path(line) == (
        ("paid_search", None),
        ("webinar", "7011"),
        ("webinar", "7012"),
    ), "consecutive repeats fold; another campaign of the same channel is another step"
    assert journey_path(timeline([])) == ()


def test_a_snapshot_folds_alike_journeys_and_its_fingerprint_ignores_order():
    paths = [(["a", "b"], True), (["a"], False), (["a", "b"], True)]
    first = snapshot(paths, CLOSE - timedelta(days=365), CLOSE)
    second = snapshot(reversed(paths), CLOSE - timedelta(days=365), CLOSE)
    assert first.journeys == (Journey(("a",), False, 1), Journey(("a", "b"), True, 2))
    assert first.fingerprint == second.fingerprint
    assert (first.total, first.won) == (3, 2)
    other = snapshot([(["a", "b"], True), (["a"], True)], CLOSE, CLOSE)
    assert other.fingerprint != first.fingerprint


@pytest.mark.parametrize(
    ("paths", "minimum", "reason"),
    [
        ([(["a"], True)] * 12, 50, "12 of 50 won or lost journeys recorded (12 won, 0 lost"),
        ([(["a"], False)] * 60, 50, "none of the 60 journeys closed in the 30 days"),
        ([(["a"], True)] * 49 + [(["b"], False)], 50, None),
    ],
)
def test_markov_runs_only_from_the_minimum_with_a_won_journey(paths, minimum, reason):
    found = unavailable_reason(snapshot(paths, CLOSE, CLOSE), minimum, 30)
    assert (found is None) if reason is None else (reason in str(found)), found


# -- the store: one journey per deal ------------------------------------------------------------


def _counted(store: Store) -> tuple[int, int]:
    with store.session() as session:
        found = journeys.counted(session)
    return found.won, found.lost


def test_recording_again_is_idempotent_and_a_new_outcome_replaces_the_old(store):
    path = (("paid_search", None), ("webinar", "7011"))
    with store.session() as session:
        kwargs = {"path": path, "closed_at": CLOSE, "at": NOW}
        assert journeys.record(session, "006A", won=False, **kwargs) is True
        assert journeys.record(session, "006A", won=False, **kwargs) is False, "re-sent"
        session.commit()
    assert _counted(store) == (0, 1)
    with store.session() as session:
        assert journeys.record(session, "006A", won=True, **kwargs) is True, "re-closed as won"
        session.commit()
    assert _counted(store) == (1, 0), "the deal counts once, with its latest outcome"
    with store.session() as session:
        assert journeys.withdraw(session, "006A", NOW) is True
        assert journeys.withdraw(session, "006A", NOW) is False, "withdrawn once"
        session.commit()
    assert _counted(store) == (0, 0)
    with store.session() as session:
        assert journeys.record(session, "006A", won=True, **kwargs) is True, "closed again"
        (row,) = session.scalars(select(CreditJourney)).all()
        assert row.path == [["paid_search", None], ["webinar", "7011"]]
        assert row.withdrawn_at is None
        session.commit()
    assert _counted(store) == (1, 0)


def test_the_window_reads_the_lookback_before_the_close_and_leaves_the_deal_out(store):
    with store.session() as session:
        for deal, days, won in (("old", 400, True), ("in", 10, False), ("self", 0, True),
                                ("later", -5, True)):  # fmt: skip
            journeys.record(
                session, deal, won=won, path=(("email", None),),
                closed_at=CLOSE - timedelta(days=days), at=NOW,
            )  # fmt: skip
        found = journeys.window(session, CLOSE, 365, excluding="self")
    assert found.journeys == (Journey(("email",), False, 1),)
    assert (found.since, found.until) == (CLOSE - timedelta(days=365), CLOSE)


# -- the job: Salesforce (both CRMs), lost deals and re-opens -------------------------------------

OPP, CONTACT, HS_CONTACT = "0068d0000000001AAA", "0038d0000000001AAA", "501"


class OneOpportunity:
    """A Salesforce org with one opportunity whose contact responded to a webinar."""

    system = System.SALESFORCE

    def __init__(self) -> None:
        self.opportunity: dict[str, Any] | None = {
            "IsWon": False, "IsClosed": True, "StageName": "Closed Lost", "Amount": 500,
            "CloseDate": "2026-12-01", "CreatedDate": "2026-11-20T10:00:00.000+0000",
        }  # fmt: skip

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        if self.opportunity is None:
            return {}
        return {OPP: CrmRecord("Opportunity", OPP, dict(self.opportunity))}

    def contacts_of_opportunity(self, opportunity_id: str) -> list[str]:
        return [CONTACT]

    def campaign_responses(self, contact_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"Id": "00v1", "CampaignId": "7011", "ContactId": CONTACT,
                 "FirstRespondedDate": "2026-11-25", "CampaignType": "Webinar"}]  # fmt: skip


class OneContact:
    system = System.HUBSPOT

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        properties = {"hs_analytics_source": "PAID_SEARCH",
                      "hs_analytics_first_timestamp": "2026-11-10T08:00:00.000Z"}  # fmt: skip
        return {HS_CONTACT: CrmRecord("contacts", HS_CONTACT, properties)}

    def deals_for_opportunity(self, opportunity_id: str, prop: str) -> list[str]:
        return []


def _handler(store: Store, config: Any, readers: dict[System, Any], source: Source):
    return deal_handler(store, config, readers, source, NOW)


def test_a_lost_opportunity_records_its_journey_once_and_a_reopen_withdraws_it(store):
    salesforce = OneOpportunity()
    readers = {System.SALESFORCE: salesforce, System.HUBSPOT: OneContact()}
    with store.session() as session:
        session.add(RecordLink(hubspot_contact_id=HS_CONTACT, salesforce_contact_id=CONTACT))
    handle = _handler(store, default_config(), readers, Source.SALESFORCE)

    lost = handle(OPP)
    assert lost.status == DONE and lost.commands == (), "a lost deal earns nothing"
    assert lost.audit == (f"journey recorded: deal {OPP} lost (paid_search > webinar)",)
    assert handle(OPP).status == SKIPPED, "a duplicate 'lost' records nothing"
    assert _counted(store) == (0, 1)

    salesforce.opportunity.update(IsClosed=False, StageName="Negotiation/Review")
    reopened = handle(OPP)
    assert reopened.audit == (
        f"pipeline: deal {OPP} entered the open pipeline, 500.00 EUR (sourced, influenced)",
        f"journey withdrawn: deal {OPP} is open again or gone",
    ), "re-opened: out of the history, into the open pipeline"
    assert _counted(store) == (0, 0)
    assert handle(OPP).status == SKIPPED, "withdrawn once"

    salesforce.opportunity.update(IsClosed=True, IsWon=True, StageName="Closed Won")
    won = handle(OPP)
    assert won.status == DONE and f"journey recorded: deal {OPP} won" in won.audit[-1]
    assert _counted(store) == (1, 0), "won after the re-open: counted once, as won"

    salesforce.opportunity.update(IsClosed=True, IsWon=False, StageName="Closed Lost")
    lost_again = handle(OPP)
    assert f"credit reversed: opportunity {OPP}" in lost_again.audit[0]
    assert lost_again.audit[1] == f"journey recorded: deal {OPP} lost (paid_search > webinar)"
    assert _counted(store) == (0, 1)

    salesforce.opportunity = None  # deleted
    assert handle(OPP).audit == (f"journey withdrawn: deal {OPP} is open again or gone",)
    assert _counted(store) == (0, 0)


def test_salesforce_alone_records_lost_opportunities_too(store):
    config = with_changes(default_config(), {"hubspot.enabled": False})
    handle = _handler(store, config, {System.SALESFORCE: OneOpportunity()}, Source.SALESFORCE)
    assert handle(OPP).audit == (f"journey recorded: deal {OPP} lost (webinar)",)
    assert _counted(store) == (0, 1)


# -- the job: HubSpot alone, Markov switched on by the recorded history ---------------------------


class Portal:
    """A HubSpot portal: deals with their contacts, contacts with source and form properties."""

    system = System.HUBSPOT

    def __init__(self) -> None:
        self.deals: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.associations: dict[str, list[str]] = {}

    def add(self, deal: str, *, stage: str, source: bool, form: bool, amount: str = "500") -> None:
        contact = f"c{deal}"
        properties: dict[str, Any] = {}
        if source:
            properties["hs_analytics_source"] = "PAID_SEARCH"
            properties["hs_analytics_first_timestamp"] = "2026-11-10T08:00:00.000Z"
        if form:
            properties["first_conversion_date"] = "2026-11-20T08:00:00.000Z"
        self.contacts[contact] = properties
        self.associations[deal] = [contact]
        self.deals[deal] = {"amount": amount, "createdate": "2026-11-15T08:00:00.000Z",
                            "closedate": "2026-12-01T12:00:00.000Z"}  # fmt: skip
        self.stage(deal, stage)

    def stage(self, deal: str, stage: str) -> None:
        self.deals[deal]["dealstage"] = stage
        self.deals[deal]["hs_is_closed"] = str(stage in ("closedwon", "closedlost")).lower()
        self.deals[deal]["hs_is_closed_won"] = str(stage == "closedwon").lower()

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        found = self.deals if object_type == "deals" else self.contacts
        return {i: CrmRecord(object_type, i, dict(found[i])) for i in ids if i in found}

    def associated_ids(self, from_type: str, object_id: str, to_type: str) -> list[str]:
        return self.associations.get(object_id, [])


MARKOV_ALONE = {
    "salesforce.enabled": False,
    "credit.models": ["linear", {"model": "markov", "min_journeys": 3}],
    "credit.primary_model": "markov",
}


def test_markov_credit_switches_on_at_the_minimum_and_records_its_history(
    store, monkeypatch
):  # fmt: skip
    portal = Portal()
    config = with_changes(default_config(), MARKOV_ALONE)
    handle = _handler(store, config, {System.HUBSPOT: portal}, Source.HUBSPOT)
    portal.add("1", stage="closedwon", source=True, form=True)  # paid_search > form
    portal.add("2", stage="closedlost", source=True, form=False)  # paid_search, lost
    portal.add("4", stage="closedwon", source=True, form=True, amount="1000.01")
    for deal in ("1", "2", "2", "1"):  # duplicates change nothing
        handle(deal)
    assert _counted(store) == (1, 1)

    early = handle("4")
    assert early.status == DONE and early.commands == (), "a Markov primary below its minimum"
    assert "markov not run: 2 of 3 won or lost journeys recorded (1 won, 1 lost" in early.summary

    portal.add("3", stage="closedwon", source=False, form=True)  # form only, won
    handle("3")
    portal.stage("4", "contractsent")  # re-opened: reversed, its journey withdrawn
    handle("4")
    portal.stage("4", "closedwon")
    credited = handle("4")
    # history without deal 4: start→paid_search 2, start→form 1; paid_search→form 1,
    # paid_search→lost 1; form→won 2.  P = 2/3·1/2 + 1/3 = 2/3.  Without paid_search: 1/3,
    # effect 1/2; without form_submission: 0, effect 1.  Weights 1/2 : 1 → 1/3, 2/3 of
    # 100001 cents = 33333.67, 66667.33 → floors 33333 + 66667, the odd cent to the larger
    # remainder: 33334, 66667.
    (written,) = credited.commands
    assert written.object_id == "4"
    assert written.fields["baton_credit_summary"] == (
        "markov, EUR: paid_search: 333.34; form_submission: 666.67"
    )
    assert "markov on 3 journeys (2 won, 1 lost) closed 2025-12-01..2026-12-01" in credited.summary
    with store.session() as session:
        rows = session.scalars(
            select(CreditLedgerRow).where(
                CreditLedgerRow.deal_id == "4", CreditLedgerRow.reversed_at.is_(None)
            )
        ).all()
        markov = [r for r in rows if r.model == "markov"]
        assert sum(r.amount_minor for r in markov) == 100001
        assert all(r.history is None for r in rows if r.model == "linear")
        history = markov[0].history
    assert history is not None
    assert {k: history[k] for k in ("journeys", "won", "lost")} == {
        "journeys": 3, "won": 2, "lost": 1,
    }  # fmt: skip
    assert len(history["fingerprint"]) == 16
    assert handle("4").commands == (), "re-sent: the same credit, nothing written again"

    # the next deal's history holds deal 4's journey too: another history, another fingerprint
    portal.add("5", stage="closedwon", source=True, form=True, amount="1000.01")
    handle("5")
    with store.session() as session:
        five = session.scalars(
            select(CreditLedgerRow.history).where(
                CreditLedgerRow.deal_id == "5", CreditLedgerRow.model == "markov"
            )
        ).first()
    assert five is not None and five["journeys"] == 4 and five["fingerprint"] != history[
        "fingerprint"]  # fmt: skip

    config_file = with_changes(config, {"store.database_url": store.url})
    monkeypatch.setattr(connector.config, "default_config", lambda: config_file)
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    env = {"BATON_DATABASE_URL": store.url}
    shown = CliRunner().invoke(main, ["credit", "show", "4"], env=env)
    assert shown.exit_code == 0, shown.output
    assert (
        f"  fitted on 3 journeys (2 won, 1 lost) closed 2025-12-01..2026-12-01, "
        f"history {history['fingerprint']}" in shown.output
    )
    as_json = json.loads(
        CliRunner().invoke(main, ["credit", "show", "4", "--json"], env=env).output
    )
    assert as_json["models"]["markov"]["history"]["won"] == 2
    assert as_json["models"]["linear"]["history"] is None


HUBSPOT_ONLY = (
    "hubspot:\n  portal_id: 26451234\n  access_token: ${HUBSPOT_ACCESS_TOKEN}\n"
    "  client_secret: ${HUBSPOT_CLIENT_SECRET}\nsalesforce:\n  enabled: false\n"
)


def test_check_config_counts_the_journeys_in_the_store(sqlite_store, tmp_path, capsys):
    with sqlite_store.session() as session:
        for deal, won in (("a", True), ("b", False), ("c", False)):
            journeys.record(session, deal, won=won, path=(), closed_at=datetime.now(UTC), at=NOW)
        session.commit()
    path = tmp_path / "baton.yaml"
    path.write_text(
        f"{HUBSPOT_ONLY}store:\n  database_url: {sqlite_store.url}\n"
        "credit:\n  models: [linear, {model: markov, min_journeys: 50}]\n"
    )
    env = {"HUBSPOT_ACCESS_TOKEN": "pat-eu1-test", "HUBSPOT_CLIENT_SECRET": "s3cret-test"}
    assert check_config_command(str(path), env=env) == 0
    out = capsys.readouterr().out
    assert (
        "markov: not live — live once 50 won or lost journeys are recorded in the 365-day "
        "window (now 3 in the store: 1 won, 2 lost)" in out
    ), out
    missing = tmp_path / "nowhere.yaml"
    missing.write_text(
        f"{HUBSPOT_ONLY}store:\n  database_url: sqlite:///{tmp_path / 'absent.db'}\n"
        "credit:\n  models: [linear, {model: markov, min_journeys: 50}]\n"
    )
    assert check_config_command(str(missing), env=env) == 0
    assert "not counted: the store cannot be read from here" in capsys.readouterr().out
    assert not (tmp_path / "absent.db").exists(), "check-config creates no database"


def test_the_shared_snapshot_is_read_again_after_any_change_even_at_the_same_instant(store):
    snapshots = journeys.Snapshots()
    email, web = (("email", None),), (("webinar", "7011"),)
    with store.session() as session:
        for deal, path, won in (("a", email, True), ("b", email, True), ("c", web, False)):
            journeys.record(session, deal, won=won, path=path, closed_at=CLOSE, at=NOW)
        for deal in ("a", "c", "zz"):
            assert snapshots.get(session, CLOSE, 365, excluding=deal) == journeys.window(
                session, CLOSE, 365, excluding=deal
            ), "the deal's own journey is taken out of the shared snapshot"
        # same clock reading: a changed path is still seen (the rows count their changes)
        journeys.record(session, "c", won=False, path=email, closed_at=CLOSE, at=NOW)
        after = snapshots.get(session, CLOSE, 365, excluding="zz")
        assert after.journeys == (Journey(("email",), False, 1), Journey(("email",), True, 2))
        journeys.withdraw(session, "b", NOW)
        assert snapshots.get(session, CLOSE, 365, excluding="zz").total == 2


def test_baton_credit_journeys_counts_and_says_whether_markov_is_live(store, monkeypatch):
    with store.session() as session:
        recent = datetime.now(UTC) - timedelta(days=3)
        for deal, won in (("a", True), ("b", False), ("c", False)):
            journeys.record(session, deal, won=won, path=(), closed_at=recent, at=NOW)
        journeys.record(
            session, "old", won=True, path=(), closed_at=recent - timedelta(days=400), at=NOW
        )
        journeys.record(session, "open", won=True, path=(), closed_at=recent, at=NOW)
        journeys.withdraw(session, "open", NOW)
    models = ["linear", {"model": "markov", "min_journeys": 3},
              {"model": "markov", "name": "strict", "min_journeys": 4}]  # fmt: skip
    config = with_changes(
        default_config(), {"store.database_url": store.url, "credit.models": models}
    )
    monkeypatch.setattr(connector.config, "default_config", lambda: config)
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["credit", "journeys"], env={"BATON_DATABASE_URL": store.url})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("3 journeys closed since ") and "(1 won, 2 lost)" in lines[0]
    assert lines[1:] == [
        "markov: live (needs 3 with at least one won)",
        "strict: not live: 3 of 4 recorded (needs 4 with at least one won)",
    ]

"""``run_demo(once=True)`` end to end: the week is played, Baton does the work, the CRMs agree.

Expectations come from the plan (what the people did) and the team's config (what Baton should
have done with it); the outcomes are read from the sandboxes themselves after the week, while
the stack still runs, and from Baton's dashboard over HTTP.
"""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from baton.demo import run_demo
from baton.demo.org import BENELUX, DACH
from baton.demo.players import CONVERTED, NOT_NOW, WORKING
from baton.demo.run import stage_check
from baton.demo.scenario import Fate, Kind, WeekPlan, plan_week
from baton.demo.stack import DemoStack
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.reports import recycling
from connector.store import Store
from connector.store.models import InboxEvent, SlaClock

pytestmark = pytest.mark.slow
SEED = 7
QUALIFIED = {Fate.IGNORED, Fate.WAITING, Fate.WORKED, Fate.RECYCLED, Fate.IN_PIPELINE, Fate.WON}
#: (lead status, HubSpot lifecycle stage) each fate must end in
END_STATE = {
    Fate.IGNORED: ("Open - Not Contacted", "marketingqualifiedlead"),
    Fate.WAITING: ("Open - Not Contacted", "marketingqualifiedlead"),
    Fate.WORKED: (WORKING, "salesqualifiedlead"),
    Fate.IN_PIPELINE: (CONVERTED, "opportunity"),
    Fate.WON: (CONVERTED, "customer"),
}


class Observed:
    """What the test reads from the running stack after the week."""

    def __init__(self, stack: DemoStack) -> None:
        self.contacts = {
            c["properties"]["email"]: c for c in stack.hubspot.all("contacts")
        }  # by e-mail: the plan knows people by address
        self.leads = stack.salesforce.all("Lead")
        self.opportunities = {o["Id"]: o for o in stack.salesforce.all("Opportunity")}
        self.team = stack.team
        self.check = stage_check(stack)
        config = stack.runtime.config
        self.id_field = config.salesforce.hubspot_id_field
        self.recycle = config.recycle
        self.nurture = stack.hubspot.list_members(config.recycle.nurture_list_id)
        with stack.runtime.store.session() as session:
            self.episodes = recycling.episodes(session)
            self.reactivations = recycling.pending_reactivations(session)
        with requests.Session() as browser:  # signed in by the demo's one-time link
            self.scorecard = browser.get(stack.login_link(), timeout=30)
            self.dashboard = browser.get(f"{stack.base_url}/dashboard/", timeout=10)
        self.handoffs_done = sum(1 for h in self.handoff_items(stack) if h.status == "done")
        self.mails = list(stack.mailbox.mails)  # what reached the demo's SMTP server
        with stack.runtime.store.session() as session:
            self.clocks = {
                c.lead_id: (c.state, c.owner_id) for c in session.scalars(select(SlaClock))
            }
        self.emails = {
            user: stack.salesforce.get("User", user)["Email"]
            for user in (*self.team.reps, self.team.manager_id, self.team.director_id)
        }
        self.base_url = stack.base_url

    @staticmethod
    def handoff_items(stack: DemoStack) -> list[Any]:
        from connector.reports import handoffs

        with stack.runtime.store.session() as session:
            return list(handoffs(session))

    def lead_for(self, email: str) -> dict[str, Any] | None:
        contact_id = self.contacts[email]["id"]
        found = [lead for lead in self.leads if lead.get(self.id_field) == contact_id]
        assert len(found) <= 1, f"more than one lead for {email}"
        return found[0] if found else None


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    seen: dict[str, Observed] = {}
    before = {t.ident for t in threading.enumerate()}
    code = run_demo(
        once=True,
        seed=SEED,
        port=0,
        database_url=None,
        out=out,
        echo=lines.append,
        after_week=lambda stack: seen.setdefault("it", Observed(stack)),
    )
    after = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    return {"code": code, "lines": lines, "observed": seen["it"], "threads": after, "out": out}


def test_the_week_ends_converged_with_exit_code_0(week: dict[str, Any]) -> None:
    assert week["code"] == 0
    assert week["observed"].check.converged


def test_one_progress_line_per_day_then_a_summary(week: dict[str, Any]) -> None:
    text = "\n".join(week["lines"])
    day = re.compile(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day +· +\d+ new contacts?")
    days = [line for line in text.splitlines() if day.match(line)]
    assert len(days) == 7
    for heading in ("HubSpot (marketing)", "Salesforce (sales)", "Hand-offs", "API calls"):
        assert heading in text
    assert "Dead letters       none" in text


def test_every_qualified_mql_became_a_lead_routed_by_country(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    plan: WeekPlan = plan_week(SEED)
    team = observed.team
    for person in plan.people:
        lead = observed.lead_for(person.email)
        if person.fate not in QUALIFIED:
            assert lead is None, f"{person.key} ({person.fate}) should not be in Salesforce"
            continue
        assert lead is not None, f"{person.key} ({person.fate}) was not handed to sales"
        assert lead["Company"] == person.company
        assert lead["HubSpot_Original_Source__c"] == person.source  # hand-off context
        if person.country in BENELUX:
            routed = set(team.teams["benelux"])
        elif person.country in DACH:
            routed = set(team.teams["dach"])
        else:
            routed = {team.queue_id}
        owner = lead["OwnerId"]
        disqualified = _recycles(plan, person.key) in observed.recycle.disqualify_reasons
        if person.fate == Fate.RECYCLED and not disqualified:
            assert owner == team.marketing_queue_id, (person, "recycled: the marketing queue")
            continue
        picked_up = person.fate not in (Fate.IGNORED, Fate.WAITING) and routed == {team.queue_id}
        assert owner in (set(team.reps) if picked_up else routed), (person, owner)


def test_held_back_mqls_carry_the_reason_in_hubspot(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    held = plan_week(SEED).with_fate(Fate.HELD)
    assert held
    for person in held:
        reason = observed.contacts[person.email]["properties"].get(HOLD_REASON_PROPERTY)
        assert reason, f"{person.key} has no hold reason"
        if not person.company:
            assert "missing Company Name" in reason  # the property's label
        if person.page_views < 3:
            assert "Number of Pageviews is 1, needs at least 3" in reason
    handed = [p for p in plan_week(SEED).people if p.fate in QUALIFIED]
    for person in handed:
        assert not observed.contacts[person.email]["properties"].get(HOLD_REASON_PROPERTY)


def test_each_fate_ends_in_the_same_stage_in_both_crms(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    for person in plan_week(SEED).people:
        contact = observed.contacts[person.email]["properties"]
        lead = observed.lead_for(person.email)
        if person.fate == Fate.RECYCLED:
            assert lead is not None and lead["Status"] == NOT_NOW
            continue  # recycling's own test below
        if person.fate not in END_STATE:
            continue
        status, stage = END_STATE[person.fate]
        assert lead is not None and lead["Status"] == status, person
        assert contact["lifecyclestage"] == stage, person
        if person.fate == Fate.WON:
            opportunity = observed.opportunities[lead["ConvertedOpportunityId"]]
            assert opportunity["IsWon"] is True
    verdicts = Counter(p.verdict for p in observed.check.people)
    assert verdicts["disagree"] == 0
    assert verdicts["agree"] >= len(plan_week(SEED).people) // 4


def _recycles(plan: WeekPlan, key: str) -> str | None:
    """The reason code the rep picked for ``key`` (None: left empty, or no recycle)."""
    return next(
        (a.reason for a in plan.actions if a.kind == Kind.RECYCLE and a.person == key), None
    )


def test_each_not_now_is_recycled_or_disqualified_in_both_crms(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    recycle, plan = observed.recycle, plan_week(SEED)
    episodes = {e.hubspot_contact_id: e for e in observed.episodes}
    verdicts = {p.hubspot_contact_id: p.verdict for p in observed.check.people}
    recycled_contacts = set()
    for action in (a for a in plan.actions if a.kind == Kind.RECYCLE):
        person = plan.person(action.person)
        contact = observed.contacts[person.email]
        properties, lead = contact["properties"], observed.lead_for(person.email)
        assert lead is not None and lead["Status"] == NOT_NOW
        assert lead[recycle.reason_field] == action.reason  # what the rep picked
        episode = episodes[contact["id"]]
        assert (episode.reason_code, episode.reason_flag) == (
            action.reason,
            None if action.reason else "missing",
        )
        assert (properties.get(recycle.hubspot_reason_property) or None) == action.reason
        if action.reason in recycle.disqualify_reasons:
            assert episode.state == verdicts[contact["id"]] == "disqualified"
            assert properties["hs_lead_status"] == recycle.disqualified_hubspot_lead_status
            assert properties["lifecyclestage"] == "salesqualifiedlead", "the rep's stage stays"
            assert lead["OwnerId"] in observed.team.reps, "stays with the rep"
            assert not properties.get(recycle.hubspot_count_property)
            continue
        recycled_contacts.add(contact["id"])
        assert episode.state == verdicts[contact["id"]] == "recycled"
        assert properties["lifecyclestage"] == recycle.hubspot_stage
        assert properties[recycle.hubspot_count_property] == "1"
        due = (episode.recycled_at + timedelta(days=recycle.reactivation_after_days)).date()
        assert properties[recycle.hubspot_reactivation_property] == f"{due}"
        assert lead["OwnerId"] == observed.team.marketing_queue_id
        assert lead[recycle.salesforce_history_field].startswith("Recycled once: ")
    assert set(observed.nurture) == recycled_contacts, "the nurture list holds exactly them"
    assert len(observed.reactivations) == len(recycled_contacts)
    soon = datetime.now(UTC) + timedelta(days=recycle.reactivation_after_days - 1)
    assert all(due > soon for due in observed.reactivations), "nobody comes back this week"
    assert len(observed.episodes) == plan.count(Kind.RECYCLE), "one episode per 'not now'"


def test_the_summary_shows_the_weeks_recycling(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    text = "\n".join(week["lines"])
    back = [e for e in observed.episodes if e.state == "recycled"]
    disqualified = [e for e in observed.episodes if e.state == "disqualified"]
    flagged = [e for e in observed.episodes if e.reason_flag]
    assert back and disqualified and flagged  # the seeded week shows every path
    labels = observed.recycle.reasons
    assert f"  Back to marketing  {len(back)}: " in text
    for code, count in Counter(e.reason_code for e in back if e.reason_code).items():
        assert f"{labels[code]} {count}" in text
    assert f"no reason (flagged) {sum(1 for e in back if e.reason_flag)}" in text
    assert f"  Disqualified       {len(disqualified)}: Competitor" in text
    assert f"  Flagged            {len(flagged)} without a usable reason" in text
    assert f"  Re-activation      {len(back)} timer" in text
    n = len(back)
    assert f"  Now in HubSpot     {n} of {n} back to lead" in text
    assert f"{n} of {n} in the nurture list “Nurture: not now (recycled by sales)”" in text
    assert f"  Now in Salesforce  {n} of {n} Leads owned by Marketing Nurture Queue" in text
    d, status = len(disqualified), observed.recycle.disqualified_hubspot_lead_status
    assert (
        f"  Disqualified now   {d} of {d} with the reason and lead status {status} in HubSpot, "
        f"0 in nurture; {d} of {d} Leads still with their rep"
    ) in text
    assert f"{len(observed.episodes)} recycled or disqualified · 0 not mapped" in text
    assert "recycling will handle it" not in text


def test_the_dashboard_shows_the_week(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    page = observed.dashboard
    assert page.status_code == 200
    rep_names = set(observed.team.reps.values())
    assert any(name in page.text for name in rep_names)
    held = plan_week(SEED).with_fate(Fate.HELD)[0]
    assert f"{held.first_name} {held.last_name}" in page.text
    recycled = re.search(r'id="recycled".*?</section>', page.text, re.S)
    assert recycled is not None
    for episode in observed.episodes:  # by id, never by name
        assert episode.hubspot_contact_id in recycled.group(0)
    assert "Competitor" in recycled.group(0) and "flagged" in recycled.group(0)


def test_the_scorecard_counts_the_weeks_hand_offs(week: dict[str, Any]) -> None:
    observed: Observed = week["observed"]
    page = observed.scorecard
    assert page.status_code == 200 and "Weekly scorecard" in page.text
    delivered = re.search(r'data-key="mqls_delivered">.*?<div class="value">\s*<a[^>]*>(\d+)</a>',
                          page.text, re.S)  # fmt: skip
    assert delivered is not None, "the figure is shown and drills down"
    assert int(delivered.group(1)) == observed.handoffs_done > 0


def test_nothing_is_left_running(week: dict[str, Any]) -> None:
    assert week["threads"] == []
    port = int(week["observed"].base_url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the web port was released


def test_the_database_is_a_fresh_file_under_out(week: dict[str, Any]) -> None:
    files = list(Path(week["out"]).glob("baton-*.db"))
    assert len(files) == 1
    store = Store(f"sqlite:///{files[0]}")
    try:
        with store.session() as session:
            events = session.scalars(select(InboxEvent.status)).all()
    finally:
        store.dispose()
    assert events and set(events) <= {"done", "skipped"}


def test_the_sla_scene_breaches_the_leads_nobody_called_and_walks_both_ladders(
    week: dict[str, Any],
) -> None:
    observed: Observed = week["observed"]
    plan: WeekPlan = plan_week(SEED)
    misses: Counter[str] = Counter()
    for person in plan.people:
        lead = observed.lead_for(person.email)
        clock = observed.clocks.get(str(lead["Id"])[:18]) if lead else None
        if lead is None or (not str(lead["OwnerId"]).startswith("005") and clock is None):
            continue  # not handed to sales, or still with a queue: no promise, no clock
        if person.fate in (Fate.IGNORED, Fate.WAITING):
            assert clock is not None and clock[0] == "breached", (person.key, clock)
            misses[clock[1]] += 1
        elif person.fate == Fate.WORKED:
            assert clock is not None and clock[0] == "met", (person.key, clock)
    assert sum(misses.values()) >= 2, "the seed's week has leads nobody called"
    got = Counter(to for to, _ in observed.mails)
    manager, director = (
        observed.emails[observed.team.manager_id],
        observed.emails[observed.team.director_id],
    )
    for rep, missed in misses.items():  # the owner hears of each of their misses
        assert got[observed.emails[rep]] == missed
    # per lead: the manager at step 2 of each; per rep: the manager of each rep's 1st miss of
    # the week, the director of every later one
    assert got[manager] == sum(misses.values()) + len(misses)
    assert got[director] == sum(n - 1 for n in misses.values())
    text = "\n".join(week["lines"])
    assert f"E-mails caught by the demo's SMTP server  {len(observed.mails)}" in text
    assert f"missed {sum(misses.values())}" in text

"""``baton demo --crm hubspot|salesforce``: a short working day beside one CRM.

The people act in the one stand-in (marketing qualifies, reps work, win and turn down leads);
everything else — owners routed, Leads records, lifecycle stages, recycling, credit — is
Baton's production code answering that CRM's webhooks. The other CRM is not started and Baton
holds no client for it; the report says what each person looks like in the CRM afterwards and
checks the outcome the rules promise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from baton.demo.org import MARKETER_USER_ID, RECYCLE_REASON_FIELD
from baton.demo.single_org import LIFECYCLE_FIELD
from baton.demo.stack import DemoStack
from connector.store.models import CreditLedgerRow, DeadLetter, SlaClock

IDLE_TIMEOUT_S = 30.0
Echo = Callable[[str], None]

#: (first name, last name, company, country, job title): the last one lacks a job title
PEOPLE = (
    ("Eva", "de Boer", "Tulip Logistics", "Netherlands", "Head of Operations"),
    ("Jonas", "Weber", "Rheinwerk GmbH", "Germany", "CTO"),
    ("Tim", "Peeters", "Schelde Foods", "Belgium", "IT Manager"),
    ("Lisa", "Smit", "Polder Data", "Netherlands", ""),
)


@dataclass
class Report:
    """What the day produced, and whether it is what the rules promise."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def expect(self, holds: bool, what: str) -> None:
        """Record a promise the day should have kept."""
        if not holds:
            self.failures.append(what)


def play_single(stack: DemoStack, echo: Echo) -> int:
    """Play the day for the stack's one CRM; 0 when every promise held, 1 otherwise."""
    crm = "hubspot" if stack.hubspot is not None else "salesforce"
    other = "Salesforce" if crm == "hubspot" else "HubSpot"
    echo(f"Baton demo beside {'HubSpot' if crm == 'hubspot' else 'Salesforce'} alone")
    echo(f"  {other}: not started; Baton has no {other} client, poller or receiver")
    report = _hubspot_day(stack) if crm == "hubspot" else _salesforce_day(stack)
    report.expect(stack.wait_until_idle(IDLE_TIMEOUT_S), "Baton settled")
    with stack.runtime.store.session() as session:
        dead = session.scalar(select(func.count()).select_from(DeadLetter)) or 0
        clocks = session.scalar(select(func.count()).select_from(SlaClock)) or 0
    report.lines.append(f"SLA clocks started: {clocks}; dead letters: {dead}")
    report.expect(dead == 0, "no write was refused")
    for line in report.lines:
        echo(f"  {line}")
    for failure in report.failures:
        echo(f"  NOT AS EXPECTED: {failure}")
    return 1 if report.failures else 0


def _idle(stack: DemoStack) -> None:
    stack.wait_until_idle(IDLE_TIMEOUT_S)


# -- HubSpot alone ------------------------------------------------------------------------------


def _hubspot_day(stack: DemoStack) -> Report:
    hs, team, report = stack.hubspot, stack.team, Report()
    contacts = []
    for first, last, company, country, title in PEOPLE:
        properties = {
            "email": f"{first.lower()}.{last.lower().replace(' ', '')}@example.com",
            "firstname": first, "lastname": last, "company": company, "country": country,
            "jobtitle": title, "hs_analytics_num_page_views": "5",
        }  # fmt: skip
        contacts.append(hs.ui_create("contacts", properties, user_id=MARKETER_USER_ID))
    _idle(stack)
    for contact_id in contacts:
        hs.ui_update("contacts", contact_id, {"lifecyclestage": "marketingqualifiedlead"},
                     user_id=MARKETER_USER_ID)  # fmt: skip
    _idle(stack)
    eva, jonas, tim, lisa = contacts
    leads = {c: hs.associations("contacts", c, "leads") for c in contacts}
    report.expect(all(len(leads[c]) == 1 for c in (eva, jonas, tim)), "three Leads records")
    report.expect(leads[lisa] == [], "no Leads record for the held-back MQL")
    if leads[eva]:  # Eva's rep reaches her; Jonas says "not now"
        hs.ui_update("leads", leads[eva][0], {"hs_pipeline_stage": "connected-stage-id"})
    if leads[jonas]:
        hs.ui_update("leads", leads[jonas][0], {
            "hs_pipeline_stage": "unqualified-stage-id",
            "hs_lead_disqualification_reason": "BAD_TIMING",
        })  # fmt: skip
    now = datetime.now(UTC)
    hs.system_update("contacts", eva, {
        "hs_analytics_source": "PAID_SEARCH",
        "hs_analytics_first_timestamp": _ms(now - timedelta(days=20)),
        "first_conversion_date": _ms(now - timedelta(days=10)),
    })  # fmt: skip
    _idle(stack)
    deal = hs.ui_create("deals", {"dealname": "Tulip Logistics", "dealstage": "qualifiedtobuy",
                                  "amount": "24000"})  # fmt: skip
    hs.ui_associate("deals", deal, "contacts", eva)
    _idle(stack)
    hs.ui_update("deals", deal, {"dealstage": "closedwon", "closedate": _ms(now)})
    _idle(stack)
    for contact_id in contacts:
        props = hs.get("contacts", contact_id)["properties"]
        lead = hs.get("leads", leads[contact_id][0])["properties"] if leads[contact_id] else {}
        held = props.get("baton_hold_reason")
        report.lines.append(
            f"{props['firstname']} {props['lastname']} ({props['country']}): "
            f"{props.get('lifecyclestage')}, owner {team.owner_name(props.get('hubspot_owner_id'))}"
            + (f", lead {lead.get('hs_pipeline_stage')}" if lead else "")
            + (f", held back: {held}" if held else "")
        )
    stages = {c: hs.get("contacts", c)["properties"].get("lifecyclestage") for c in contacts}
    owners = {c: hs.get("contacts", c)["properties"].get("hubspot_owner_id") for c in contacts}
    report.expect(stages[eva] == "customer", "Eva: Connected → SQL, then the won deal → customer")
    report.expect(stages[jonas] == stack.runtime.config.recycle.hubspot_stage, "Jonas recycled")
    report.expect(owners[jonas] in team.teams.get("dach", []), "Jonas routed to DACH")
    report.expect(owners[tim] in team.teams.get("benelux", []), "Tim routed to Benelux")
    summary = hs.get("deals", deal)["properties"].get("baton_credit_summary")
    report.lines.append(f"deal Tulip Logistics won: credit {summary or '(none)'}")
    report.expect(bool(summary), "the won deal carries its credit")
    return report


# -- Salesforce alone ---------------------------------------------------------------------------


def _salesforce_day(stack: DemoStack) -> Report:
    sf, team, report = stack.salesforce, stack.team, Report()
    leads = []
    for first, last, company, country, title in PEOPLE:
        email = f"{first.lower()}@{company.split()[0].lower()}.example"
        fields = {
            "FirstName": first, "LastName": last, "Company": company, "Country": country,
            "Title": title or None, "Email": email,
            "Status": "Open - Not Contacted", "OwnerId": team.queue_id,
        }  # fmt: skip
        leads.append(sf.ui_create("Lead", {k: v for k, v in fields.items() if v}))
    _idle(stack)
    eva, jonas, tim, lisa = leads
    owner_of = {lead: sf.get("Lead", lead)["OwnerId"] for lead in leads}
    rep = owner_of[eva]
    sf.ui_update("Lead", eva, {"Status": "Working - Contacted"}, user_id=rep)
    not_now = {"Status": "Closed - Not Converted", RECYCLE_REASON_FIELD: "bad_timing"}
    sf.ui_update("Lead", jonas, not_now, user_id=owner_of[jonas])
    campaign = sf.ui_create("Campaign", {"Name": "Logistics webinar", "Type": "Webinar"})
    sf.ui_create("CampaignMember", {"CampaignId": campaign, "LeadId": eva, "Status": "Responded"})
    _idle(stack)
    converted = sf.ui_convert_lead(eva, user_id=rep)
    _idle(stack)
    opportunity = str(converted["opportunity_id"])
    today = datetime.now(UTC).date().isoformat()
    won = {"StageName": "Closed Won", "Amount": 24000, "CloseDate": today}
    sf.ui_update("Opportunity", opportunity, won, user_id=rep)
    _idle(stack)
    for lead_id in leads:
        lead = sf.get("Lead", lead_id)
        report.lines.append(
            f"{lead['FirstName']} {lead['LastName']} ({lead['Country']}): {lead.get('Status')}, "
            f"{LIFECYCLE_FIELD} {lead.get(LIFECYCLE_FIELD)}, "
            f"owner {team.owner_name(lead['OwnerId'])}"
        )
    contact = sf.get("Contact", str(converted["contact_id"]))
    report.lines.append(f"Eva's Contact after the won deal: {contact.get(LIFECYCLE_FIELD)}")
    influence = [r for r in sf.all("CampaignInfluence") if r["OpportunityId"] == opportunity]
    report.lines.append(f"CampaignInfluence rows on the won opportunity: {len(influence)}")
    with stack.runtime.store.session() as session:
        credited = session.scalar(
            select(func.sum(CreditLedgerRow.amount_minor)).where(
                CreditLedgerRow.deal_id == opportunity, CreditLedgerRow.reversed_at.is_(None)
            )
        )
    report.expect(contact.get(LIFECYCLE_FIELD) == "customer", "Eva's Contact is a customer")
    report.expect(bool(influence) and credited is not None, "the won deal is credited")
    report.expect(owner_of[jonas] in team.teams.get("dach", []), "Jonas routed to DACH")
    report.expect(owner_of[tim] in team.teams.get("benelux", []), "Tim routed to Benelux")
    report.expect(owner_of[lisa] in team.teams.get("benelux", []), "Lisa routed to Benelux")
    history = sf.get("Lead", jonas).get("Baton_Recycle_History__c") or ""
    report.expect("Bad timing" in history, "Jonas recycled with his reason")
    back = sf.get("Lead", jonas).get(LIFECYCLE_FIELD) == stack.runtime.config.recycle.hubspot_stage
    report.expect(back, "Jonas's lifecycle back to marketing")
    return report


def _ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))

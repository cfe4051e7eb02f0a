"""The people of the demo week, acting in the CRMs' user interfaces (the sandboxes' ``ui_*``).

Marketing's side happens in HubSpot (forms, page views, a lead-scoring workflow, a marketer);
sales' side in Salesforce (reps working, recycling, converting and winning leads). The players
never touch Baton: they find the leads Baton created the way a rep would — in Salesforce — and
when Baton did not create one (a held-back MQL), the rep has nothing to work and the step is
reported as skipped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from baton.demo.org import SalesTeam
from baton.demo.scenario import Action, Kind, Person, WeekPlan
from sandbox.salesforce import SalesforceApiError

MQL = "marketingqualifiedlead"
WORKING = "Working - Contacted"
NOT_NOW = "Closed - Not Converted"
CONVERTED = "Closed - Converted"
WON = "Closed Won"
#: The id HubSpot reports for the lead-scoring workflow's writes.
SCORING_WORKFLOW_ID = "workflow:31415926"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one planned action: done, or skipped and why."""

    action: Action
    done: bool
    detail: str


@dataclass
class Players:
    """Plays a :class:`WeekPlan` against running sandboxes, remembering the ids they hand out."""

    plan: WeekPlan
    hubspot: Any
    salesforce: Any
    team: SalesTeam
    marketer_user_id: int
    hubspot_id_field: str
    #: the Lead picklist where a rep picks why it is "not now" (``recycle.reason_field``)
    reason_field: str
    contact_ids: dict[str, str] = field(default_factory=dict)
    opportunity_ids: dict[str, str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    #: filled with "hubspot:contact:<id>" → name as contacts arrive (the dashboard shows them)
    names: dict[str, str] = field(default_factory=dict)

    def play(self, action: Action) -> Outcome:
        """Carry out one action in the CRM where it happens."""
        person = self.plan.person(action.person)
        handler = {
            Kind.ARRIVE: self._arrive,
            Kind.VISIT: self._visit,
            Kind.MARK_MQL: self._mark_mql,
            Kind.WORK: self._work,
            Kind.RECYCLE: self._recycle,
            Kind.CONVERT: self._convert,
            Kind.WIN: self._win,
        }[action.kind]
        try:
            outcome = handler(action, person)
        except (ValueError, SalesforceApiError) as exc:  # the CRM refused what the person did
            outcome = Outcome(action, False, f"the CRM refused it: {exc}")
        self.outcomes.append(outcome)
        return outcome

    # -- marketing, in HubSpot ---------------------------------------------------------------

    def _arrive(self, action: Action, person: Person) -> Outcome:
        properties = {
            "email": person.email,
            "firstname": person.first_name,
            "lastname": person.last_name,
            "company": person.company,
            "jobtitle": person.job_title,
            "country": person.country,
            "hs_analytics_source": person.source,
            "hs_analytics_first_url": person.landing_page,
            "first_conversion_event_name": person.form,
            "recent_conversion_event_name": person.form,
            "recent_conversion_date": str(int(time.time() * 1000)),
            "num_conversion_events": "1",
            "hs_analytics_num_page_views": str(person.page_views),
        }
        created = self.hubspot.ui_create(
            "contacts",
            {name: value for name, value in properties.items() if value is not None},
            user_id=self.marketer_user_id,
        )
        self.contact_ids[person.key] = str(created)
        self.names[f"hubspot:contact:{created}"] = f"{person.first_name} {person.last_name}"
        return Outcome(action, True, f"contact {created} from form {person.form!r}")

    def _visit(self, action: Action, person: Person) -> Outcome:
        contact_id = self.contact_ids[person.key]
        self.hubspot.system_update(
            "contacts",
            contact_id,
            {"hs_analytics_num_page_views": str(action.page_views)},
            change_source="ANALYTICS",
        )
        return Outcome(action, True, f"{action.page_views} page views")

    def _mark_mql(self, action: Action, person: Person) -> Outcome:
        contact_id = self.contact_ids[person.key]
        if action.by == "marketer":
            self.hubspot.ui_update(
                "contacts", contact_id, {"lifecyclestage": MQL}, user_id=self.marketer_user_id
            )
        else:
            self.hubspot.system_update(
                "contacts",
                contact_id,
                {"lifecyclestage": MQL},
                change_source="AUTOMATION_PLATFORM",
                source_id=SCORING_WORKFLOW_ID,
            )
        return Outcome(action, True, f"marked MQL by the {action.by}")

    # -- sales, in Salesforce ----------------------------------------------------------------

    def _lead(self, person: Person) -> dict[str, Any] | None:
        """The rep's view: the open lead carrying this person's HubSpot id, if Baton made one."""
        contact_id = self.contact_ids.get(person.key)
        for lead in self.salesforce.all("Lead"):
            if lead.get(self.hubspot_id_field) == contact_id and not lead.get("IsConverted"):
                return lead
        return None

    def _no_lead(self, action: Action, person: Person) -> Outcome:
        name = f"{person.first_name} {person.last_name}"
        return Outcome(action, False, f"no open Salesforce lead for {name}: nothing to work")

    def _rep_for(self, lead: dict[str, Any], person: Person) -> str:
        """The lead's owner, or — for a queue-owned lead — the rep who picks it up."""
        owner = str(lead.get("OwnerId") or "")
        if owner in self.team.reps:
            return owner
        reps = sorted(self.team.reps)
        return reps[int(person.key.removeprefix("p")) % len(reps)]

    def _work(self, action: Action, person: Person) -> Outcome:
        lead = self._lead(person)
        if lead is None:
            return self._no_lead(action, person)
        rep = self._rep_for(lead, person)
        fields: dict[str, Any] = {"Status": WORKING}
        taken = rep != lead.get("OwnerId")
        if taken:
            fields["OwnerId"] = rep  # picked up from the queue
        self.salesforce.ui_update("Lead", lead["Id"], fields, user_id=rep)
        how = " (taken from the queue)" if taken else ""
        return Outcome(action, True, f"{self.team.owner_name(rep)} works lead {lead['Id']}{how}")

    def _recycle(self, action: Action, person: Person) -> Outcome:
        lead = self._lead(person)
        if lead is None:
            return self._no_lead(action, person)
        rep = self._rep_for(lead, person)
        fields: dict[str, Any] = {"Status": NOT_NOW, "Description": action.note}
        if action.reason:  # a rep in a hurry leaves the reason picklist empty
            fields[self.reason_field] = action.reason
        self.salesforce.ui_update("Lead", lead["Id"], fields, user_id=rep)
        why = action.reason or "no reason picked"
        return Outcome(action, True, f"{self.team.owner_name(rep)}: {action.note} ({why})")

    def _convert(self, action: Action, person: Person) -> Outcome:
        lead = self._lead(person)
        if lead is None:
            return self._no_lead(action, person)
        rep = self._rep_for(lead, person)
        result = self.salesforce.ui_convert_lead(
            lead["Id"], create_opportunity=True, user_id=rep, converted_status=CONVERTED
        )
        opportunity = result.get("opportunity_id")
        if opportunity:
            self.opportunity_ids[person.key] = str(opportunity)
            if action.amount:  # the expected amount: the open pipeline the scorecard shows
                fields = {"Amount": action.amount}
                self.salesforce.ui_update("Opportunity", str(opportunity), fields, user_id=rep)
        return Outcome(action, True, f"converted; opportunity {opportunity}")

    def _win(self, action: Action, person: Person) -> Outcome:
        opportunity = self.opportunity_ids.get(person.key)
        if opportunity is None:
            return Outcome(action, False, "no opportunity to win (the lead was never converted)")
        record = self.salesforce.get("Opportunity", opportunity) or {}
        rep = str(record.get("OwnerId") or sorted(self.team.reps)[0])
        fields = {"StageName": WON, "Amount": action.amount}
        self.salesforce.ui_update("Opportunity", opportunity, fields, user_id=rep)
        return Outcome(action, True, f"won EUR {action.amount:,}")

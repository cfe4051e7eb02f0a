"""The scorecard's totals equal what ``baton explain`` shows for the same people.

Real hand-offs, a hold-back and two "not now"s go through both sandboxes and the worker; then
the week's scorecard is built and every person is explained. The people the scorecard counts
(its drill-down) are exactly the people whose explained history shows that step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sync_world import MQL, RECYCLE_REASON_FIELD, SyncWorld

from connector.admin.explain import Explanation, explain
from connector.admin.lookup import RecordQuery
from connector.reports.scorecard import ScorecardFilters, build_scorecard, drill_down
from connector.reports.scorecard.weeks import week_of

NOT_NOW = "Closed - Not Converted"


@pytest.fixture
def recycling(world: SyncWorld) -> None:
    nurture = world.hs.add_list(f"Nurture {world.tag}", "MANUAL")
    queue = world.sf.add_queue(f"Marketing nurture {world.tag}")
    world.configure({"recycle.nurture_list_id": nurture, "recycle.marketing_queue_id": queue})


def _explained(world: SyncWorld, contact_id: str) -> Explanation:
    with world.runtime.store.session() as session:
        key = f"hubspot:contact:{contact_id}"
        (found,) = explain(session, RecordQuery(text=key, record_key=key))
        return found


def _steps(found: Explanation) -> dict[str, Any]:
    lines = [(e.kind, e.summary) for e in found.timeline]
    held = "MQL held back: "
    return {
        "handed": any(k == "write" and "create lead for HubSpot contact" in s for k, s in lines),
        "held": [s.removeprefix(held) for _, s in lines if s.startswith(held)],
        "recycled": [s for k, s in lines if k == "rule" and s.startswith("recycle: ")],
    }


def test_scorecard_totals_match_baton_explain(world: SyncWorld, recycling: None) -> None:
    handed = [world.hand_off(tag)[0] for tag in ("sc-one", "sc-two", "sc-three")]
    lead_of = {c: world.link_for(c).salesforce_lead_id for c in handed}  # type: ignore[union-attr]
    held = world.new_contact("sc-held", company="")
    world.settle()
    world.hs.ui_update("contacts", held, {"lifecyclestage": MQL}, user_id=7)
    world.settle()
    world.sf.ui_update(
        "Lead", lead_of[handed[0]], {"Status": NOT_NOW, RECYCLE_REASON_FIELD: "no_budget"}
    )
    world.sf.ui_update("Lead", lead_of[handed[1]], {"Status": NOT_NOW})
    world.settle()

    config = world.runtime.config
    week = week_of(datetime.now(UTC), config.sla.calendar.timezone, config.scorecard.week_starts)
    card = build_scorecard(world.runtime.store, config, week, ScorecardFilters())
    people = {c: _steps(_explained(world, c)) for c in [*handed, held]}

    explained_handed = {c for c, s in people.items() if s["handed"]}
    assert card.metric("mqls_delivered").value == len(explained_handed) == 3
    refs = drill_down(world.runtime.store, config, week, "mqls_delivered", ScorecardFilters())
    assert {r.record_id for r in refs} == {lead_of[c] for c in explained_handed}

    explained_held = {c for c, s in people.items() if s["held"] and not s["handed"]}
    assert card.metric("mqls_held_back").value == len(explained_held) == 1
    held_refs = drill_down(world.runtime.store, config, week, "held_back", ScorecardFilters())
    assert {r.record_id for r in held_refs} == explained_held
    (reason,) = people[held]["held"]
    assert card.table("held_back_by_reason").rows == ((reason, 1),)

    explained_recycled = {c for c, s in people.items() if s["recycled"]}
    episodes = sum(row[2] for row in card.table("recycled_by_reason").rows)
    assert episodes == len(explained_recycled) == 2
    assert card.metric("feedback_pct").value == 50  # one reason of two, as explain shows
    assert any("no_budget" in line or "No budget" in line for line in people[handed[0]]["recycled"])

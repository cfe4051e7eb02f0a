"""CRM failures through the real path: a 429 storm the writes ride out, a permanent refusal that
lands in ``dead_letters`` with the CRM's own words."""

from __future__ import annotations

import pytest
from sync_world import SQL, WORKING, SyncWorld, hubspot_writes

BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("storm", "retry_after_s"),
    [
        # no Retry-After (HubSpot's documented REST 429): the outbox comes back for each
        # (the dispatcher never sleeps in-call), the batch rescheduled as one
        (6, None),
        # Retry-After on every 429: honoured as the earliest retry time
        (3, 1.0),
    ],
    ids=["no-retry-after", "retry-after"],
)
def test_a_429_storm_is_ridden_out(
    world: SyncWorld, storm: int, retry_after_s: float | None
) -> None:
    pairs = [world.hand_off(f"storm{i}") for i in range(4)]
    world.hs.reset_request_log()
    world.hs.inject(429, count=storm, path_prefix=BATCH_UPDATE, retry_after_s=retry_after_s)
    for _, lead_id in pairs:
        world.sf.ui_update("Lead", lead_id, {"Status": WORKING})
    # six reschedules with full-jitter backoff (random times 2, 4 ... 64 s) take about 63 s on
    # average and at most 126 s: the timeout must outlast the worst case, not the mean
    world.settle(timeout=150)

    assert [world.contact(c)["lifecyclestage"] for c, _ in pairs] == [SQL] * 4
    assert world.dead_letters() == []
    updates = [r for r in hubspot_writes(world.hs) if r.path == BATCH_UPDATE]
    assert [r.status for r in updates] == [429] * storm + [200]
    assert updates[-1].n_inputs == 4  # the four changes still travel in one batch


def test_validation_rule_refusal_is_a_dead_letter_with_salesforce_message(
    world: SyncWorld,
) -> None:
    message = "A lead can only be worked once its title is known"
    contact_id, lead_id = world.hand_off("refused")
    refused_email = world.lead(lead_id)["Email"]
    world.sf.add_validation_rule(
        "Lead",
        lambda lead: (
            message
            if lead.get("Email") == refused_email
            and lead.get("Status") == WORKING
            and not lead.get("Title")
            else None
        ),
        fields=["Status"],
    )
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": SQL}, user_id=7)
    world.settle()

    assert world.dead_letters() == [("salesforce", "FIELD_CUSTOM_VALIDATION_EXCEPTION", message)]
    assert world.lead(lead_id)["Status"] != WORKING
    assert world.contact(contact_id)["lifecyclestage"] == SQL  # the person's change stands
    world.assert_quiet()

"""Who a ladder step reaches when the configured managers are not Salesforce users."""

from __future__ import annotations

from connector.config.models.escalation import EscalationConfig
from connector.config.salesforce_ids import to_18
from connector.jobs.sla.people import recipient_for

OWNER = to_18("0057Q000002RmA1")


def test_a_hubspot_owner_named_as_manager_is_reached_as_one_not_read_from_salesforce():
    escalation = EscalationConfig(managers={OWNER: "81234599"})
    found = recipient_for("manager", OWNER, {}, escalation)
    assert (found.role, found.user_id, found.note) == ("manager", "81234599", "")


def test_above_a_hubspot_owner_the_chain_goes_on_in_the_config():
    escalation = EscalationConfig(managers={OWNER: "81234599", "81234599": "81234600"})
    found = recipient_for("director", OWNER, {}, escalation)
    assert (found.role, found.user_id) == ("director", "81234600")
    alone = recipient_for("director", OWNER, {}, EscalationConfig(managers={OWNER: "81234599"}))
    assert alone.user_id is None and "no active director" in alone.note


def test_a_salesforce_manager_from_the_config_is_reached():
    boss = to_18("0057Q000002RmB3")
    found = recipient_for("manager", OWNER, {}, EscalationConfig(managers={OWNER: boss}))
    assert (found.role, found.user_id) == ("manager", boss)

"""`baton check-config` names the CRM mode and what it does and does not do."""

from __future__ import annotations

from connector.config import default_config, with_changes
from connector.config.check import summarize


def test_each_mode_says_what_it_does_and_what_not_yet() -> None:
    both = summarize(default_config())
    hubspot = summarize(
        with_changes(
            default_config(),
            {"salesforce.enabled": False, "hubspot.leads_object": {"enabled": True}},
        )
    )
    salesforce = summarize(with_changes(default_config(), {"hubspot.enabled": False}))
    assert any(line.startswith("mode: beside HubSpot and Salesforce") for line in both)
    assert "salesforce: disabled" in hubspot
    assert any("Salesforce is not contacted" in line for line in hubspot)
    assert any("creates a Leads record (pipeline lead-pipeline-id" in line for line in hubspot)
    assert any(line.strip().startswith("not yet:") for line in hubspot)
    assert "hubspot: disabled" in salesforce
    assert any("HubSpot is not contacted" in line for line in salesforce)
    assert any("crm_task" in line for line in salesforce)
    assert any("must meet the MQL definition, read from Lead fields" in line for line in salesforce)
    assert any("goes back to its previous owner" in line for line in hubspot)
    assert not any("re-activation" in line for line in hubspot if "not yet" in line)
    assert any("HubSpot Leads mirror: off" in line for line in both)
    mirrored = summarize(
        with_changes(default_config(), {"hubspot.leads_object": {"mirror_salesforce_lead": True}})
    )
    assert any("follows the Salesforce Lead's Status" in line for line in mirrored)

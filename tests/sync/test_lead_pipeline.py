"""Lead stages resolved against the portal's lead pipelines (GET /crm/v3/pipelines/leads)."""

from __future__ import annotations

from typing import Any

import pytest

from connector.config import default_config, with_changes
from connector.jobs.lifecycle import lead_pipeline
from connector.jobs.lifecycle.lead_pipeline import UnknownLeadStage

DEFAULT = {
    "id": "lead-pipeline-id",
    "label": "Lead pipeline",
    "stages": [
        {"id": "new-stage-id", "label": "New"},
        {"id": "attempting-stage-id", "label": "Attempting"},
        {"id": "connected-stage-id", "label": "Connected"},
        {"id": "qualified-stage-id", "label": "Qualified"},
        {"id": "unqualified-stage-id", "label": "Disqualified"},
    ],
}
PARTNERS = {
    "id": "1234567",
    "label": "Partner leads",
    "stages": [
        {"id": "1234568", "label": "Nieuw"},
        {"id": "1234569", "label": "Gesproken"},
        {"id": "1234570", "label": "Gekwalificeerd"},
        {"id": "1234571", "label": "Afgewezen"},
    ],
}


def _config(**changes: Any):
    return with_changes(
        default_config(),
        {"salesforce.enabled": False, "routing.teams": {"inbound": {"hubspot_owners": ["1"]}}}
        | changes,
    )


def test_ids_stay_and_labels_become_ids() -> None:
    config = _config(
        **{
            "hubspot.leads_object": {"enabled": True, "stage": "New"},
            "lifecycle.within_hubspot": {
                "lead_stages": {
                    "connected": "salesqualifiedlead",
                    "qualified-stage-id": "opportunity",
                }
            },
        }
    )
    resolved = lead_pipeline.resolve(config, [DEFAULT, PARTNERS])
    settings = resolved.hubspot.leads_object
    assert (settings.pipeline, settings.stage) == ("lead-pipeline-id", "new-stage-id")
    assert settings.closed_stages == ("qualified-stage-id", "unqualified-stage-id")
    assert resolved.lifecycle.within_hubspot.lead_stages == {
        "connected-stage-id": "salesqualifiedlead",
        "qualified-stage-id": "opportunity",
    }
    assert config.hubspot.leads_object.stage == "New"  # the loaded config is not changed


def test_a_pipeline_the_admin_added_is_named_by_label_with_its_own_stage_ids() -> None:
    config = _config(
        **{
            "hubspot.leads_object": {
                "enabled": True,
                "pipeline": "Partner leads",
                "stage": "Nieuw",
                "qualified_stage": "Gekwalificeerd",
                "disqualified_stage": "1234571",
            },
            "lifecycle.within_hubspot": {"lead_stages": {"Gesproken": "salesqualifiedlead"}},
        }
    )
    settings = lead_pipeline.resolve(config, [DEFAULT, PARTNERS]).hubspot.leads_object
    assert (settings.pipeline, settings.stage) == ("1234567", "1234568")
    assert settings.closed_stages == ("1234570", "1234571")


def test_every_unknown_stage_is_named_with_what_the_portal_has() -> None:
    config = _config(
        **{
            "hubspot.leads_object": {
                "enabled": True,
                "stage": "new-stage",
                "qualified_stage": "Won",
            },
            "lifecycle.within_hubspot": {
                "lead_stages": {"conected-stage-id": "salesqualifiedlead"}
            },
        }
    )
    with pytest.raises(UnknownLeadStage) as caught:
        lead_pipeline.resolve(config, [DEFAULT])
    first, second, third = caught.value.problems
    assert first.startswith("hubspot.leads_object.stage: the portal has no lead stage 'new-stage'")
    assert "did you mean 'new-stage-id'?" in first and "connected-stage-id (Connected)" in first
    assert (
        second.startswith("hubspot.leads_object.qualified_stage") and "did you mean" not in second
    )
    assert third.startswith("lifecycle.within_hubspot.lead_stages.conected-stage-id")
    assert "did you mean 'connected-stage-id'?" in third


def test_an_unknown_pipeline_is_refused_first() -> None:
    config = _config(**{"hubspot.leads_object": {"enabled": True, "pipeline": "Sales"}})
    with pytest.raises(UnknownLeadStage, match="no lead pipeline 'Sales'"):
        lead_pipeline.resolve(config, [DEFAULT])


class _Reader:
    def __init__(self, answer: Any) -> None:
        self.answer, self.calls = answer, 0

    def pipelines(self, object_type: str) -> Any:
        self.calls += 1
        assert object_type == "leads"
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_start_up_reads_only_when_leads_are_used_and_survives_an_unreachable_portal() -> None:
    plain = _config()
    reader = _Reader([DEFAULT])
    assert lead_pipeline.from_portal(plain, reader) is plain and reader.calls == 0
    used = _config(**{"hubspot.leads_object": {"enabled": True, "stage": "Attempting"}})
    resolved = lead_pipeline.from_portal(used, reader)
    assert resolved.hubspot.leads_object.stage == "attempting-stage-id" and reader.calls == 1
    down = _Reader(ConnectionError("refused"))
    assert lead_pipeline.from_portal(used, down) is used  # as written, with a warning
    with pytest.raises(UnknownLeadStage):
        lead_pipeline.from_portal(used, _Reader([PARTNERS]))

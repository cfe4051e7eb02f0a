"""Which lifecycle stage an opportunity implies (pure)."""

from __future__ import annotations

import pytest

from connector.config.models.lifecycle import OpportunityStageMapping
from connector.jobs.lifecycle.opportunities import stage_for_opportunity

MAPPINGS = (
    OpportunityStageMapping(is_won=True, hubspot="customer"),
    OpportunityStageMapping(stage_name="Prospecting", hubspot="opportunity"),
    OpportunityStageMapping(stage_name="Gewonnen", hubspot="evangelist"),
)


@pytest.mark.parametrize(
    ("snapshot", "expected"),
    [
        ({"StageName": "Closed Won", "IsWon": "true"}, "customer"),
        ({"StageName": "Gewonnen", "IsWon": "true"}, "customer"),  # is_won listed first wins
        ({"StageName": "Prospecting", "IsWon": "false"}, "opportunity"),
        ({"StageName": "Closed Lost", "IsWon": "false"}, None),
        ({"StageName": "Prospecting"}, "opportunity"),
    ],
)
def test_first_matching_mapping_wins_and_won_is_read_from_is_won(snapshot, expected):
    assert stage_for_opportunity(MAPPINGS, snapshot) == expected

"""No ping-pong: once synced, Baton's own writes coming back never cause another write.

These sandboxes duplicate and reorder their deliveries (HubSpot webhooks and Salesforce outbound
messages alike), and the integration user's writes fire outbound messages, so every write Baton
makes comes back to it, sometimes twice and out of order.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_world import (
    MQL,
    OPEN,
    SQL,
    WORKING,
    BatonServer,
    SyncWorld,
    base_config,
    hubspot_sandbox,
    hubspot_writes,
    salesforce_sandbox,
    salesforce_writes,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def noisy_world(migrated_template: Path, tmp_path: Path) -> Iterator[SyncWorld]:
    server = BatonServer()
    noisy_hs = {"webhook_duplicate_rate": 0.5, "webhook_reorder": True, "seed": 11}
    noisy_sf = {"outbound_duplicate_rate": 0.5, "outbound_reorder": True, "seed": 11}
    with (
        hubspot_sandbox(server.base_url, **noisy_hs) as hs,
        salesforce_sandbox(server.base_url, **noisy_sf) as sf,
    ):
        path = tmp_path / "baton.db"
        shutil.copyfile(migrated_template, path)
        config = base_config(hs, sf, server.base_url, f"sqlite:///{path}")
        world = SyncWorld.open(hs, sf, server, config)
        yield world
        world.close()
    server.stop()


def test_duplicated_and_reordered_deliveries_cause_no_further_writes(
    noisy_world: SyncWorld,
) -> None:
    world = noisy_world
    pairs = [world.hand_off(f"noisy{i}") for i in range(4)]
    (_, l0), (c1, _), (_, l2), _untouched = pairs
    world.hs.reset_request_log()
    world.sf.reset_request_log()

    world.sf.ui_update("Lead", l0, {"Status": WORKING})  # rep works a lead
    world.hs.ui_update("contacts", c1, {"lifecyclestage": SQL}, user_id=7)  # marketing moves one
    world.sf.ui_update("Lead", l2, {"Status": WORKING})
    world.settle()
    world.sf.ui_update("Lead", l2, {"Status": OPEN})  # ... and back again (clear-then-set)
    world.settle()

    contacts = [world.contact(c)["lifecyclestage"] for c, _ in pairs]
    statuses = [world.lead(lead)["Status"] for _, lead in pairs]
    assert contacts == [SQL, SQL, MQL, MQL]
    assert statuses == [WORKING, WORKING, OPEN, OPEN]
    acked = Counter(e for d in world.hs.webhook_deliveries if d.status == 200 for e in d.event_ids)
    assert max(acked.values()) > 1, "the HubSpot sandbox sent no duplicate"
    assert any(a.duplicate for a in world.sf.outbound_deliveries)
    # each change was carried across once: one Salesforce update, and for HubSpot the two
    # forward moves in their batches plus clear and set of the backwards one
    assert len(salesforce_writes(world.sf)) == 1
    assert sum(r.n_inputs for r in hubspot_writes(world.hs)) == 4
    assert world.dead_letters() == []

    world.assert_quiet(rounds=5)

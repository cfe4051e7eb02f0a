"""A hand-off with ``salesforce.lead_external_id_field``: the Lead is an upsert on the HubSpot
id, through the whole sync (webhook → worker → simple-salesforce), and a create whose answer
was lost makes one Lead."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_world import BatonServer, SyncWorld, base_config, hubspot_sandbox, salesforce_sandbox

from connector.config import with_changes
from sandbox.chaos import ApiChaos

UPSERT_KEY = "HubSpot_Upsert_Key__c"


class LoseFirstUpsertAnswer(ApiChaos):
    """The first upsert is carried out and its answer lost (a 504, as after a read timeout)."""

    def __init__(self, sf: Any) -> None:
        super().__init__()
        self.path = threading.local()
        dispatch = sf.app.dispatch

        def noting(request: Any) -> Any:  # the stand-in asks lose_answer() right after
            self.path.value = request.path
            return dispatch(request)

        sf.app.dispatch = noting

    def lose_answer(self) -> bool:
        if self.lost or f"Lead/{UPSERT_KEY}/" not in getattr(self.path, "value", ""):
            return False
        self.lost += 1
        return True


@pytest.fixture(scope="module")
def upsert_sandboxes(baton_server: BatonServer) -> Iterator[tuple[Any, Any]]:
    with (
        hubspot_sandbox(baton_server.base_url) as hs,
        salesforce_sandbox(baton_server.base_url) as sf,
    ):
        sf.add_custom_field("Lead", UPSERT_KEY, external_id=True)
        yield hs, sf


@pytest.fixture
def uworld(
    baton_server: BatonServer,
    upsert_sandboxes: tuple[Any, Any],
    migrated_template: Path,
    tmp_path: Path,
) -> Iterator[SyncWorld]:
    hs, sf = upsert_sandboxes
    dispatch = sf.app.dispatch
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    config = base_config(hs, sf, baton_server.base_url, f"sqlite:///{path}")
    config = with_changes(config, {"salesforce.lead_external_id_field": UPSERT_KEY})
    world = SyncWorld.open(hs, sf, baton_server, config)
    yield world
    world.close()
    sf.chaos = ApiChaos()
    sf.app.dispatch = dispatch


def _upserts(sf: Any, contact: str) -> list[int]:
    path = f"/sobjects/Lead/{UPSERT_KEY}/{contact}"
    return [r.status for r in sf.requests if r.method == "PATCH" and r.path.endswith(path)]


def test_the_hand_off_creates_the_lead_by_upsert(uworld: SyncWorld) -> None:
    uworld.sf.reset_request_log()
    contact, lead = uworld.hand_off("upsert")
    assert _upserts(uworld.sf, contact) == [201]
    record = uworld.lead(lead)
    assert record[UPSERT_KEY] == contact
    assert len(uworld.leads_for(contact)) == 1


def test_a_lost_answer_to_the_upsert_still_makes_one_lead(uworld: SyncWorld) -> None:
    contact = uworld.new_contact("upsert-lost")
    uworld.settle()
    uworld.sf.reset_request_log()
    chaos = LoseFirstUpsertAnswer(uworld.sf)
    uworld.sf.chaos = chaos
    uworld.hs.ui_update(
        "contacts", contact, {"lifecyclestage": "marketingqualifiedlead"}, user_id=7
    )
    uworld.settle()
    assert chaos.lost == 1
    # the unanswered upsert went in doubt; its read-back found the Lead the first one made, so
    # nothing was sent again (an upsert sent again would only have found that Lead too)
    assert _upserts(uworld.sf, contact) == [504]
    (lead,) = [r for r in uworld.sf.all("Lead") if r.get(UPSERT_KEY) == contact]
    assert uworld.dead_letters() == []
    link = uworld.link_for(contact)
    assert link is not None and link.salesforce_lead_id == lead["Id"]

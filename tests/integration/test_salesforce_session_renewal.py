"""Salesforce sessions that end mid-run, through the whole sync: Baton logs in again through
its connected app (client-credentials) and every write lands once.

The stand-in ends every session at once (``expire_all``, as the org's timeout would) between
a hand-off and the next change; the worker's next Salesforce call is refused with 401
``INVALID_SESSION_ID``, Baton logs in and sends it again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_world import (
    MQL,
    SQL,
    WORKING,
    BatonServer,
    SyncWorld,
    base_config,
    hubspot_sandbox,
    salesforce_sandbox,
)

from connector.config import with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_LOGIN


@pytest.fixture(scope="module")
def expiring(baton_server: BatonServer) -> Iterator[tuple[Any, Any]]:
    with (
        hubspot_sandbox(baton_server.base_url) as hs,
        salesforce_sandbox(baton_server.base_url) as sf,
    ):
        yield hs, sf


@pytest.fixture
def eworld(
    baton_server: BatonServer, expiring: tuple[Any, Any], migrated_template: Path, tmp_path: Path
) -> Iterator[SyncWorld]:
    hs, sf = expiring
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    config = base_config(hs, sf, baton_server.base_url, f"sqlite:///{path}")
    config = with_changes(config, {"salesforce.auth": SANDBOX_SALESFORCE_LOGIN})
    world = SyncWorld.open(hs, sf, baton_server, config)
    yield world
    world.close()


def test_a_session_that_ends_mid_run_is_renewed_and_nothing_is_lost(eworld: SyncWorld) -> None:
    sf = eworld.sf
    contact, lead = eworld.hand_off("renewal")
    logins = sf.sessions.logins
    assert logins >= 1  # Baton logged in through the connected app
    refused = sf.sessions.expired_refusals

    sf.sessions.expire_all()  # the org's session timeout passes
    eworld.hs.ui_update("contacts", contact, {"lifecyclestage": SQL}, user_id=7)
    eworld.settle()

    assert eworld.lead(lead)["Status"] == WORKING
    assert sf.sessions.expired_refusals > refused, "the expired session was used: nothing tested"
    assert sf.sessions.logins == logins + 1  # one new login, shared by every call after it
    assert len(eworld.leads_for(contact)) == 1
    assert eworld.dead_letters() == []
    eworld.assert_quiet()


def test_a_hand_off_whose_create_meets_an_ended_session_makes_one_lead(eworld: SyncWorld) -> None:
    sf = eworld.sf
    contact = eworld.new_contact("renewal-create")
    eworld.settle()
    sf.sessions.expire_all()
    sf.reset_request_log()
    eworld.hs.ui_update("contacts", contact, {"lifecyclestage": MQL}, user_id=7)
    eworld.settle()

    assert [r.status for r in sf.requests][:1] == [401]  # the first call met the ended session
    (lead,) = eworld.leads_for(contact)
    assert lead["Status"] == "Open - Not Contacted"
    assert eworld.dead_letters() == []

"""Sessions that end mid-run: Baton logs in again (client-credentials) and the write lands once.

The Salesforce stand-in issues tokens at ``/services/oauth2/token`` and refuses an expired one
with 401 ``INVALID_SESSION_ID``, as Salesforce does after the org's session timeout; the
adapter goes through simple-salesforce over real TLS.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from adapters.errors import CrmCallError
from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import Outcome, System, UpdateFields
from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

LIFETIME_S = 0.4
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(SalesforceSandboxConfig(session_lifetime_s=LIFETIME_S)) as sandbox:
        yield sandbox


def _client(sf: SalesforceSandbox, **auth: Any) -> SalesforceClient:
    assert sf.instance_url is not None
    if not auth:
        auth = {
            "client_credentials": {
                "consumer_key": sf.config.oauth_client_id,
                "consumer_secret": sf.config.oauth_client_secret,
            }
        }
    return SalesforceClient(sf.instance_url, verify=sf.ca_bundle_path, **auth)


def _update(lead: str, **fields: Any) -> UpdateFields:
    return UpdateFields(
        System.SALESFORCE, f"salesforce:Lead:{lead}", f"u-{lead}-{next(_serial)}",
        object_type="Lead", object_id=lead, fields=fields,
    )  # fmt: skip


def _lead(sf: SalesforceSandbox) -> str:
    return sf.ui_create("Lead", {"LastName": f"Expiry {next(_serial)}", "Company": "Acme"})


def _patches(sf: SalesforceSandbox) -> list[int]:
    return [r.status for r in sf.requests if r.method == "PATCH"]


def test_an_expired_session_is_renewed_and_the_write_sent_once(org: SalesforceSandbox) -> None:
    lead = _lead(org)
    client = _client(org)
    writer = SalesforceWriter(client, policy=RetryPolicy(sleep=lambda _s: None))
    logins, refused = org.sessions.logins, org.sessions.expired_refusals
    (first,) = writer.execute([_update(lead, Rating="Warm")])
    assert first.outcome is Outcome.DONE
    time.sleep(LIFETIME_S + 0.1)  # the session ends while Baton runs
    org.reset_request_log()
    (second,) = writer.execute([_update(lead, Rating="Hot")])
    assert second.outcome is Outcome.DONE
    assert org.get("Lead", lead)["Rating"] == "Hot"
    # refused once (401, nothing written), logged in again, sent again: one write landed
    assert _patches(org) == [401, 200]
    assert org.sessions.logins - logins == 2  # the first login and the one after expiry
    assert org.sessions.expired_refusals - refused == 1


def test_threads_that_see_the_same_expiry_log_in_once() -> None:
    with SalesforceSandbox(SalesforceSandboxConfig()) as sf:  # sessions end only when told
        client = _client(sf)
        client.query_all("SELECT Id FROM Lead LIMIT 1")
        sf.sessions.expire_all()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: client.query_all("SELECT Id FROM Lead LIMIT 1"), range(4)))
        assert sf.sessions.logins == 2
        assert sf.sessions.expired_refusals >= 1


def test_a_session_refused_again_after_the_new_login_is_an_error(org: SalesforceSandbox) -> None:
    client = _client(org)
    client.query_all("SELECT Id FROM Lead LIMIT 1")
    logins = org.sessions.logins
    org.inject(401, "INVALID_SESSION_ID", count=2)
    with pytest.raises(CrmCallError) as caught:
        client.query_all("SELECT Id FROM Lead LIMIT 1")
    assert (caught.value.status, caught.value.error_code) == (401, "INVALID_SESSION_ID")
    assert org.sessions.logins - logins == 1  # one new login, one retry: no loop


def test_wrong_consumer_secret_names_salesforce_s_error(org: SalesforceSandbox) -> None:
    client = _client(
        org, client_credentials={"consumer_key": org.config.oauth_client_id, "consumer_secret": "x"}
    )
    with pytest.raises(CrmCallError) as caught:
        client.query_all("SELECT Id FROM Lead LIMIT 1")
    assert (caught.value.status, caught.value.error_code) == (400, "invalid_client")
    assert "invalid client credentials" in str(caught.value)
    assert org.config.oauth_client_secret != "x"


def test_a_fixed_session_id_that_expires_is_refused_without_a_retry() -> None:
    config = SalesforceSandboxConfig(session_lifetime_s=0.2)
    with SalesforceSandbox(config) as sf:
        client = _client(sf, session_id=config.session_id)
        client.query_all("SELECT Id FROM Lead LIMIT 1")
        time.sleep(0.3)
        with pytest.raises(CrmCallError) as caught:
            client.query_all("SELECT Id FROM Lead LIMIT 1")
        assert caught.value.error_code == "INVALID_SESSION_ID"
        assert sf.sessions.logins == 0

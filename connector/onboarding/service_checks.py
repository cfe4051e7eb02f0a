"""Doctor check of Baton's own public URL: reachable, and its signature check working."""

from __future__ import annotations

from connector.onboarding.checks import Check, fail, ok
from connector.onboarding.facts import SelfTest

URL_FIX = (
    "service.public_base_url must be the HTTPS URL HubSpot calls (it is signed into every "
    "webhook); check DNS, TLS, the proxy and that `baton serve` runs behind it"
)


def self_test_check(test: SelfTest) -> Check:
    """Signed test webhook accepted (2xx) and the wrongly signed one refused (401)."""
    name = "service.public_url"
    if test.error or test.signed_status is None:
        return fail(name, f"{test.url} is not reachable: {test.error or 'no answer'}", URL_FIX)
    if test.signed_status == 401:
        return fail(
            name,
            f"{test.url} refused a webhook signed with hubspot.client_secret",
            "set hubspot.client_secret to the app's client secret (Auth tab), and "
            "service.public_base_url to exactly the URL HubSpot calls (scheme, host, "
            "no extra path)",
        )
    if not 200 <= test.signed_status < 300:
        return fail(name, f"{test.url} answered {test.signed_status} to a signed webhook", URL_FIX)
    if test.unsigned_status != 401:
        return fail(
            name,
            f"{test.url} accepted a wrongly signed webhook ({test.unsigned_status})",
            "the URL does not reach Baton's receiver: check the proxy's routing",
        )
    return ok(name, f"{test.url} accepts a signed test webhook and refuses a forged one")

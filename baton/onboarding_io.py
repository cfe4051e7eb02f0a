"""The CRM side of `baton doctor` and `baton setup`: read the facts, post the self-test, create.

Each read is caught on its own, so one refused call (a missing scope, an unknown list) shows as
that check's failure while every other check still runs. Reads and writes go through
``adapters/*/admin.py``; what to read and create comes from ``connector/onboarding``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from adapters.errors import CrmCallError
from adapters.hubspot.admin import HubSpotAdmin
from adapters.hubspot.app_webhooks import HubSpotAppWebhooks
from adapters.salesforce.admin import SalesforceAdmin
from connector.config import BatonConfig
from connector.jobs.lifecycle.lead_pipeline import uses_lead_stages
from connector.onboarding.facts import HubSpotFacts, SalesforceFacts, SelfTest
from connector.onboarding.needs import Needs
from connector.onboarding.plan import AppWebhooks
from connector.onboarding.plan_step import Step
from connector.onboarding.salesforce_plan import PERMISSION_SET, SalesforceSchema
from webhooks.secrets import secret_values
from webhooks.signatures import decode_hubspot_uri, sign_hubspot_v3

if TYPE_CHECKING:
    from baton.onboarding_run import Admins

#: how far up the ManagerId chain the doctor reads (owner → manager → director, and one spare
#: level for an inactive manager passed over)
MANAGER_LEVELS = 3
SELF_TEST_TIMEOUT_S = 10.0


def _attempt(errors: dict[str, str], key: str, read: Callable[[], Any]) -> Any:
    """Run one read; on failure note a short reason under ``key`` and return None."""
    try:
        return read()
    except (CrmCallError, ValueError) as exc:
        code = getattr(exc, "error_code", None)
        errors[key] = f"{code}: {exc}"[:300] if code else str(exc)[:300]
        return None


def read_app_webhooks(app: HubSpotAppWebhooks) -> AppWebhooks:
    """The app's target URL and its subscriptions, as the plan and the checks take them."""
    subscriptions = app.subscriptions()
    return AppWebhooks(
        app.target_url(),
        tuple((s["eventType"], s["propertyName"], s["active"]) for s in subscriptions),
    )


def read_hubspot(
    admin: HubSpotAdmin,
    config: BatonConfig,
    needs: Needs,
    app_webhooks: HubSpotAppWebhooks | None = None,
) -> HubSpotFacts:
    """The token, properties, owners, nurture list, app webhooks and budget of the portal."""
    facts = HubSpotFacts()
    facts.token = _attempt(facts.errors, "token", admin.token_info)
    facts.budget = dict(admin.budget)
    if facts.token is None:
        return facts
    for object_type in dict.fromkeys(n.object_type for n in needs.properties):
        found = _attempt(
            facts.errors, f"properties.{object_type}", lambda t=object_type: admin.properties(t)
        )
        if found is not None:
            facts.properties[object_type] = found
    if needs.hubspot_owners:
        facts.owners = _attempt(facts.errors, "owners", admin.owners)
    if app_webhooks is not None:
        facts.app_webhooks = _attempt(
            facts.errors, "app_webhooks", lambda: read_app_webhooks(app_webhooks)
        )
    if uses_lead_stages(config):
        facts.lead_pipelines = _attempt(facts.errors, "lead_pipelines", admin.lead_pipelines)
    if config.recycle.nurture_list_id:
        list_id = config.recycle.nurture_list_id
        facts.list_type = _attempt(
            facts.errors, "list", lambda: admin.client.list_processing_type(list_id)
        )
    return facts


def read_salesforce(
    admin: SalesforceAdmin, needs: Needs, config: BatonConfig | None = None
) -> SalesforceFacts:
    """Limits (the login check), org id, describes, statuses, users with managers, queues."""
    facts = SalesforceFacts()
    facts.limits = _attempt(facts.errors, "limits", admin.limits)
    if facts.limits is None:
        return facts
    facts.organization_id = _attempt(facts.errors, "org", admin.organization_id)
    for sobject in dict.fromkeys(
        [n.sobject for n in needs.fields]
        + [v.object_type for v in needs.values if v.system == "salesforce"]
    ):
        described = _attempt(
            facts.errors, f"describe.{sobject}", lambda s=sobject: admin.describe(s)
        )
        if described is not None:
            facts.describes[sobject] = described
    facts.lead_statuses = _attempt(facts.errors, "lead_statuses", admin.lead_statuses)
    facts.custom_fields = _attempt(facts.errors, "custom_fields", admin.custom_fields)
    wanted = [user for user, _ in needs.users]
    for _ in range(MANAGER_LEVELS + 1):
        unread = [u for u in dict.fromkeys(wanted) if u[:15] not in facts.users]
        if not unread:
            break
        found = _attempt(facts.errors, "users", lambda ids=unread: admin.users(ids)) or {}
        facts.users.update(found)
        # a user not found is remembered as absent, so it is not asked again
        facts.users.update({u[:15]: {"missing": True} for u in unread if u[:15] not in found})
        wanted = [str(row["ManagerId"]) for row in found.values() if row.get("ManagerId")]
    facts.users = {key: row for key, row in facts.users.items() if not row.get("missing")}
    if config is not None and config.credit.writeback.salesforce:
        model = config.credit.writeback.salesforce_influence_model
        facts.influence_model = _attempt(
            facts.errors, "influence_model", lambda: admin.influence_model(model)
        )
    if needs.queues:
        facts.queues = (
            _attempt(facts.errors, "queues", lambda: admin.queues([q for q, _ in needs.queues]))
            or {}
        )
    return facts


def read_salesforce_schema(
    admin: SalesforceAdmin, config: BatonConfig, needs: Needs
) -> SalesforceSchema:
    """What setup plans from: fields that exist, fields the integration user sees, its grants."""
    visible: set[str] = set()
    for sobject in dict.fromkeys(n.sobject for n in needs.fields):
        visible |= {f"{sobject}.{name}" for name in admin.describe(sobject)}
    permission_set = admin.permission_set_id(PERMISSION_SET[0])
    user = config.salesforce.integration_user_id
    assigned = bool(permission_set and user and admin.is_assigned(permission_set, user))
    return SalesforceSchema(
        frozenset(admin.custom_fields()), frozenset(visible), permission_set, assigned, user
    )


def self_test(config: BatonConfig, *, post: Callable[..., Any] = requests.post) -> SelfTest:
    """Post an empty, signed app-webhook batch to Baton's own receiver at the public URL, and
    the same batch wrongly signed: the first must be accepted, the second refused (401)."""
    url = str(config.service.public_base_url).rstrip("/") + "/webhooks/hubspot"
    secrets = secret_values(config.hubspot.client_secret)
    if not secrets:
        return SelfTest(url, None, None, "hubspot.client_secret is not set")
    body = b"[]"
    timestamp = str(int(time.time() * 1000))

    def send(secret: str) -> int:
        signature = sign_hubspot_v3(secret, "POST", decode_hubspot_uri(url), body, timestamp)
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": timestamp,
        }
        return int(post(url, data=body, headers=headers, timeout=SELF_TEST_TIMEOUT_S).status_code)

    try:
        return SelfTest(url, send(secrets[0]), send(secrets[0] + "-not-the-secret"))
    except requests.RequestException as exc:
        return SelfTest(url, None, None, f"{type(exc).__name__}: {str(exc)[:200]}")


def apply_step(step: Step, admins: Admins) -> str:
    """Make one planned creation; "created" or "exists" (a 409/duplicate: made meanwhile).

    Only steps of a CRM whose admin client exists are ever planned.
    """
    object_type = step.target.split(".", 1)[0]
    actions: dict[str, Callable[[], Any]] = {
        "property group": lambda: admins.hubspot.create_group(
            object_type, step.body["name"], step.body["label"]
        ),
        "property": lambda: admins.hubspot.create_property(object_type, step.body),
        "custom field": lambda: admins.salesforce.create_custom_field(step.target, step.body),
        "permission set": lambda: admins.salesforce.create_permission_set(
            step.body["Name"], step.body["Label"]
        ),
        "permission set assignment": lambda: admins.salesforce.assign_permission_set(
            step.body["PermissionSet"], step.body["AssigneeId"]
        ),
        "field access": lambda: admins.salesforce.grant_field(
            step.body["PermissionSet"], step.body["SobjectType"], step.body["Field"]
        ),
        "webhook target URL": lambda: admins.app_webhooks.set_target_url(step.body["targetUrl"]),
        "webhook subscription": lambda: admins.app_webhooks.subscribe(
            step.body["eventType"], step.body["propertyName"]
        ),
    }
    try:
        actions[step.kind]()
    except CrmCallError as exc:
        if exc.status == 409 or exc.error_code == "DUPLICATE_VALUE":
            return "exists"
        raise
    return "created"

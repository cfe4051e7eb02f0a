"""What `baton setup` would create, and what it cannot (pure: needs + what exists in, plan out).

Only what Baton writes is created: its HubSpot property group and properties, and its
Salesforce custom fields. What the APIs do not allow (webhook subscriptions of a private app,
outbound messages, field-level security) or what only the admin can decide (a property an MQL
criterion reads) is a checklist line. Planned from what exists, so a second run is empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connector.config import BatonConfig
from connector.onboarding.needs import HUBSPOT_GROUP, LEAD_STATUS, LIFECYCLE, Needs
from connector.onboarding.plan_step import Step
from connector.onboarding.salesforce_plan import PERMISSION_SET, SalesforceSchema, salesforce_steps

#: the outbound-message fields the jobs read, per object (docs/webhooks.md)
OUTBOUND_FIELDS = {
    "Lead": (
        "Status",
        "OwnerId",
        "Email",
        "IsConverted",
        "ConvertedContactId",
        "LastModifiedById",
        "SystemModstamp",
    ),
    "Contact": ("Email", "OwnerId", "LastModifiedById", "SystemModstamp"),
    "Opportunity": (
        "StageName",
        "IsWon",
        "IsClosed",
        "Amount",
        "LastModifiedById",
        "SystemModstamp",
    ),
    "Task": (
        "WhoId",
        "OwnerId",
        "Status",
        "TaskSubtype",
        "CreatedDate",
        "LastModifiedById",
        "SystemModstamp",
    ),
}


@dataclass(frozen=True, slots=True)
class AppWebhooks:
    """What a public/legacy app's Webhooks API says now (None in setup: a private app)."""

    target_url: str | None
    subscriptions: tuple[tuple[str, str | None, bool], ...]  # (eventType, propertyName, active)


def setup_steps(
    needs: Needs,
    hubspot_properties: Mapping[str, set[str]],
    hubspot_groups: Mapping[str, set[str]],
    salesforce: SalesforceSchema | None,
    *,
    app_webhooks: AppWebhooks | None = None,
    config: BatonConfig | None = None,
) -> list[Step]:
    """The creations still needed, group before its properties; empty when all exist."""
    steps: list[Step] = []
    if app_webhooks is not None and config is not None:
        steps += _webhook_steps(config, app_webhooks)
    group, label = HUBSPOT_GROUP
    for object_type in dict.fromkeys(n.object_type for n in needs.properties if n.spec):
        missing = [
            n
            for n in needs.properties
            if n.object_type == object_type
            and n.spec
            and n.name not in hubspot_properties.get(object_type, set())
        ]
        if missing and group not in hubspot_groups.get(object_type, set()):
            steps.append(
                Step(
                    "hubspot",
                    "property group",
                    f"{object_type}.{group}",
                    {"name": group, "label": label},
                )
            )
        for need in missing:
            assert need.spec is not None
            steps.append(
                Step("hubspot", "property", f"{object_type}.{need.name}", need.spec.body(need.name))
            )
    if salesforce is not None:
        steps += salesforce_steps(needs, salesforce)
    return steps


def checklist(
    config: BatonConfig,
    needs: Needs,
    hubspot_properties: Mapping[str, set[str]],
    salesforce: SalesforceSchema | None,
    created: list[Step],
    app_webhooks: AppWebhooks | None = None,
) -> list[str]:
    """What the admin does by hand (the APIs do not allow it, or only the admin can decide)."""
    items: list[str] = []
    if config.hubspot.enabled and app_webhooks is None:
        items.append(
            "HubSpot webhooks (a private app's subscriptions cannot be set through the API): "
            f"Development → Legacy apps → your app → Webhooks, target URL {webhook_url(config)}"
            ", subscribe to "
            + ", ".join(subscription_name(e, p) for e, p in hubspot_subscriptions(config))
        )
    elif app_webhooks is not None:
        wanted = set(hubspot_subscriptions(config))
        paused = [
            subscription_name(e, p)
            for e, p, active in app_webhooks.subscriptions
            if not active and (e, p) in wanted
        ]
        if paused:
            items.append(
                f"HubSpot: activate the paused subscriptions {', '.join(paused)} "
                "(the app's Webhooks settings)"
            )
        for need in needs.properties:
            if need.spec is None and need.name not in hubspot_properties.get(
                need.object_type, set()
            ):
                items.append(
                    f"HubSpot: create {need.object_type} property {need.name} "
                    f"(named in {need.where}) or change that key"
                )
    if config.salesforce.enabled:
        token_path = "/webhooks/salesforce/outbound/<salesforce.outbound_path_token>"
        for sobject, fields in OUTBOUND_FIELDS.items():
            extra = [
                n.name for n in needs.fields if n.sobject == sobject and n.name.endswith("__c")
            ]
            items.append(
                f"Salesforce: a record-triggered Flow on {sobject} with an outbound-message action "
                f"to {str(config.service.public_base_url).rstrip('/')}{token_path}, fields "
                + ", ".join(dict.fromkeys([*fields, *extra]))
                + ' (integration user without "Send Outbound Messages", so its own writes '
                "do not come back)"
            )
        if salesforce is not None and not salesforce.integration_user_id:
            items.append(
                f"Salesforce: assign the permission set {PERMISSION_SET[0]} to the integration "
                "user (set salesforce.integration_user_id and `baton setup` does it)"
            )
        known = (
            {n.lower() for n in (salesforce.custom_fields | salesforce.visible)}
            if (salesforce is not None)
            else set()
        )
        for need in needs.fields:
            if (
                need.metadata is None
                and need.full_name.lower() not in known
                and need.name.endswith("__c")
            ):
                items.append(f"Salesforce: create {need.full_name} (named in {need.where})")
        if config.credit.writeback.salesforce:
            items.append(
                "Salesforce: Customizable Campaign Influence on, with a custom locked model "
                f"whose API name is {config.credit.writeback.salesforce_influence_model}"
            )
    items.append("then run `baton doctor` to check the rest (values, users, managers, URL)")
    return items


def hubspot_subscriptions(config: BatonConfig) -> list[tuple[str, str | None]]:
    """The app webhook subscriptions Baton's jobs listen to: (eventType, propertyName)."""
    watched = [LIFECYCLE, LEAD_STATUS, *config.recycle.reactivate_on_properties]
    return [
        ("contact.creation", None),
        *(("contact.propertyChange", name) for name in dict.fromkeys(watched)),
        ("contact.merge", None),
        ("contact.deletion", None),
        ("contact.privacyDeletion", None),
    ]


def subscription_name(event_type: str, property_name: str | None) -> str:
    """``contact.propertyChange (lifecyclestage)``."""
    return f"{event_type} ({property_name})" if property_name else event_type


def webhook_url(config: BatonConfig) -> str:
    """Where HubSpot app webhooks must go."""
    return str(config.service.public_base_url).rstrip("/") + "/webhooks/hubspot"


def _webhook_steps(config: BatonConfig, current: AppWebhooks) -> list[Step]:
    steps = []
    if current.target_url != webhook_url(config):
        steps.append(
            Step(
                "hubspot",
                "webhook target URL",
                webhook_url(config),
                {"targetUrl": webhook_url(config)},
            )
        )
    have = {(event, prop) for event, prop, _ in current.subscriptions}
    for event, prop in hubspot_subscriptions(config):
        if (event, prop) not in have:
            steps.append(
                Step(
                    "hubspot",
                    "webhook subscription",
                    subscription_name(event, prop),
                    {"eventType": event, "propertyName": prop},
                )
            )
    return steps

"""Doctor checks of the HubSpot portal (pure: config + facts in, checks out)."""

from __future__ import annotations

from collections.abc import Iterable

from connector.config import BatonConfig
from connector.jobs.lifecycle import lead_pipeline
from connector.onboarding.checks import Check, did_you_mean, fail, ok, unreadable, warn
from connector.onboarding.facts import HubSpotFacts
from connector.onboarding.needs import LIFECYCLE, Needs, ValueNeed
from connector.onboarding.plan import hubspot_subscriptions, subscription_name, webhook_url
from connector.onboarding.values import SETUP_SCOPES

SCOPES_FIX = "HubSpot → Development → Legacy apps → your app → Auth → Scopes: add"


def hubspot_checks(config: BatonConfig, needs: Needs, facts: HubSpotFacts) -> list[Check]:
    """Every HubSpot check, in the order an admin fixes them."""
    checks = _token(config, needs, facts)
    checks += _properties(needs, facts)
    checks += _values(needs, facts)
    checks += _stage_order(config, facts)
    checks += _nurture_list(config, facts)
    checks += _lead_stages(config, facts)
    checks += _owners(needs, facts)
    checks += _app_webhooks(config, facts)
    checks.append(_budget(facts))
    return checks


def _token(config: BatonConfig, needs: Needs, facts: HubSpotFacts) -> list[Check]:
    if facts.token is None:
        error = facts.errors.get("token", "no answer")
        fix = "check HUBSPOT_ACCESS_TOKEN (the app's Auth tab shows the token) and hubspot.base_url"
        return [fail("hubspot.token", f"the access token was refused: {error}", fix)]
    hub, app = facts.token.get("hubId"), facts.token.get("appId")
    checks = []
    if str(hub) != str(config.hubspot.portal_id):
        checks.append(
            fail(
                "hubspot.token",
                f"the token belongs to portal {hub}, the config says {config.hubspot.portal_id}",
                f"set hubspot.portal_id: {hub} (or use that portal's token)",
            )
        )
    elif str(app) != str(config.hubspot.app_id):
        checks.append(
            fail(
                "hubspot.token",
                f"the token's app is {app}, the config says "
                f"{config.hubspot.app_id} (Baton would not recognise its own writes)",
                f"set hubspot.app_id: {app}",
            )
        )
    else:
        checks.append(ok("hubspot.token", f"private-app token of portal {hub}, app {app}"))
    granted = set(facts.token.get("scopes") or [])
    missing = [s for s in needs.scopes if s not in granted]
    if missing:
        checks.append(
            fail(
                "hubspot.scopes",
                f"missing {', '.join(missing)}",
                f"{SCOPES_FIX} {', '.join(missing)}",
            )
        )
    else:
        checks.append(ok("hubspot.scopes", f"all {len(needs.scopes)} scopes Baton needs"))
    setup_missing = [
        s
        for s in SETUP_SCOPES
        if s not in granted and ("deals" not in s or config.credit.writeback.hubspot)
    ]
    if setup_missing:
        checks.append(
            warn(
                "hubspot.scopes",
                f"`baton setup` cannot create properties without {', '.join(setup_missing)}",
                f"{SCOPES_FIX} {', '.join(setup_missing)} (or create the properties by hand)",
            )
        )
    return checks


def _properties(needs: Needs, facts: HubSpotFacts) -> list[Check]:
    checks: list[Check] = []
    for need in needs.properties:
        defined = facts.properties.get(need.object_type)
        if defined is None:
            error = facts.errors.get(f"properties.{need.object_type}", "no answer")
            checks.append(unreadable("hubspot.properties", f"{need.object_type} properties", error))
            continue
        if need.name in defined:
            continue
        fix = (
            "run `baton setup`"
            if need.spec is not None
            else f"create {need.object_type} property {need.name} in HubSpot (Settings → "
            f"Properties), or change {need.where}"
        )
        checks.append(
            fail(
                "hubspot.properties",
                f"{need.object_type} property {need.name} ({need.where}) does not exist",
                fix,
            )
        )
    if not checks:
        checks.append(ok("hubspot.properties", f"all {len(needs.properties)} properties exist"))
    return checks


def _values(needs: Needs, facts: HubSpotFacts) -> list[Check]:
    checks: list[Check] = []
    counted = 0
    for need in _unique_values(n for n in needs.values if n.system == "hubspot"):
        prop = facts.properties.get(need.object_type, {}).get(need.field)
        if prop is None:
            continue  # reported by the property check
        counted += 1
        options = [(o["value"], o.get("label") or o["value"]) for o in prop.get("options", [])]
        if need.value in {value for value, _ in options}:
            continue
        hint = did_you_mean(need.value, options)
        checks.append(
            fail(
                "hubspot.values",
                f"{need.field} has no value '{need.value}' ({need.where})"
                + (f"; {hint}" if hint else ""),
                f"write the API value in {need.where} (HubSpot → Settings → Properties → "
                f"{need.field} shows each label's internal value)",
            )
        )
    if not checks:
        checks.append(ok("hubspot.values", f"all {counted} lifecycle and lead-status values exist"))
    return checks


def _stage_order(config: BatonConfig, facts: HubSpotFacts) -> list[Check]:
    prop = facts.properties.get("contacts", {}).get(LIFECYCLE)
    if prop is None:
        return []
    ordered = sorted(
        enumerate(prop.get("options", [])),
        key=lambda item: (
            item[1].get("displayOrder", -1) < 0,
            item[1].get("displayOrder", 0),
            item[0],
        ),
    )
    portal = [option["value"] for _, option in ordered]
    labels = {option["value"]: option.get("label") or option["value"] for _, option in ordered}
    configured = list(config.lifecycle.stage_order or ())
    if not configured:
        return [ok("hubspot.stages", f"read from the portal at start: {', '.join(portal)}")]
    unlisted = [v for v in portal if v not in configured]
    if unlisted:
        named = ", ".join(f"{v} ({labels[v]})" for v in unlisted)
        return [
            fail(
                "hubspot.stages",
                f"the portal has stages lifecycle.stage_order leaves out: {named}",
                "add them to lifecycle.stage_order where they stand in "
                "HubSpot, or remove stage_order to read the order from the portal",
            )
        ]
    known = [v for v in configured if v in portal]
    if known != [v for v in portal if v in known]:
        return [
            fail(
                "hubspot.stages",
                f"lifecycle.stage_order is {', '.join(configured)}; the "
                f"portal orders them {', '.join(v for v in portal if v in known)}",
                "write lifecycle.stage_order in the portal's order (or remove it)",
            )
        ]
    return [ok("hubspot.stages", f"{len(configured)} stages, in the portal's order")]


def _lead_stages(config: BatonConfig, facts: HubSpotFacts) -> list[Check]:
    """The lead pipeline and stages the config names exist in the portal (the worker resolves
    them at start the same way and refuses to start otherwise)."""
    if not lead_pipeline.uses_lead_stages(config):
        return []
    if facts.lead_pipelines is None:
        error = facts.errors.get("lead_pipelines", "no answer")
        return [unreadable("hubspot.lead_stages", "the lead pipelines", error)]
    try:
        lead_pipeline.resolve(config, facts.lead_pipelines)
    except lead_pipeline.UnknownLeadStage as unknown:
        fix = "write the stage id or label HubSpot shows (Settings → Objects → Leads → Pipelines)"
        return [fail("hubspot.lead_stages", problem, fix) for problem in unknown.problems]
    return [ok("hubspot.lead_stages", "every lead stage the config names is in the portal")]


def _nurture_list(config: BatonConfig, facts: HubSpotFacts) -> list[Check]:
    list_id = config.recycle.nurture_list_id
    if not list_id:
        return []
    if facts.list_type is None:
        error = facts.errors.get("list", "no answer")
        return [
            fail(
                "hubspot.nurture_list",
                f"list {list_id} could not be read: {error}",
                "set recycle.nurture_list_id to an existing list's ILS id (the number in "
                "the list's URL)",
            )
        ]
    if facts.list_type not in ("MANUAL", "SNAPSHOT"):
        return [
            fail(
                "hubspot.nurture_list",
                f"list {list_id} is {facts.list_type}: HubSpot "
                "refuses members added through the API",
                "use a static list (HubSpot → "
                "Lists → Create list → Static) and set recycle.nurture_list_id to its id",
            )
        ]
    return [ok("hubspot.nurture_list", f"list {list_id} is {facts.list_type}")]


def _owners(needs: Needs, facts: HubSpotFacts) -> list[Check]:
    if not needs.hubspot_owners:
        return []
    if facts.owners is None:
        return [unreadable("hubspot.owners", "owners", facts.errors.get("owners", "no answer"))]
    checks = []
    for owner, where in needs.hubspot_owners:
        if owner not in facts.owners:
            checks.append(
                fail(
                    "hubspot.owners",
                    f"owner {owner} ({where}) does not exist",
                    f"use an owner id from HubSpot → Settings → Users, in {where}",
                )
            )
        elif not facts.owners[owner]:
            checks.append(
                fail(
                    "hubspot.owners",
                    f"owner {owner} ({where}) is deactivated",
                    f"name an active owner in {where}",
                )
            )
    return checks or [ok("hubspot.owners", f"{len(needs.hubspot_owners)} owners, all active")]


def _app_webhooks(config: BatonConfig, facts: HubSpotFacts) -> list[Check]:
    current = facts.app_webhooks
    if config.hubspot.developer_api_key is None:
        return []
    if current is None:
        return [
            unreadable(
                "hubspot.webhooks",
                "the app's webhook settings",
                facts.errors.get("app_webhooks", "no answer"),
            )
        ]
    url = webhook_url(config)
    if current.target_url != url:
        return [
            fail(
                "hubspot.webhooks",
                f"the app sends webhooks to {current.target_url}, not {url}",
                "run `baton setup`",
            )
        ]
    active = {(event, prop) for event, prop, on in current.subscriptions if on}
    missing = [
        subscription_name(e, p) for e, p in hubspot_subscriptions(config) if (e, p) not in active
    ]
    if missing:
        return [
            fail(
                "hubspot.webhooks",
                f"no active subscription for {', '.join(missing)}",
                "run `baton setup` (it creates missing ones; activate paused ones in the "
                "app's Webhooks settings)",
            )
        ]
    return [ok("hubspot.webhooks", f"{len(active)} active subscriptions to {url}")]


def _budget(facts: HubSpotFacts) -> Check:
    budget = facts.budget
    if "daily_remaining" not in budget or "daily_max" not in budget:
        return warn("hubspot.budget", "HubSpot sent no daily limit headers (OAuth apps get none)")
    left, total = budget["daily_remaining"], budget["daily_max"]
    detail = f"{left:,} of {total:,} daily calls left; burst {budget.get('burst_remaining', '?')}"
    detail += f"/{budget.get('burst_max', '?')} per 10 s"
    if left <= 0:
        return fail(
            "hubspot.budget",
            detail,
            "wait for the daily reset (midnight in the "
            "portal's time zone) or find the integration using the budget",
        )
    if left < total // 10:
        return warn("hubspot.budget", detail, "less than 10% left today")
    return ok("hubspot.budget", detail)


def _unique_values(needs: Iterable[ValueNeed]) -> list[ValueNeed]:
    seen: dict[tuple[str, str, str], ValueNeed] = {}
    for need in needs:
        seen.setdefault((need.object_type, need.field, need.value), need)
    return list(seen.values())

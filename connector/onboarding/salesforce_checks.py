"""Doctor checks of the Salesforce org (pure: config + facts in, checks out)."""

from __future__ import annotations

from connector.config import BatonConfig
from connector.config.models.escalation import ROLES
from connector.jobs.sla.rules import Person, manager_chain
from connector.onboarding.checks import Check, did_you_mean, fail, ok, unreadable, warn
from connector.onboarding.facts import SalesforceFacts
from connector.onboarding.needs import UPSERT_KEY_WHERE, Needs
from connector.onboarding.salesforce_plan import PERMISSION_SET

LOGIN_FIX = (
    "check salesforce.instance_url and the integration user's login (session id or JWT: "
    "connected app, certificate, pre-authorized profile)"
)


def salesforce_checks(config: BatonConfig, needs: Needs, facts: SalesforceFacts) -> list[Check]:
    """Every Salesforce check; only the login check when Baton cannot log in."""
    if facts.limits is None:
        error = facts.errors.get("limits", "no answer")
        return [fail("salesforce.login", f"Salesforce refused the login: {error}", LOGIN_FIX)]
    checks = [ok("salesforce.login", f"logged in to {config.salesforce.instance_url}")]
    checks += _organization(config, facts)
    checks += _fields(needs, facts)
    checks += _values(needs, facts)
    checks += _people(needs, facts)
    checks += _managers(config, facts)
    checks += _influence_model(config, facts)
    checks.append(_budget(facts))
    return checks


def _organization(config: BatonConfig, facts: SalesforceFacts) -> list[Check]:
    org = facts.organization_id
    if org is None:
        return [unreadable("salesforce.org", "the org id", facts.errors.get("org", "no answer"))]
    allowed = {o[:15] for o in config.salesforce.organization_ids}
    if org[:15] not in allowed:
        return [
            fail(
                "salesforce.org",
                f"this org is {org}; outbound messages from it would be refused",
                f"add {org} to salesforce.organization_ids",
            )
        ]
    return [ok("salesforce.org", f"org {org} is in salesforce.organization_ids")]


def _fields(needs: Needs, facts: SalesforceFacts) -> list[Check]:
    checks: list[Check] = []
    for need in needs.fields:
        described = facts.describes.get(need.sobject)
        if described is None:
            error = facts.errors.get(f"describe.{need.sobject}", "no answer")
            checks.append(unreadable("salesforce.fields", f"{need.sobject} fields", error))
            continue
        if need.name in described:
            if need.where == UPSERT_KEY_WHERE and described[need.name].get("externalId") is False:
                checks.append(
                    fail(
                        "salesforce.fields",
                        f"{need.full_name} ({need.where}) is not an External ID field, so "
                        "Salesforce refuses upserts on it",
                        f"tick External ID on {need.full_name} in Setup, or unset {need.where}",
                    )
                )
            continue
        exists = need.full_name in (facts.custom_fields or set())
        if exists:
            detail = (
                f"{need.full_name} ({need.where}) exists but the integration user cannot see it"
            )
            fix = (
                "run `baton setup` (it grants read and edit through the permission set "
                f"{PERMISSION_SET[0]})"
                if need.metadata is not None
                else f"grant field-level security on {need.full_name} to the integration user"
            )
        else:
            detail = f"{need.full_name} ({need.where}) does not exist"
            fix = (
                "run `baton setup`"
                if need.metadata is not None
                else f"create {need.full_name} in Salesforce, or change {need.where}"
            )
        checks.append(fail("salesforce.fields", detail, fix))
    if not checks:
        checks.append(ok("salesforce.fields", f"all {len(needs.fields)} fields exist"))
    return checks


def _values(needs: Needs, facts: SalesforceFacts) -> list[Check]:
    checks: list[Check] = []
    counted = 0
    seen: set[tuple[str, str, str]] = set()
    for need in needs.values:
        key = (need.object_type, need.field, need.value)
        if need.system != "salesforce" or key in seen:
            continue
        seen.add(key)
        if (need.object_type, need.field) == ("Lead", "Status") and facts.lead_statuses is not None:
            options = list(facts.lead_statuses)
        else:
            field = facts.describes.get(need.object_type, {}).get(need.field)
            if field is None or not field.get("picklist"):
                continue  # a missing field is reported above; a text field takes any value
            options = [(value, label) for value, label, active in field["picklist"] if active]
        counted += 1
        if need.value in {value for value, _ in options}:
            continue
        hint = did_you_mean(need.value, options)
        checks.append(
            fail(
                "salesforce.values",
                f"{need.object_type}.{need.field} has no API value "
                f"'{need.value}' ({need.where})" + (f"; {hint}" if hint else ""),
                f"write the API value in {need.where} (Setup → Object Manager → "
                f"{need.object_type} → Fields → {need.field} → Values shows it)",
            )
        )
    if not checks:
        checks.append(ok("salesforce.values", f"all {counted} picklist values exist"))
    return checks


def _people(needs: Needs, facts: SalesforceFacts) -> list[Check]:
    checks: list[Check] = []
    for user, where in needs.users:
        row = facts.users.get(user[:15])
        if row is None:
            checks.append(
                fail(
                    "salesforce.users",
                    f"user {user} ({where}) does not exist",
                    f"use a User id (005…) from Setup → Users, in {where}",
                )
            )
        elif not row.get("IsActive"):
            checks.append(
                fail(
                    "salesforce.users",
                    f"user {user} ({where}) is inactive",
                    f"reactivate the user or remove it from {where}",
                )
            )
    for queue, where in needs.queues:
        if queue[:15] not in facts.queues:
            checks.append(
                fail(
                    "salesforce.queues",
                    f"queue {queue} ({where}) does not exist",
                    f"use a lead queue id (00G…) from Setup → Queues, in {where}",
                )
            )
    if not checks:
        checks.append(
            ok(
                "salesforce.users",
                f"{len(needs.users)} users active, {len(needs.queues)} queues exist",
            )
        )
    return checks


def _managers(config: BatonConfig, facts: SalesforceFacts) -> list[Check]:
    steps = [(i, s.notify) for i, s in enumerate(config.escalation.ladder) if s.notify in ROLES[1:]]
    if not steps:
        return []
    people = {
        key: Person(key, bool(row.get("IsActive")), _id(row.get("ManagerId")))
        for key, row in facts.users.items()
    }
    levels = max(ROLES.index(notify) for _, notify in steps)
    checks: list[Check] = []
    for team, spec in config.routing.teams.items():
        for member in spec.members:
            chain = manager_chain(member, people, config.escalation.managers, levels)
            for index, notify in steps:
                if chain[ROLES.index(notify) - 1] is None:
                    checks.append(
                        fail(
                            "salesforce.managers",
                            f"no active {notify} for {member} "
                            f"(routing.teams.{team}) at escalation.ladder[{index}]",
                            f"set the Manager field of {member} in Salesforce (Setup → Users), "
                            f"or add escalation.managers: {{{member}: <User id>}}",
                        )
                    )
                    break
    members = sum(len(t.members) for t in config.routing.teams.values())
    if not members:
        return [
            warn(
                "salesforce.managers",
                "no routing members: the ladder's manager steps have nobody to walk up from",
            )
        ]
    return checks or [
        ok(
            "salesforce.managers",
            f"every one of {members} reps has a {' and '.join(sorted({n for _, n in steps}))}",
        )
    ]


def _influence_model(config: BatonConfig, facts: SalesforceFacts) -> list[Check]:
    writeback = config.credit.writeback
    if not writeback.salesforce:
        return []
    model = writeback.salesforce_influence_model
    if facts.influence_model is None:
        why = facts.errors.get("influence_model", "")
        return [
            warn(
                "salesforce.influence",
                f"no CampaignInfluenceModel {model}"
                + (f" ({why})" if why else "")
                + ": credit is kept in Baton's ledger only",
                "Setup → Campaign Influence: turn on Customizable Campaign Influence, add "
                f"a custom locked model with API name {model}, or set "
                "credit.writeback.salesforce: false",
            )
        ]
    return [ok("salesforce.influence", f"CampaignInfluenceModel {model} exists")]


def _budget(facts: SalesforceFacts) -> Check:
    daily = (facts.limits or {}).get("DailyApiRequests") or {}
    total, left = daily.get("Max"), daily.get("Remaining")
    if not isinstance(total, int) or not isinstance(left, int):
        return warn("salesforce.budget", "/limits gave no DailyApiRequests")
    detail = f"{left:,} of {total:,} API calls left in the rolling 24 h"
    if left <= 0:
        return fail(
            "salesforce.budget", detail, "wait for usage to roll off, or raise the org's allocation"
        )
    if left < total // 10:
        return warn("salesforce.budget", detail, "less than 10% left")
    return ok("salesforce.budget", detail)


def _id(value: object) -> str | None:
    return str(value) if value else None

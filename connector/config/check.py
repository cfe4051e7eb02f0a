"""`baton check-config FILE`: validate the admin's file; say what it will do, or what is wrong."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from connector.config.issues import ConfigError, ConfigIssue
from connector.config.labels import nonstandard_lead_statuses
from connector.config.loader import load_config
from connector.config.mode_summary import mode_lines
from connector.config.models import BatonConfig
from connector.config.yaml_source import is_unset_variable, unset_names

if TYPE_CHECKING:
    from connector.jobs.credit.journeys import Counted as JourneyCount


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


#: check-config reads only the file: what the CRMs hold is `baton doctor`'s job
CRM_SIDE_HINT = (
    "this checked the file only; `baton doctor --config FILE` checks the CRMs (properties, "
    "fields, API values, users, managers, scopes, the public URL); `baton setup` creates "
    "what Baton writes"
)

#: said of config sections that are validated but that no job acts on yet (never shown as live)
NOT_YET = "validated; not acted on yet"


def _calendar_text(config: BatonConfig) -> str:
    """The calendar and where else its hours and days off come from (Salesforce only when on)."""
    sla, calendar = config.sla, config.sla.calendar
    parts = [f"calendar {calendar.timezone}"]
    crm = []
    if calendar.salesforce_business_hours:
        crm.append(f"hours from Salesforce BusinessHours {calendar.salesforce_business_hours!r}")
    if calendar.salesforce_holidays:
        crm.append("Salesforce Holidays")
    if sla.owner_timezones_from_salesforce:
        crm.append("owners' time zones from Salesforce")
    if sla.owner_calendars:
        parts.append(_count(len(sla.owner_calendars), "owner calendar"))
    if crm and not config.salesforce.enabled:
        parts.append(f"{', '.join(crm)} need Salesforce (disabled): not read")
    else:
        parts += crm
    if sla.owner_calendars_from_hubspot:
        hubspot = "HubSpot owners' working hours and time zones from their HubSpot users"
        parts.append(
            hubspot if config.hubspot.enabled else f"{hubspot} need HubSpot (disabled): not read"
        )
    return ", ".join(parts)


def _per_rep_text(config: BatonConfig, senders: dict[str, bool]) -> str:
    ladder = config.escalation.per_rep
    if ladder is None:
        return ""
    sending = [c for c in ladder.channels if senders[c]]
    if not sending:
        return "; per-rep ladder: nothing can send"
    return (
        f"; per-rep ladder (live): per {ladder.period}, {' → '.join(ladder.steps)}"
        f"{' (then the last again)' if len(ladder.steps) > 1 else ''}, by {' and '.join(sending)}"
    )


def _sla_line(config: BatonConfig) -> str:
    """SLA clocks, the lead ladder and the per-rep ladder, as configured."""
    sla, ladder = config.sla, config.escalation.ladder
    senders = {
        "email": config.notifiers.email is not None,
        "slack": config.notifiers.slack is not None,
        # a Salesforce Task for a Salesforce user, a HubSpot task for a HubSpot owner
        "crm_task": config.salesforce.enabled or config.hubspot.enabled,
    }
    used = sorted({c for step in ladder for c in step.channels})
    sending = [c for c in used if senders[c]]
    unset = [c for c in used if not senders[c]]
    if sending:
        escalation = f"escalation (live): {_count(len(ladder), 'step')}, {' and '.join(sending)} "
        escalation += f"messages in {config.escalation.language}"
    else:  # a ladder that can send nothing is not live, whatever its steps say
        escalation = f"escalation: {_count(len(ladder), 'step')} — nothing can send"
    for channel in unset:
        needs = "no CRM is connected" if channel == "crm_task" else f"notifiers.{channel} not set"
        escalation += f"; {channel} used but {needs}: dead-lettered"
    return (
        f"sla (live): {_count(len(sla.policies), 'policy').replace('policys', 'policies')}, "
        f"{_calendar_text(config)}, first touch = a Task, Event, HubSpot call, e-mail, "
        f"meeting, completed HubSpot task or status "
        f"{', '.join(sla.working_statuses) or '(none)'}; {escalation}"
        f"{_per_rep_text(config, senders)}"
    )


def _recycle_line(config: BatonConfig) -> str:
    recycle = config.recycle
    triggers = [*recycle.trigger_statuses.salesforce, *recycle.trigger_statuses.hubspot]
    nurture = f"nurture list {recycle.nurture_list_id}" if recycle.nurture_list_id else "no list"
    return (
        f"recycle (live): on {', '.join(triggers)} back to {recycle.hubspot_stage}, {nurture}, "
        f"re-activation after {recycle.reactivation_after_days} days; "
        f"reasons: {', '.join(recycle.reasons)}; disqualify: "
        f"{', '.join(recycle.disqualify_reasons) or 'none'}"
    )


def _markov_live(minimum: int, journeys: JourneyCount | None) -> bool:
    return journeys is not None and journeys.total >= minimum and journeys.won > 0


def _markov_part(config: BatonConfig, journeys: JourneyCount | None) -> list[str]:
    """Per Markov model: live only when the store holds enough journeys now (never assumed)."""
    credit = config.credit
    window = f"in the {credit.lookback_days}-day window"
    parts = []
    for model in (m for m in credit.models if m.model == "markov"):
        minimum = model.min_journeys or 1
        if journeys is None:
            now = "not counted: the store cannot be read from here; `baton credit journeys` counts"
        elif _markov_live(minimum, journeys):
            parts.append(
                f"{model.name} (live): {journeys.total} won or lost journeys in the store {window} "
                f"({journeys.won} won, {journeys.lost} lost; needs {minimum})"
            )
            continue
        else:
            now = f"now {journeys.total} in the store: {journeys.won} won, {journeys.lost} lost"
        parts.append(
            f"{model.name}: not live — live once {minimum} won or lost journeys are recorded "
            f"{window} ({now})"
        )
    return parts


def _credit_line(config: BatonConfig, journeys: JourneyCount | None = None) -> str:
    credit = config.credit
    writeback = credit.writeback
    markov = {m.name: m for m in credit.models if m.model == "markov"}
    targets = [
        name
        for name, on in (
            ("HubSpot deal properties", writeback.hubspot),
            (f"Salesforce CampaignInfluence ({writeback.salesforce_influence_model})",
             writeback.salesforce),
        )
        if on
    ]  # fmt: skip
    primary = markov.get(credit.primary_model)
    if primary is not None and not _markov_live(primary.min_journeys or 1, journeys):
        targets = []  # a Markov primary that cannot run yet writes nothing back
    line = (
        f"credit (live): won opportunities — {', '.join(m.name for m in credit.models)} "
        f"(primary {credit.primary_model}, {credit.currency}, {credit.lookback_days}-day "
        f"lookback); written to {' and '.join(targets) or 'the ledger only'}"
    )
    if markov:
        line += "; journeys of won and lost deals recorded; " + "; ".join(
            _markov_part(config, journeys)
        )
    return line


#: how check-config names the digest's language (dashboard.language)
_LANGUAGE = {"en": "English", "nl": "Dutch"}


def _scorecard_line(config: BatonConfig) -> str:
    """The API is live with a token, the digest with someone to tell, the pages with a user."""
    card, notifiers = config.scorecard, config.notifiers
    tokens = len(card.api_tokens)
    api = f"API (live): {_count(tokens, 'token')}" if tokens else "API: closed (no api_tokens)"
    mail = bool(card.recipients or card.management) and notifiers.email is not None
    slack = card.slack and notifiers.slack is not None
    ways = [w for w, on in (("e-mail", mail), ("Slack", slack)) if on]
    when = f"{card.send_on} {card.send_at:%H:%M} {config.sla.calendar.timezone}"
    digest = (
        f"digest (live): {when} by {' and '.join(ways)} in {_LANGUAGE[config.dashboard.language]}"
        if ways
        else "digest: off (no recipients with notifiers.email, nor slack with notifiers.slack)"
    )
    users = len(config.dashboard.users)
    pages = (
        f"dashboard pages (live): at / for {_count(users, 'user')}"
        if users
        else "dashboard pages: closed (no dashboard.users)"
    )
    return f"scorecard: {api}; {digest}; {pages}"


def lead_statuses(config: BatonConfig) -> list[str]:
    """Every Lead.Status value the config names (mappings, recycle triggers, SLA touches)."""
    lifecycle = config.lifecycle
    mapped = [*lifecycle.stages, *lifecycle.lead_status]
    values = [
        m.salesforce.value
        for m in mapped
        if m.salesforce.object == "Lead" and m.salesforce.field == "Status"
    ]
    return [*values, *config.recycle.trigger_statuses.salesforce, *config.sla.working_statuses]


def _lead_status_line(config: BatonConfig) -> str:
    """Say which Lead.Status values only the org can confirm (a label passes the file check)."""
    line = "salesforce Lead.Status values are API values, checked against the org by `baton doctor`"
    unusual = nonstandard_lead_statuses(lead_statuses(config))
    if unusual:
        quoted = ", ".join(repr(value) for value in unusual)
        line += (
            f"; not Salesforce's standard values: {quoted} — each must be your org's API value "
            "(Setup → Object Manager → Lead → Fields & Relationships → Lead Status), not a "
            "translated label"
        )
    return line


def summarize(config: BatonConfig, journeys: JourneyCount | None = None) -> list[str]:
    """A few lines an admin can compare with their intent (never includes secrets).

    ``journeys``: the recorded won and lost journeys, when the store could be read (Markov is
    called live only then, and only with enough of them)."""
    hubspot, salesforce = config.hubspot, config.salesforce
    lines = [
        f"hubspot: enabled, portal {hubspot.portal_id}, {hubspot.base_url}"
        if hubspot.enabled
        else "hubspot: disabled",
        f"salesforce: enabled, {salesforce.instance_url} (API {salesforce.api_version})"
        if salesforce.enabled
        else "salesforce: disabled",
        *mode_lines(config),
        f"store: {config.store.safe_database_url}",
        f"lifecycle: {_count(len(config.lifecycle.stages), 'stage mapping')}, "
        f"{_count(len(config.lifecycle.lead_status), 'lead-status mapping')}, "
        f"{_count(len(config.lifecycle.opportunity_stages), 'opportunity mapping')}; "
        f"conflicts: {config.lifecycle.conflict_policy}",
        f"hand-off at {config.handoff.stage}; routing: "
        f"{_count(len(config.routing.rules), 'rule')}, {_count(len(config.routing.teams), 'team')}",
        _recycle_line(config),
        _credit_line(config, journeys),
        _sla_line(config),
        _scorecard_line(config),
    ]
    if salesforce.enabled:
        lines.append(_lead_status_line(config))
    if config.service.observe:
        lines.insert(0, "observe mode: on — nothing is written to the CRMs, no notice is sent")
    return lines


def check_config_command(
    path: str,
    *,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    structure_only: bool = False,
) -> int:
    """Validate the file at ``path``: print a summary (exit code 0) or every error (1).

    ``structure_only`` validates a file on a workstation where the secrets are not exported:
    unset ``${VAR}`` references are listed, not counted as errors (the values behind them are
    not checked, so the server's own run of check-config or `baton doctor` still must pass).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        config = load_config(path, env=os.environ if env is None else env)
    except ConfigError as error:
        unset = [i for i in error.errors if structure_only and is_unset_variable(i.message)]
        problems = [i for i in error.errors if i not in unset]
        if not problems:
            return _structure_ok(path, unset, out, os.environ if env is None else env)
        for issue in problems:
            print(issue, file=err)
        count = len(problems)
        print(f"{path}: {count} error{'s' if count != 1 else ''}", file=err)
        return 1
    print(f"{path}: OK", file=out)
    for line in summarize(config, journeys=_journeys(config)):
        print(f"  {line}", file=out)
    print(f"  {CRM_SIDE_HINT}", file=out)
    return 0


def _journeys(config: BatonConfig) -> JourneyCount | None:
    """The journeys Markov would fit on now, when a Markov model is configured and the store
    can be read (an absent SQLite file is not created); None otherwise."""
    if not any(model.model == "markov" for model in config.credit.models):
        return None
    from connector.jobs.credit.journeys import count_in_store  # the store only when needed

    return count_in_store(config.store.database_url, config.credit.lookback_days)


#: stand-ins for unset variables in a structure-only check, so the summary can be printed
_PLACEHOLDER = "structure-only-placeholder-0000"
_URL_PLACEHOLDER = "https://placeholder.invalid/structure-only"


def _structure_ok(path: str, unset: list[ConfigIssue], out: TextIO, env: Mapping[str, str]) -> int:
    """The structure-only answer: valid apart from the environment it will get on the server."""
    print(f"{path}: structure OK (secrets and environment values not checked)", file=out)
    stand_ins: dict[str, str] = {}
    for issue in unset:
        print(f"  not set here: {issue.key_path} ({issue.message})", file=out)
        value = _URL_PLACEHOLDER if issue.key_path.endswith("url") else _PLACEHOLDER
        stand_ins.update(dict.fromkeys(unset_names(issue.message), value))
    try:  # the summary, with stand-ins whose values prove nothing
        config = load_config(path, env={**env, **stand_ins})
    except ConfigError:
        config = None
    for line in summarize(config) if config is not None else []:
        print(f"  {line}", file=out)
    print(
        "  run `baton check-config` where the variables are exported (the server) to check them",
        file=out,
    )
    return 0

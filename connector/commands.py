"""Commands: what the pure rules decide and the adapters carry out.

A rule never performs I/O; it returns commands. Each command has a deterministic
``idempotency_key`` (derived from the event that caused it), so a replayed event produces the same
key and the outbox stores it once. Commands serialize to a JSON payload for the outbox and come
back with :func:`command_from_payload`.

Later features add kinds here (``CreateTask``); the outbox, the dispatcher and the
dead-letter handling treat every kind alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


class System(StrEnum):
    """The outside system a command is written to."""

    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"
    NOTIFY = "notify"


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command. Subclasses set ``kind`` and add their fields."""

    kind: ClassVar[str] = "command"
    system: System
    #: record in the TARGET system, e.g. "salesforce:lead:00Q…"; orders writes per record
    record_key: str
    idempotency_key: str
    #: ISO time of the change this command carries (logical time: connector.jobs.lifecycle.rules)
    logical_at: str = ""

    def payload(self) -> dict[str, Any]:
        """The JSON-safe fields stored in the outbox row."""
        data = asdict(self)
        data["system"] = self.system.value
        return data


@dataclass(frozen=True, slots=True)
class UpdateFields(Command):
    """Set fields on an existing record (HubSpot properties / Salesforce fields).

    ``object_type`` is the provider's own name: "contacts"/"deals" for HubSpot, "Lead"/"Contact"/
    "Opportunity" for Salesforce.
    """

    kind: ClassVar[str] = "update_fields"
    object_type: str = ""
    object_id: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetStage(Command):
    """Move a record's lifecycle field to ``value``.

    ``backwards`` is decided by the rule from the stage order: HubSpot ignores a backwards
    ``lifecyclestage`` write, so the adapter clears the field first in a separate request and
    reads back to verify. ``extra_fields`` travel in the same write (e.g. hs_lead_status).
    """

    kind: ClassVar[str] = "set_stage"
    object_type: str = ""
    object_id: str = ""
    field_name: str = ""
    value: str = ""
    backwards: bool = False
    extra_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CreateLead(Command):
    """Create a Salesforce Lead for a HubSpot contact handed to sales (or update the linked one).

    ``hubspot_contact_id`` lets the dispatcher store the new link when Salesforce answers.
    ``owner_id`` is the routed owner (user 005… or queue 00G…); None leaves ownership to
    Salesforce's assignment rules when the admin chose them.
    """

    kind: ClassVar[str] = "create_lead"
    hubspot_contact_id: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    owner_id: str | None = None
    use_assignment_rules: bool = False


@dataclass(frozen=True, slots=True)
class CreateHubSpotLead(Command):
    """Create a record of HubSpot's Leads object (0-136) for a contact handed to a rep.

    HubSpot refuses a lead without ``hs_lead_name`` or without an association to a contact, so
    the contact travels with the command (association type 578, lead → primary contact). The
    writer creates none when the contact already has an open lead (a retried create whose
    answer was lost must not leave two work items).
    """

    kind: ClassVar[str] = "create_hubspot_lead"
    contact_id: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    #: stage ids of leads that are finished (a contact with only those gets a new lead)
    closed_stages: tuple[str, ...] = ()
    #: a mirror of the Salesforce Lead: move the contact's open lead to this stage (a closed
    #: stage closes it; with no open lead, one is created there unless the stage is closed)
    move_to_stage: str | None = None


@dataclass(frozen=True, slots=True)
class AddToList(Command):
    """Add HubSpot contacts to a MANUAL/SNAPSHOT list (recycling into nurture)."""

    kind: ClassVar[str] = "add_to_list"
    list_id: str = ""
    object_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notify(Command):
    """Tell a person about an SLA breach through one channel (System.NOTIFY).

    The recipient is a Salesforce user or HubSpot owner id (``to_user_id``; the notify writer
    looks up the address when it sends, so the outbox holds ids) or a fixed address from the
    config (``to_address``). ``channel`` is ``email``, ``slack`` or ``crm_task``; ``language``
    picks the template.
    """

    kind: ClassVar[str] = "notify"
    channel: str = "email"
    to_user_id: str | None = None
    to_address: str | None = None
    #: owner, manager, director or address: who this step reaches, for the message's words
    role: str = "owner"
    language: str = "en"
    lead_id: str = ""
    lead_url: str = ""
    owner_id: str = ""
    policy: str = ""
    step: int = 0
    deadline_at: str = ""
    #: the lead's HubSpot contact, where a ``crm_task`` for a HubSpot owner is filed
    contact_id: str = ""
    #: the per-rep ladder: the rep's n-th miss in ``period`` (0 = a step of the lead's ladder),
    #: and the rep's context there: leads, met and missed first responses, open leads now
    rep_miss: int = 0
    period: str = ""
    period_leads: int = 0
    period_met: int = 0
    period_missed: int = 0
    open_leads: int = 0


@dataclass(frozen=True, slots=True)
class SendDigest(Command):
    """Send the weekly scorecard digest through one channel (System.NOTIFY).

    The words are rendered when the digest timer fires, so a resend carries the same text. An
    e-mail recipient is named by the SHA-256 of the configured address (``to_address_hash``):
    the notify writer finds the address in the config when it sends, so the outbox holds no
    e-mail address.
    """

    kind: ClassVar[str] = "send_digest"
    channel: str = "email"
    to_address_hash: str = ""
    week_start: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""


@dataclass(frozen=True, slots=True)
class ReplaceCampaignInfluence(Command):
    """Make a Salesforce opportunity's CampaignInfluence rows in one custom model exactly ``rows``.

    Each row is ``{"CampaignId", "ContactId" (or None), "Influence"}`` (percent of the
    opportunity's Amount, two decimals). The adapter changes only what differs, all in one
    all-or-none request, so the deal's earlier rows are replaced as one unit; no rows removes
    them all (a reversed deal). ``model`` is the CampaignInfluenceModel's DeveloperName; the
    Primary Campaign Source model is refused (Salesforce recomputes and deletes its rows).
    """

    kind: ClassVar[str] = "replace_campaign_influence"
    opportunity_id: str = ""
    model: str = ""
    rows: tuple[dict[str, Any], ...] = ()


def written_fields(command: Command) -> dict[str, Any] | None:
    """The fields a command sets on its record (None for commands that set no field)."""
    if isinstance(command, SetStage):
        return {command.field_name: command.value, **command.extra_fields}
    if isinstance(command, UpdateFields):
        return dict(command.fields)
    return None


COMMAND_TYPES: dict[str, type[Command]] = {
    cls.kind: cls
    for cls in (
        UpdateFields,
        SetStage,
        CreateLead,
        CreateHubSpotLead,
        AddToList,
        Notify,
        ReplaceCampaignInfluence,
        SendDigest,
    )
}


def command_from_payload(kind: str, payload: dict[str, Any]) -> Command:
    """Rebuild a command from its outbox row."""
    try:
        cls = COMMAND_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown command kind {kind!r}") from None
    data = dict(payload)
    data["system"] = System(data["system"])
    if "object_ids" in data:
        data["object_ids"] = tuple(data["object_ids"])
    if "rows" in data:
        data["rows"] = tuple(data["rows"])
    if "closed_stages" in data:
        data["closed_stages"] = tuple(data["closed_stages"])
    return cls(**data)


class Outcome(StrEnum):
    """How one command ended in one attempt."""

    DONE = "done"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The adapter's verdict for one command in a batch.

    DONE may carry ``data`` (e.g. ``{"id": "00Q…"}`` for a created lead). RETRY carries the
    earliest sensible retry time in seconds (``Retry-After`` honoured). DEAD carries the CRM's
    own error code and message for the dead-letter table.
    """

    idempotency_key: str
    outcome: Outcome
    data: dict[str, Any] = field(default_factory=dict)
    retry_after_s: float | None = None
    error_code: str | None = None
    message: str | None = None
    #: RETRY after a call that got no answer (a timeout, a 5xx): the CRM may have carried it
    #: out, so the next attempt reads back first (``connector.readback``)
    in_doubt: bool = False

"""What the config needs in each CRM: properties, fields and picklist values, each with the key
of the config that names it (so a failure can say which line to fix).

Two kinds of schema need: what Baton *writes* carries a creation spec (``baton setup`` makes it),
what Baton only *reads* (an MQL criterion's property, a standard field) has none: it must exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.config import BatonConfig
from connector.jobs.lifecycle import salesforce_gate
from connector.jobs.lifecycle.leads import HOLD_REASON_PROPERTY

#: the HubSpot property group Baton files the properties it creates in
HUBSPOT_GROUP = ("baton", "Baton")
LIFECYCLE, LEAD_STATUS = "lifecyclestage", "hs_lead_status"


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """How ``baton setup`` creates a HubSpot property (Properties API v3 field names)."""

    label: str
    type: str
    field_type: str
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def body(self, name: str) -> dict[str, Any]:
        """The create request for property ``name`` in Baton's group."""
        return {
            "name": name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": HUBSPOT_GROUP[0],
            "description": self.description,
            "options": list(self.options),
        }


@dataclass(frozen=True, slots=True)
class PropertyNeed:
    """A HubSpot property the config names; ``spec`` None: Baton only reads it."""

    object_type: str
    name: str
    where: str
    spec: PropertySpec | None = None


@dataclass(frozen=True, slots=True)
class FieldNeed:
    """A Salesforce field the config names; ``metadata`` (Tooling CustomFieldMetadata) None:
    a standard field, or one Baton does not create."""

    sobject: str
    name: str
    where: str
    metadata: dict[str, Any] | None = None

    @property
    def full_name(self) -> str:
        """``Object.Field__c``, as the Tooling API names it."""
        return f"{self.sobject}.{self.name}"


@dataclass(frozen=True, slots=True)
class ValueNeed:
    """A picklist or enumeration value the config names, as an API value."""

    system: str  # "hubspot" | "salesforce"
    object_type: str
    field: str
    value: str
    where: str


@dataclass(frozen=True, slots=True)
class Needs:
    """Everything the config needs in the CRMs (only for the CRMs that are enabled)."""

    properties: tuple[PropertyNeed, ...] = ()
    fields: tuple[FieldNeed, ...] = ()
    values: tuple[ValueNeed, ...] = ()
    users: tuple[tuple[str, str], ...] = ()  # (Salesforce User id, where)
    queues: tuple[tuple[str, str], ...] = ()  # (Salesforce queue id, where)
    hubspot_owners: tuple[tuple[str, str], ...] = ()  # (HubSpot owner id, where)
    scopes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _text(label: str, description: str, length: int = 255) -> dict[str, Any]:
    return {"label": label, "type": "Text", "length": length, "description": description}


def _picklist(label: str, values: dict[str, str], description: str) -> dict[str, Any]:
    entries = [{"fullName": code, "label": text, "default": False} for code, text in values.items()]
    return {
        "label": label,
        "type": "Picklist",
        "description": description,
        "valueSet": {"restricted": False, "valueSetDefinition": {"value": entries}},
    }


def _label(api_name: str) -> str:
    return api_name.removesuffix("__c").replace("_", " ")


def hubspot_properties(config: BatonConfig) -> list[PropertyNeed]:
    """The contact and deal properties Baton reads or writes."""
    needs = [
        PropertyNeed("contacts", LIFECYCLE, "lifecycle"),
        PropertyNeed("contacts", LEAD_STATUS, "lifecycle.lead_status"),
    ]
    if config.salesforce.enabled:
        needs.append(
            PropertyNeed(
                "contacts",
                HOLD_REASON_PROPERTY,
                "handoff (hold reasons)",
                PropertySpec(
                    "Baton hold reason",
                    "string",
                    "textarea",
                    "Why Baton has not handed this contact to sales yet.",
                ),
            )
        )
    recycle = config.recycle
    writes = (
        (
            recycle.hubspot_reason_property,
            "recycle.hubspot_reason_property",
            PropertySpec(
                "Baton recycle reason", "string", "text", "Reason code of the last recycle."
            ),
        ),
        (
            recycle.hubspot_count_property,
            "recycle.hubspot_count_property",
            PropertySpec("Baton recycle count", "number", "number", "How often sales recycled it."),
        ),
        (
            recycle.hubspot_reactivation_property,
            "recycle.hubspot_reactivation_property",
            PropertySpec("Baton re-activation date", "date", "date", "When it is offered again."),
        ),
    )
    needs += [PropertyNeed("contacts", name, where, spec) for name, where, spec in writes]
    handoff = config.handoff
    reads = [
        (p, "handoff.mql_definition.required_properties")
        for p in handoff.mql_definition.required_properties
    ]
    reads += [
        (c.property, "handoff.mql_definition.criteria") for c in handoff.mql_definition.criteria
    ]
    reads += [
        (t.property, "handoff.mql_definition.behaviour") for t in handoff.mql_definition.behaviour
    ]
    reads += [(p, "handoff.context_fields") for p in handoff.context_fields]
    reads += [(p, "recycle.reactivate_on_properties") for p in recycle.reactivate_on_properties]
    for rule in config.routing.rules:
        reads += [(c.property, f"routing.rules[{rule.name}].when") for c in rule.when]
    needs += [PropertyNeed("contacts", name, where) for name, where in reads]
    writeback = config.credit.writeback
    if writeback.hubspot:
        names = writeback.hubspot_deal_properties
        deal = (
            (
                writeback.hubspot_opportunity_property,
                "credit.writeback.hubspot_opportunity_property",
                PropertySpec(
                    "Salesforce opportunity id",
                    "string",
                    "text",
                    "The Salesforce opportunity this deal mirrors.",
                ),
            ),
            (
                names.summary,
                "credit.writeback.hubspot_deal_properties.summary",
                PropertySpec(
                    "Baton credit summary",
                    "string",
                    "textarea",
                    "Marketing-influence credit per channel and campaign.",
                ),
            ),
            (
                names.top_channel,
                "credit.writeback.hubspot_deal_properties.top_channel",
                PropertySpec("Baton top channel", "string", "text", "The source with most credit."),
            ),
            (
                names.computed_at,
                "credit.writeback.hubspot_deal_properties.computed_at",
                PropertySpec(
                    "Baton credit computed at", "datetime", "date", "When credit was computed."
                ),
            ),
        )
        needs += [PropertyNeed("deals", name, where, spec) for name, where, spec in deal]
    return _first_of_each(needs, key=lambda n: (n.object_type, n.name))


#: the config key of the Lead field creates are upserts on (it must be an External ID field)
UPSERT_KEY_WHERE = "salesforce.lead_external_id_field"


def salesforce_fields(config: BatonConfig) -> list[FieldNeed]:
    """The Lead, Contact and Opportunity fields Baton reads or writes."""
    id_field = config.salesforce.hubspot_id_field
    id_meta = {
        **_text("HubSpot Contact Id", "The HubSpot contact id (written by Baton).", 40),
        "externalId": True,
    }
    needs = [
        FieldNeed("Lead", id_field, "salesforce.hubspot_id_field", id_meta),
        FieldNeed("Contact", id_field, "salesforce.hubspot_id_field", id_meta),
    ]
    upsert_key = config.salesforce.lead_external_id_field
    if upsert_key:  # first, so its check (an External ID field) wins over the id field's
        needs.insert(0, FieldNeed("Lead", upsert_key, UPSERT_KEY_WHERE, id_meta))
    for prop, lead_field in config.handoff.context_fields.items():
        meta = _text(_label(lead_field), f"HubSpot {prop}, copied at hand-off by Baton.")
        needs.append(_field("Lead", lead_field, "handoff.context_fields", meta))
    if config.crm_mode == "salesforce":  # the MQL definition reads Lead fields here
        needs += _salesforce_alone_gate(config)
    recycle = config.recycle
    codes = {**recycle.reasons, **recycle.disqualify_reasons}
    needs.append(
        _field(
            "Lead",
            recycle.reason_field,
            "recycle.reason_field",
            _picklist(_label(recycle.reason_field), codes, "Why sales recycled the lead."),
        )
    )
    if recycle.salesforce_history_field:
        history = {
            "label": _label(recycle.salesforce_history_field),
            "type": "LongTextArea",
            "length": 32768,
            "visibleLines": 3,
            "description": "Baton's recycle history of this lead.",
        }
        needs.append(
            _field(
                "Lead",
                recycle.salesforce_history_field,
                "recycle.salesforce_history_field",
                history,
            )
        )
    if recycle.lost_opportunity_reason_field:
        name = recycle.lost_opportunity_reason_field
        meta = _picklist(_label(name), codes, "Why the opportunity was lost (recycle reasons).")
        needs.append(_field("Opportunity", name, "recycle.lost_opportunity_reason_field", meta))
    mapped: dict[tuple[str, str], dict[str, str]] = {}
    for key, mappings in (
        ("lifecycle.stages", config.lifecycle.stages),
        ("lifecycle.lead_status", config.lifecycle.lead_status),
    ):
        for mapping in mappings:
            target = mapping.salesforce
            sf_field = target.field or "Status"
            mapped.setdefault((target.object, sf_field), {})[target.value] = target.value
            if not sf_field.endswith("__c"):
                needs.append(FieldNeed(target.object, sf_field, key))
    for (sobject, sf_field), values in mapped.items():
        if sf_field.endswith("__c"):
            meta = _picklist(_label(sf_field), values, "The lifecycle stage Baton syncs.")
            needs.append(FieldNeed(sobject, sf_field, "lifecycle.stages", meta))
    return _first_of_each(needs, key=lambda n: (n.sobject, n.name.lower()))


def _salesforce_alone_gate(config: BatonConfig) -> list[FieldNeed]:
    """The Lead fields the MQL definition reads, and the one showing why a lead is held."""
    needs = [
        FieldNeed("Lead", lead_field, "handoff.salesforce_lead_fields")
        for lead_field in salesforce_gate.lead_fields(config.handoff).values()
    ]
    hold = config.salesforce.hold_reason_field
    if hold:
        meta = {
            **_text("Baton hold reason", "Why Baton has not handed this lead to sales yet.", 4000),
            "type": "LongTextArea",
            "visibleLines": 3,
        }
        needs.append(_field("Lead", hold, "salesforce.hold_reason_field", meta))
    return needs


def _field(sobject: str, name: str, where: str, metadata: dict[str, Any]) -> FieldNeed:
    """A custom field gets a creation spec; a standard one named in config must just exist."""
    return FieldNeed(sobject, name, where, metadata if name.endswith("__c") else None)


def _first_of_each(items: list[Any], *, key: Any) -> list[Any]:
    seen: dict[Any, Any] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())

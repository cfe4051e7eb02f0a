"""HubSpot's Leads object (``leads``, 0-136): its pipeline, stages and creation rules.

What the stand-in enforces, as HubSpot documents it (developers.hubspot.com/docs/api-reference/
crm-leads-v3/guide): a lead must have ``hs_lead_name`` and be created associated to an existing
contact (association type 578, lead → primary contact); ``hs_pipeline_stage`` must be a stage
of the lead's pipeline (``GET /crm/v3/pipelines/leads``). Stage internal ids follow the
default lead pipeline of a portal with Leads set up; the disqualification reason is
``hs_lead_disqualification_reason``.
"""

from __future__ import annotations

from .pipelines import Pipeline, Stage
from .properties import Option, Problem, PropertyDef, options_from
from .records import CrmRecord

LEADS = "leads"
DEFAULT_LEAD_PIPELINE = "lead-pipeline-id"
#: HUBSPOT_DEFINED association types between leads and contacts (primary)
LEAD_TO_CONTACT = 578
CONTACT_TO_LEAD = 579

_STAGES = (
    ("new-stage-id", "New", False),
    ("attempting-stage-id", "Attempting", False),
    ("connected-stage-id", "Connected", False),
    ("qualified-stage-id", "Qualified", True),
    ("unqualified-stage-id", "Disqualified", True),
)
DISQUALIFICATION_REASONS = ("BAD_TIMING", "NO_BUDGET", "NOT_A_FIT", "NO_RESPONSE", "OTHER")


def default_lead_pipeline(created_ms: int) -> Pipeline:
    """The "Lead pipeline" of a portal that set up Leads, with its five stages."""
    stages = [
        Stage(stage_id, label, index, 0.0, closed)
        for index, (stage_id, label, closed) in enumerate(_STAGES)
    ]
    return Pipeline(DEFAULT_LEAD_PIPELINE, "Lead pipeline", 0, stages, created_ms)


def lead_properties() -> list[PropertyDef]:
    """The default lead properties Baton touches."""
    stage_options = [Option(sid, label, i) for i, (sid, label, _) in enumerate(_STAGES)]
    return [
        PropertyDef(name="hs_lead_name", type="string", label="Lead name"),
        PropertyDef(
            name="hs_pipeline", type="enumeration", options=options_from([DEFAULT_LEAD_PIPELINE])
        ),
        PropertyDef(name="hs_pipeline_stage", type="enumeration", options=stage_options),
        PropertyDef(
            name="hs_lead_type",
            type="enumeration",
            options=options_from(["NEW_BUSINESS", "UPSELL", "RE_ATTEMPTING"]),
        ),
        PropertyDef(
            name="hs_lead_label", type="enumeration", options=options_from(["COLD", "WARM", "HOT"])
        ),
        PropertyDef(
            name="hs_lead_disqualification_reason",
            type="enumeration",
            options=options_from(DISQUALIFICATION_REASONS),
        ),
        PropertyDef(name="hs_lead_disqualification_note", type="string"),
    ]


def check(values: dict[str, str], record: CrmRecord | None) -> list[Problem]:
    """Problems with a lead write: the name is required on create, the stage must exist."""
    problems: list[Problem] = []
    if record is None and not values.get("hs_lead_name"):
        problems.append(
            Problem("hs_lead_name", "MISSING_REQUIRED_PROPERTY", "hs_lead_name is required")
        )
    return problems


def creation_defaults(values: dict[str, str]) -> dict[str, str]:
    """A lead created without pipeline or stage starts in the default pipeline's first stage."""
    return {
        "hs_pipeline": values.get("hs_pipeline") or DEFAULT_LEAD_PIPELINE,
        "hs_pipeline_stage": values.get("hs_pipeline_stage") or _STAGES[0][0],
    }


MISSING_CONTACT = "a lead must be created associated to an existing contact (type 578)"

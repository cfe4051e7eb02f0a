"""The default property catalog of a fresh portal: the standard properties Baton touches.

Names, types and option values follow HubSpot's defaults (hubspot.md §3, §4.8, §5).
"""

from __future__ import annotations

from .groups import DEFAULT_GROUPS, PropertyGroup
from .leads import lead_properties
from .properties import Option, PropertyDef, PropertyRegistry, options_from

LIFECYCLE_STAGES: tuple[tuple[str, str], ...] = (
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)

LEAD_STATUSES: tuple[tuple[str, str], ...] = (
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
)

#: contact "Number of Employees" is a select of ranges, not a number (public property dumps
#: show type enumeration / fieldType select); these are its out-of-the-box values
EMPLOYEE_RANGES = ("1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+")

ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
    "AI_REFERRALS",
)


def _p(name: str, type_: str = "string", **kw: object) -> PropertyDef:
    return PropertyDef(name=name, type=type_, **kw)  # type: ignore[arg-type]


def _enum(name: str, values: object, **kw: object) -> PropertyDef:
    return PropertyDef(name=name, type="enumeration", options=options_from(values), **kw)  # type: ignore[arg-type]


def _common(object_type: str) -> list[PropertyDef]:
    """Properties every object type has."""
    return [
        _p("hs_object_id", "number", read_only=True, label="Record ID"),
        _p("hs_createdate", "datetime", label="Create date"),
        _p("hs_lastmodifieddate", "datetime", read_only=True, label="Last modified date"),
        _p("hubspot_owner_id", "enumeration", label="Owner", external_options=True),
        _p("hubspot_owner_assigneddate", "datetime", read_only=True),
        _p("hubspot_team_id", "enumeration", external_options=True),
        _p("hs_merged_object_ids", "enumeration", read_only=True, external_options=True),
    ]


def _contact_properties() -> list[PropertyDef]:
    analytics_ro = [
        "hs_analytics_source_data_1",
        "hs_analytics_source_data_2",
        "hs_latest_source_data_1",
        "hs_latest_source_data_2",
        "hs_analytics_first_touch_converting_campaign",
        "hs_analytics_last_touch_converting_campaign",
        "hs_analytics_first_url",
        "hs_analytics_first_referrer",
        "first_conversion_event_name",
        "recent_conversion_event_name",
    ]
    return [
        _p("email", has_unique_value=False, label="Email"),
        _p("firstname", label="First Name"),
        _p("lastname", label="Last Name"),
        _p("phone"),
        _p("mobilephone"),
        _p("company", label="Company Name"),
        _p("jobtitle", label="Job Title"),
        _enum("numemployees", EMPLOYEE_RANGES, label="Number of Employees"),
        _p("website"),
        _p("address"),
        _p("city"),
        _p("state"),
        _p("zip"),
        _p("country"),
        _p("salutation"),
        _p("createdate", "datetime", label="Create Date"),
        _p("lastmodifieddate", "datetime", read_only=True, label="Last Modified Date"),
        _enum(
            "lifecyclestage",
            [Option(v, lbl, i) for i, (v, lbl) in enumerate(LIFECYCLE_STAGES)],
            label="Lifecycle Stage",
        ),
        _enum(
            "hs_lead_status",
            [Option(v, lbl, i) for i, (v, lbl) in enumerate(LEAD_STATUSES)],
            label="Lead Status",
        ),
        _enum("hs_analytics_source", ANALYTICS_SOURCES, read_only=True, label="Original Source"),
        _enum("hs_latest_source", ANALYTICS_SOURCES, read_only=True, label="Latest Source"),
        *[_p(name, read_only=True) for name in analytics_ro],
        _p("hs_latest_source_timestamp", "datetime", read_only=True),
        _p("hs_analytics_last_url", read_only=True, label="Last page seen"),
        _p("hs_analytics_first_timestamp", "datetime", read_only=True),
        _p("first_conversion_date", "datetime", read_only=True),
        _p("recent_conversion_date", "datetime", read_only=True),
        _p("num_conversion_events", "number", read_only=True),
        _p("num_unique_conversion_events", "number", read_only=True),
        _p("hs_analytics_num_page_views", "number", read_only=True, label="Number of Pageviews"),
        _p("hs_analytics_num_visits", "number", read_only=True, label="Number of Sessions"),
        _p("hs_sa_first_engagement_date", "datetime", read_only=True),
        _p("hs_sa_first_engagement_object_type", read_only=True),
        _p("hs_sa_first_engagement_descr", read_only=True),
        _p("hs_first_outreach_date", "datetime", read_only=True),
        _p("notes_last_contacted", "datetime", read_only=True),
        _p("notes_last_updated", "datetime", read_only=True),
        _p("hs_last_sales_activity_timestamp", "datetime", read_only=True),
        _p("hs_additional_emails", read_only=True),
        _p("hs_v2_date_entered_current_stage", "datetime", read_only=True),
        _p("hs_time_in_current_stage", "number", read_only=True),
        _p("associatedcompanyid", "number"),
        _p("num_associated_deals", "number", read_only=True),
    ]


def _deal_properties() -> list[PropertyDef]:
    return [
        _p("dealname", label="Deal Name"),
        _p("amount", "number", label="Amount"),
        _p("closedate", "datetime", label="Close Date"),
        _p("createdate", "datetime", label="Create Date"),
        _p("pipeline", "enumeration", external_options=True, label="Pipeline"),
        _p("dealstage", "enumeration", external_options=True, label="Deal Stage"),
        _enum(
            "dealtype", [("newbusiness", "New Business"), ("existingbusiness", "Existing Business")]
        ),
        _p("description"),
        _p("hs_is_closed", "bool", read_only=True),
        _p("hs_is_closed_won", "bool", read_only=True),
        _p("hs_deal_stage_probability", "number", read_only=True),
        _p("hs_closed_won_date", "datetime", read_only=True),
        _enum("hs_analytics_source", ANALYTICS_SOURCES, read_only=True),
        _p("hs_analytics_source_data_1", read_only=True),
        _p("hs_analytics_source_data_2", read_only=True),
        _p("num_associated_contacts", "number", read_only=True),
        _p("hs_v2_date_entered_current_stage", "datetime", read_only=True),
    ]


def _company_properties() -> list[PropertyDef]:
    return [
        _p("name", label="Company name"),
        _p("domain", label="Company Domain Name"),
        _p("industry"),
        _p("city"),
        _p("country"),
        _p("createdate", "datetime"),
        _enum("lifecyclestage", [Option(v, lbl, i) for i, (v, lbl) in enumerate(LIFECYCLE_STAGES)]),
    ]


def _activity_properties(object_type: str) -> list[PropertyDef]:
    owner_and_time = [_p("hs_timestamp", "datetime", label="Activity date")]
    if object_type == "tasks":
        return [
            *owner_and_time,
            _p("hs_task_subject", label="Task Title"),
            _p("hs_task_body", label="Notes"),
            _enum(
                "hs_task_status", ["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"]
            ),
            _enum("hs_task_priority", ["NONE", "LOW", "MEDIUM", "HIGH"]),
            _enum("hs_task_type", ["EMAIL", "CALL", "TODO", "LINKED_IN", "MEETING"]),
            _p("hs_task_reminders"),
            _p("hs_task_completion_date", "datetime", read_only=True),
            _p("hs_task_is_completed", "number", read_only=True),
        ]
    if object_type == "notes":
        return [*owner_and_time, _p("hs_note_body"), _p("hs_attachment_ids")]
    if object_type == "calls":
        return [
            *owner_and_time,
            _p("hs_call_title"),
            _p("hs_call_body"),
            _enum("hs_call_direction", ["INBOUND", "OUTBOUND"]),
            _p("hs_call_disposition"),
            _p("hs_call_duration", "number"),
            _enum(
                "hs_call_status",
                [
                    "BUSY",
                    "CALLING_CRM_USER",
                    "CANCELED",
                    "COMPLETED",
                    "CONNECTING",
                    "FAILED",
                    "IN_PROGRESS",
                    "NO_ANSWER",
                    "QUEUED",
                    "RINGING",
                ],
            ),
            _p("hs_call_from_number"),
            _p("hs_call_to_number"),
        ]
    if object_type == "emails":
        return [
            *owner_and_time,
            _p("hs_email_subject"),
            _p("hs_email_text"),
            _p("hs_email_html"),
            _enum("hs_email_direction", ["EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"]),
            _enum("hs_email_status", ["BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"]),
            _p("hs_email_headers"),
        ]
    if object_type == "meetings":
        return [
            *owner_and_time,
            _p("hs_meeting_title"),
            _p("hs_meeting_body"),
            _p("hs_meeting_start_time", "datetime"),
            _p("hs_meeting_end_time", "datetime"),
            _enum(
                "hs_meeting_outcome",
                ["SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"],
            ),
            _p("hs_meeting_location"),
        ]
    return []


def _user_properties() -> list[PropertyDef]:
    return [
        _p("hs_internal_user_id", "number", read_only=True),
        _p("hs_email"),
        _p("hs_given_name"),
        _p("hs_family_name"),
        _p("hs_standard_time_zone"),
        _p("hs_working_hours"),
        _p("hs_out_of_office_hours"),
        _enum("hs_availability_status", ["available", "away"]),
        _p("hs_job_title"),
    ]


def build_default_registry(created_at_ms: int) -> PropertyRegistry:
    """A registry with the standard properties of every object type the stand-in serves."""
    registry = PropertyRegistry()
    for object_type, groups in DEFAULT_GROUPS.items():
        for order, (name, label) in enumerate(groups):
            registry.add_group(object_type, PropertyGroup(name, label, order))
    per_type = {
        "contacts": _contact_properties(),
        "deals": _deal_properties(),
        "companies": _company_properties(),
        "users": _user_properties(),
        "leads": lead_properties(),
    }
    for activity in ("tasks", "notes", "calls", "emails", "meetings"):
        per_type[activity] = _activity_properties(activity)
    for object_type, props in per_type.items():
        for prop in [*_common(object_type), *props]:
            prop.created_at_ms = created_at_ms
            registry.add(object_type, prop)
    return registry

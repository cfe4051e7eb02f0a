"""Activities, people and setup objects: Task, Event, User, Group (queues), LeadStatus,
OpportunityStage, TaskStatus, BusinessHours, Holiday, Organization."""

from __future__ import annotations

from .schema import Schema
from .schema_builders import add_object, fd, picklist, readonly, ref

TASK_SUBTYPES = ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def add_activity_and_people(schema: Schema) -> None:
    add_object(
        schema,
        "Task",
        "00T",
        [
            ref("WhoId", ("Lead", "Contact"), "Who"),
            ref("WhatId", ("Account", "Opportunity", "Campaign"), "What"),
            fd("Subject", "combobox", length=255),
            fd("Status", "picklist", picklist_source="TaskStatus", restricted=True, nillable=False),
            picklist("Priority", ("High", "Normal", "Low"), nillable=False, default="Normal"),
            fd("ActivityDate", "date"),
            fd("Description", "textarea", length=32000),
            picklist("Type", ("Call", "Email", "Meeting", "Other")),
            picklist(
                "TaskSubtype", TASK_SUBTYPES, restricted=True, updateable=False, default="Task"
            ),
            readonly("IsClosed", "boolean"),
            readonly("CompletedDateTime", "datetime"),
            picklist("CallType", ("Internal", "Inbound", "Outbound")),
            fd("CallDurationInSeconds", "int"),
        ],
        owner=("User",),
    )
    add_object(
        schema,
        "Event",
        "00U",
        [
            ref("WhoId", ("Lead", "Contact"), "Who"),
            ref("WhatId", ("Account", "Opportunity", "Campaign"), "What"),
            fd("Subject", "combobox", length=255),
            fd("StartDateTime", "datetime"),
            fd("EndDateTime", "datetime"),
            fd("ActivityDateTime", "datetime"),
            fd("ActivityDate", "date"),
            fd("DurationInMinutes", "int"),
            fd("IsAllDayEvent", "boolean", default=False),
            fd("Location", length=255),
            fd("Description", "textarea", length=32000),
            picklist("Type", ("Call", "Email", "Meeting", "Other")),
            picklist(
                "EventSubtype", ("Event",), restricted=True, updateable=False, default="Event"
            ),
        ],
        owner=("User",),
    )
    add_object(
        schema,
        "User",
        "005",
        [
            fd("Username", length=80, nillable=False, required=True),
            fd("FirstName", length=40),
            fd("LastName", length=80, nillable=False, required=True),
            readonly("Name", length=121),
            fd("Email", "email", length=128, nillable=False, required=True),
            fd("Alias", length=8),
            fd("IsActive", "boolean", default=True),
            ref("ManagerId", "User", "Manager"),
            fd("Title", length=80),
            fd("Department", length=80),
            fd("TimeZoneSidKey", "picklist", length=40, default="America/Los_Angeles"),
            readonly("UserType", "picklist", default="Standard"),
        ],
        createable=False,
        deletable=False,
    )
    add_object(
        schema,
        "Group",
        "00G",
        [
            readonly("Name", length=40),
            readonly("DeveloperName", length=80),
            readonly("Type", "picklist"),
            readonly("Email", "email"),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )


def add_setup_objects(schema: Schema) -> None:
    picklist_common = [readonly("ApiName"), readonly("MasterLabel"), readonly("SortOrder", "int")]
    setup_options = {"createable": False, "updateable": False, "deletable": False}
    add_object(
        schema,
        "LeadStatus",
        "01J",
        [*picklist_common, readonly("IsConverted", "boolean"), readonly("IsDefault", "boolean")],
        **setup_options,
    )
    add_object(
        schema,
        "OpportunityStage",
        "01J",
        [
            *picklist_common,
            readonly("IsActive", "boolean"),
            readonly("IsClosed", "boolean"),
            readonly("IsWon", "boolean"),
            readonly("DefaultProbability", "percent"),
            readonly("ForecastCategory", "picklist"),
            readonly("ForecastCategoryName", "picklist"),
        ],
        **setup_options,
    )
    add_object(
        schema,
        "TaskStatus",
        "01J",
        [*picklist_common, readonly("IsClosed", "boolean"), readonly("IsDefault", "boolean")],
        **setup_options,
    )
    hours = [readonly(f"{day}{edge}Time", "time") for day in DAYS for edge in ("Start", "End")]
    add_object(
        schema,
        "BusinessHours",
        "01m",
        [
            readonly("Name", length=80),
            readonly("IsActive", "boolean"),
            readonly("IsDefault", "boolean"),
            readonly("TimeZoneSidKey", "picklist"),
            *hours,
        ],
        **setup_options,
    )
    add_object(
        schema,
        "Holiday",
        "0C0",
        [
            readonly("Name", length=80),
            readonly("Description", length=100),
            readonly("ActivityDate", "date"),
            readonly("IsAllDay", "boolean"),
            readonly("IsRecurrence", "boolean"),
            readonly("StartTimeInMinutes", "int"),
            readonly("EndTimeInMinutes", "int"),
            readonly("RecurrenceType", "picklist"),
        ],
        **setup_options,
    )
    add_object(
        schema,
        "Organization",
        "00D",
        [
            readonly("Name", length=80),
            readonly("IsSandbox", "boolean"),
            readonly("OrganizationType", "picklist"),
            readonly("InstanceName", length=5),
            readonly("TimeZoneSidKey", "picklist"),
        ],
        **setup_options,
    )


def add_permission_objects(schema: Schema) -> None:
    """PermissionSet, PermissionSetAssignment and FieldPermissions, creatable through the API."""
    add_object(
        schema,
        "PermissionSet",
        "0PS",
        [
            fd("Name", length=80, nillable=False),
            fd("Label", length=80, nillable=False),
            readonly("IsOwnedByProfile", "boolean"),
        ],
    )
    add_object(
        schema,
        "PermissionSetAssignment",
        "0Pa",
        [
            ref("PermissionSetId", "PermissionSet", "PermissionSet", nillable=False),
            ref("AssigneeId", "User", "Assignee", nillable=False),
        ],
        updateable=False,
    )
    add_object(
        schema,
        "FieldPermissions",
        "01k",
        [
            ref("ParentId", "PermissionSet", "Parent", nillable=False),
            fd("SobjectType", length=80, nillable=False),
            fd("Field", length=120, nillable=False),
            fd("PermissionsRead", "boolean"),
            fd("PermissionsEdit", "boolean"),
        ],
    )

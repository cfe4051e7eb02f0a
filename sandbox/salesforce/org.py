"""One org's state: schema, records, users, setup records and the admin's rules.

The Org is the shared core under the REST layer and the sandbox facade; it holds no HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from . import fieldtypes
from .config import SalesforceSandboxConfig
from .ids import IdGenerator
from .schema import FieldDef
from .standard_objects import DAYS, build_standard_schema
from .store import Store, StoredRecord, Transaction

JsonRecord = dict[str, Any]


@dataclass
class ValidationRule:
    """An org validation rule: `check(record) -> error message | None`."""

    sobject: str
    check: Callable[[JsonRecord], str | None]
    fields: list[str] = field(default_factory=list)


@dataclass
class DuplicateRule:
    """Match records of one object on one field (case-insensitive); block or alert."""

    sobject: str
    field: str = "Email"
    block: bool = True
    name: str = ""


class Org:
    """Schema, records and org-level rules of one stand-in org."""

    def __init__(self, config: SalesforceSandboxConfig) -> None:
        config.validate()
        self.config = config
        self.schema = build_standard_schema(config.campaign_influence_enabled)
        self.store = Store()
        self.ids = IdGenerator(config.seed)
        self.assignment_rule: Callable[[JsonRecord], str | None] | None = None
        self.default_lead_owner_id: str | None = None
        self.validation_rules: list[ValidationRule] = []
        self.duplicate_rules: list[DuplicateRule] = []
        #: Injected per-record failures: [error code, message, remaining, sobject or None].
        self.row_faults: list[list[Any]] = []
        #: Called after commit with (sobject, old json | None, new json, actor id).
        self.save_listeners: list[Callable[[str, JsonRecord | None, JsonRecord, str], None]] = []
        self._seed()

    def now(self) -> datetime:
        """The org's current time, aware UTC, millisecond precision."""
        return fieldtypes.truncate_ms(self.config.clock().astimezone(UTC))

    # ---- setup records -------------------------------------------------------------------

    def insert_setup(self, tx: Transaction, sobject: str, values: dict[str, Any]) -> str:
        """Insert a record directly (setup data: users, statuses), bypassing API rules."""
        definition = self.schema.get(sobject)
        assert definition is not None, sobject
        now = self.now()
        record_id = values.get("Id") or self.ids.new(definition.key_prefix)
        row: dict[str, Any] = {name: f.default for name, f in definition.fields.items()}
        row.update(values)
        row.update(
            {
                "Id": record_id,
                "IsDeleted": False,
                "CreatedDate": now,
                "LastModifiedDate": now,
                "SystemModstamp": now,
                "CreatedById": getattr(self, "integration_user_id", None),
                "LastModifiedById": getattr(self, "integration_user_id", None),
            }
        )
        if "Name" in definition.fields and "LastName" in definition.fields:
            row["Name"] = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p)
        self.store.insert(tx, definition.name, row)
        return record_id

    def _seed(self) -> None:
        cfg = self.config
        with self.store.transaction() as tx:
            self.integration_user_id = self.ids.new("005")
            self.insert_setup(
                tx,
                "User",
                _user_values(
                    self.integration_user_id, "Integration User", "integration@baton.example"
                ),
            )
            self.admin_user_id = self.insert_setup(
                tx, "User", _user_values(None, "Admin User", "admin@baton.example")
            )
            self.insert_setup(
                tx,
                "Organization",
                {
                    "Id": cfg.org_id,
                    "Name": "Baton Sandbox",
                    "IsSandbox": True,
                    "OrganizationType": "Enterprise Edition",
                    "InstanceName": "LOCAL",
                    "TimeZoneSidKey": "America/Los_Angeles",
                },
            )
            for order, (name, converted, default) in enumerate(cfg.lead_statuses, start=1):
                self.insert_setup(
                    tx,
                    "LeadStatus",
                    {
                        "ApiName": name,
                        "MasterLabel": cfg.lead_status_labels.get(name, name),
                        "SortOrder": order,
                        "IsConverted": converted,
                        "IsDefault": default,
                    },
                )
            for name, closed, won, order in cfg.opportunity_stages:
                probability = 100 if won else 0 if closed else min(90, 10 * order)
                category = "Closed" if won else "Omitted" if closed else "Pipeline"
                self.insert_setup(
                    tx,
                    "OpportunityStage",
                    {
                        "ApiName": name,
                        "MasterLabel": name,
                        "SortOrder": order,
                        "IsActive": True,
                        "IsClosed": closed,
                        "IsWon": won,
                        "DefaultProbability": probability,
                        "ForecastCategory": category,
                        "ForecastCategoryName": category,
                    },
                )
            for order, (name, closed, default) in enumerate(cfg.task_statuses, start=1):
                self.insert_setup(
                    tx,
                    "TaskStatus",
                    {
                        "ApiName": name,
                        "MasterLabel": name,
                        "SortOrder": order,
                        "IsClosed": closed,
                        "IsDefault": default,
                    },
                )
            always = {f"{day}{edge}Time": time(0, 0) for day in DAYS for edge in ("Start", "End")}
            self.insert_setup(
                tx,
                "BusinessHours",
                {
                    "Name": "Default",
                    "IsActive": True,
                    "IsDefault": True,
                    "TimeZoneSidKey": "America/Los_Angeles",
                    **always,
                },
            )
            if cfg.campaign_influence_enabled:
                self.insert_setup(
                    tx,
                    "CampaignInfluenceModel",
                    {
                        "DeveloperName": "primaryModel",
                        "MasterLabel": "Primary Campaign Source Model",
                        "IsActive": True,
                        "IsDefaultModel": True,
                        "IsModelLocked": False,
                        "ModelDescription": "100% to the opportunity's primary campaign source",
                        "RecordPreference": "AllRecords",
                    },
                )

    # ---- lookups used by the rules ------------------------------------------------------

    def live(self, record_id: str | None) -> StoredRecord | None:
        """The non-deleted record with this id."""
        record = self.store.get(record_id) if record_id else None
        return record if record is not None and not record.is_deleted else None

    def setup_rows(self, sobject: str) -> list[dict[str, Any]]:
        """Values of every live record of a setup object (LeadStatus, OpportunityStage ...)."""
        return [r.values for r in self.store.records(sobject)]

    def picklist_values(
        self, sobject: str, definition: FieldDef, values: dict[str, Any]
    ) -> list[str]:
        """The allowed values of a picklist field for this record."""
        if definition.picklist_source:
            return [row["ApiName"] for row in self.setup_rows(definition.picklist_source)]
        if sobject == "CampaignMember" and definition.name == "Status":
            return [
                row["Label"]
                for row in self.setup_rows("CampaignMemberStatus")
                if row["CampaignId"] == values.get("CampaignId")
            ]
        return list(definition.picklist_values)

    def to_json(self, record: StoredRecord | dict[str, Any]) -> JsonRecord:
        """A record's values in REST JSON form (no attributes)."""
        values = record.values if isinstance(record, StoredRecord) else record
        return {name: fieldtypes.to_json(value) for name, value in values.items()}


def _user_values(record_id: str | None, name: str, email: str, **extra: Any) -> dict[str, Any]:
    first, _, last = name.strip().rpartition(" ")
    values: dict[str, Any] = {
        "FirstName": first or None,
        "LastName": last or name,
        "Email": email,
        "Username": email,
        "Alias": (first[:1] + last)[:8].lower() if last else name[:8].lower(),
        "IsActive": True,
        "UserType": "Standard",
        "TimeZoneSidKey": "America/Los_Angeles",
        **extra,
    }
    if record_id:
        values["Id"] = record_id
    return values


def user_values(name: str, email: str, **extra: Any) -> dict[str, Any]:
    """Field values for a new User from a display name and e-mail."""
    return _user_values(None, name, email, **extra)

"""Admin setup of the stand-in org: users, queues, rules, custom fields, calendars, models.

A mixin of SalesforceSandbox; these are what an admin configures in Setup, not API calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from .dml import Dml
from .ids import normalize_id
from .org import DuplicateRule, JsonRecord, Org, ValidationRule, user_values
from .schema import ObjectDef
from .schema_builders import fd
from .setup_objects import DAYS


class OrgSetupMixin:
    """Setup-menu actions; expects `org`, `dml`, `config` and `_object` on the class."""

    org: Org
    dml: Dml

    def _object(self, sobject: str) -> ObjectDef:
        definition = self.org.schema.get(sobject)
        if definition is None:
            raise ValueError(f"unknown sObject {sobject!r}")
        return definition

    def add_user(
        self,
        name: str,
        email: str,
        manager_id: str | None = None,
        is_active: bool = True,
        **fields: Any,
    ) -> str:
        """Create a User (005...) and return its id."""
        with self.org.store.transaction() as tx:
            if manager_id is not None and self.org.live(normalize_id(manager_id)) is None:
                raise ValueError(f"unknown manager {manager_id}")
            values = user_values(
                name,
                email,
                IsActive=is_active,
                ManagerId=normalize_id(manager_id) if manager_id else None,
                **fields,
            )
            return self.org.insert_setup(tx, "User", values)

    def update_user(
        self, user_id: str, *, is_active: bool | None = None, manager_id: str | None = None
    ) -> None:
        """Deactivate/reactivate a User or set its manager, as an admin does in Setup → Users."""
        changes: dict[str, Any] = {}
        if is_active is not None:
            changes["IsActive"] = is_active
        if manager_id is not None:
            changes["ManagerId"] = normalize_id(manager_id)
        with self.org.store.transaction() as tx:
            record = self.org.live(normalize_id(user_id))
            if record is None or record.sobject != "User":
                raise ValueError(f"unknown user {user_id}")
            self.dml.system_update(tx, record, changes)

    def add_queue(self, name: str, email: str | None = None) -> str:
        """Create a lead queue (a Group with Type Queue, id 00G...)."""
        developer_name = "".join(c if c.isalnum() else "_" for c in name)
        with self.org.store.transaction() as tx:
            return self.org.insert_setup(
                tx,
                "Group",
                {"Name": name, "DeveloperName": developer_name, "Type": "Queue", "Email": email},
            )

    # ---- admin setup ---------------------------------------------------------------------------

    def set_assignment_rule(
        self, rule: Callable[[JsonRecord], str | None] | None, default_owner_id: str | None = None
    ) -> None:
        """Install the active lead assignment rule: `rule(lead) -> owner id | None`.

        It runs on API creates and updates unless `Sforce-Auto-Assign: FALSE` is sent; when it
        returns None the lead goes to `default_owner_id` if given, else keeps its owner.
        """
        with self.org.store.lock:
            self.org.assignment_rule = rule
            self.org.default_lead_owner_id = default_owner_id

    def add_validation_rule(
        self,
        sobject: str,
        check: Callable[[JsonRecord], str | None],
        fields: list[str] | None = None,
    ) -> None:
        """Add a validation rule: `check(record) -> message | None`.

        A message refuses the save with FIELD_CUSTOM_VALIDATION_EXCEPTION naming `fields`.
        """
        self._object(sobject)
        with self.org.store.lock:
            self.org.validation_rules.append(ValidationRule(sobject, check, list(fields or [])))

    def enable_duplicate_rule(self, sobject: str, field: str = "Email", block: bool = True) -> None:
        """Refuse (block) or alert on records whose `field` matches another's (DUPLICATES_DETECTED).

        An alerting rule lets a save through with `Sforce-Duplicate-Rule-Header: allowSave=true`.
        """
        definition = self._object(sobject)
        target = definition.field(field)
        if target is None:
            raise ValueError(f"{sobject} has no field {field}")
        with self.org.store.lock:
            self.org.duplicate_rules.append(DuplicateRule(definition.name, target.name, block))

    def add_custom_field(
        self,
        sobject: str,
        name: str,
        field_type: str = "string",
        *,
        external_id: bool = False,
        unique: bool = False,
        length: int = 255,
        scale: int | None = None,
        picklist_values: tuple[str, ...] = (),
        restricted: bool = False,
        reference_to: str | None = None,
    ) -> None:
        """Add a custom field (API name ending `__c`) such as an external id for upserts."""
        definition = self._object(sobject)
        if not name.endswith("__c"):
            raise ValueError(f"custom field names end with __c: {name!r}")
        options: dict[str, Any] = {
            "external_id": external_id,
            "unique": unique or external_id,
            "length": length,
            "scale": scale,
            "picklist_values": tuple(picklist_values),
            "restricted": restricted,
            "custom": True,
        }
        if field_type == "reference":
            if reference_to is None or self.org.schema.get(reference_to) is None:
                raise ValueError("reference fields need reference_to naming an object")
            options.update(
                reference_to=(reference_to,), relationship_name=name[:-3] + "__r", length=18
            )
        self._install_field(definition.name, name, field_type, options)

    def _install_field(
        self, sobject: str, name: str, field_type: str, options: dict[str, Any]
    ) -> None:
        """Add the field to the schema and to every stored record (as a deployed field is)."""
        definition = self._object(sobject)
        with self.org.store.lock:
            definition.add(fd(name, field_type, **options))
            for record in self.org.store.records(definition.name, include_deleted=True):
                record.values.setdefault(name, False if field_type == "boolean" else None)
            self.org.schema.link_children()

    def add_business_hours(
        self,
        name: str,
        time_zone: str,
        hours: dict[str, tuple[str, str] | None],
        is_default: bool = False,
        is_active: bool = True,
    ) -> str:
        """Add a BusinessHours record; `hours` maps a day to ("09:00", "17:00") or None (closed)."""
        values: dict[str, Any] = {
            "Name": name,
            "TimeZoneSidKey": time_zone,
            "IsDefault": is_default,
            "IsActive": is_active,
        }
        for day in DAYS:
            span = hours.get(day)
            values[f"{day}StartTime"] = time.fromisoformat(span[0]) if span else None
            values[f"{day}EndTime"] = time.fromisoformat(span[1]) if span else None
        with self.org.store.transaction() as tx:
            if is_default:
                for row in self.org.store.records("BusinessHours"):
                    self.dml.system_update(tx, row, {"IsDefault": False})
            return self.org.insert_setup(tx, "BusinessHours", values)

    def add_holiday(
        self,
        name: str,
        activity_date: date,
        *,
        all_day: bool = True,
        start_minutes: int | None = None,
        end_minutes: int | None = None,
    ) -> str:
        """Add a Holiday record (all day, or from/to minutes after midnight)."""
        values = {
            "Name": name,
            "ActivityDate": activity_date,
            "IsAllDay": all_day,
            "IsRecurrence": False,
            "StartTimeInMinutes": None if all_day else start_minutes,
            "EndTimeInMinutes": None if all_day else end_minutes,
        }
        with self.org.store.transaction() as tx:
            return self.org.insert_setup(tx, "Holiday", values)

    def add_influence_model(
        self,
        developer_name: str,
        label: str | None = None,
        is_default: bool = False,
        locked: bool = True,
    ) -> str:
        """Add a custom campaign influence model (only custom models accept API records)."""
        if not self.config.campaign_influence_enabled:
            raise RuntimeError("campaign influence is disabled in this org")
        values = {
            "DeveloperName": developer_name,
            "MasterLabel": label or developer_name,
            "IsActive": True,
            "IsDefaultModel": is_default,
            "IsModelLocked": locked,
            "ModelDescription": None,
            "RecordPreference": "AllRecords",
        }
        with self.org.store.transaction() as tx:
            if is_default:
                for row in self.org.store.records("CampaignInfluenceModel"):
                    self.dml.system_update(tx, row, {"IsDefaultModel": False})
            return self.org.insert_setup(tx, "CampaignInfluenceModel", values)

"""Create, update, delete and upsert with the checks the platform applies, in its order.

Order of one save (as in Salesforce's order of execution, simplified): field-level checks
(unknown field, read-only field, type, length, e-mail, restricted picklist, lookups), object
rules and defaults, required fields, custom validation rules, duplicate rules, assignment rule,
save, related-record effects, then (after commit) outbound-message evaluation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from . import object_rules
from .errors import SalesforceApiError, entity_is_deleted, malformed_id, not_found
from .field_security import GRANT_OBJECTS, refresh_visibility
from .fieldtypes import coerce_input
from .ids import normalize_id
from .org import Org
from .record_checks import RecordChecks
from .schema import FieldDef, ObjectDef
from .store import StoredRecord, Transaction

P = ParamSpec("P")
R = TypeVar("R")
_READ_ONLY_MESSAGE = (
    "Unable to create/update fields: {names}. Please check the security settings of this field "
    "and verify that it is read/write for your profile or permission set."
)


@dataclass(frozen=True)
class WriteContext:
    """Who writes and with which request headers.

    `auto_assign` mirrors `Sforce-Auto-Assign` (absent = TRUE); `allow_duplicate_save` mirrors
    `Sforce-Duplicate-Rule-Header: allowSave=true`. UI writes never run the assignment rule
    unless the user ticks "Assign using active assignment rule" (`auto_assign=True`).
    """

    actor_id: str
    via_api: bool = True
    auto_assign: bool = True
    allow_duplicate_save: bool = False


class MultipleMatches(Exception):
    """An upsert by external id matched more than one record (HTTP 300)."""

    def __init__(self, record_ids: list[str]) -> None:
        super().__init__(f"{len(record_ids)} records match")
        self.record_ids = record_ids


def _dml_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Mark 400 errors raised while writing as DML errors (their JSON carries `fields`)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except SalesforceApiError as error:
            if error.status == 400:
                error.dml = True
            raise

    return wrapper


class Dml:
    """The write path shared by REST, composite requests and the simulated UI."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.checks = RecordChecks(org)

    # ---- public operations -------------------------------------------------------------------

    def object_def(self, sobject: str) -> ObjectDef:
        """The definition of `sobject`, or 404 NOT_FOUND like an unknown sObject URL."""
        definition = self.org.schema.get(sobject)
        if definition is None:
            raise not_found()
        return definition

    @_dml_errors
    def create(self, sobject: str, fields: Mapping[str, Any], ctx: WriteContext) -> str:
        """Insert one record and return its id."""
        definition = self.object_def(sobject)
        if not definition.createable:
            raise SalesforceApiError(
                400, "INVALID_TYPE", f"entity type {definition.name} does not support insert"
            )
        if any(k.lower() == "id" for k in fields):
            raise SalesforceApiError(
                400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"]
            )
        given = self._read_fields(definition, fields, creating=True)
        new: dict[str, Any] = {name: f.default for name, f in definition.fields.items()}
        new.update(given)
        new["Id"] = None
        with self.org.store.transaction() as tx:
            new["Id"] = self.org.ids.new(definition.key_prefix)
            record = self._save(tx, definition, None, new, set(given), ctx)
            return record.id

    @_dml_errors
    def update(
        self, sobject: str | None, record_id: str, fields: Mapping[str, Any], ctx: WriteContext
    ) -> str:
        """Update one record; `sobject` None accepts any type (sObject Collections)."""
        record = self.live_record(sobject, record_id)
        definition = self.object_def(record.sobject)
        if not definition.updateable:
            raise SalesforceApiError(
                400, "INVALID_TYPE", f"entity type {definition.name} does not support update"
            )
        fields = dict(fields)
        for key in [k for k in fields if k.lower() == "id"]:
            if normalize_id(fields.pop(key)) != record.id:
                raise SalesforceApiError(
                    400, "INVALID_FIELD", "Id in body does not match URL", ["Id"]
                )
        given = self._read_fields(definition, fields, creating=False)
        with self.org.store.transaction() as tx:
            new = {**record.values, **given}
            self._save(tx, definition, record, new, set(given), ctx)
        return record.id

    @_dml_errors
    def delete(self, sobject: str | None, record_id: str, ctx: WriteContext) -> str:
        """Move a record (and its dependent children) to the recycle bin."""
        record = self.live_record(sobject, record_id)
        definition = self.object_def(record.sobject)
        if not definition.deletable:
            raise SalesforceApiError(
                400, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id"
            )
        with self.org.store.transaction() as tx:
            self._delete_tree(tx, record, ctx)
        return record.id

    @_dml_errors
    def upsert(
        self,
        sobject: str,
        id_field: str,
        value: str,
        fields: Mapping[str, Any],
        ctx: WriteContext,
    ) -> tuple[str, bool]:
        """Update the record whose external id matches, or create it; returns (id, created)."""
        definition = self.object_def(sobject)
        key = definition.field(id_field)
        if key is None or not (key.external_id or key.name == "Id"):
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {id_field}",
            )
        matches = self.find_by_external_id(definition, key, value)
        body = {k: v for k, v in fields.items() if k.lower() != key.name.lower()}
        if len(matches) > 1:
            raise MultipleMatches([m.id for m in matches])
        if matches:
            return self.update(definition.name, matches[0].id, body, ctx), False
        if key.name == "Id":
            raise not_found()
        return self.create(definition.name, {**body, key.name: value}, ctx), True

    def find_by_external_id(
        self, definition: ObjectDef, key: FieldDef, value: str
    ) -> list[StoredRecord]:
        """Live records whose `key` field equals `value` (case-insensitive, like the platform)."""
        if key.name == "Id":
            record = self.org.live(normalize_id(value))
            return [record] if record is not None and record.sobject == definition.name else []
        lowered = str(value).lower()
        return [
            r
            for r in self.org.store.records(definition.name)
            if r.values.get(key.name) is not None and str(r.values[key.name]).lower() == lowered
        ]

    def live_record(self, sobject: str | None, record_id: str) -> StoredRecord:
        """The live record behind an id from a URL or a collection row."""
        normalized = normalize_id(record_id)
        if normalized is None:
            raise malformed_id(record_id)
        record = self.org.store.get(normalized)
        if record is None or (sobject is not None and record.sobject.lower() != sobject.lower()):
            raise not_found()
        if record.is_deleted:
            raise entity_is_deleted()
        return record

    def save_as_platform(
        self,
        tx: Transaction,
        definition: ObjectDef,
        record: StoredRecord,
        new: dict[str, Any],
        changed: set[str],
        ctx: WriteContext,
    ) -> StoredRecord:
        """Save values the API may not write (e.g. conversion fields) through the same checks."""
        return self._save(tx, definition, record, new, set(changed), ctx)

    # ---- system writes used by related-record rules -------------------------------------------

    def system_insert(self, tx: Transaction, sobject: str, values: dict[str, Any]) -> str:
        """Insert as the platform itself (e.g. a new campaign's default member statuses)."""
        return self.org.insert_setup(tx, sobject, values)

    def system_update(self, tx: Transaction, record: StoredRecord, changes: dict[str, Any]) -> None:
        """Change a related record as the platform: bumps SystemModstamp, not LastModified*."""
        self.org.store.replace_values(
            tx, record, {**record.values, **changes, "SystemModstamp": self.org.now()}
        )

    # ---- the save pipeline --------------------------------------------------------------------

    def _read_fields(
        self, definition: ObjectDef, fields: Mapping[str, Any], creating: bool
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        read_only: list[str] = []
        for key, raw in fields.items():
            if key == "attributes":
                continue
            field = definition.field(key)
            if field is None:
                raise SalesforceApiError(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{key}' on sobject of type {definition.name}",
                )
            if not (field.createable if creating else field.updateable):
                read_only.append(field.name)
                continue
            value = coerce_input(field.type, raw, field.scale)
            values[field.name] = False if value is None and field.type == "boolean" else value
        if read_only:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                _READ_ONLY_MESSAGE.format(names=", ".join(read_only)),
                read_only,
            )
        return values

    def _save(
        self,
        tx: Transaction,
        definition: ObjectDef,
        record: StoredRecord | None,
        new: dict[str, Any],
        changed: set[str],
        ctx: WriteContext,
    ) -> StoredRecord:
        old = dict(record.values) if record is not None else None
        if ctx.via_api:
            self.checks.raise_injected_row_fault(definition.name)
        if definition.has_owner and new.get("OwnerId") is None and old is None:
            new["OwnerId"] = ctx.actor_id
            changed.add("OwnerId")
        for name in sorted(changed):
            self.checks.check_value(definition, definition.fields[name], new)
        object_rules.before_save(self.org, definition.name, old, new, changed)
        self.checks.check_required(definition, new, changed, creating=old is None)
        self.checks.run_validation_rules(definition, new)
        self.checks.run_duplicate_rules(definition, new, changed, ctx)
        if definition.name == "Lead" and ctx.auto_assign:
            self.checks.run_assignment_rule(new)
        now = self.org.now()
        new.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=ctx.actor_id)
        if record is None:
            new.update(CreatedDate=now, CreatedById=ctx.actor_id, IsDeleted=False)
            record = self.org.store.insert(tx, definition.name, new)
        else:
            self.org.store.replace_values(tx, record, new)
        object_rules.after_save(self.org, tx, self, old, record)
        self._notify(tx, definition.name, old, record, ctx.actor_id)
        return record

    def _notify(
        self,
        tx: Transaction,
        sobject: str,
        old: dict[str, Any] | None,
        record: StoredRecord,
        actor: str,
    ) -> None:
        old_json = self.org.to_json(old) if old is not None else None
        new_json = self.org.to_json(record.values)
        for listener in list(self.org.save_listeners):
            tx.after_commit(lambda lst=listener: lst(sobject, old_json, new_json, actor))

    def _delete_tree(self, tx: Transaction, record: StoredRecord, ctx: WriteContext) -> None:
        now = self.org.now()
        old = dict(record.values)
        self.org.store.mark_deleted(tx, record, now)
        record.values.update(SystemModstamp=now, LastModifiedById=ctx.actor_id)
        for child_object, lookup in object_rules.CASCADE_DELETE.get(record.sobject, ()):
            for child in self.org.store.records(child_object):
                if child.values.get(lookup) == record.id and not child.is_deleted:
                    self._delete_tree(tx, child, ctx)
        if record.sobject == "OpportunityLineItem":
            object_rules.recompute_opportunity_amount(self.org, tx, self, old.get("OpportunityId"))
        if record.sobject in GRANT_OBJECTS:
            refresh_visibility(self.org)

"""The portal's CRM state and the write rules HubSpot applies (lifecycle, uniqueness, stages).

Every public method expects the caller to hold `self.lock` (the server is threaded). Changes that
webhooks report are handed to `emit` as `CrmChange`s.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from . import dealstages, leads
from .associations import AssociationStore
from .catalog import build_default_registry
from .errors import ApiError, conflict, not_found, property_problems
from .events import CrmChange
from .lifecycle import (
    StageDecision,
    decide_stage_write,
    stage_date_updates,
    stage_property_names,
)
from .lists import HsList
from .owners import Owner
from .pipelines import Pipeline, default_sales_pipeline
from .properties import Option, Problem, PropertyDef
from .properties import iso_from_ms as _iso
from .records import CrmRecord, HistoryEntry, WriteSource
from .relations import RelationsMixin
from .schema import ACTIVITY_TYPES, OBJECT_TYPES, ObjectType
from .search import SearchIndex
from .tasks import task_completion

LIFECYCLE_TYPES = ("contacts", "companies")
LEGACY_PREFIX = "hs_lifecyclestage_"


class CrmState(RelationsMixin):
    """Records, properties, associations, owners, lists and pipelines of one portal."""

    def __init__(
        self,
        *,
        portal_id: int,
        seed: int,
        search_delay_s: float,
        clock: Callable[[], float],
        emit: Callable[[CrmChange], None],
    ) -> None:
        self.lock = threading.RLock()
        #: every value the integration wrote per (record id, property), unchanged ones too: a
        #: repeated write leaves no history entry, so benchmarks count repeats here
        self.integration_writes: dict[str, Counter[tuple[str, str]]] = {}
        self.portal_id = portal_id
        self.clock = clock
        self.emit = emit
        self.batch_rng = random.Random(seed)
        self.registry = build_default_registry(self.now_ms())
        self.records: dict[str, dict[str, CrmRecord]] = {t.name: {} for t in OBJECT_TYPES}
        self.gone: dict[tuple[str, str], str] = {}  # (type, id) -> "merged" | "gdpr"
        self._email_owner: dict[str, str] = {}  # email (also additional ones) -> live contact id
        self._emails_of: dict[str, set[str]] = {}
        self._next_id: dict[str, int] = {t.name: 1001 for t in OBJECT_TYPES}
        self.associations = AssociationStore()
        self.owners: dict[str, Owner] = {}
        self.teams: dict[str, str] = {}
        self.lists: dict[str, HsList] = {}
        self.pipelines: dict[str, Pipeline] = {}
        #: the Leads object's pipelines (a portal that set up Leads has one)
        self.lead_pipelines: dict[str, Pipeline] = {}
        self.index = SearchIndex(search_delay_s, clock)
        self._counter = 0
        for object_type in LIFECYCLE_TYPES:
            for option in self.registry.get(object_type, "lifecyclestage").options:  # type: ignore[union-attr]
                self._define_stage_properties(object_type, option.value, LEGACY_PREFIX)
        self.add_pipeline(default_sales_pipeline(self.now_ms()))
        lead_pipeline = leads.default_lead_pipeline(self.now_ms())
        self.lead_pipelines[lead_pipeline.id] = lead_pipeline
        validators = self.registry.external_validators
        for t in OBJECT_TYPES:
            validators[f"{t.name}.hubspot_owner_id"] = self._is_active_owner
            validators[f"{t.name}.hubspot_team_id"] = lambda v: v in self.teams.values()
        validators["deals.pipeline"] = lambda v: v in self.pipelines
        validators["deals.dealstage"] = lambda v: any(p.stage(v) for p in self.pipelines.values())

    # ----------------------------------------------------------------- basics
    def now_ms(self) -> int:
        """The sandbox clock in milliseconds (HubSpot timestamps are ms)."""
        return int(self.clock() * 1000)

    def next_counter(self) -> int:
        """A portal-wide sequence for owner, list and user ids."""
        self._counter += 1
        return self._counter

    def _is_active_owner(self, value: str) -> bool:
        owner = self.owners.get(value)
        return owner is not None and not owner.archived

    def pipelines_of(self, object_type: str) -> dict[str, Pipeline]:
        """The pipelines of an object type (deals and leads have them; others none)."""
        return {"deals": self.pipelines, leads.LEADS: self.lead_pipelines}.get(object_type, {})

    def _define_stage_properties(self, object_type: str, stage: str, legacy: str | None) -> None:
        for name, type_ in stage_property_names(stage, legacy_prefix=legacy):
            if self.registry.get(object_type, name) is None:
                read_only = not name.startswith(LEGACY_PREFIX)
                prop = PropertyDef(name, type_, read_only=read_only, created_at_ms=self.now_ms())
                self.registry.add(object_type, prop)

    def stage_order(self, object_type: str) -> dict[str, int]:
        """Lifecycle stage -> position, from the property's option displayOrder."""
        prop = self.registry.get(object_type, "lifecyclestage")
        if prop is None:
            return {}
        return {o.value: i for i, o in enumerate(prop.ordered_options())}

    def add_lifecycle_stage(self, value: str, label: str, display_order: int) -> None:
        """Insert (or move) a lifecycle stage of contacts and companies at `display_order`."""
        for object_type in LIFECYCLE_TYPES:
            prop = self.registry.get(object_type, "lifecyclestage")
            assert prop is not None
            prop.options = [o for o in prop.options if o.value != value]
            if any(o.display_order == display_order for o in prop.options):
                for option in prop.options:  # insert, as in the UI: later stages move down
                    if option.display_order >= display_order:
                        option.display_order += 1
            prop.options.append(Option(value, label, display_order))
            self._define_stage_properties(object_type, value, LEGACY_PREFIX)

    def add_pipeline(self, pipeline: Pipeline) -> None:
        """Register a deal pipeline and the stage-date properties of its stages."""
        self.pipelines[pipeline.id] = pipeline
        for stage in pipeline.stages:
            self._define_stage_properties("deals", stage.id, None)

    # ----------------------------------------------------------------- lookups
    def find(
        self,
        object_type: ObjectType,
        key: str,
        *,
        id_property: str | None = None,
        archived: bool | None = False,
    ) -> CrmRecord | None:
        """A record by id (or by a unique property such as email); `archived=None` means any."""
        if id_property in (None, "", "hs_object_id"):
            record = self.records[object_type.name].get(str(key))
        elif object_type.name == "contacts" and id_property == "email":
            record = self.contact_by_email(str(key))
        else:
            prop = self.registry.get(object_type.name, id_property)  # type: ignore[arg-type]
            if prop is None or not prop.has_unique_value:
                raise ApiError(
                    400,
                    f"Unable to perform lookup by non-unique {object_type.type_id} property "
                    f"{id_property} in portal ID {self.portal_id}",
                    "VALIDATION_ERROR",
                )
            record = next(
                (
                    r
                    for r in self.records[object_type.name].values()
                    if r.value(id_property) == str(key) and not r.archived  # type: ignore[arg-type]
                ),
                None,
            )
        if record is None or (archived is not None and record.archived != archived):
            return None
        return record

    def require(self, object_type: ObjectType, key: str, **kw: Any) -> CrmRecord:
        """`find` or 404 as HubSpot answers it."""
        record = self.find(object_type, key, **kw)
        if record is None:
            raise not_found("Object not found.  objectId are usually numeric.", id=[str(key)])
        return record

    def contact_by_email(self, email: str) -> CrmRecord | None:
        """The live contact whose email (or one of its additional emails) is `email`."""
        contact_id = self._email_owner.get(email.strip().lower())
        return self.records["contacts"].get(contact_id) if contact_id else None

    def _index_emails(self, record: CrmRecord) -> None:
        self.forget_email(record)
        if record.archived:
            return
        emails = {record.value("email")} | set(record.value("hs_additional_emails").split(";"))
        emails.discard("")
        self._emails_of[record.id] = emails
        for email in emails:
            self._email_owner[email] = record.id

    def forget_email(self, record: CrmRecord) -> None:
        """Drop a contact's emails from the uniqueness index (archived, merged, deleted)."""
        for email in self._emails_of.pop(record.id, set()):
            if self._email_owner.get(email) == record.id:
                del self._email_owner[email]

    def known_properties(
        self, object_type: ObjectType, names: list[str] | None
    ) -> list[str] | None:
        """Requested property names that exist (HubSpot ignores unknown ones in reads)."""
        if names is None:
            return None
        return [n for n in names if self.registry.get(object_type.name, n) is not None]

    # ----------------------------------------------------------------- validation
    def prepare(
        self,
        object_type: ObjectType,
        values: dict[str, Any],
        *,
        record: CrmRecord | None = None,
        allow_read_only: bool = False,
    ) -> dict[str, str]:
        """Validate a write against the property catalog; 400 VALIDATION_ERROR on any problem."""
        if not isinstance(values, dict):
            raise ApiError(400, "properties must be a JSON object", "VALIDATION_ERROR")
        normalised, problems = self.registry.check(
            object_type.name, values, allow_read_only=allow_read_only
        )
        problems = [self._owner_problem(p) for p in problems]
        if (
            record is None
            and object_type.name in ACTIVITY_TYPES
            and not normalised.get("hs_timestamp")
        ):
            problems.append(
                Problem("hs_timestamp", "MISSING_REQUIRED_PROPERTY", "hs_timestamp is required")
            )
        if object_type.name == "deals":
            problems.extend(dealstages.check(self.pipelines, normalised, record))
        if object_type.name == leads.LEADS:
            problems.extend(leads.check(normalised, record))
        if problems:
            raise property_problems([p.as_dict() for p in problems], self.portal_id)
        if object_type.name == "contacts" and normalised.get("email"):
            self.check_email_free(normalised["email"], record.id if record else None)
        return normalised

    @staticmethod
    def _owner_problem(problem: Problem) -> Problem:
        if problem.name == "hubspot_owner_id" and problem.error == "INVALID_OPTION":
            value = problem.message.split(" ", 1)[0]
            return Problem(problem.name, "INVALID_OWNER_ID", f"{value} is not a valid owner id")
        return problem

    def check_email_free(self, email: str, own_id: str | None) -> None:
        """409 CONFLICT when another live contact already has this email."""
        existing = self.contact_by_email(email)
        if existing is not None and existing.id != own_id:
            raise conflict(f"Contact already exists. Existing ID: {existing.id}")

    # ----------------------------------------------------------------- writes
    def create(
        self,
        object_type: ObjectType,
        values: dict[str, str],
        source: WriteSource,
    ) -> CrmRecord:
        """Create a record from prepared values; emits creation and property changes."""
        now = self.now_ms()
        record_id = str(self._next_id[object_type.name])
        self._next_id[object_type.name] += 1
        record = CrmRecord(object_type, record_id, created_at_ms=now, updated_at_ms=now)
        self.records[object_type.name][record_id] = record
        self.emit(self._change("creation", record, source, now, changeFlag="CREATED"))
        system = {"hs_object_id": record_id, "hs_createdate": values.get("hs_createdate", "")}
        if object_type.name in ("contacts", "companies", "deals"):
            system["createdate"] = values.get("createdate", "")
        iso = _iso(now)
        system = {k: (v or iso) for k, v in system.items()}
        if object_type.name == "deals" and values.get("dealstage") and not values.get("pipeline"):
            system["pipeline"] = "default"
        if object_type.name == leads.LEADS:
            system.update(leads.creation_defaults(values))
        self._apply(record, {**system, **values}, source, now, force_touch=True)
        return record

    def update(self, record: CrmRecord, values: dict[str, str], source: WriteSource) -> CrmRecord:
        """Apply prepared values to an existing record under HubSpot's rules."""
        if source.change_source == "INTEGRATION":
            writes = self.integration_writes.setdefault(record.id, Counter())
            writes.update(values.items())
        self._apply(record, values, source, self.now_ms())
        return record

    def _apply(
        self,
        record: CrmRecord,
        values: dict[str, str],
        source: WriteSource,
        now: int,
        *,
        force_touch: bool = False,
    ) -> None:
        changes: dict[str, str] = {}
        for name, value in values.items():
            if name == "lifecyclestage" and record.object_type.name in LIFECYCLE_TYPES:
                value = self._lifecycle_value(record, value)
                if value is None:
                    continue
            if record.properties.get(name) != value and not (
                value == "" and name not in record.properties
            ):
                changes[name] = value
        changes.update(self._derived(record, changes, now))
        if not changes and not force_touch:
            return
        for name, value in changes.items():
            self._set(record, name, value, source, now)
        record.updated_at_ms = now
        modified = {"hs_lastmodifieddate", record.object_type.modified_property}
        for name in modified:
            record.properties[name] = _iso(now)
        if record.object_type.name == "contacts" and (
            {"email", "hs_additional_emails"} & changes.keys()
        ):
            self._index_emails(record)
        self.index.record(record)
        for name, value in changes.items():
            self.emit(
                self._change(
                    "propertyChange", record, source, now, propertyName=name, propertyValue=value
                )
            )

    def _lifecycle_value(self, record: CrmRecord, requested: str) -> str | None:
        decision = decide_stage_write(
            record.value("lifecyclestage"), requested, self.stage_order(record.object_type.name)
        )
        if decision in (StageDecision.IGNORED_BACKWARDS, StageDecision.UNCHANGED):
            return None
        return requested

    def _derived(self, record: CrmRecord, changes: dict[str, str], now: int) -> dict[str, str]:
        derived: dict[str, str] = {}
        merged = {**record.properties, **changes}
        if "lifecyclestage" in changes and record.object_type.name in LIFECYCLE_TYPES:
            derived.update(
                stage_date_updates(
                    merged,
                    record.value("lifecyclestage"),
                    changes["lifecyclestage"],
                    now,
                    legacy_prefix=LEGACY_PREFIX if record.object_type.name == "contacts" else None,
                )
            )
        if "hubspot_owner_id" in changes:
            derived["hubspot_owner_assigneddate"] = _iso(now) if changes["hubspot_owner_id"] else ""
        if record.object_type.name == "tasks" and "hs_task_status" in changes:
            derived.update(task_completion(changes["hs_task_status"], now))
        if record.object_type.name == "deals" and ({"dealstage", "pipeline"} & changes.keys()):
            derived.update(dealstages.derived(self.pipelines, record, merged, now))
        return {
            k: v for k, v in derived.items() if record.properties.get(k, "") != v or k in changes
        }

    def _set(self, record: CrmRecord, name: str, value: str, source: WriteSource, now: int) -> None:
        record.properties[name] = value
        record.history.setdefault(name, []).append(HistoryEntry(value, now, source))

    def archive(self, record: CrmRecord, source: WriteSource) -> None:
        """Move to the recycle bin (restorable; the id answers only with archived=true)."""
        if record.archived:
            return
        now = self.now_ms()
        record.archived = True
        record.archived_at_ms = now
        record.updated_at_ms = now
        self.forget_email(record)
        self.index.record(record)
        self.emit(self._change("deletion", record, source, now, changeFlag="DELETED"))

    def _change(
        self, kind: str, record: CrmRecord, source: WriteSource, now: int, **extra: Any
    ) -> CrmChange:
        name = extra.pop("propertyName", None)
        value = extra.pop("propertyValue", None)
        return CrmChange(
            kind,
            record.object_type.name,
            int(record.id),
            now,
            source.change_source,
            source.source_id,
            name,
            value,
            extra,
        )

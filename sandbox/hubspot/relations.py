"""What happens between records: associations, merges and permanent deletes.

A mixin of `CrmState`, kept apart so the write rules in `state.py` stay readable. Callers hold
`CrmState.lock`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .events import CrmChange
from .lifecycle import furthest_stage
from .records import CrmRecord, WriteSource
from .schema import association_label, resolve_type

if TYPE_CHECKING:
    from .associations import AssociationStore
    from .lists import HsList
    from .search import SearchIndex

PRIMARY_TYPE_IDS = (1, 2, 5, 6)
_NOT_MOVED_ON_MERGE = {
    "hs_object_id",
    "createdate",
    "hs_createdate",
    "email",
    "lastmodifieddate",
    "hs_lastmodifieddate",
    "lifecyclestage",
    "hs_merged_object_ids",
    "hs_additional_emails",
}


class RelationsMixin:
    """Associations, merges and GDPR deletes over the state's records."""

    records: dict[str, dict[str, CrmRecord]]
    gone: dict[tuple[str, str], str]
    associations: AssociationStore
    lists: dict[str, HsList]
    index: SearchIndex
    emit: Callable[[CrmChange], None]

    if TYPE_CHECKING:

        def now_ms(self) -> int: ...
        def stage_order(self, object_type: str) -> dict[str, int]: ...
        def forget_email(self, record: CrmRecord) -> None: ...
        def _apply(
            self,
            record: CrmRecord,
            values: dict[str, str],
            source: WriteSource,
            now: int,
            *,
            force_touch: bool = False,
        ) -> None: ...
        def _change(
            self, kind: str, record: CrmRecord, source: WriteSource, now: int, **extra: Any
        ) -> CrmChange: ...

    def forget(self, record: CrmRecord, reason: str) -> None:
        """Remove a record for good (GDPR delete, merged away): its id stops resolving."""
        key = (record.object_type.name, record.id)
        self.records[record.object_type.name].pop(record.id, None)
        self.gone[key] = reason
        self.forget_email(record)
        self.associations.drop_record(key)
        type_id = record.object_type.type_id
        for hs_list in self.lists.values():
            if hs_list.object_type_id == type_id:
                hs_list.members.pop(record.id, None)
        self.index.record(record, gone=True)

    def gdpr_delete(self, record: CrmRecord, source: WriteSource) -> None:
        """Permanent delete: fires contact.privacyDeletion and contact.deletion."""
        now = self.now_ms()
        self.forget(record, "gdpr")
        self.emit(self._change("privacyDeletion", record, source, now))
        self.emit(self._change("deletion", record, source, now, changeFlag="DELETED"))

    def merge_contacts(self, primary: CrmRecord, merged: CrmRecord, source: WriteSource) -> None:
        """Merge `merged` into `primary`: blanks filled, furthest stage kept, id retired."""
        if primary.id == merged.id:
            raise ApiError(400, "Cannot merge a contact with itself.", "VALIDATION_ERROR")
        now = self.now_ms()
        values = {
            name: value
            for name, value in merged.properties.items()
            if value
            and name not in _NOT_MOVED_ON_MERGE
            and not primary.value(name)
            and not name.startswith("hs_v2_")
        }
        order = self.stage_order("contacts")
        best = furthest_stage(
            primary.value("lifecyclestage"), merged.value("lifecyclestage"), order
        )
        if best != primary.value("lifecyclestage"):
            values["lifecyclestage"] = best
        extra = [e for e in primary.value("hs_additional_emails").split(";") if e]
        extra += [
            e
            for e in [merged.value("email"), *merged.value("hs_additional_emails").split(";")]
            if e
        ]
        merged_ids = [i for i in primary.value("hs_merged_object_ids").split(";") if i]
        merged_ids += [
            merged.id,
            *[i for i in merged.value("hs_merged_object_ids").split(";") if i],
        ]
        moved = len(values)
        moved_edges = self.associations.move(("contacts", merged.id), ("contacts", primary.id))
        for hs_list in self.lists.values():
            if hs_list.object_type_id == "0-1" and merged.id in hs_list.members:
                hs_list.members.setdefault(primary.id, hs_list.members.pop(merged.id))
        self.forget(merged, "merged")
        values["hs_additional_emails"] = ";".join(dict.fromkeys(extra))
        values["hs_merged_object_ids"] = ";".join(dict.fromkeys(merged_ids))
        self._apply(primary, values, source, now, force_touch=True)
        self.emit(
            self._change(
                "merge",
                primary,
                source,
                now,
                primaryObjectId=int(primary.id),
                mergedObjectIds=[int(merged.id)],
                newObjectId=int(primary.id),
                numberOfPropertiesMoved=moved,
            )
        )
        for other, type_id in moved_edges:
            self._emit_association(("contacts", primary.id), other, type_id, False, source, now)

    def associate(
        self, from_rec: CrmRecord, to_rec: CrmRecord, type_id: int, source: WriteSource
    ) -> bool:
        """Add one association (both directions); fires one event per side when new."""
        from_key = (from_rec.object_type.name, from_rec.id)
        to_key = (to_rec.object_type.name, to_rec.id)
        added = self.associations.add(from_key, to_key, type_id)
        if added:
            self._emit_association(from_key, to_key, type_id, False, source, self.now_ms())
        return added

    def unassociate(self, from_rec: CrmRecord, to_rec: CrmRecord, source: WriteSource) -> bool:
        """Remove all associations between two records; fires one event per side."""
        from_key = (from_rec.object_type.name, from_rec.id)
        to_key = (to_rec.object_type.name, to_rec.id)
        removed = self.associations.remove(from_key, to_key)
        if removed:
            self._emit_association(from_key, to_key, 0, True, source, self.now_ms())
        return removed

    def _emit_association(
        self,
        a: tuple[str, str],
        b: tuple[str, str],
        type_id: int,
        removed: bool,
        source: WriteSource,
        now: int,
    ) -> None:
        primary = type_id in PRIMARY_TYPE_IDS
        for left, right in ((a, b), (b, a)):
            self.emit(
                CrmChange(
                    "associationChange",
                    left[0],
                    int(left[1]),
                    now,
                    source.change_source,
                    source.source_id,
                    extra={
                        "associationType": association_label(left[0], right[0]),
                        "fromObjectId": int(left[1]),
                        "toObjectId": int(right[1]),
                        "associationRemoved": removed,
                        "isPrimaryAssociation": primary,
                        "otherObjectType": right[0],
                    },
                )
            )

    def association_map(
        self, record: CrmRecord, to_types: list[str]
    ) -> dict[str, list[dict[str, str]]]:
        """`associations` for a v3 read: {"deals": [{"id": "...", "type": "contact_to_deal"}]}."""
        result: dict[str, list[dict[str, str]]] = {}
        for name in to_types:
            to_type = resolve_type(name)
            label = f"{record.object_type.singular}_to_{to_type.singular}"
            targets = self.associations.targets((record.object_type.name, record.id), to_type.name)
            result[to_type.name] = [{"id": t, "type": label} for t, _ in targets]
        return result

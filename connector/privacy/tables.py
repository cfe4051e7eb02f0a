"""The core tables' erasure rules (jobs that add tables register theirs the same way).

Order is erasure order: a table whose ``parents`` name another comes after it, and raw bodies
come first (they are found through the person's inbox events, before those are scrubbed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from connector.privacy.body_search import body_mentions
from connector.privacy.erasure import ErasureContext, own_rows, table_of
from connector.privacy.registry import TablePolicy, declare_free, register, register_pruner
from connector.replays import prune_seen_requests
from connector.reports.scorecard.snapshots import prune_snapshots
from connector.store.models import InboxEvent, RawRequest

INBOX = TablePolicy(
    "inbox_events",
    keys=("record_key",),
    ids=("object_id",),
    # the event id stays unless it names the person (poller ids do): dedupe needs it
    redact=("changes", "related_ids", "outcome", "event_id"),
)


class RawBodies:
    """Raw request bodies are bytes: found through the person's events, or by their address."""

    table = "raw_requests"

    def _ids(self, ctx: ErasureContext) -> set[int]:
        condition = own_rows(ctx, INBOX)
        found: set[int] = set()
        if condition is not None:
            found |= {
                i
                for i in ctx.session.scalars(select(InboxEvent.raw_request_id).where(condition))
                if i is not None
            }
        needles = ctx.others
        query = select(RawRequest.id, RawRequest.body).where(RawRequest.body.is_not(None))
        dialect = ctx.session.get_bind().dialect.name
        candidates = body_mentions(RawRequest.__table__.c.body, needles.needles, dialect)
        if candidates is not None:  # only bodies that may hold the person are decoded
            query = query.where(candidates)
        for raw_id, body in ctx.session.execute(query):
            text = bytes(body).decode("utf-8", errors="replace")
            if needles.text(text) != text:
                found.add(raw_id)
        return found

    def erase(self, ctx: ErasureContext) -> int:
        """Drop the bodies that carried the person (other people in a batch lose it too)."""
        ids = self._ids(ctx)
        ctx.matched[self.table] = ids
        if not ids:
            return 0
        result = ctx.session.execute(
            update(RawRequest)
            .where(RawRequest.id.in_(ids), RawRequest.body.is_not(None))
            .values(body=None)
        )
        return result.rowcount or 0

    def export(self, ctx: ErasureContext) -> list[dict[str, Any]]:
        """The bodies that carried the person, as text."""
        ids = self._ids(ctx)
        if not ids:
            return []
        rows = ctx.session.scalars(select(RawRequest).where(RawRequest.id.in_(ids)))
        return [
            {
                "id": row.id,
                "source": row.source,
                "received_at": row.received_at.isoformat(),
                "body": bytes(row.body or b"").decode("utf-8", errors="replace"),
            }
            for row in rows
        ]


register(RawBodies())
register(INBOX)
register(TablePolicy("record_leases", keys=("record_key",), delete=True))
register(
    TablePolicy(
        "record_links",
        ids=("hubspot_contact_id", "salesforce_lead_id", "salesforce_contact_id", "email_hash"),
        delete=True,
    )
)
register(TablePolicy("record_states", keys=("record_key",), delete=True))
register(TablePolicy("own_writes", keys=("record_key",), delete=True))
register(
    TablePolicy(
        "outbox",
        keys=("record_key",),
        # a notice's key names its lead: notify:email:salesforce:lead:00Q…
        redact=("payload", "result", "last_error", "idempotency_key", "record_key"),
        close={"pending": "erased"},  # a write for an erased person never goes out
    )
)
register(TablePolicy("dead_letters", parents=(("command_id", "outbox"),), redact=("message",)))
register(
    TablePolicy(
        "timers",
        keys=("record_key",),
        redact=("payload", "idempotency_key", "record_key"),
        close={"pending": "cancelled", "fired": "cancelled"},
    )
)
register(TablePolicy("audit", keys=("record_key",), redact=("summary", "detail", "record_key")))
register(
    TablePolicy(
        "recycle_episodes",
        keys=("person_key",),
        ids=("hubspot_contact_id", "salesforce_lead_id"),
        redact=("note",),
    )
)
register(TablePolicy("sla_clocks", ids=("lead_id",)))
# a HubSpot touch is "<contact id>:<kind>"; the share itself (amount, channel) stays
register(TablePolicy("credit_ledger", redact=("touch_id",)))

declare_free("cursors", "poller positions, round-robin counters and the erasure key")
declare_free("seen_requests", "SHA-256 digests of whole requests, for replay refusal")
register_pruner("seen_requests", prune_seen_requests)  # off the webhook's hot path
register_pruner("scorecard_snapshots", prune_snapshots)  # kept weeks nobody reads any more
declare_free("sla_touches", "Task ids on a clock; the clock's lead id is what names the person")
declare_free("sla_breaches", "clock id, the rep's user id, team and policy codes")
declare_free("sla_rep_misses", "clock id, the rep's user id, a period code and a count")
declare_free("erasures", "keyed hashes of erased identifiers, never the identifiers")
declare_free(
    "credit_journeys", "deal ids, channel codes and campaign ids of closed deals; no person id"
)
declare_free(
    "pipeline_deals",
    "open deals: deal ids, amounts, stage labels, channel codes and marketing flags; no person",
)
declare_free("credit_deal_links", "a Salesforce opportunity id and HubSpot deal ids; no person")
declare_free("worker_heartbeats", "process names (host:pid:thread) and times, no person")
declare_free(
    "login_links",
    "SHA-256 of one-time sign-in tokens, the dashboard user name from config, times; "
    "pruned once expired",
)
declare_free(
    "scorecard_snapshots",
    "weekly figures, reps' CRM owner ids, sources, campaigns and reason codes; the records "
    "counted only as short digests of their CRM ids (record_marks), no names or addresses",
)
declare_free("crm_call_slots", "counts of CRM API calls per system and time slot, no person")

__all__ = ["INBOX", "RawBodies", "table_of"]

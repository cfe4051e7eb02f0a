"""The pieces of the end-to-end sync tests: sandboxes, Baton on loopback, a worker, and reads.

``SyncWorld`` is what a test drives: people act in the sandboxes (``hs.ui_*``, ``sf.ui_*``),
``settle()`` lets webhooks, outbound messages and the worker run until nothing moves, and the
assertions read the sandboxes' own state and request logs (plus Baton's store where the point
is Baton's bookkeeping: links, dead letters, audit).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from werkzeug.serving import make_server

from connector.config import BatonConfig, default_config, with_changes
from connector.config.defaults import (
    SANDBOX_SALESFORCE_ORG_ID,
    SANDBOX_SALESFORCE_OUTBOUND_TOKEN,
)
from connector.config.models.handoff import DEFAULT_CONTEXT_FIELDS
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.runtime import Runtime
from connector.store import Store
from connector.store.models import DeadLetter, OutboxCommand, RecordLink
from connector.worker import Worker
from webhooks.app import create_app

HUBSPOT_ID_FIELD = "HubSpot_Contact_Id__c"
#: the Contact field a converted person's stage lives on (Contact has no standard one)
CONTACT_STAGE_FIELD = "Lifecycle_Stage__c"
#: the custom Lead fields the default hand-off context writes (an admin creates them in the org)
CONTEXT_FIELDS = tuple(f for f in DEFAULT_CONTEXT_FIELDS.values() if f.endswith("__c"))
#: the Lead fields the recycle job reads and writes (an admin creates them in the org)
RECYCLE_REASON_FIELD = "Recycle_Reason__c"
RECYCLE_HISTORY_FIELD = "Baton_Recycle_History__c"
#: the contact properties the recycle job writes (created in the portal by the admin)
RECYCLE_PROPERTIES = ("baton_recycle_reason", "baton_recycle_count", "baton_reactivation_date")
LEAD_OUTBOUND_FIELDS = [
    "Status",
    "OwnerId",
    RECYCLE_REASON_FIELD,
    "Email",
    "IsConverted",
    "ConvertedContactId",
    HUBSPOT_ID_FIELD,
    "LastModifiedById",
    "SystemModstamp",
]
#: the Task fields the SLA job reads: a logged call or e-mail on a lead is its first touch
TASK_OUTBOUND_FIELDS = [
    "WhoId",
    "OwnerId",
    "Status",
    "TaskSubtype",
    "CreatedDate",
    "CreatedById",
    "LastModifiedById",
    "SystemModstamp",
]
#: the Event fields the SLA job reads: a meeting logged on a lead is a touch too
EVENT_OUTBOUND_FIELDS = [
    "WhoId",
    "OwnerId",
    "StartDateTime",
    "EventSubtype",
    "CreatedDate",
    "CreatedById",
    "LastModifiedById",
    "SystemModstamp",
]
#: the Opportunity field a rep gives the loss reason in (recycle.lost_opportunity_reason_field)
LOSS_REASON_FIELD = "Loss_Reason__c"
OPPORTUNITY_OUTBOUND_FIELDS = [
    "StageName",
    "IsWon",
    "IsClosed",
    "Amount",
    LOSS_REASON_FIELD,
    "LastModifiedById",
    "SystemModstamp",
]
HUBSPOT_SUBSCRIPTIONS = [
    "contact.creation",
    ("contact.propertyChange", "lifecyclestage"),
    ("contact.propertyChange", "hs_lead_status"),
    ("contact.propertyChange", "recent_conversion_date"),
    "contact.merge",
    "contact.deletion",
    "contact.privacyDeletion",
    # SLA touches: a call, e-mail or meeting logged in HubSpot (generic subscriptions)
    *(
        {"subscriptionType": "object.creation", "objectName": kind}
        for kind in ("call", "email", "meeting")
    ),
]
#: the org's lead statuses: the standard four plus one for stage-conflict tests
LEAD_STATUSES = [
    ("Open - Not Contacted", False, True),
    ("Working - Contacted", False, False),
    ("Qualified", False, False),
    ("Closed - Converted", True, False),
    ("Closed - Not Converted", False, False),
]
MQL, SQL, OPPORTUNITY = "marketingqualifiedlead", "salesqualifiedlead", "opportunity"
OPEN, WORKING, QUALIFIED = "Open - Not Contacted", "Working - Contacted", "Qualified"

_unique = itertools.count(1)


def unique_email(tag: str) -> str:
    """An address no other test (or earlier run against the same sandboxes) uses."""
    return f"{tag}-{next(_unique)}-{uuid.uuid4().hex[:6]}@example.com"


# ---------------------------------------------------------------------------- the sandboxes


@contextlib.contextmanager
def hubspot_sandbox(baton_url: str, **overrides: Any) -> Iterator[Any]:
    """A HubSpot portal with Baton's custom property, subscribed to Baton's receiver."""
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    settings: dict[str, Any] = {"webhook_retry_base_s": 0.05, "webhook_max_attempts": 3}
    settings.update(overrides)
    with HubSpotSandbox(HubSpotSandboxConfig(**settings)) as hs:
        hs.add_property("contacts", HOLD_REASON_PROPERTY, "string")
        hs.add_property("contacts", "partner_source", "string")
        for name in RECYCLE_PROPERTIES:
            hs.add_property("contacts", name, "string")
        hs.subscribe(baton_url + "/webhooks/hubspot", HUBSPOT_SUBSCRIPTIONS)
        yield hs


@contextlib.contextmanager
def salesforce_sandbox(baton_url: str, **overrides: Any) -> Iterator[Any]:
    """A Salesforce org with the fields Baton writes and outbound messages to Baton (Lead, Task,
    Event, Opportunity).

    The integration user's own writes fire outbound messages too (the harder case for echo
    suppression, salesforce.md §1.5).
    """
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    settings: dict[str, Any] = {
        "org_id": SANDBOX_SALESFORCE_ORG_ID,
        "outbound_retry_base_s": 0.05,
        "integration_user_sends_outbound": True,
        "lead_statuses": list(LEAD_STATUSES),
    }
    settings.update(overrides)
    with SalesforceSandbox(SalesforceSandboxConfig(**settings)) as sf:
        for name in (
            HUBSPOT_ID_FIELD,
            *CONTEXT_FIELDS,
            RECYCLE_REASON_FIELD,
            RECYCLE_HISTORY_FIELD,
        ):
            sf.add_custom_field("Lead", name)
        sf.add_custom_field("Contact", HUBSPOT_ID_FIELD)
        sf.add_custom_field("Contact", CONTACT_STAGE_FIELD)
        endpoint = f"{baton_url}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
        sf.add_outbound_message("Lead", LEAD_OUTBOUND_FIELDS, endpoint)
        sf.add_outbound_message("Task", TASK_OUTBOUND_FIELDS, endpoint)
        sf.add_outbound_message("Event", EVENT_OUTBOUND_FIELDS, endpoint)
        sf.add_custom_field("Opportunity", LOSS_REASON_FIELD)
        sf.add_outbound_message("Opportunity", OPPORTUNITY_OUTBOUND_FIELDS, endpoint)
        yield sf


# ---------------------------------------------------------------------------- Baton


class BatonServer:
    """A threaded werkzeug server on loopback whose WSGI app a test can swap."""

    def __init__(self) -> None:
        self._app: Callable[..., Any] | None = None
        self._refused: tuple[str, ...] = ()
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        app = self._app
        refused = environ.get("PATH_INFO", "").startswith(self._refused)
        if app is None or refused:  # the sender retries later rather than losing the event
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"Baton is not taking this now"]
        return app(environ, start_response)

    def mount(self, app: Callable[..., Any] | None) -> None:
        """Serve ``app`` from now on (None: answer 503)."""
        self._app = app

    @contextlib.contextmanager
    def refusing(self, *path_prefixes: str) -> Iterator[None]:
        """Answer 503 to deliveries under these paths for a while (the senders retry later)."""
        self._refused = tuple(path_prefixes)
        try:
            yield
        finally:
            self._refused = ()

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


#: HubSpot lead status ⇄ Salesforce Lead.Status, so a rep's move shows in both HubSpot fields
LEAD_STATUS_MAPPINGS = [
    {"hubspot": "NEW", "salesforce": {"object": "Lead", "value": OPEN}},
    {"hubspot": "IN_PROGRESS", "salesforce": {"object": "Lead", "value": WORKING}},
]


def base_config(hs: Any, sf: Any, baton_url: str, database_url: str) -> BatonConfig:
    """The sandbox default config pointed at these sandboxes, plus the integration user and the
    lead-status mappings (routing, policies and extra mappings are set per test)."""
    config = default_config(
        hubspot_base_url=hs.base_url,
        salesforce_instance_url=sf.instance_url,
        public_base_url=baton_url,
        database_url=database_url,
    )
    return with_changes(
        config,
        {
            "salesforce.integration_user_id": sf.integration_user_id,
            "salesforce.hubspot_id_field": HUBSPOT_ID_FIELD,
            "lifecycle.lead_status": LEAD_STATUS_MAPPINGS,
        },
    )


def stage(hubspot: str, value: str, sf_object: str = "Lead", **extra: Any) -> dict[str, Any]:
    """One ``lifecycle.stages`` entry (dict form, for ``with_changes``)."""
    salesforce: dict[str, Any] = {"object": sf_object, "value": value}
    if sf_object == "Contact":
        salesforce["field"] = CONTACT_STAGE_FIELD
    return {"hubspot": hubspot, "salesforce": salesforce, **extra}


DEFAULT_STAGES = [stage(MQL, OPEN), stage(SQL, WORKING)]


@dataclass
class SyncWorld:
    """Both sandboxes plus one Baton (store, runtime, app, worker) wired together."""

    hs: Any
    sf: Any
    server: BatonServer
    runtime: Runtime
    worker: Worker = field(init=False)
    tag: str = field(init=False, default_factory=lambda: uuid.uuid4().hex[:12])
    """Unique per world, for names the session-wide sandboxes must not see twice (``id()`` is
    reused once a world is garbage-collected, and a reused name collides)."""

    @classmethod
    def open(cls, hs: Any, sf: Any, server: BatonServer, config: BatonConfig) -> SyncWorld:
        """Build Baton over ``config`` and mount it on ``server``."""
        runtime = Runtime(config=config, store=Store(config.store.database_url))
        runtime.salesforce_verify = sf.ca_bundle_path if sf is not None else True
        world = cls(hs, sf, server, runtime)
        world._rebuild()
        return world

    def _rebuild(self) -> None:
        self.runtime._clients = None  # a fresh client (and limiter) for the new config
        self.worker = Worker.from_runtime(self.runtime)
        self.server.mount(create_app(self.runtime))

    def configure(self, changes: Mapping[str, Any]) -> None:
        """Apply dotted config changes (``with_changes``) and rebuild the worker and app."""
        self.runtime.config = with_changes(self.runtime.config, changes)
        self._rebuild()

    def close(self) -> None:
        """Let in-flight deliveries land, then unmount Baton and release the store."""
        with contextlib.suppress(Exception):
            if self.hs is not None:
                self.hs.flush_webhooks(timeout=10)
            if self.sf is not None:
                self.sf.flush_outbound(timeout=10)
        self.server.mount(None)
        self.runtime.close()

    # ---- running ---------------------------------------------------------------------------

    def _delivered(self) -> int:
        outbound = self.sf.outbound_deliveries if self.sf is not None else ()
        webhooks = self.hs.webhook_deliveries if self.hs is not None else ()
        return len(webhooks) + len(outbound)

    def flush(self, timeout: float = 20.0) -> None:
        """Wait until both sandboxes delivered (or gave up) everything queued."""
        if self.hs is not None:  # None: a Salesforce-only install, no HubSpot at all
            assert self.hs.flush_webhooks(timeout=timeout), "HubSpot webhooks still queued"
        if self.sf is not None:  # None: a HubSpot-only install, no Salesforce at all
            assert self.sf.flush_outbound(timeout=timeout), "Salesforce outbound still queued"

    def settle(self, timeout: float = 40.0) -> None:
        """Deliver, process and write until a whole round changes nothing.

        Baton's writes make the sandboxes send more webhooks (echoes), so one round is not
        enough: rounds repeat until no delivery happened and no work is open.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.flush()
            before = self._delivered()
            idle = self.worker.run_until_idle(timeout=max(0.1, deadline - time.monotonic()))
            self.flush()
            if idle and self._delivered() == before and not self.worker.has_open_work():
                return
        raise AssertionError(f"sync did not settle within {timeout} s: {self.open_work()}")

    def assert_quiet(self, rounds: int = 3) -> None:
        """After settling, more delivery and worker rounds make no write to either CRM."""
        if self.hs is not None:
            self.hs.reset_request_log()
        if self.sf is not None:
            self.sf.reset_request_log()
        for _ in range(rounds):
            time.sleep(0.1)
            self.flush()
            self.worker.run_until_idle(timeout=10)
        if self.hs is not None:
            assert hubspot_writes(self.hs) == [], "Baton kept writing to HubSpot"
        if self.sf is not None:
            assert salesforce_writes(self.sf) == [], "Baton kept writing to Salesforce"

    def open_work(self) -> list[tuple[str, str, str | None]]:
        """Pending outbox commands (kind, key, last error), for failure messages."""
        with self.runtime.store.session() as session:
            rows = session.scalars(
                select(OutboxCommand).where(OutboxCommand.status == "pending")
            ).all()
            return [(r.kind, r.idempotency_key, r.last_error) for r in rows]

    # ---- people acting in the CRMs --------------------------------------------------------

    def new_contact(self, tag: str, **properties: Any) -> str:
        """A contact created by hand in HubSpot (stage ``lead``), complete enough to hand off."""
        values = {
            "email": unique_email(tag),
            "firstname": "Ada",
            "lastname": tag.title(),
            "company": "Acme BV",
            **properties,
        }
        return self.hs.ui_create("contacts", values, user_id=7)

    def hand_off(self, tag: str, **properties: Any) -> tuple[str, str]:
        """A contact marketing qualifies in HubSpot, synced: returns (contact id, lead id).

        The contact exists (and Baton has seen it) before it is qualified, as usual in a portal.
        """
        contact_id = self.new_contact(tag, **properties)
        self.settle()
        self.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)
        self.settle()
        link = self.link_for(contact_id)
        assert link is not None and link.salesforce_lead_id, f"no lead for {contact_id}"
        return contact_id, link.salesforce_lead_id

    # ---- reading --------------------------------------------------------------------------

    def contact(self, contact_id: str) -> dict[str, Any]:
        """A HubSpot contact's properties (read directly from the sandbox)."""
        record = self.hs.get("contacts", contact_id)
        assert record is not None, f"HubSpot contact {contact_id} not found"
        return dict(record["properties"])

    def lead(self, lead_id: str) -> dict[str, Any]:
        """A Salesforce Lead's fields (read directly from the sandbox)."""
        record = self.sf.get("Lead", lead_id)
        assert record is not None, f"Salesforce lead {lead_id} not found"
        return dict(record)

    def leads_for(self, contact_id: str) -> list[dict[str, Any]]:
        """Every Salesforce Lead carrying this HubSpot contact id."""
        return [r for r in self.sf.all("Lead") if r.get(HUBSPOT_ID_FIELD) == contact_id]

    def link_for(self, contact_id: str) -> RecordLink | None:
        """Baton's link row of a HubSpot contact."""
        with self.runtime.store.session() as session:
            row = session.scalars(
                select(RecordLink).where(RecordLink.hubspot_contact_id == contact_id)
            ).first()
            if row is not None:
                session.expunge(row)
            return row

    def dead_letters(self) -> list[tuple[str, str | None, str]]:
        """Every dead letter as (system, error code, the CRM's message), oldest first."""
        with self.runtime.store.session() as session:
            rows = session.scalars(select(DeadLetter).order_by(DeadLetter.id))
            return [(r.system, r.error_code, r.message) for r in rows]


# ---------------------------------------------------------------------------- request logs


def hubspot_writes(hs: Any) -> list[Any]:
    """HubSpot API calls that change data (batch reads and searches are POSTs too)."""
    return [
        r
        for r in hs.requests
        if r.method in ("PATCH", "PUT", "DELETE")
        or (r.method == "POST" and not r.path.endswith("/batch/read") and "/search" not in r.path)
    ]


def salesforce_writes(sf: Any) -> list[Any]:
    """Salesforce API calls that change data (queries are GETs)."""
    return [r for r in sf.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]

"""`HubSpotSandbox`: the facade tests and the demo use to run and steer the HubSpot stand-in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import hubspot

from ..chaos import ApiChaos
from .app import create_app
from .config import HubSpotSandboxConfig
from .errors import ApiError
from .lists import HsList
from .owners import Owner, normalise_teams
from .pipelines import Pipeline, Stage
from .properties import PropertyDef, options_from
from .ratelimit import RateLimiter
from .records import WriteSource, record_to_api
from .routes_lists import create_list
from .schema import default_association_type, resolve_type
from .server import ServerThread
from .state import CrmState
from .traffic import FaultInjector, RequestLog, RequestRecord
from .webhooks import DeliveryRecord, WebhookDispatcher


class HubSpotSandbox:
    """One HubSpot portal served over HTTP on loopback, for the official `hubspot-api-client`.

    Use as a context manager or call `start()` / `stop()`. The `ui_*` methods act as a person in
    the HubSpot UI (webhooks say CRM_UI); `get`/`all` read state directly, outside rate limits.
    `clock` (seconds since the epoch) drives timestamps, the search index delay and the rate
    limits, so tests can step time instead of sleeping.
    """

    def __init__(
        self, config: HubSpotSandboxConfig | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config or HubSpotSandboxConfig()
        self.webhooks = WebhookDispatcher(self.config)
        self.state = CrmState(
            portal_id=self.config.portal_id,
            seed=self.config.seed,
            search_delay_s=self.config.search_index_delay_s,
            clock=clock,
            emit=self.webhooks.enqueue,
        )
        self.limiter = RateLimiter(
            burst_limit=self.config.burst_limit,
            burst_window_ms=self.config.burst_window_ms,
            daily_limit=self.config.daily_limit,
            search_rps=self.config.search_rps,
            clock=clock,
        )
        self.faults = FaultInjector()
        #: random refusals and lost answers for a share of API calls (off unless set)
        self.chaos = ApiChaos()
        self.request_log = RequestLog()
        self._server: ServerThread | None = None
        self.base_url: str | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> str:
        """Serve on 127.0.0.1:<free port>; returns the base URL for the client's `host`."""
        if self._server is None:
            self._server = ServerThread(create_app(self))
            self.base_url = self._server.start()
            self.webhooks.start()
        assert self.base_url is not None
        return self.base_url

    def stop(self) -> None:
        """Stop the server and the webhook worker."""
        self.webhooks.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> HubSpotSandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, **kwargs: Any) -> hubspot.HubSpot:
        """An official client pointed at this sandbox (extra kwargs, e.g. `retry`, pass through)."""
        return hubspot.HubSpot(access_token=self.config.access_token, host=self.start(), **kwargs)

    # ------------------------------------------------------------ webhooks
    def subscribe(self, target_url: str, subscriptions: Iterable[Any]) -> list[int]:
        """Subscribe `target_url` to event types; ("x.propertyChange", "prop") names one."""
        return self.webhooks.subscribe(target_url, subscriptions)

    def flush_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery is acknowledged or given up."""
        return self.webhooks.flush(timeout)

    @property
    def webhook_deliveries(self) -> list[DeliveryRecord]:
        """Every webhook POST made so far, with its answer."""
        return list(self.webhooks.deliveries)

    @property
    def webhook_given_up(self) -> list[dict[str, Any]]:
        """Events dropped after the last retry."""
        return list(self.webhooks.given_up)

    # ------------------------------------------------------------ UI actions
    def _ui_call(self, action: Callable[[], Any]) -> Any:
        try:
            with self.state.lock:
                return action()
        except ApiError as error:
            raise ValueError(f"HubSpot would refuse this: {error.message}") from None

    def ui_create(
        self,
        object_type: str,
        properties: dict[str, Any],
        user_id: int = 1,
        associations: Iterable[tuple[str, str]] = (),
    ) -> str:
        """Create a record as a person would; new UI contacts default to lifecycle stage lead.

        Calculated properties (e.g. hs_analytics_source) may be seeded here. ``associations``
        ((type, id) pairs, default types) are made in the same act, as logging a call on a
        contact's record does: whoever reads the new record after its creation event sees them.
        """
        otype = resolve_type(object_type)
        props = dict(properties)
        if otype.name == "contacts":
            props.setdefault("lifecyclestage", "lead")

        def act() -> str:
            values = self.state.prepare(otype, props, allow_read_only=True)
            record = self.state.create(otype, values, WriteSource.ui(user_id))
            for to_type, to_id in associations:
                to_t = resolve_type(to_type)
                target = self.state.require(to_t, str(to_id))
                type_id = default_association_type(otype.name, to_t.name)
                self.state.associate(record, target, type_id, WriteSource.ui(user_id))
            return record.id

        return self._ui_call(act)

    def ui_update(
        self, object_type: str, object_id: str, properties: dict[str, Any], user_id: int = 1
    ) -> None:
        """Edit a record as a person would (the lifecycle rule applies here too)."""
        otype = resolve_type(object_type)

        def act() -> None:
            record = self.state.require(otype, str(object_id))
            values = self.state.prepare(otype, properties, record=record, allow_read_only=True)
            self.state.update(record, values, WriteSource.ui(user_id))

        self._ui_call(act)

    def system_update(
        self,
        object_type: str,
        object_id: str,
        properties: dict[str, Any],
        change_source: str = "ANALYTICS",
        source_id: str = "",
    ) -> None:
        """A write by HubSpot itself or another integration (forms, analytics, workflows, the
        Salesforce connector): webhooks carry `change_source`/`source_id`; read-only allowed."""
        otype = resolve_type(object_type)

        def act() -> None:
            record = self.state.require(otype, str(object_id))
            values = self.state.prepare(otype, properties, record=record, allow_read_only=True)
            self.state.update(record, values, WriteSource(change_source, source_id))

        self._ui_call(act)

    def ui_merge_contacts(self, primary_id: str, merged_id: str, user_id: int = 1) -> None:
        """Merge two contacts in the UI; the merged id stops resolving."""
        contacts = resolve_type("contacts")

        def act() -> None:
            primary = self.state.require(contacts, str(primary_id))
            merged = self.state.require(contacts, str(merged_id))
            self.state.merge_contacts(primary, merged, WriteSource.ui(user_id))

        self._ui_call(act)

    def ui_delete(self, object_type: str, object_id: str, user_id: int = 1) -> None:
        """Delete to the recycle bin."""
        otype = resolve_type(object_type)
        self._ui_call(
            lambda: self.state.archive(
                self.state.require(otype, str(object_id)), WriteSource.ui(user_id)
            )
        )

    def ui_gdpr_delete(self, contact_id: str, user_id: int = 1) -> None:
        """Permanently delete a contact for privacy (fires privacyDeletion and deletion)."""
        contacts = resolve_type("contacts")
        self._ui_call(
            lambda: self.state.gdpr_delete(
                self.state.require(contacts, str(contact_id), archived=None),
                WriteSource.ui(user_id),
            )
        )

    def ui_associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, user_id: int = 1
    ) -> None:
        """Associate two records with the default type (one webhook event per side)."""
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)

        def act() -> None:
            source = self.state.require(from_t, str(from_id))
            target = self.state.require(to_t, str(to_id))
            type_id = default_association_type(from_t.name, to_t.name)
            self.state.associate(source, target, type_id, WriteSource.ui(user_id))

        self._ui_call(act)

    # ------------------------------------------------------------ direct reads
    def get(self, object_type: str, object_id: str) -> dict[str, Any] | None:
        """The stored record (archived ones included, flagged) or None; not rate limited."""
        otype = resolve_type(object_type)
        with self.state.lock:
            record = self.state.find(otype, str(object_id), archived=None)
            return record.snapshot() if record else None

    def all(self, object_type: str, *, include_archived: bool = False) -> list[dict[str, Any]]:
        """Every live record of a type (plus archived ones if asked), by id."""
        otype = resolve_type(object_type)
        with self.state.lock:
            records = sorted(self.state.records[otype.name].values(), key=lambda r: int(r.id))
            return [r.snapshot() for r in records if include_archived or not r.archived]

    def history(self, object_type: str, object_id: str, property_name: str) -> list[dict[str, Any]]:
        """Property history, newest first (as propertiesWithHistory returns it)."""
        otype = resolve_type(object_type)
        with self.state.lock:
            record = self.state.require(otype, str(object_id), archived=None)
            body = record_to_api(record, with_history=[property_name])
            return body["propertiesWithHistory"][property_name]

    def integration_writes(self, object_id: str, property_name: str) -> dict[str, int]:
        """How often the integration wrote each value of this property (repeats included)."""
        with self.state.lock:
            writes = self.state.integration_writes.get(str(object_id), {})
            return {value: n for (name, value), n in writes.items() if name == property_name}

    def associations(self, from_type: str, from_id: str, to_type: str) -> list[str]:
        """Ids of the `to_type` records associated with one record."""
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        with self.state.lock:
            return [
                t
                for t, _ in self.state.associations.targets((from_t.name, str(from_id)), to_t.name)
            ]

    def list_members(self, list_id: str) -> list[str]:
        """Record ids in a list, by join time."""
        with self.state.lock:
            hs_list = self.state.lists[str(list_id)]
            return [rid for rid, _ in sorted(hs_list.members.items(), key=lambda m: m[1])]

    # ------------------------------------------------------------ seed data
    def add_owner(
        self,
        email: str,
        first: str,
        last: str,
        user_id: int | None = None,
        teams: list[Any] | None = None,
        *,
        time_zone: str = "America/New_York",
        working_hours: str = '[{"days":"MONDAY_TO_FRIDAY","startMinute":540,"endMinute":1020}]',
    ) -> str:
        """Add an owner (and its user record with time zone and working hours); returns owner id."""
        with self.state.lock:
            number = self.state.next_counter()
            owner_id = str(60_000_000 + number)
            user_id = user_id if user_id is not None else 9_000_000 + number
            now = self.state.now_ms()

            def team_id(name: str) -> str:
                return self.state.teams.setdefault(name, str(700_000 + len(self.state.teams)))

            owner = Owner(
                owner_id,
                email.lower(),
                first,
                last,
                user_id,
                normalise_teams(teams, team_id),
                created_at_ms=now,
                updated_at_ms=now,
            )
            self.state.owners[owner_id] = owner
            users = resolve_type("users")
            values = self.state.prepare(
                users,
                {
                    "hs_internal_user_id": str(user_id),
                    "hs_email": email.lower(),
                    "hs_given_name": first,
                    "hs_family_name": last,
                    "hs_standard_time_zone": time_zone,
                    "hs_working_hours": working_hours,
                },
                allow_read_only=True,
            )
            self.state.create(users, values, WriteSource("CRM", "system"))
            return owner_id

    def archive_owner(self, owner_id: str) -> None:
        """Deactivate an owner (its userId becomes null, as for a removed user)."""
        with self.state.lock:
            self.state.owners[str(owner_id)].archived = True

    def add_list(
        self, name: str, processing_type: str = "MANUAL", object_type_id: str = "0-1"
    ) -> str:
        """Create a list (MANUAL, SNAPSHOT or DYNAMIC); returns its id."""
        with self.state.lock:
            try:
                hs_list: HsList = create_list(self.state, name, object_type_id, processing_type)
            except ApiError as error:
                raise ValueError(error.message) from None
            return hs_list.list_id

    def add_lifecycle_stage(self, value: str, label: str, display_order: int) -> None:
        """Insert a custom lifecycle stage (numeric values allowed); later stages move down."""
        with self.state.lock:
            self.state.add_lifecycle_stage(str(value), label, display_order)

    def add_pipeline(
        self, label: str, stages: list[tuple[str, str, float, bool]], pipeline_id: str | None = None
    ) -> str:
        """Add a deal pipeline; stages are (id, label, probability, is_closed). Returns its id."""
        with self.state.lock:
            pid = pipeline_id or str(800_000 + self.state.next_counter())
            pipeline = Pipeline(
                pid,
                label,
                len(self.state.pipelines),
                [
                    Stage(sid, lbl, i, float(p), bool(closed))
                    for i, (sid, lbl, p, closed) in enumerate(stages)
                ],
                self.state.now_ms(),
            )
            self.state.add_pipeline(pipeline)
            return pid

    def add_property(
        self,
        object_type: str,
        name: str,
        type: str,
        options: Iterable[Any] | None = None,
        *,
        label: str | None = None,
        has_unique_value: bool = False,
        field_type: str | None = None,
    ) -> None:
        """Define a custom property (string, number, date, datetime, enumeration, bool)."""
        otype = resolve_type(object_type)
        with self.state.lock:
            prop = PropertyDef(
                name=name,
                type=type,
                label=label or "",
                group_name="custom",
                field_type=field_type,
                options=options_from(options),
                has_unique_value=has_unique_value,
                hubspot_defined=False,
                created_at_ms=self.state.now_ms(),
            )
            self.state.registry.add(otype.name, prop)

    # ------------------------------------------------------------ faults and traffic
    def inject(
        self,
        status: int,
        count: int = 1,
        path_prefix: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        """Answer the next `count` matching requests with `status` (429, 423, 477, 5xx...)."""
        self.faults.add(status, count, path_prefix, retry_after_s)

    def exhaust_daily_limit(self) -> None:
        """Use up today's budget: the next calls get 429 with policyName DAILY."""
        self.limiter.exhaust_daily()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API call received so far (method, path, status, n_inputs)."""
        return self.request_log.snapshot()

    def reset_request_log(self) -> None:
        """Forget the request log (e.g. between benchmark phases)."""
        self.request_log.clear()

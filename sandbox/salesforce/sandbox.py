"""SalesforceSandbox: the stand-in org, its HTTPS server and the knobs tests turn.

Baton talks to it only through the official simple-salesforce client over TLS on loopback;
tests act as Salesforce users through the `ui_*` methods and read state directly with
`get`/`all` (not counted against API limits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from simple_salesforce import Salesforce

from ..chaos import ApiChaos
from .config import SalesforceSandboxConfig
from .conversion import convert_lead
from .dml import Dml, WriteContext
from .errors import DEFAULT_MESSAGES, SalesforceApiError
from .fieldtypes import coerce_input
from .ids import normalize_id
from .limits import ApiUsage
from .org import JsonRecord, Org
from .outbound import DeliveryAttempt, OutboundSender
from .rest_app import RequestRecord, RestApp
from .sandbox_setup import OrgSetupMixin
from .schema import FieldDef
from .sessions import Sessions
from .tls_server import TlsServer
from .tooling import ToolingHandlers


class SalesforceSandbox(OrgSetupMixin):
    """A Salesforce org stand-in served over HTTPS for the official client.

    Use as a context manager or call `start()`/`stop()`.
    """

    def __init__(self, config: SalesforceSandboxConfig | None = None) -> None:
        self.config = config or SalesforceSandboxConfig()
        self.org = Org(self.config)
        self.dml = Dml(self.org)
        self.usage = ApiUsage(self.config.daily_api_limit, self.org.now)
        self.app = RestApp(self.org, self.dml, self.usage)
        self.app.routes["tooling"] = ToolingHandlers(self.org, self._install_field).handle
        self.outbound = OutboundSender(self.org, self._soap_base)
        self._server: TlsServer | None = None
        self.instance_url: str | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start the HTTPS server and the outbound sender; returns the instance URL."""
        if self._server is not None:
            raise RuntimeError("the Salesforce sandbox is already running")
        self._server = TlsServer(self.app)
        port = self._server.start()
        self.instance_url = f"https://127.0.0.1:{port}"
        self.outbound.start()
        return self.instance_url

    def stop(self) -> None:
        """Stop the sender and the server (pending outbound messages are abandoned)."""
        self.outbound.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SalesforceSandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def ca_bundle_path(self) -> str:
        """PEM file of the CA that signed the server certificate (for `verify=`)."""
        if self._server is None:
            raise RuntimeError("start() the sandbox first")
        return self._server.ca_bundle_path

    def session(self) -> requests.Session:
        """A requests session that trusts the sandbox's certificate.

        `trust_env` is off: REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE in the environment would otherwise
        replace `verify`, and proxy variables must not capture loopback traffic.
        """
        session = requests.Session()
        session.verify = self.ca_bundle_path
        session.trust_env = False
        return session

    def client(self, session: requests.Session | None = None) -> Salesforce:
        """The official simple-salesforce client, logged in as the integration user."""
        if self.instance_url is None:
            raise RuntimeError("start() the sandbox first")
        return Salesforce(
            instance_url=self.instance_url,
            session_id=self.config.session_id,
            session=session or self.session(),
            version=self.config.api_version,
        )

    def _soap_base(self) -> str:
        return self.instance_url or "https://127.0.0.1"

    # ---- identities ----------------------------------------------------------------------------

    @property
    def org_id(self) -> str:
        """The 18-char organization id (sent in outbound messages)."""
        return self.config.org_id

    @property
    def integration_user_id(self) -> str:
        """The user behind `session_id`: every API write is by this user."""
        return self.org.integration_user_id

    @property
    def admin_user_id(self) -> str:
        """The default user for `ui_*` actions when no user_id is given."""
        return self.org.admin_user_id

    # ---- outbound messages ---------------------------------------------------------------------

    def add_outbound_message(
        self,
        sobject: str,
        fields: list[str],
        endpoint_url: str,
        when: Callable[[JsonRecord | None, JsonRecord], bool] | None = None,
        send_session_id: bool = False,
        verify: bool | str = True,
        name: str | None = None,
    ) -> str:
        """Fire a SOAP outbound message to `endpoint_url` when `when(old, new)` holds after a save
        (old is None on create; default: every create and update). Returns the ActionId (04k...)."""
        definition = self._object(sobject)
        names = []
        for field_name in fields:
            field = definition.field(field_name)
            if field is None:
                raise ValueError(f"{sobject} has no field {field_name}")
            names.append(field.name)
        return self.outbound.add_action(
            definition.name, names, endpoint_url, when, send_session_id, verify, name
        )

    def flush_outbound(self, timeout: float = 10.0) -> bool:
        """Wait until every queued outbound notification is acknowledged or dropped."""
        return self.outbound.flush(timeout)

    @property
    def outbound_deliveries(self) -> list[DeliveryAttempt]:
        """Every delivery attempt so far (see outbound.DeliveryAttempt)."""
        return self.outbound.attempts()

    # ---- what users do in the UI -----------------------------------------------------------------

    def _ui(self, user_id: str | None, assign: bool = False) -> WriteContext:
        return WriteContext(
            user_id or self.admin_user_id,
            via_api=False,
            auto_assign=assign,
            allow_duplicate_save=True,
        )

    def ui_create(
        self, sobject: str, fields: dict[str, Any], user_id: str | None = None, assign: bool = False
    ) -> str:
        """Create a record as a user in the UI (fires outbound messages; no assignment rule
        unless `assign`, like the "Assign using active assignment rule" checkbox)."""
        with self.org.store.lock:
            return self.dml.create(sobject, fields, self._ui(user_id, assign))

    def ui_update(
        self,
        sobject: str,
        record_id: str,
        fields: dict[str, Any],
        user_id: str | None = None,
        assign: bool = False,
    ) -> None:
        """Edit a record as a user in the UI."""
        with self.org.store.lock:
            self.dml.update(sobject, record_id, fields, self._ui(user_id, assign))

    def ui_delete(self, sobject: str, record_id: str, user_id: str | None = None) -> None:
        """Delete a record (to the recycle bin) as a user."""
        with self.org.store.lock:
            self.dml.delete(sobject, record_id, self._ui(user_id))

    def ui_convert_lead(
        self,
        lead_id: str,
        create_opportunity: bool = True,
        user_id: str | None = None,
        converted_status: str | None = None,
        account_id: str | None = None,
        contact_id: str | None = None,
    ) -> dict[str, str | None]:
        """Convert a lead as a user; returns {"contact_id", "account_id", "opportunity_id"}."""
        with self.org.store.lock:
            return convert_lead(
                self.dml,
                lead_id,
                self._ui(user_id),
                create_opportunity,
                account_id,
                contact_id,
                converted_status,
            )

    # ---- direct state access (not counted against limits) --------------------------------------

    def get(self, sobject: str, record_id: str, include_deleted: bool = False) -> JsonRecord | None:
        """A record's fields in REST JSON form, or None if missing, of another type or deleted."""
        normalized = normalize_id(record_id)
        with self.org.store.lock:
            record = self.org.store.get(normalized) if normalized else None
            if record is None or record.sobject.lower() != sobject.lower():
                return None
            if record.is_deleted and not include_deleted:
                return None
            return self.org.to_json(record)

    def all(self, sobject: str, include_deleted: bool = False) -> list[JsonRecord]:
        """Every record of one type in creation order, in REST JSON form."""
        definition = self._object(sobject)
        with self.org.store.lock:
            return [
                self.org.to_json(r)
                for r in self.org.store.records(definition.name, include_deleted)
            ]

    def set_system_fields(self, sobject: str, record_id: str, **values: Any) -> None:
        """Overwrite fields directly (e.g. backdate CreatedDate for SLA tests); no triggers."""
        definition = self._object(sobject)
        with self.org.store.transaction() as tx:
            record = self.dml.live_record(definition.name, record_id)
            parsed = {}
            for key, value in values.items():
                field: FieldDef | None = definition.field(key)
                if field is None:
                    raise ValueError(f"{sobject} has no field {key}")
                parsed[field.name] = coerce_input(field.type, value, field.scale)
            self.org.store.replace_values(tx, record, {**record.values, **parsed})

    # ---- faults, usage and the request log ---------------------------------------------------

    @property
    def sessions(self) -> Sessions:
        """The org's sessions: logins made, calls refused for an expired one, ``expire_all()``."""
        return self.app.sessions

    @property
    def chaos(self) -> ApiChaos:
        """Random refusals and lost answers for a share of API calls (``sandbox.chaos``)."""
        return self.app.chaos

    @chaos.setter
    def chaos(self, chaos: ApiChaos) -> None:
        self.app.chaos = chaos

    def inject(
        self,
        status: int,
        error_code: str,
        count: int = 1,
        path_prefix: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `count` API requests (under `path_prefix`, relative to
        /services/data/vXX.X/ or absolute) with this error instead of serving them."""
        self.app.inject(status, error_code, count, path_prefix, message)

    def inject_row_errors(
        self,
        error_code: str,
        count: int = 1,
        sobject: str | None = None,
        message: str | None = None,
    ) -> None:
        """Fail the next `count` record saves made through the API (single or collection rows)
        with this code, e.g. UNABLE_TO_LOCK_ROW; rows fail with `statusCode` in collections."""
        if count < 1:
            raise ValueError("count must be at least 1")
        text = message or DEFAULT_MESSAGES.get(error_code, error_code.replace("_", " ").lower())
        with self.org.store.lock:
            self.org.row_faults.append([error_code, text, count, sobject])

    @property
    def requests(self) -> list[RequestRecord]:
        """Every HTTP request served so far."""
        with self.app._log_lock:
            return list(self.app.log)

    def reset_request_log(self) -> None:
        """Forget the request log."""
        with self.app._log_lock:
            self.app.log.clear()

    @property
    def api_calls_used(self) -> int:
        """Calls counted against DailyApiRequests in the rolling 24 hours."""
        return self.usage.used()

    def set_api_calls_used(self, used: int) -> None:
        """Pretend `used` calls were already made (to reach the limit cheaply)."""
        self.usage.set_used(used)


__all__ = ["SalesforceApiError", "SalesforceSandbox"]

"""Start and stop everything the demo runs: both sandbox CRMs and a real Baton on loopback.

Baton here is the production code path, only wired in one process: the Flask app (receivers and
dashboard) served by werkzeug, the Worker loop in a thread, the reconciliation pollers in a
thread, all sharing one :class:`~connector.runtime.Runtime` on a SQLite (or given) store. The
sandboxes subscribe to Baton's receivers exactly as a HubSpot app and a Salesforce outbound
message would. :meth:`DemoStack.close` stops every thread and frees every port it opened.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from baton.demo import org, sla_scene
from connector.config import default_config, with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID
from connector.reports import backlog
from connector.runtime import Runtime
from connector.store import Store, upgrade

log = logging.getLogger(__name__)

#: Who the demo's one-time login link signs in (no password exists for this user).
DEMO_USER = "demo"
#: Seconds between reconciliation polls in the demo (production default: 300).
DEMO_POLL_INTERVAL_S = 5
_JOIN_TIMEOUT_S = 10.0


class _QuietHandler(WSGIRequestHandler):
    """No access-log line per webhook: the demo prints its own progress."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Skip werkzeug's access log."""


class DemoError(RuntimeError):
    """The demo cannot run as asked (port taken, database not empty, a sandbox refused)."""


@dataclass
class DemoStack:
    """The running pieces; build with :func:`start_stack`, always :meth:`close`."""

    hubspot: Any  # None when Baton runs beside Salesforce alone (the stand-in is not started)
    salesforce: Any  # None beside HubSpot alone
    runtime: Runtime
    team: org.SalesTeam
    marketer_owner_id: str
    base_url: str
    _server: BaseWSGIServer
    #: record keys → names the dashboard shows, as contacts arrive (owners: the CRMs' user APIs)
    display_names: dict[str, str] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    #: the pollers stop apart: a once-run stops them before its last settle, so no poll lands
    #: after the summary was counted
    _stop_polls: threading.Event = field(default_factory=threading.Event)
    _closed: bool = False
    #: earlier weeks played before this one (baton.demo.history)
    history_weeks: int = 0
    #: the demo's SMTP server for escalation mail (``sla_scene``; None beside one CRM)
    mailbox: Any = None

    @property
    def dashboard_url(self) -> str:
        """Where the dashboard (the weekly scorecard first) is served."""
        return f"{self.base_url}/"

    def login_link(self) -> str:
        """A one-time sign-in link for the dashboard (single use, minutes long)."""
        from webhooks.signin import login_link

        return login_link(self._server.holder["app"], DEMO_USER, self.base_url)  # type: ignore[attr-defined]

    def wait_until_idle(self, timeout: float) -> bool:
        """Wait until both CRMs delivered everything and Baton has no open work (True), or
        ``timeout`` passes (False). Quiet must hold twice in a row: a write Baton just made can
        still be on its way back as a webhook."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            remaining = max(0.1, deadline - time.monotonic())
            delivered = (
                self.hubspot is None or self.hubspot.flush_webhooks(timeout=remaining)
            ) and (self.salesforce is None or self.salesforce.flush_outbound(timeout=remaining))
            with self.runtime.store.session() as session:
                open_work = backlog(session).open_work
            quiet = quiet + 1 if delivered and open_work == 0 else 0
            if quiet >= 2:
                return True
            time.sleep(0.15)
        return False

    def stop_polling(self) -> None:
        """Stop the reconciliation pollers (and wait for a pass in progress to end)."""
        self._stop_polls.set()
        for thread in self._threads:
            if thread.name == "baton-pollers":
                thread.join(timeout=_JOIN_TIMEOUT_S)

    def close(self) -> None:
        """Stop the worker, pollers, web server and sandboxes; release the store."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._stop_polls.set()
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=_JOIN_TIMEOUT_S)
            if thread.is_alive():
                log.warning("demo thread did not stop in time", extra={"thread": thread.name})
        self._server.server_close()
        if self.mailbox is not None:
            self.mailbox.stop()
        for sandbox in (self.hubspot, self.salesforce):
            if sandbox is not None:
                sandbox.stop()
        self.runtime.close()

    def __enter__(self) -> DemoStack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: the stand-ins behave like the real CRMs in the demo: HubSpot's search index lags, both send
#: duplicates and deliver out of order, Baton's own writes come back (shared/reference/
#: sandbox-fidelity.md); only the retry pacing is shortened so a week plays in seconds
REALISTIC_HUBSPOT: dict[str, Any] = {
    "webhook_retry_base_s": 0.2,
    "search_index_delay_s": 1.0,
    "webhook_duplicate_rate": 0.1,
    "webhook_reorder": True,
}
REALISTIC_SALESFORCE: dict[str, Any] = {
    "outbound_retry_base_s": 0.2,
    "outbound_duplicate_rate": 0.1,
    "outbound_reorder": True,
    "integration_user_sends_outbound": True,
    # sessions end after a few minutes (a real org: 15 min to 24 h of Session Settings); Baton
    # logs in again through the connected app and sends the refused call once more
    "session_lifetime_s": 180.0,
    # an org whose admin renamed the Lead statuses: labels are not the API values Baton writes
    "lead_status_labels": {
        "Open - Not Contacted": "New",
        "Working - Contacted": "In progress",
        "Closed - Not Converted": "Not now",
    },
}


def start_stack(database_url: str, *, seed: int, port: int = 0, crm: str = "both") -> DemoStack:
    """Start the sandboxes and Baton (web on ``port``, 0 = any free one), all wired together.

    ``crm`` "hubspot" or "salesforce" starts that stand-in only, with Baton configured for it
    alone (``single_org.py``); "both" is the two-CRM week.
    """
    if crm != "both":
        return _start_single(database_url, seed=seed, port=port, crm=crm)
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    store = _open_empty_store(database_url)  # before anything starts: fail fast
    try:
        server = _bind(port)
    except DemoError:
        store.dispose()
        raise
    base_url = f"http://127.0.0.1:{server.port}"
    hubspot = HubSpotSandbox(HubSpotSandboxConfig(**REALISTIC_HUBSPOT, seed=seed))
    salesforce = SalesforceSandbox(
        SalesforceSandboxConfig(org_id=SANDBOX_SALESFORCE_ORG_ID, **REALISTIC_SALESFORCE, seed=seed)
    )
    started: list[Any] = []
    mailbox = sla_scene.open_mailbox()
    if mailbox is not None:
        started.append(mailbox)
    try:
        hubspot.start()
        started.append(hubspot)
        salesforce.start()
        started.append(salesforce)
        defaults = default_config()  # the demo keeps the default id, context and recycle names
        portal = org.set_up_hubspot(hubspot, defaults.recycle)
        team = org.set_up_salesforce(
            salesforce,
            defaults.salesforce.hubspot_id_field,
            dict(defaults.handoff.context_fields),
            defaults.recycle,
        )
        config = org.demo_config(
            hubspot_base_url=str(hubspot.base_url),
            salesforce_instance_url=str(salesforce.instance_url),
            public_base_url=base_url,
            database_url=database_url,
            team=team,
            nurture_list_id=portal.nurture_list_id,
            integration_user_id=salesforce.integration_user_id,
            poll_interval_s=DEMO_POLL_INTERVAL_S,
        )
        config = with_changes(config, sla_scene.config_changes(mailbox))
        runtime = Runtime(config=config, store=store)
        runtime.salesforce_verify = salesforce.ca_bundle_path
    except BaseException:
        server.server_close()
        store.dispose()
        for sandbox in reversed(started):
            sandbox.stop()
        raise
    stack = DemoStack(
        hubspot, salesforce, runtime, team, portal.marketer_owner_id, base_url, server
    )
    stack.mailbox = mailbox
    try:
        _serve(stack)
        org.subscribe_to_baton(hubspot, salesforce, base_url)
    except BaseException:
        stack.close()
        raise
    return stack


def _start_single(database_url: str, *, seed: int, port: int, crm: str) -> DemoStack:
    """One stand-in and Baton beside it; the other CRM is neither started nor configured."""
    from baton.demo.single_org import build_single, subscribe_single

    store = _open_empty_store(database_url)
    try:
        server = _bind(port)
    except DemoError:
        store.dispose()
        raise
    base_url = f"http://127.0.0.1:{server.port}"
    try:
        single = build_single(
            crm,
            seed=seed,
            hubspot_settings=REALISTIC_HUBSPOT,
            salesforce_settings=REALISTIC_SALESFORCE,
            public_base_url=base_url,
            database_url=database_url,
            poll_interval_s=DEMO_POLL_INTERVAL_S,
        )
    except BaseException:
        server.server_close()
        store.dispose()
        raise
    runtime = Runtime(config=single.config, store=store)
    if single.salesforce is not None:
        runtime.salesforce_verify = single.salesforce.ca_bundle_path
    stack = DemoStack(
        single.hubspot, single.salesforce, runtime, single.team, single.marketer_owner_id,
        base_url, server,
    )  # fmt: skip
    try:
        _serve(stack)
        subscribe_single(single, base_url)
    except BaseException:
        stack.close()
        raise
    return stack


def _bind(port: int) -> BaseWSGIServer:
    """Listen on 127.0.0.1:``port`` (0 = a free one); a taken port is a DemoError.

    The socket is bound here rather than by werkzeug, which prints and exits on a taken port.
    """
    holder: dict[str, Any] = {}

    def app(environ: Any, start_response: Any) -> Any:  # the Flask app is built after binding
        return holder["app"](environ, start_response)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        server = make_server(
            "127.0.0.1",
            port,
            app,
            threaded=True,
            request_handler=_QuietHandler,
            fd=listener.fileno(),
        )
    except OSError as exc:
        raise DemoError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    finally:
        listener.close()  # the server holds its own duplicate of the socket
    server.daemon_threads = True
    server.holder = holder  # type: ignore[attr-defined]
    return server


def _open_empty_store(database_url: str) -> Store:
    """Migrate and open the store; refuse one that already holds a history."""
    try:
        upgrade(database_url)
        store = Store(database_url)
        with store.session() as session:
            existing = backlog(session).events_total
    except Exception as exc:  # unreachable server, bad URL, unreadable file
        raise DemoError(f"cannot open the database: {type(exc).__name__}: {exc}") from None
    if existing:
        store.dispose()
        raise DemoError(
            f"the demo needs an empty database, but {make_url(database_url).render_as_string()} "
            f"already holds {existing} events; leave out --database for a fresh SQLite file"
        )
    return store


def _serve(stack: DemoStack) -> None:
    """Build the app, then run web, worker and pollers in threads the stack joins on close."""
    from connector.pollers import PollScheduler, pollers_from_config
    from connector.worker import Worker
    from webhooks.app import create_app
    from webhooks.dashboard import DISPLAY_NAMES, set_display_names

    runtime = stack.runtime
    app = create_app(runtime)  # signed in through the one-time link the demo prints
    owners = app.extensions[DISPLAY_NAMES]  # owner names from the sandboxes' user APIs

    def names(key: str) -> str | None:
        return stack.display_names.get(key) or owners(key)

    set_display_names(app, names)
    stack._server.holder["app"] = app  # type: ignore[attr-defined]
    worker = Worker.from_runtime(runtime)
    clients = runtime.clients()
    scheduler = PollScheduler(
        pollers_from_config(
            runtime,
            hubspot_client=clients.hubspot.sdk if clients.hubspot else None,
            salesforce_client=clients.salesforce.sf if clients.salesforce else None,
        )
    )
    targets = (
        ("baton-web", stack._server.serve_forever, {"poll_interval": 0.05}),
        ("baton-worker", worker.run_forever, {"stop": stack._stop, "idle_sleep": 0.1}),
        ("baton-pollers", scheduler.run_forever, {"stop": stack._stop_polls, "tick_s": 0.5}),
    )
    for name, target, kwargs in targets:
        thread = threading.Thread(target=target, kwargs=kwargs, name=name, daemon=True)
        thread.start()
        stack._threads.append(thread)

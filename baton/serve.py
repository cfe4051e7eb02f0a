"""Run the web receivers (under gunicorn) and, optionally, the worker in the same process.

On SQLite one process does everything: gunicorn with one worker process and several threads,
plus the Baton worker loop in a background thread. On PostgreSQL, run several web processes with
``--web-workers N`` and as many ``baton worker`` processes as the load needs.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

from baton.intake_worker import BufferingThreadWorker
from connector.runtime import Runtime

if TYPE_CHECKING:
    from connector.worker import Worker
    from webhooks.ops import Startup

log = logging.getLogger(__name__)


class _GunicornApp(BaseApplication):  # type: ignore[misc]
    """Embed gunicorn so ``baton serve`` needs no separate gunicorn command line."""

    def __init__(self, app_factory: Any, options: dict[str, Any]) -> None:
        self._factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._factory()


def serve(
    runtime: Runtime,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    web_workers: int = 1,
    threads: int = 8,
    with_worker: bool = True,
) -> None:
    """Serve until stopped. ``with_worker`` runs the event worker inside each web process."""
    if runtime.store.dialect == "sqlite" and web_workers > 1:
        raise SystemExit("SQLite supports one web process; use PostgreSQL for --web-workers > 1")

    def factory() -> Any:
        from webhooks.app import create_app
        from webhooks.ops import STARTUP, Startup

        app = create_app(runtime)
        if with_worker:
            app.extensions[STARTUP] = state = Startup()
            start_in_background(runtime, state, refused=_stop_serving)
        return app

    import_before_fork(with_worker)
    # the intake worker takes its limits from the loaded app's config (limits_of)
    _GunicornApp(factory, gunicorn_options(host, port, web_workers, threads)).run()


def import_before_fork(with_worker: bool) -> None:
    """Import in gunicorn's master what each web process needs, so a process that restarts
    (killed, or recycled) inherits the modules instead of importing them again (the app, the
    jobs, the adapters: seconds of a restart, docs/RELIABILITY.md). Only imports: no
    app, connection or thread exists before the fork. As with gunicorn's ``preload_app``, a
    ``kill -HUP`` then keeps the code it started with: restart the service to take new code."""
    import webhooks.app  # noqa: F401

    if with_worker:
        import adapters.registry  # noqa: F401
        import connector.jobs.registry
        import connector.worker  # noqa: F401


def gunicorn_options(host: str, port: int, web_workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings: the buffering gthread worker, one request per connection.

    Requests are read whole in the event loop before a thread takes them (see
    :mod:`baton.intake_worker`), so stalled uploads cost sockets, not threads.
    """
    return {
        "bind": f"{host}:{port}",
        "workers": web_workers,
        "worker_class": f"{BufferingThreadWorker.__module__}.{BufferingThreadWorker.__name__}",
        "threads": threads,
        "keepalive": 0,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": None,
    }


def check_jobs(runtime: Runtime) -> Worker:
    """Set the jobs up, so a config a job refuses stops the start with the job's own words
    (a DYNAMIC nurture list …) instead of a traceback; the worker built is the one to run.
    In observe mode, also make sure the daily summary of would-be writes is scheduled."""
    from connector.events import utcnow
    from connector.jobs.base import JobSetupError
    from connector.jobs.observe.job import start_daily_summary
    from connector.worker import Worker

    try:
        worker = Worker.from_runtime(runtime)
    except JobSetupError as exc:
        raise SystemExit(f"baton: {exc}") from None
    if runtime.config.service.observe:
        with runtime.store.session() as session:
            start_daily_summary(session, utcnow())
        log.warning("observe mode: nothing is written to the CRMs and no notice is sent")
    return worker


def start_in_background(
    runtime: Runtime, state: Startup, *, refused: Callable[[str], None]
) -> threading.Thread:
    """Set the jobs up, then start the worker and pollers, in a thread of their own.

    Job setup reads the CRMs (stage order, properties, the nurture list), with retries when a
    CRM is down: done before serving, it kept ``/healthz`` silent for as long as the retries
    took. The receivers answer at once instead and ``/readyz`` says ``worker: starting``; a
    config a job refuses is handed to ``refused`` with the job's words.
    """

    def run() -> None:
        state.worker = "starting"
        try:
            worker = check_jobs(runtime)
        except SystemExit as exc:
            state.worker = f"refused: {exc}"
            refused(str(exc))
            return
        start_worker_thread(runtime, worker)
        start_pollers(runtime)
        state.worker = "running"

    thread = threading.Thread(target=run, name="baton-start", daemon=True)
    thread.start()
    return thread


def _stop_serving(message: str) -> None:
    """A job refused the config: say why and stop the whole server, as gunicorn does for a
    worker that cannot boot (the master halts on that exit status instead of respawning)."""
    from gunicorn.arbiter import Arbiter

    log.critical(message)
    os._exit(Arbiter.WORKER_BOOT_ERROR)


def observing(config: Any, observe: bool) -> Any:
    """The config with observe mode switched on by ``--observe`` (the file's key otherwise)."""
    if not observe:
        return config
    service = config.service.model_copy(update={"observe": True})
    return config.model_copy(update={"service": service})


def start_worker_thread(runtime: Runtime, worker: Worker | None = None) -> threading.Event:
    """Start the event worker (``worker``, or one built here) in a daemon thread; set the
    returned event to stop it."""
    from connector.worker import Worker

    stop = threading.Event()
    worker = worker or Worker.from_runtime(runtime)
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), name="baton-worker", daemon=True
    )
    thread.start()
    log.info("worker thread started")
    return stop


def start_pollers(runtime: Runtime) -> threading.Event | None:
    """Start the reconciliation pollers (repairing missed webhooks) in a daemon thread.

    Returns the event that stops them (None when no CRM is configured for polling)."""
    from connector.pollers import PollScheduler, pollers_from_config

    clients = runtime.clients()
    pollers = pollers_from_config(
        runtime,
        hubspot_client=clients.hubspot.sdk if clients.hubspot else None,
        salesforce_client=clients.salesforce.sf if clients.salesforce else None,
    )
    if not pollers:
        return None
    stop = PollScheduler(pollers).start_thread()
    log.info("reconciliation pollers started", extra={"count": len(pollers)})
    return stop

"""Fault harness: changes on both sides while Baton is SIGKILLed and the CRMs misbehave.

Both stand-ins run in this process with the demo's org (sales team, routing, MQL definition,
custom fields), duplicated and reordered deliveries, a Salesforce lead assignment rule (an
update sent without ``Sforce-Auto-Assign: FALSE`` would hand the Lead to its queue) and random
API faults (``sandbox.chaos``: a share of calls refused with 429/500/503 before anything happens,
a share carried out whose answer is lost as a 504, as after a timeout). Baton runs as real
processes: ``baton serve`` (SQLite: receivers and worker in one process), or on PostgreSQL
``baton serve --no-worker`` and ``--workers N`` ``baton worker`` processes.

Seeded (not measured): pairs of a HubSpot contact at MQL and its Lead (Open), linked. Then, at
``--rate`` changes per second, every even pair moves in HubSpot (MQL → SQL) and every odd one in
Salesforce (Open → Working); every tenth change is a new contact that meets the MQL definition
(Baton hands it to sales: one Lead). Meanwhile the harness SIGKILLs Baton at random moments —
the whole process group (web and worker at once) or only the process that runs the worker —
and starts it again; the last kill comes right after the last change, with the backlog full.

The check compares both CRMs and the store with the expected end state and counts: changes lost
(not in the other CRM), Leads created twice (per HubSpot id), writes repeated (the CRM took the
same write more than once: after a lost answer, or sent again after a kill), Baton's own count
of writes in flight at a kill (read back and found landed, or sent again), ping-pong (a write
of a value other than the newest one, or CRM traffic once everything settled), Leads reassigned
by the assignment rule, dead letters, and the seconds from the last restart to a settled
backlog.

    python bench/faults.py                       # ~10,000 events, 20 kills, SQLite
    python bench/faults.py --changes 400 --rate 40 --kills 4     # the CI-sized run
    python bench/faults.py --database-url postgresql://postgres@127.0.0.1:5432/test --workers 3
    python bench/faults.py … --workers 3 --db-restarts 5   # Baton's connections ended 5 times

On PostgreSQL ``--db-restarts N`` ends every connection of Baton's processes N times at random
moments (``pg_terminate_backend`` on their ``application_name``; the shared server is never
restarted), which is what a database restart or fail-over does to them.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from adapters.salesforce.client import LOGGED_IN_AGAIN  # noqa: E402
from bench._fleet import Fleet, backlog_profile, pending_ids, write_config  # noqa: E402
from bench.sync import (  # noqa: E402
    MQL,
    SQL,
    WORKING,
    email_of,
    free_port,
    link_pairs,
    pending_work,
    seed_pairs,
    wait_until,
)

RULE_QUEUE = "Assignment Rule Queue"
SECRET_MARK = "**********"


# ---------------------------------------------------------------------------- the CRMs


@contextmanager
def crms(args: argparse.Namespace) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Both stand-ins with the demo org, faults on; yields (hs, sf, team, portal)."""
    from baton.demo import org
    from baton.demo.stack import REALISTIC_HUBSPOT, REALISTIC_SALESFORCE
    from connector.config import default_config
    from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    latency = getattr(args, "crm_latency_ms", 0) / 1000.0  # every API answer takes this long
    hs_settings = {
        **REALISTIC_HUBSPOT,
        "webhook_duplicate_rate": args.duplicate_rate,
        "response_delay_s": latency,
    }
    sf_settings = {
        **REALISTIC_SALESFORCE,
        "outbound_duplicate_rate": args.duplicate_rate,
        "session_lifetime_s": args.session_lifetime or None,
        "response_delay_s": latency,
    }
    hs_config = HubSpotSandboxConfig(**hs_settings, seed=args.seed)
    sf_config = SalesforceSandboxConfig(
        org_id=SANDBOX_SALESFORCE_ORG_ID, **sf_settings, seed=args.seed
    )
    with HubSpotSandbox(hs_config) as hs, SalesforceSandbox(sf_config) as sf:
        defaults = default_config()
        portal = org.set_up_hubspot(hs, defaults.recycle)
        team = org.set_up_salesforce(
            sf,
            defaults.salesforce.hubspot_id_field,
            dict(defaults.handoff.context_fields),
            defaults.recycle,
        )
        rule_queue = sf.add_queue(RULE_QUEUE)
        sf.set_assignment_rule(lambda lead: rule_queue)  # runs on writes without the header
        yield hs, sf, team, portal  # the faults start once seeding is done (start_chaos)


def start_chaos(hs: Any, sf: Any, args: argparse.Namespace) -> None:
    """From now on a share of the API calls fails (see ``sandbox.chaos``)."""
    from sandbox.chaos import ApiChaos

    half = args.failure_rate / 2  # half refused before, half carried out with the answer lost
    hs.chaos = ApiChaos(refuse_rate=half, lost_answer_rate=half, seed=args.seed)
    sf.chaos = ApiChaos(refuse_rate=half, lost_answer_rate=half, seed=args.seed + 1)


def stop_chaos(hs: Any, sf: Any) -> tuple[int, int]:
    """Switch the faults off; (calls refused, answers lost) in both CRMs."""
    from sandbox.chaos import ApiChaos

    refused = hs.chaos.refused + sf.chaos.refused
    lost = hs.chaos.lost + sf.chaos.lost
    hs.chaos, sf.chaos = ApiChaos(), ApiChaos()
    return refused, lost


class SalesforceWrites:
    """Counts the integration user's saves per Lead by the Status they left (repeats too)."""

    def __init__(self, sf: Any) -> None:
        self.integration_user = sf.integration_user_id
        self.statuses: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        sf.org.save_listeners.append(self._saved)

    def _saved(self, sobject: str, old: Any, new: dict[str, Any], actor: str) -> None:
        if sobject != "Lead" or actor != self.integration_user or old is None:
            return
        with self._lock:
            self.statuses.setdefault(str(new["Id"]), []).append(str(new.get("Status")))


# ---------------------------------------------------------------------------- the run


@dataclass
class Report:
    """What one run found (printed as a table; the CI test asserts on it)."""

    engine: str
    changes: int
    handoffs: int
    events: int
    kills: dict[str, int]
    refused_calls: int
    lost_answers: int
    lost: int
    created_twice: int
    writes_repeated: int
    in_doubt_landed: int
    in_doubt_resent: int
    in_doubt_waited: int
    ping_pong: int
    reassigned: int
    dead_letters: int
    #: HubSpot webhook events the CRM gave up on after its last retry (pollers repair them)
    deliveries_given_up: int
    #: events of records and commands the killed worker held claims on (the last kill)
    claimed_at_last_kill: int
    #: from the restart's first /healthz to the last of those done
    claimed_done_after_restart_s: float
    #: inbox events and outbox commands pending when Baton was killed the last time
    backlog_at_last_kill: int
    #: from the restart's first /healthz to the last of them done (the claims held back)
    backlog_done_after_restart_s: float
    #: from the restart to every change visible and nothing pending (CRM redeliveries too)
    settled_after_restart_s: float
    settled: bool
    seconds: float
    #: Salesforce logins (the first, then one per session that ended mid-run) and the API
    #: calls refused with INVALID_SESSION_ID before Baton logged in again
    salesforce_logins: int = 0
    expired_session_refusals: int = 0
    #: times a running Baton process logged in again after Salesforce ended its session
    #: (its log's ``LOGGED_IN_AGAIN`` lines; a restarted process's first login is not one)
    salesforce_relogins: int = 0
    #: PostgreSQL: times every Baton connection was terminated at once, and how many there were
    database_restarts: int = 0
    backends_terminated: int = 0
    #: a few records the CRM took the same write for more than once (their audit tells why)
    repeated_examples: list[str] = field(default_factory=list)
    #: seconds after the restart -> what still held the backlog back (``backlog_profile``)
    backlog_trace: dict[str, str] = field(default_factory=dict)


class DatabaseRestarts:
    """What a database restart does to Baton, without restarting the shared server: at random
    moments every connection of Baton's processes (named by ``application_name``) is ended with
    ``pg_terminate_backend``, as a restart or a fail-over ends them. The harness's own probes
    connect under another name and are left alone."""

    def __init__(self, count: int, admin_url: str | None, baton_url: str, name: str) -> None:
        self.count = count
        self.admin_url = admin_url
        self.baton_url = baton_url
        self.name = name
        self.done = 0
        self.terminated = 0
        self._thread: threading.Thread | None = None

    @classmethod
    def for_run(cls, args: argparse.Namespace, database: str) -> DatabaseRestarts:
        """Baton's URL names its connections; restarts only on PostgreSQL."""
        if not database.startswith("postgresql"):
            return cls(0, None, database, "")
        name = f"baton-{uuid.uuid4().hex[:10]}"
        url = f"{database}{'&' if '?' in database else '?'}application_name={name}"
        return cls(args.db_restarts, args.database_url, url, name)

    def start(self, rng: random.Random, burst_s: float) -> None:
        """End Baton's connections ``count`` times during the next ``burst_s`` seconds."""
        if not self.count or self.admin_url is None:
            return
        moments = sorted(rng.uniform(0.05, 1.0) * burst_s for _ in range(self.count))
        self._thread = threading.Thread(target=self._run, args=(moments,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _run(self, moments: list[float]) -> None:
        from sqlalchemy import create_engine, text

        assert self.admin_url is not None
        engine = create_engine(self.admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
        started = time.monotonic()
        terminate = text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name AND pid <> pg_backend_pid()"
        )
        try:
            for moment in moments:
                time.sleep(max(0.0, started + moment - time.monotonic()))
                with engine.begin() as conn:
                    ended = conn.execute(terminate, {"name": self.name}).scalar()
                self.terminated += int(ended or 0)
                self.done += 1
        finally:
            engine.dispose()


def newcomer(index: int) -> dict[str, Any]:
    """A new contact that meets the demo's MQL definition (so Baton hands it to sales)."""
    return {
        "email": email_of("new", index), "lastname": f"N{index}", "firstname": "New",
        "company": "Acme", "jobtitle": "Buyer", "country": "Netherlands",
        "hs_analytics_num_page_views": "5", "lifecyclestage": MQL,
    }  # fmt: skip


def make_changes(
    hs: Any, sf: Any, pairs: list[tuple[str, str]], rate: float, newcomers: list[str]
) -> None:
    """Even pairs move in HubSpot, odd ones in Salesforce; every tenth change is a newcomer."""
    pause = 1.0 / rate
    next_at = time.monotonic()
    made_new = 0
    for index, (contact, lead) in enumerate(pairs):
        if index % 2 == 0:
            hs.ui_update("contacts", contact, {"lifecyclestage": SQL})
        else:
            sf.ui_update("Lead", lead, {"Status": WORKING})
        if index % 10 == 9:
            newcomers.append(hs.ui_create("contacts", newcomer(made_new)))
            made_new += 1
        next_at += pause
        time.sleep(max(0.0, next_at - time.monotonic()))


def prepare_database(url: str | None, workdir: Path) -> str:
    """A fresh SQLite file, or a fresh schema in the given PostgreSQL database (unmigrated)."""
    if not url:
        url = f"sqlite:///{workdir / 'baton.db'}"
    elif url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        schema = f"faults_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    return url


def run(args: argparse.Namespace) -> Report:
    """One fault run (see the module docstring)."""
    from baton.demo import org

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as workdir, ExitStack() as stack:
        hs, sf, team, portal = stack.enter_context(crms(args))
        database = prepare_database(args.database_url, Path(workdir))
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        restarts = DatabaseRestarts.for_run(args, database)
        config = org.demo_config(
            hubspot_base_url=str(hs.base_url), salesforce_instance_url=str(sf.instance_url),
            public_base_url=public, database_url=restarts.baton_url, team=team,
            nurture_list_id=portal.nurture_list_id,
            integration_user_id=sf.integration_user_id, poll_interval_s=args.poll_interval,
        )  # fmt: skip
        from connector.config import with_changes

        # INFO: the log then says when a running Baton logged in again (``salesforce_relogins``)
        config = with_changes(config, {"service.log_level": "INFO"})
        config_path, env = write_config(Path(workdir), config)
        env["BATON_SALESFORCE_CA_BUNDLE"] = sf.ca_bundle_path
        env.pop("BATON_DATABASE_URL", None)
        log = Path(args.log or Path(workdir) / "baton.log")
        repo = Path(args.baton_repo).resolve() if args.baton_repo else REPO
        fleet = Fleet(config_path, env, port, args.workers, log, repo=repo)
        stack.callback(fleet.stop)
        fleet.migrate()
        pairs = seed_pairs(hs, sf, args.changes, "pair")
        link_pairs(database, pairs, [email_of("pair", i) for i in range(len(pairs))])
        owners = {lead: sf.get("Lead", lead)["OwnerId"] for _, lead in pairs}
        fleet.start()
        org.subscribe_to_baton(hs, sf, public)
        writes = SalesforceWrites(sf)
        start_chaos(hs, sf, args)
        started = time.monotonic()
        newcomers: list[str] = []
        changer = threading.Thread(
            target=make_changes, args=(hs, sf, pairs, args.rate, newcomers), daemon=True
        )
        changer.start()
        burst = len(pairs) / args.rate
        restarts.start(rng, burst)
        moments = sorted(rng.uniform(0.05, 1.0) * burst for _ in range(args.kills - 1))
        for moment in moments:
            time.sleep(max(0.0, started + moment - time.monotonic()))
            fleet.kill_at_random(rng, database)
            fleet.start()
        changer.join()
        restarts.join()
        if args.kills:
            fleet.kill_at_random(rng, database)  # the backlog is full now
        backlog, claimed = pending_ids(database), fleet.last_claimed
        fleet.start()
        restarted = time.monotonic()
        wait_until(lambda: not claimed & pending_ids(database), args.max_seconds, step=0.2)
        claimed_s = time.monotonic() - restarted
        trace = trace_backlog(database, backlog, restarted, args.max_seconds)
        backlog_s = time.monotonic() - restarted
        settled = wait_until(
            lambda: pending_work(database) == 0 and expected_state(hs, sf, pairs) == 0,
            args.max_seconds,
            step=0.5,
        )
        settle_s = time.monotonic() - restarted
        refused, lost_answers = stop_chaos(hs, sf)
        hs.flush_webhooks(timeout=30)
        sf.flush_outbound(timeout=30)
        wait_until(lambda: pending_work(database) == 0, 60, step=0.2)
        elapsed = time.monotonic() - started
        quiet_from = (len(hs.requests), len(sf.requests))
        time.sleep(args.quiet_seconds)  # anything still written now is ping-pong
        traffic = _writes_since(hs, sf, quiet_from)
        report = _report(
            args, database, hs, sf, pairs, newcomers, writes, owners, fleet,
            (refused, lost_answers, settle_s, settled, elapsed, traffic, len(backlog), backlog_s,
             len(claimed), claimed_s),
        )  # fmt: skip
        report.backlog_trace = trace
        report.database_restarts = restarts.done
        report.backends_terminated = restarts.terminated
        return report


def trace_backlog(
    database: str, backlog: set[str], restarted: float, max_seconds: float
) -> dict[str, str]:
    """Wait for ``backlog`` to be done, noting about once a second what still holds it back."""
    trace: dict[str, str] = {}
    deadline = restarted + max_seconds
    while time.monotonic() < deadline:
        remaining = backlog & pending_ids(database)
        at = f"{time.monotonic() - restarted:.1f}"
        if not remaining:
            trace[at] = "done"
            break
        profile = backlog_profile(database, remaining)
        trace[at] = ", ".join(f"{n} {what}" for what, n in profile.most_common())
        time.sleep(max(0.0, 1.0 - (time.monotonic() - restarted) % 1.0))
    return trace


def expected_state(hs: Any, sf: Any, pairs: list[tuple[str, str]]) -> int:
    """Changes whose target in the other CRM does not hold the new value (yet)."""
    missing = 0
    for index, (contact, lead) in enumerate(pairs):
        if index % 2 == 0:
            missing += sf.get("Lead", lead)["Status"] != WORKING
        else:
            missing += hs.get("contacts", contact)["properties"].get("lifecyclestage") != SQL
    return missing


def _writes_since(hs: Any, sf: Any, since: tuple[int, int]) -> int:
    """Write calls since ``since`` (HubSpot's searches and batch reads are POSTs too)."""
    hs_writes = [
        r
        for r in hs.requests[since[0] :]
        if r.method != "GET" and "/search" not in r.path and not r.path.endswith("/batch/read")
    ]
    sf_writes = [r for r in sf.requests[since[1] :] if r.method != "GET"]
    return len(hs_writes) + len(sf_writes)


def _report(
    args: argparse.Namespace,
    database: str,
    hs: Any,
    sf: Any,
    pairs: list[tuple[str, str]],
    newcomers: list[str],
    writes: SalesforceWrites,
    owners: dict[str, str],
    fleet: Fleet,
    figures: tuple[int, int, float, bool, float, int, int, float, int, float],
) -> Report:
    from sqlalchemy import func, select

    from connector.store import Store
    from connector.store.models import AuditEntry, DeadLetter, InboxEvent

    (refused, lost_answers, settle_s, settled, elapsed, quiet_traffic,
     backlog, backlog_s, claimed, claimed_s) = figures  # fmt: skip
    lost = expected_state(hs, sf, pairs)
    repeated = ping_pong = 0
    examples: list[str] = []  # records written more than once, to look up in the audit
    for index, (contact, lead) in enumerate(pairs):
        if index % 2 == 0:  # Baton wrote the Lead
            statuses = writes.statuses.get(lead, [])
            repeated += max(0, statuses.count(WORKING) - 1)
            if statuses.count(WORKING) > 1 and len(examples) < 6:
                examples.append(f"salesforce:lead:{lead}")
            ping_pong += sum(1 for status in statuses if status != WORKING)
        else:  # Baton wrote the contact
            stages = hs.integration_writes(contact, "lifecyclestage")
            repeated += max(0, stages.get(SQL, 0) - 1)
            if stages.get(SQL, 0) > 1 and len(examples) < 12:
                examples.append(f"hubspot:contact:{contact}")
            ping_pong += sum(n for value, n in stages.items() if value not in (SQL, ""))
    reassigned = sum(
        1 for lead, owner in owners.items() if sf.get("Lead", lead)["OwnerId"] != owner
    )
    from connector.config import default_config

    id_field = default_config().salesforce.hubspot_id_field
    per_contact = Counter(
        str(lead.get(id_field)) for lead in sf.all("Lead") if lead.get(id_field) in newcomers
    )
    created_twice = sum(count - 1 for count in per_contact.values() if count > 1)
    lost += sum(1 for contact in newcomers if per_contact[contact] == 0)
    store = Store(database)
    with store.session() as session:
        events = session.scalar(
            select(func.count())
            .select_from(InboxEvent)
            .where(InboxEvent.event_id.not_like("backfill:%"))
        )
        dead = session.scalar(select(func.count()).select_from(DeadLetter))
        in_doubt = [
            summary
            for summary in session.scalars(
                select(AuditEntry.summary).where(AuditEntry.summary.like("in doubt (%"))
            )
        ]
    store.dispose()
    landed = sum(1 for line in in_doubt if line.endswith("not sent again"))
    waited = sum(1 for line in in_doubt if line.endswith("waits for another read-back"))
    return Report(
        engine=(
            f"PostgreSQL, serve --no-worker + {args.workers} workers"
            if args.workers
            else ("PostgreSQL" if "postgresql" in database else "SQLite") + ", one baton serve"
        ),
        changes=len(pairs),
        handoffs=len(newcomers),
        events=int(events or 0),
        kills=dict(fleet.kills),
        refused_calls=refused,
        lost_answers=lost_answers,
        lost=lost,
        created_twice=created_twice,
        writes_repeated=repeated,
        repeated_examples=examples,
        in_doubt_landed=landed,
        in_doubt_resent=len(in_doubt) - landed - waited,
        in_doubt_waited=waited,
        ping_pong=ping_pong + quiet_traffic,
        reassigned=reassigned,
        dead_letters=int(dead or 0),
        deliveries_given_up=len(hs.webhook_given_up),
        claimed_at_last_kill=claimed,
        claimed_done_after_restart_s=round(claimed_s, 1),
        backlog_at_last_kill=backlog,
        backlog_done_after_restart_s=round(backlog_s, 1),
        settled_after_restart_s=round(settle_s, 1),
        settled=settled,
        seconds=round(elapsed, 1),
        salesforce_logins=sf.sessions.logins,
        salesforce_relogins=fleet.log.read_text(errors="replace").count(LOGGED_IN_AGAIN),
        expired_session_refusals=sf.sessions.expired_refusals,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The harness's options (defaults: the issue's full run on SQLite)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=4_000, help="pair changes (~2.5 events)")
    parser.add_argument("--rate", type=float, default=60.0, help="changes per second")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--failure-rate", type=float, default=0.3, help="share of CRM calls")
    parser.add_argument("--duplicate-rate", type=float, default=0.3, help="deliveries sent twice")
    parser.add_argument("--database-url", help="PostgreSQL URL (a fresh schema is made in it)")
    parser.add_argument("--workers", type=int, default=0, help="baton workers (PostgreSQL)")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--quiet-seconds", type=float, default=3.0)
    parser.add_argument(
        "--poll-interval",
        type=int,
        default=5,
        help="reconciliation pollers' interval in seconds (0: off; then a webhook the CRM gave "
        "up on after its last retry, while Baton was down, stays lost)",
    )
    parser.add_argument(
        "--session-lifetime",
        type=float,
        default=180.0,
        help="seconds a Salesforce session lives before Baton must log in again (0: forever)",
    )
    parser.add_argument(
        "--db-restarts",
        type=int,
        default=0,
        help="PostgreSQL: times all of Baton's connections are terminated during the changes",
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--log", help="where Baton's processes log (default: a temp file)")
    parser.add_argument(
        "--baton-repo",
        help="run Baton's processes from this checkout (e.g. a worktree of main, for before/after)",
    )
    args = parser.parse_args(argv)
    if args.workers and not (args.database_url or "").startswith("postgresql"):
        parser.error("--workers needs --database-url postgresql://…")
    if args.db_restarts and not (args.database_url or "").startswith("postgresql"):
        parser.error("--db-restarts needs --database-url postgresql://…")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run once and print the figures."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop Baton's processes too
    report = run(args)
    print(f"\nfault run: {report.engine}; {report.seconds} s")
    for key, value in asdict(report).items():
        print(f"| {key} | {json.dumps(value) if isinstance(value, dict) else value} |")


if __name__ == "__main__":
    main()

"""``baton demo``: play the week, wait for Baton, report; then serve the dashboard (or exit).

The demo only plays the people. Everything that happens between the CRMs — hand-offs, routing,
holds, status changes flowing back — is Baton's production code reacting to the sandboxes'
webhooks, on a store that starts empty.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from baton.demo import cast, sla_scene
from baton.demo.checks import StageCheck, compare_stages
from baton.demo.facts import DayFigures, collect
from baton.demo.history import HISTORY_WEEKS, Clock, day_clock, earlier_plan, history_days
from baton.demo.host import fresh_sqlite_url, loopback_without_proxies, terminate_as_interrupt
from baton.demo.org import MARKETER_USER_ID
from baton.demo.players import Players
from baton.demo.scenario import WORKDAYS, Kind, WeekPlan, plan_week
from baton.demo.single_play import play_single
from baton.demo.stack import DEMO_POLL_INTERVAL_S, DemoError, DemoStack, start_stack
from baton.demo.summary import format_day, format_summary
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.jobs.lifecycle.mapping import StageMap
from connector.jobs.lifecycle.setup import stage_entries
from connector.reports import handoff_count, held_back

#: How long one simulated day may take Baton to settle before the demo moves on regardless.
DAY_TIMEOUT_S = 20.0
#: How long Baton gets at the end of the week to finish and for both CRMs to agree.
SETTLE_TIMEOUT_S = 3 * DEMO_POLL_INTERVAL_S + 15.0
MARKETING = frozenset({Kind.ARRIVE, Kind.VISIT, Kind.MARK_MQL})
SALES = frozenset(Kind) - MARKETING

Echo = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


def run_demo(
    *,
    once: bool,
    seed: int,
    port: int,
    database_url: str | None,
    out: Path,
    echo: Echo = _print,
    stop: threading.Event | None = None,
    settle_timeout: float = SETTLE_TIMEOUT_S,
    after_week: Callable[[DemoStack], None] | None = None,
    history_weeks: int | None = None,
    crm: str = "both",
) -> int:
    """Play the week; 0 when Baton converged, 1 when it did not, 2 when the demo cannot start.

    Without ``once`` the dashboard is then served on ``port`` until Ctrl-C (or ``stop`` is set),
    and ``history_weeks`` earlier weeks (default HISTORY_WEEKS; with ``once`` none) are played
    first, on their own dates, so the scorecard has a trend. ``after_week`` is called with the
    still-running stack once the summary is printed (tests inspect the sandboxes there).
    """
    if history_weeks is None:
        history_weeks = 0 if once else HISTORY_WEEKS
    started = time.monotonic()
    try:
        url = database_url or fresh_sqlite_url(out)
        with terminate_as_interrupt(), loopback_without_proxies():
            stack = start_stack(url, seed=seed, port=0 if once else port, crm=crm)
            with stack:
                if crm != "both":  # beside one CRM: a short day in it (``single_play.py``)
                    code = play_single(stack, echo)
                    if after_week is not None:
                        after_week(stack)
                    return code if once or code else _serve_dashboard(stack, echo, stop)
                if history_weeks:
                    _play_history(stack, seed, history_weeks, echo)
                    stack.history_weeks = history_weeks
                return _run(stack, seed, once, echo, stop, settle_timeout, started, after_week)
    except DemoError as exc:
        print(f"baton demo: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        echo("Stopped.")
        return 130


def _run(
    stack: DemoStack,
    seed: int,
    once: bool,
    echo: Echo,
    stop: threading.Event | None,
    settle_timeout: float,
    started: float,
    after_week: Callable[[DemoStack], None] | None,
) -> int:
    config = stack.runtime.config
    plan = plan_week(seed)
    players = _players(stack, plan)
    echo(f"Baton demo: one week at {cast.COMPANY_NAME} (fictional), seed {seed}")
    echo(
        f"  sandbox HubSpot {stack.hubspot.base_url} · sandbox Salesforce "
        f"{stack.salesforce.instance_url} · Baton {stack.base_url}"
    )
    for day in range(len(cast.DAY_NAMES)):
        echo(_play_day(stack, players, plan, day))
    converged, check = _settle(stack, settle_timeout)
    if once:  # no poll may land after the summary is counted: stop them, then settle once more
        stack.stop_polling()
        converged, check = _settle(stack, settle_timeout)
    scene = sla_scene.play(stack, lambda: stack.wait_until_idle(DAY_TIMEOUT_S))
    summary = collect(stack, players, seed, check)  # after settling: the backlog is final
    summary.database = config.store.safe_database_url
    summary.elapsed_s = time.monotonic() - started
    echo("")
    policy = config.sla.policy_for(None)
    hours = policy.first_response_business_hours if policy is not None else 0
    echo(format_summary(summary, DEFAULT_STAGE_ORDER, sla_scene.format_scene(scene, hours)))
    if stack.history_weeks:
        echo(f"(The CRM and Baton figures above include the {stack.history_weeks} earlier weeks.)")
    if after_week is not None:
        after_week(stack)
    if not converged:
        backlog = summary.backlog
        print(
            f"baton demo: Baton did not converge within {settle_timeout:.0f} s: "
            f"{backlog.events_pending} events and {backlog.commands_pending} writes still open, "
            f"{len(check.by_verdict('disagree'))} people disagree across the CRMs "
            f"(details: baton explain, database {summary.database})",
            file=sys.stderr,
        )
        return 1
    if once:
        return 0
    return _serve_dashboard(stack, echo, stop)


def _serve_dashboard(stack: DemoStack, echo: Echo, stop: threading.Event | None) -> int:
    echo("")
    echo(f"Dashboard: {stack.dashboard_url}  (Ctrl-C to stop)")
    minutes = stack.runtime.config.dashboard.login_link_minutes
    echo(f"Sign in:   {stack.login_link()}  (one use, valid {minutes} min)")
    waiter = stop or threading.Event()
    while not waiter.wait(0.5):
        pass
    echo("Stopped.")
    return 0


def _play_history(stack: DemoStack, seed: int, weeks: int, echo: Echo) -> None:
    """Play ``weeks`` earlier weeks day by day on their own dates (baton.demo.history)."""
    config = stack.runtime.config
    zone = config.sla.calendar.zone
    today = datetime.now(zone).date()
    echo(f"Baton demo: first {weeks} earlier weeks, each day on its own date, for the scorecard")
    plans: dict[int, tuple[WeekPlan, Players]] = {}
    for back, day in history_days(today, config.scorecard.week_starts, weeks):
        if back not in plans:
            plan = earlier_plan(plan_week, seed, back)
            plans[back] = (plan, _players(stack, plan))
        plan, players = plans[back]
        line = _play_day(stack, players, plan, day.weekday(), day_clock(day, zone))
        echo(f"  {day.isoformat()} {line.strip()}")
    stack.wait_until_idle(DAY_TIMEOUT_S)
    echo("")


def _players(stack: DemoStack, plan: WeekPlan) -> Players:
    config = stack.runtime.config
    return Players(
        plan,
        stack.hubspot,
        stack.salesforce,
        stack.team,
        MARKETER_USER_ID,
        config.salesforce.hubspot_id_field,
        config.recycle.reason_field,
        names=stack.display_names,
    )


def _real_time(_half: str) -> contextlib.AbstractContextManager[object]:
    return contextlib.nullcontext()


def _play_day(
    stack: DemoStack, players: Players, plan: WeekPlan, day: int, clock: Clock = _real_time
) -> str:
    """Play one day (each half under ``clock``), let Baton settle, describe the day in a line."""
    began = time.monotonic()
    before = _baton_counts(stack)
    outcomes = []
    settled = True
    for name, half in (("marketing", MARKETING), ("sales", SALES)):
        actions = [action for action in plan.day(day) if action.kind in half]
        if not actions:
            continue
        with clock(name):  # reps can only work the leads Baton created that morning
            outcomes += [players.play(action) for action in actions]
            settled = stack.wait_until_idle(DAY_TIMEOUT_S) and settled
    after = _baton_counts(stack)
    return format_day(
        DayFigures(
            name=cast.DAY_NAMES[day],
            done=Counter(o.action.kind for o in outcomes if o.done),
            skipped=sum(1 for o in outcomes if not o.done),
            handed_off=after[0] - before[0],
            held_back=after[1] - before[1],
            seconds=time.monotonic() - began,
            settled=settled,
            weekend=day >= WORKDAYS,
        )
    )


def _baton_counts(stack: DemoStack) -> tuple[int, int]:
    """(hand-offs completed, MQLs held back) as Baton's store has them."""
    with stack.runtime.store.session() as session:
        return handoff_count(session), len(held_back(session))


def _settle(stack: DemoStack, timeout: float) -> tuple[bool, StageCheck]:
    """Wait until Baton is idle and both CRMs agree (pollers may need a round to repair)."""
    deadline = time.monotonic() + timeout
    while True:
        idle = stack.wait_until_idle(max(1.0, deadline - time.monotonic()))
        check = stage_check(stack)
        if (idle and check.converged) or time.monotonic() >= deadline:
            return idle and check.converged, check
        time.sleep(0.5)


def stage_check(stack: DemoStack) -> StageCheck:
    """Compare every handed-off person across the two sandboxes ("not now" as recycling has it)."""
    config = stack.runtime.config
    return compare_stages(
        contacts=stack.hubspot.all("contacts"),
        leads=stack.salesforce.all("Lead"),
        opportunities=stack.salesforce.all("Opportunity"),
        stage_map=StageMap(stage_entries(config), DEFAULT_STAGE_ORDER, config.handoff.stage),
        opportunity_stages=config.lifecycle.opportunity_stages,
        hubspot_id_field=config.salesforce.hubspot_id_field,
        recycle=config.recycle,
    )

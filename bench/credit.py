"""Credit benchmark: every attribution model over N won deals, beside linear alone.

Generates N deals (seeded) with 1-50 touches each over five channels, a lead-creation and an
opportunity-creation milestone, and an amount in cents; builds their timelines (measured apart);
then runs, over the same timelines, the baseline — the linear model alone — and every model of
``connector/jobs/credit`` (first/last touch, linear, U, W, full path, time decay, Markov fitted
once on a generated history). Checks every result sums to its amount to the cent. Prints
microseconds per deal and the multiple of the baseline.

    python bench/credit.py                   # N = 10,000
    python bench/credit.py --quick           # N = 1,000

Then, on a temporary SQLite store holding ``--history`` recorded journeys (``credit_journeys``),
the job's Markov path per computation — read the look-back window's snapshot, fit it, credit
one deal — beside the linear model on the same deals in the same run, in wall and CPU time;
once reading and fitting the window for every computation, and once through the job's caches
(``journeys.Snapshots`` re-reads only after a journey changed, the fit is kept per history
fingerprint; each deal's own journey is left out, so each computation fits its own history).

Run from the repository root. Single process, pure Python, no CRM.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from connector.config.models.credit import CreditModel  # noqa: E402
from connector.jobs.credit import journeys  # noqa: E402
from connector.jobs.credit.compute import (  # noqa: E402
    Attribution,
    Rule,
    attribute,
    markov_rule,
    prepare_rules,
)
from connector.jobs.credit.markov import Journey  # noqa: E402
from connector.jobs.credit.timeline import (  # noqa: E402
    Milestone,
    MilestoneAt,
    Money,
    Timeline,
    Touch,
    build_timeline,
)

CHANNELS = ("paid_search", "email", "webinar", "events", "organic_search")
KINDS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "full_path", "time_decay")
CLOSE = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def make_deal(rng: random.Random, number: int, max_touches: int):
    """One deal's raw touches (over 200 days before the close), milestones and amount."""
    count = rng.randint(1, max_touches)
    touches = [
        Touch(
            CLOSE - timedelta(seconds=rng.randint(0, 200 * 86_400)),
            rng.choice(CHANNELS),
            f"campaign-{rng.randint(1, 20)}",
            rng.choice(("hubspot", "salesforce")),
            f"d{number}-t{i}",
        )
        for i in range(count)
    ]
    ordered = sorted(touches, key=lambda t: t.at)
    lead = ordered[rng.randint(0, count - 1)]
    opportunity = ordered[rng.randint(ordered.index(lead), count - 1)]
    milestones = [
        MilestoneAt(Milestone.LEAD_CREATION, lead.at, lead.key),
        MilestoneAt(Milestone.OPPORTUNITY_CREATION, opportunity.at + timedelta(hours=1)),
        MilestoneAt(Milestone.CLOSED_WON, CLOSE),
    ]
    return touches, milestones, Money(rng.randint(100, 50_000_000), "EUR")


def make_history(rng: random.Random, journeys: int) -> list[Journey]:
    """Past journeys, won more often when they include webinars and events."""
    history = []
    for _ in range(journeys):
        path = tuple(rng.choice(CHANNELS) for _ in range(rng.randint(0, 8)))
        odds = 0.15 + 0.1 * ("webinar" in path) + 0.1 * ("events" in path)
        history.append(Journey(path, rng.random() < odds))
    return history


def timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def run_rules(rules: list[Rule], timelines: list[Timeline]) -> int:
    """Run every rule on every timeline; check the sums; return the number of results."""
    results = 0
    for line in timelines:
        for rule in rules:
            result = attribute(rule, line)
            assert isinstance(result, Attribution)
            assert sum(share.minor for share in result.shares) == line.amount.minor
            results += 1
    return results


def timed_cpu(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work``."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def store_markov(
    rng: random.Random, timelines: list[Timeline], history: int, computations: int
) -> list[tuple[str, float, float]]:
    """Per computation on a SQLite store of ``history`` journeys: (row, wall s, CPU s)."""
    from connector.store import Store
    from connector.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        store = Store(url)
        with store.session() as session:
            for number, journey in enumerate(make_history(rng, history)):
                path = tuple((channel, None) for channel in journey.channels)
                closed = CLOSE - timedelta(days=rng.randint(1, 300))
                journeys.record(
                    session, f"j{number}", won=journey.won, path=path, closed_at=closed, at=CLOSE
                )
        model = CreditModel.model_validate({"model": "markov", "min_journeys": 1_000})
        linear = prepare_rules([CreditModel.model_validate({"model": "linear"})])[0]
        deals = timelines[:computations]

        def markov(reuse: bool) -> None:
            snapshots, fits = journeys.Snapshots(), {}  # the job's caches, empty at the start
            for number, line in enumerate(deals):
                with store.session() as session:
                    if reuse:
                        snap = snapshots.get(session, CLOSE, 365, excluding=f"j{number}")
                    else:
                        snap = journeys.window(session, CLOSE, 365, excluding=f"j{number}")
                rule = fits.get(snap.fingerprint) if reuse else None
                if rule is None:
                    rule = fits[snap.fingerprint] = markov_rule(model, snap, 365)
                result = attribute(rule, line)
                assert isinstance(result, Attribution)
                assert sum(share.minor for share in result.shares) == line.amount.minor

        rows = [("linear alone (baseline)", *timed_cpu(lambda: run_rules([linear], deals)))]
        rows.append(("markov: read + fit + credit", *timed_cpu(lambda: markov(False))))
        rows.append(("markov: the job's caches", *timed_cpu(lambda: markov(True))))
        rows.append(("linear alone, again", *timed_cpu(lambda: run_rules([linear], deals))))
        store.dispose()
    return rows


def main(argv: list[str] | None = None) -> None:
    """Generate, build, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--max-touches", type=int, default=50)
    parser.add_argument("--history", type=int, default=5_000, help="journeys Markov learns from")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="1,000 deals")
    parser.add_argument(
        "--computations", type=int, default=50, help="Markov computations on the store"
    )
    args = parser.parse_args(argv)
    deals = 1_000 if args.quick else args.deals

    rng = random.Random(args.seed)
    raw = [make_deal(rng, n, args.max_touches) for n in range(deals)]
    history = make_history(rng, args.history)
    touches = sum(len(t) for t, _, _ in raw)

    build_s, built = timed(lambda: [build_timeline(t, m, a, lookback_days=365) for t, m, a in raw])
    timelines: list[Timeline] = built  # type: ignore[assignment]
    models = [CreditModel.model_validate({"model": kind}) for kind in KINDS]
    markov = CreditModel.model_validate({"model": "markov", "min_journeys": 1_000})
    fit_s, rules = timed(lambda: prepare_rules([*models, markov], history))
    every: list[Rule] = rules  # type: ignore[assignment]
    by_name = {rule.name: rule for rule in every}

    run_rules([by_name["linear"]], timelines[: max(1, deals // 10)])  # warm-up, not counted
    rows = []
    baseline_s, _ = timed(lambda: run_rules([by_name["linear"]], timelines))
    rows.append(("linear alone (baseline)", baseline_s))
    all_s, _ = timed(lambda: run_rules(every, timelines))
    rows.append((f"all {len(every)} models", all_s))
    for rule in every:
        seconds, _ = timed(lambda rule=rule: run_rules([rule], timelines))
        rows.append((f"  {rule.name} alone", seconds))
    again_s, _ = timed(lambda: run_rules([by_name["linear"]], timelines))
    rows.append(("linear alone, again", again_s))

    print(
        f"\ncredit: {deals} deals, {touches} touches (1-{args.max_touches} per deal, "
        f"mean {touches / deals:.1f}), Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs\n"
        f"timelines built (dedupe, window, order): {build_s:.2f} s, "
        f"{build_s / deals * 1e6:.0f} µs/deal\n"
        f"Markov fitted on {args.history} journeys (exact fractions): {fit_s:.2f} s "
        f"(all rules prepared)\n"
    )
    print("| models run per deal      | seconds | deals/s | µs/deal | x baseline |")
    print("|--------------------------|--------:|--------:|--------:|-----------:|")
    for name, seconds in rows:
        print(
            f"| {name:<24} | {seconds:>7.2f} | {deals / seconds:>7.0f} "
            f"| {seconds / deals * 1e6:>7.0f} | {seconds / baseline_s:>10.1f} |"
        )

    found = store_markov(rng, timelines, args.history, args.computations)
    base_wall, base_cpu = found[0][1], found[0][2]
    print(
        f"\nMarkov in the job's path: {args.computations} computations on a SQLite store of "
        f"{args.history} recorded journeys (365-day window)\n"
    )
    print("| per computation             | wall ms | CPU ms | x baseline (CPU) |")
    print("|-----------------------------|--------:|-------:|-----------------:|")
    for name, wall, cpu in found:
        print(
            f"| {name:<27} | {wall / args.computations * 1e3:>7.2f} "
            f"| {cpu / args.computations * 1e3:>6.2f} | {cpu / max(base_cpu, 1e-9):>16.1f} |"
        )
    del base_wall


if __name__ == "__main__":
    main()

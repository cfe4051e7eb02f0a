"""Dashboard benchmark: render the scorecard page (``GET /``: the week plus the trend's earlier
weeks) and the operations view over N hand-offs a week, beside ``build_scorecard`` alone.

Uses the scorecard benchmark's store (bench/scorecard.py: N hand-offs in each of 4 weeks, with
clocks, recycles, holds, escalations and credit) and the real Flask app through its test client,
signed in; owner names come from a dict (no CRM is asked). Reports the median and best of
several rounds, and how many read passes one page makes. "Cold" deletes the closed weeks'
snapshots (``scorecard_snapshots``) before each round, so every week is counted; "kept" reads
them back (the week is closed: 2026-11-23).

    python bench/dashboard.py                 # SQLite in a temp dir, 2,000 leads a week
    python bench/dashboard.py --leads 10000
    python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench._stores import on_scratch_store  # noqa: E402
from bench.scorecard import REPS, WEEK, _timed, seed  # noqa: E402
from connector.config import default_config  # noqa: E402
from connector.reports.scorecard import (  # noqa: E402
    ScorecardFilters,
    build,
    build_scorecard,
)
from connector.runtime import Runtime  # noqa: E402
from connector.store import Store  # noqa: E402
from connector.store.models import ScorecardSnapshot  # noqa: E402
from webhooks.app import create_app  # noqa: E402
from webhooks.dashboard import set_display_names  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2_000, help="hand-offs per week")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    return on_scratch_store(args.database_url, lambda store, url: _run(store, url, args))


def _run(store: Store, url: str, args: argparse.Namespace) -> int:
    config = default_config(public_base_url="https://baton.example.com", database_url=url)
    seed(store, args.leads)
    app = create_app(Runtime(config=config, store=store), {"BATON_DASHBOARD_OPEN": True})
    set_display_names(app, {rep: f"Rep {i}" for i, rep in enumerate(REPS)}.get)
    client = app.test_client()
    week = WEEK.isoformat()

    passes = [0]
    real = build._week_figures

    def counted(*a, **k):  # type: ignore[no-untyped-def]
        passes[0] += 1
        return real(*a, **k)

    def forget() -> None:
        with store.session() as session:
            session.query(ScorecardSnapshot).delete()

    build._week_figures = counted  # type: ignore[assignment]
    page = client.get(f"/?week={week}")  # cold: the week and the trend's earlier weeks
    build._week_figures = real  # type: ignore[assignment]
    assert page.status_code == 200, page.status_code

    def get(path: str) -> None:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)

    def cold(call: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            forget()
            call()

        return run

    one_week = lambda: build_scorecard(store, config, WEEK, ScorecardFilters())  # noqa: E731
    results = [
        ("build_scorecard, one closed week, cold", _timed(args.rounds, cold(one_week))),
        ("build_scorecard, one closed week, kept", _timed(args.rounds, one_week)),
        (f"GET / cold ({passes[0]} read pass(es), 8 weeks)", _timed(
            args.rounds, cold(lambda: get(f"/?week={week}")))),
        ("GET / again (closed weeks kept)", _timed(args.rounds, lambda: get(f"/?week={week}"))),
        ("GET / again, in Dutch", _timed(args.rounds, lambda: client.get(
            f"/?week={week}", headers={"Accept-Language": "nl"}))),
        ("GET /scorecard/leads mqls_delivered", _timed(
            args.rounds, lambda: get(f"/scorecard/leads?week={week}&key=mqls_delivered"))),
        ("GET /dashboard/ (operations)", _timed(args.rounds, lambda: get("/dashboard/"))),
    ]  # fmt: skip
    print(f"{args.leads:,} leads/week x 4 weeks on {store.dialect}; page {len(page.data):,} bytes")
    print(f"{'what':<44} {'median ms':>10} {'best ms':>10} {'median CPU ms':>14}")
    for name, (median, best, cpu) in results:
        print(f"{name:<44} {median:>10.0f} {best:>10.0f} {cpu:>14.0f}")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"ran {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)

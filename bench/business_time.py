"""Business-time benchmark: SLA deadlines per second, day walk vs a naive minute walk.

Deadlines of 4 and 1000 business hours from seeded random starts in 2026, on the example
config's calendar (Europe/Amsterdam, Mon-Thu 09:00-17:30, Fri 09:00-17:00, NL holidays, two
company closures). ``BusinessTime.add`` walks local days; the baseline, measured in the same run
on a small sample of the same starts, steps one minute at a time and asks whether the local
clock reads a working minute. Every baseline answer is checked against the day walk's.

    python bench/business_time.py            # 2000 starts; baseline on 20 (4 h) and 2 (1000 h)
    python bench/business_time.py --quick    # 200 starts; baseline on 5 and 1

(Named business_time.py, not calendar.py: run as a script, bench/ comes first on sys.path and a
calendar.py there would shadow the standard library's calendar module.)
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from connector.config.models.calendar import BusinessCalendar  # noqa: E402
from connector.jobs.sla.calendar import BusinessTime  # noqa: E402

CALENDAR = BusinessCalendar.model_validate(
    {
        "working_hours": {"friday": "09:00-17:00"},
        "holidays": {"extra": ["2026-12-24", "2026-12-31"], "removed": ["2026-05-05"]},
    }
)
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def starts(count: int, seed: int) -> list[datetime]:
    """``count`` seeded starts on whole minutes anywhere in 2026 (working hours or not)."""
    rng = random.Random(seed)
    return [YEAR_START + timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(count)]


def minute_walk(calc: BusinessTime, start: datetime, duration: timedelta) -> datetime:
    """The naive deadline: one minute at a time, is the local clock inside a working range?"""
    remaining = int(duration.total_seconds() // 60)
    instant = start
    while remaining:
        local = instant.astimezone(calc.zone)
        minute = local.hour * 60 + local.minute
        ranges = calc.hours.for_weekday(local.weekday())
        if any(s <= minute < e for s, e in ranges) and calc.rules.day_off(local.date()) is None:
            remaining -= 1
        instant += timedelta(minutes=1)
    return instant


def measure(
    method: Callable[[BusinessTime, datetime, timedelta], datetime],
    calc: BusinessTime,
    sample: list[datetime],
    duration: timedelta,
) -> tuple[float, list[datetime]]:
    """Seconds for all deadlines of ``sample``, and the deadlines."""
    started = time.perf_counter()
    answers = [method(calc, start, duration) for start in sample]
    return time.perf_counter() - started, answers


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 1 if the two methods ever disagree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=2000, help="starts for the day walk")
    parser.add_argument("--naive-4h", type=int, default=20, help="baseline sample for 4 h")
    parser.add_argument("--naive-1000h", type=int, default=2, help="baseline sample for 1000 h")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="200 starts; baseline on 5 and 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.starts, args.naive_4h, args.naive_1000h = 200, 5, 1

    calc = BusinessTime(CALENDAR)
    sample = starts(args.starts, args.seed)
    calc.add(sample[0], timedelta(hours=1000))  # warm-up: holiday tables for the years
    rows, mismatches = [], 0
    for hours, naive_count in ((4, args.naive_4h), (1000, args.naive_1000h)):
        duration = timedelta(hours=hours)
        fast_seconds, fast = measure(BusinessTime.add, calc, sample, duration)
        naive_seconds, naive = measure(minute_walk, calc, sample[:naive_count], duration)
        mismatches += sum(a != b for a, b in zip(naive, fast, strict=False))
        for name, count, seconds in (
            ("day walk (BusinessTime.add)", len(sample), fast_seconds),
            ("minute walk (baseline)", naive_count, naive_seconds),
        ):
            rate = count / seconds if seconds else float("inf")
            rows.append(
                f"| {hours:>6} h | {name:<27} | {count:>9} | {seconds:>8.3f} "
                f"| {rate:>13,.0f} | {seconds / count * 1e6:>13,.1f} |"
            )
        speed_up = (len(sample) / fast_seconds) / (naive_count / naive_seconds)
        blank = ""
        rows.append(
            f"| {hours:>6} h | {'speed-up':<27} | {blank:>9} | {blank:>8} "
            f"| {speed_up:>12,.0f}x | {blank:>13} |"
        )
    print(
        f"\nbusiness time: {args.starts} seeded starts in 2026 (seed {args.seed}), "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs\n"
    )
    print(
        "| duration | method                      | deadlines |  seconds "
        "| deadlines / s | µs / deadline |"
    )
    print(
        "|---------:|-----------------------------|----------:|---------:"
        "|--------------:|--------------:|"
    )
    print("\n".join(rows))
    if mismatches:
        print(f"\n{mismatches} baseline deadline(s) differ from the day walk's", file=sys.stderr)
        return 1
    print("\nEvery baseline deadline equals the day walk's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every interleaving of N changes, not a sample: the exhaustive companion of the property test.

Each case plays the changes (on either side, to any mapped value, settling in between or not)
through the real worker and store with the in-memory CRMs, exactly as the property test does
(``_play``), with no duplicates, reordering or failures. Run:

    .venv/bin/python -m tests.sync.exhaustive --changes 2            # 256 cases
    .venv/bin/python -m tests.sync.exhaustive --changes 3 --no-settle  # 512 cases
"""

from __future__ import annotations

import argparse
import itertools
import logging
import tempfile
import time
from collections.abc import Iterator

from connector.store import Store, upgrade
from tests.sync.test_convergence_property import HUBSPOT_VALUES, SALESFORCE_VALUES, _play

Action = tuple[str, str, bool]


def cases(changes: int, *, settle_between: bool) -> Iterator[tuple[Action, ...]]:
    """All sequences of ``changes`` actions."""
    settles = (True, False) if settle_between else (False,)
    actions = [("hubspot", v, s) for v in HUBSPOT_VALUES for s in settles]
    actions += [("salesforce", v, s) for v in SALESFORCE_VALUES for s in settles]
    return itertools.product(actions, repeat=changes)


def failures(changes: int, *, settle_between: bool = True) -> tuple[int, list[str]]:
    """Play every case in its own fresh store; return the count and the failing cases."""
    failed: list[str] = []
    count = 0
    logging.disable(logging.CRITICAL)
    try:
        for case in cases(changes, settle_between=settle_between):
            count += 1
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/baton.db"
                upgrade(url)
                store = Store(url)
                try:
                    _play(store, list(case), 0.0, False, 0, 0, 0)
                except AssertionError as exc:
                    failed.append(f"{case}: {exc}")
                finally:
                    store.dispose()
    finally:
        logging.disable(logging.NOTSET)
    return count, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=2)
    parser.add_argument("--no-settle", action="store_true", help="never settle between changes")
    args = parser.parse_args()
    started = time.monotonic()
    count, failed = failures(args.changes, settle_between=not args.no_settle)
    for line in failed:
        print("FAIL", line)
    print(f"{count} cases, {len(failed)} failed, {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

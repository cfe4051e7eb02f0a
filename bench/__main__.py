"""``python -m bench``: run every benchmark module in bench/ in turn (what ``make bench`` calls).

Each benchmark runs in its own process with its defaults (each starts its own servers and
sandboxes, and a crash in one must not stop the others), from the repository root. Name some to
run only those; arguments after ``--`` go to each of them:

    python -m bench                  # every benchmark
    python -m bench sync -- --quick  # only bench/sync.py, with --quick
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def discover() -> dict[str, Path]:
    """Benchmark modules by name: every ``bench/*.py`` not starting with an underscore."""
    return {path.stem: path for path in sorted(BENCH.glob("*.py")) if not path.name.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks one after another; 1 if any failed."""
    argv = list(sys.argv[1:] if argv is None else argv)
    passed: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passed = argv[:cut], argv[cut + 1 :]
    found = discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(found)}")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in found]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; there are: {', '.join(found)}")
    failures = []
    for name in args.names or list(found):
        print(f"\n=== bench/{name}.py {' '.join(passed)}".rstrip(), flush=True)
        started = time.monotonic()
        code = subprocess.run([sys.executable, str(found[name]), *passed], cwd=REPO).returncode
        print(f"=== bench/{name}.py: exit {code} after {time.monotonic() - started:.0f} s")
        if code != 0:
            failures.append(name)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

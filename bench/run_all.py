"""Runs the benches of bench/ one after another with this Python, then prints a summary table.

    python bench/run_all.py [--quick] [--only NAME [NAME ...]] [--postgres URL]

Each bench runs as a subprocess from the repository root, its output shown as it comes, under a header with
its command line. `--quick` gives every bench small sizes (about a minute in all): a check that the benches
run, not a measurement. `--postgres URL` is passed to the benches that can also run on PostgreSQL
(compliance, results import); without it they run on SQLite only. Exits 1 when any bench failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

QUICK: dict[str, list[str]] = {
    "compliance": "--schools 150 --groups 15 --districts 3 --activities 10000 --repeats 1".split(),
    "indicators": "--students 50000 --schools 150 --repeats 3".split(),
    "results_import": "--students 10000 --schools 100 --repeats 1".split(),
    # build_city needs about 13,000 teachers: with fewer, its demand rows (a place each at least) outnumber the places
    "rotation": "--teachers 14000 --repeat 1".split(),
    "value_added": "--students 100000 --schools 300 --repeats 3".split(),
}
"""Small sizes per bench, by its name (the script is bench_<name>.py); the keys are the benches, in order."""


def bench_name(text: str) -> str:
    """A bench's name from `rotation`, `bench_rotation` or `bench_rotation.py`."""
    return text.removesuffix(".py").removeprefix("bench_")


def command(name: str, *, quick: bool, postgres: str | None) -> list[str]:
    """The command line running one bench with this Python."""
    args = [sys.executable, str(BENCH_DIR / f"bench_{name}.py"), *(QUICK[name] if quick else [])]
    if name in ("compliance", "results_import") and postgres:
        args += ["--postgres", postgres]
    elif name == "results_import":
        args.append("--no-postgres")  # its --postgres has a default URL: stay off servers unless asked
    return args


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", nargs="+", type=bench_name, choices=list(QUICK), metavar="NAME", help=", ".join(QUICK)
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a run-through in about a minute")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL where a bench can")
    args = parser.parse_args()

    names = [name for name in QUICK if args.only is None or name in args.only]
    results: list[tuple[str, int, float]] = []
    for name in names:
        cmd = command(name, quick=args.quick, postgres=args.postgres)
        print(f"\n=== {' '.join([f'bench/bench_{name}.py', *cmd[2:]])} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.run(cmd, cwd=ROOT, check=False).returncode
        results.append((name, code, time.perf_counter() - started))

    print(f"\n{'bench':<16} {'exit':>4} {'wall time':>10}")
    for name, code, seconds in results:
        print(f"{name:<16} {code:>4} {seconds:>8.1f} s")
    failed = [name for name, code, _ in results if code != 0]
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    print(f"all {len(results)} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

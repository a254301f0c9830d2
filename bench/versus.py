"""Two trackers side by side on the same data, in the same rounds: this checkout against another.

    python -m bench.versus OTHER_TRACKER [--size 10k] [--runs 7]

OTHER_TRACKER is another installation's `tracker` script (e.g. a worktree of the commit before a
change, set up with `make install`). Each operation runs once for each tracker per round, so that
a shared machine's drift from minute to minute falls on both alike; the table gives both medians
and their ratio. The databases are bench/data's (`make bench` generates them).
"""

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.run import DATA, SIZES, TODAY, TRACKER, Command, ensure_data, side_by_side


def main() -> None:
    parser = argparse.ArgumentParser(description="This tracker against another, side by side.")
    parser.add_argument("other", help="the other installation's tracker script")
    parser.add_argument("--size", default="10k", choices=sorted(SIZES))
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    env = {**os.environ, "TRACKER_TODAY": TODAY, "TRACKER_USER": "bench"}
    database, _ = ensure_data(arguments.size, SIZES[arguments.size])
    scratch = Path(tempfile.mkdtemp(prefix="tracker-versus-"))
    trackers = {"this": TRACKER, "other": [arguments.other]}
    read_env = {**env, "TRACKER_DB": str(database)}
    reads = {
        "list --owner --status": ["list", "--owner", "ORG-07", "--status", "in_progress", "--format", "json"],
        "report": ["report"],
        "report --as-of 2024-06-30": ["report", "--as-of", "2024-06-30"],
        "report --format json": ["report", "--format", "json"],
        "show": ["show", "c-42"],
        "history": ["history", "c-42"],
    }
    rows = []
    for operation, argv in reads.items():
        timings = side_by_side(
            {name: ([*cmd, *argv], read_env, None) for name, cmd in trackers.items()}, arguments.runs
        )
        rows.append((operation, timings["this"].median, timings["other"].median))
    documents = {fmt: scratch / f"export.{fmt}" for fmt in ("json", "csv")}
    for fmt, document in documents.items():
        argv = ["export", "--format", fmt, "--output", str(document)]
        timings = side_by_side(
            {name: ([*cmd, *argv], read_env, None) for name, cmd in trackers.items()}, arguments.runs
        )
        rows.append((f"export --format {fmt}", timings["this"].median, timings["other"].median))
    for fmt, document in documents.items():
        commands: dict[str, Command] = {}
        for name, cmd in trackers.items():
            target = scratch / f"loaded-{name}.db"
            commands[name] = ([*cmd, "load", str(document)], {**env, "TRACKER_DB": str(target)}, _emptied(target))
        timings = side_by_side(commands, max(3, arguments.runs // 2))
        rows.append((f"load {fmt} into an empty database", timings["this"].median, timings["other"].median))
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"| operation ({arguments.size}) | this ms | other ms | this / other |")
    print("|---|---|---|---|")
    for operation, this, other in rows:
        print(f"| {operation} | {this:,.0f} | {other:,.0f} | {this / other:.2f} |")
    print(
        f"\nmedians of {arguments.runs} interleaved rounds (loads: {max(3, arguments.runs // 2)}); "
        f"other: {arguments.other}"
    )
    print(f"data: {DATA / (arguments.size + '.db')}; Python {sys.version.split()[0]}")


def _emptied(target: Path) -> Callable[[], None]:
    def empty() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)

    return empty


if __name__ == "__main__":
    main()

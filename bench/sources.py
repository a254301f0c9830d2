"""Loading a CSV whose rows each cite a source of their own, beside the same rows citing one.

    python -m bench.sources [--rows 10000] [--runs 5] [--tracker PATH]

Two files of the same commitments differ only in their `source` column: in one every row gives
the same URL, in the other each row its own, as a tracker exported from a spreadsheet with a
link per row does. The URLs share a long prefix (one site's press releases), so the keys made
from them collide at their first 40 characters, as real ones do. Each file is loaded into an
empty database by a cold process, both in the same rounds (bench.run.side_by_side); the table
gives the medians and their ratio, which the target holds to at most 1.5 (README, "Speed").
`--tracker` times another installation's `tracker` script (a checkout before a change).
"""

import argparse
import os
import tempfile
from pathlib import Path

from bench.run import TODAY, TRACKER, Command, side_by_side

SITE = "https://www.interior.gov.pk/press-releases/2026/statement-on-security-cooperation"
TARGET = 1.5  # distinct URLs, at most this many times one shared URL


def write_csv(path: Path, rows: int, *, distinct: bool) -> None:
    lines = ["ref,title,owner,status,due,tags,source"]
    for number in range(rows):
        source = f"{SITE}-item-{number:05d}" if distinct else SITE
        lines.append(
            f"c-{number},Commitment number {number} on security cooperation,ORG-{number % 30:02d},"
            f"in_progress,Q{number % 4 + 1} 2027,bench;sources,{source}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="A load with a URL per row against one shared URL.")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tracker", help="another installation's tracker script (default: this one)")
    arguments = parser.parse_args()
    tracker = [arguments.tracker] if arguments.tracker else TRACKER
    scratch = Path(tempfile.mkdtemp(prefix="tracker-bench-sources-"))
    env = {**os.environ, "TRACKER_TODAY": TODAY, "TRACKER_USER": "bench"}
    commands: dict[str, Command] = {}
    for name, per_row in (("one shared URL", False), ("a URL per row", True)):
        data = scratch / f"{'distinct' if per_row else 'shared'}.csv"
        write_csv(data, arguments.rows, distinct=per_row)
        target = scratch / f"{data.stem}.db"

        def empty(target: Path = target) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)

        commands[name] = ([*tracker, "--db", str(target), "load", str(data)], env, empty)
    timings = side_by_side(commands, arguments.runs)
    shared, distinct = timings["one shared URL"], timings["a URL per row"]
    ratio = distinct.median / shared.median
    print(f"| load csv into an empty database, {arguments.rows:,} rows | ms | × one shared URL |")
    print("|---|---|---|")
    print(f"| one shared URL | {shared} | 1.00× |")
    print(f"| a URL per row | {distinct} | {ratio:.2f}× |")
    held = "holds" if ratio <= TARGET else "does NOT hold"
    print(f"\nmedian (min–max) of {arguments.runs} cold runs, ms; target ≤ {TARGET}×: {held}")
    for path in scratch.iterdir():
        path.unlink()
    scratch.rmdir()


if __name__ == "__main__":
    main()

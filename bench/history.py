"""A history file for a benchmark database: `rows` events spread over its commitments, each on a
day inside that commitment's history, a status change or a note (load it with --reopen)."""

import argparse
import csv
import datetime as dt
import random
import sqlite3
from pathlib import Path

STATUSES = ("in_progress", "stalled", "completed", "partial", "")


def write_history(database: Path, out: Path, rows: int, today: dt.date, seed: int = 11) -> None:
    rng = random.Random(seed)
    with sqlite3.connect(database) as connection:
        starts = [(ref, dt.date.fromisoformat(day)) for ref, day in connection.execute(
            "SELECT ref, starts_on FROM commitment ORDER BY id"
        )]  # fmt: skip
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["ref", "on", "status", "note", "evidence", "by"])
        for number in range(rows):
            ref, start = starts[number % len(starts)]
            span = max((today - start).days, 0)
            day = start + dt.timedelta(days=rng.randint(0, span))
            status = rng.choice(STATUSES)
            note = f"benchmark event {number}" if not status or rng.random() < 0.5 else ""
            evidence = f"https://example.org/e/{number}" if rng.random() < 0.3 else ""
            writer.writerow([ref, day.isoformat(), status, note, evidence, "bench"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--today", default="2026-11-28")
    arguments = parser.parse_args()
    write_history(arguments.database, arguments.out, arguments.rows, dt.date.fromisoformat(arguments.today))


if __name__ == "__main__":
    main()

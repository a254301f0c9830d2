"""Build a realistic synthetic tracker: N commitments with about ten events each.

    python -m bench.generate --commitments 10000 --out bench/data/10k.db [--taskwarrior FILE]

Owners, partners and tags are drawn from fixed lists; a third of the deadlines are vague (month,
quarter or year); titles mix English, Urdu and the odd emoji; each history is a random walk over
the statuses between the agreed date and today, with notes and edits, stored exactly as the
tracker stores it. The rows are written with the standard library's sqlite3 in one transaction,
so 100k commitments (1M events) take seconds, not the minutes the CLI would. `--taskwarrior`
also writes the same commitments as Taskwarrior import JSON (one task per commitment, its notes
as annotations), for the side-by-side comparison.
"""

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import sys
import uuid
from pathlib import Path
from typing import Any

from tracker.dates import FuzzyDate
from tracker.settings import DatabaseChoice
from tracker.statuses import FINAL_STATUSES, STATUSES

OWNERS = [f"ORG-{n:02d}" for n in range(1, 31)]
TAGS = [
    "border-management",
    "counter-terrorism",
    "cybercrime",
    "training",
    "institutions",
    "technology",
    "terror-financing",
    "law-enforcement",
    "transnational-crime",
    "security-cooperation",
    "health",
    "education",
    "water",
    "energy",
    "transport",
    "housing",
    "justice",
    "elections",
    "budget",
    "tax",
    "trade",
    "climate",
    "agriculture",
    "fisheries",
    "ports",
    "customs",
    "migration",
    "police-reform",
    "courts",
    "prisons",
    "narcotics",
    "finance",
    "banking",
    "digital-id",
    "telecoms",
    "media",
    "gender",
    "youth",
    "procurement",
    "audit",
]
VERBS = ["Establish", "Equip", "Train", "Reform", "Fund", "Publish", "Digitise", "Expand", "Review", "Launch"]
OBJECTS = [
    "a border training centre",
    "coastal patrol units",
    "the cyber crime wing",
    "a forensic laboratory",
    "provincial police stations",
    "the customs database",
    "a victims' helpline",
    "the court registry",
    "ایف آئی اے اکیڈمی",
    "سرحدی انتظام",
    "a 🚓 rapid response team",
    'the "one window" permit office',
]
NOTES = [
    "Site visit done",
    "Budget released; 40% spent",
    "Delayed by procurement",
    "Minister's statement",
    "Report tabled in parliament",
    "Equipment delivered, not installed",
    "No news this quarter",
    "بجٹ جاری کر دیا گیا",
    "Contract signed, 3 bids, lowest chosen",
]
TODAY = dt.date(2026, 11, 28)


def _fuzzy(rng: random.Random, day: dt.date) -> FuzzyDate:
    precision = rng.choices(["day", "month", "quarter", "year"], weights=[6, 2, 1, 1])[0]
    if precision == "day":
        return FuzzyDate(day)
    if precision == "month":
        return FuzzyDate(_month_end(day.year, day.month), "month")
    if precision == "quarter":
        return FuzzyDate(_month_end(day.year, ((day.month - 1) // 3 + 1) * 3), "quarter")
    return FuzzyDate(dt.date(day.year, 12, 31), "year")


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _stamp(day: dt.date, rng: random.Random) -> str:
    moment = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(seconds=rng.randrange(36000))
    return moment.strftime("%Y-%m-%d %H:%M:%S.000000")


def generate(count: int, out: Path, taskwarrior: Path | None, seed: int = 7) -> None:
    from tracker.store.transactions import write_transaction

    if out.exists():
        sys.exit(f"error: {out} exists; remove it first")
    out.parent.mkdir(parents=True, exist_ok=True)
    with write_transaction(DatabaseChoice(str(out), "bench"), create=True):
        pass  # the schema, exactly as `tracker init` makes it
    rng = random.Random(seed)
    keys = random.Random(seed + 1)  # event keys, drawn apart so that the data does not change with them
    connection = sqlite3.connect(out, isolation_level=None)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO organisation (id, short_name, name, country, aliases) VALUES (?, ?, ?, ?, '[]')",
        [
            (i + 1, name, f"Organisation {name[-2:]}", rng.choice(["Pakistan", "United States"]))
            for i, name in enumerate(OWNERS)
        ],
    )
    connection.execute(
        "INSERT INTO source (id, key, title, publisher, title_key) "
        "VALUES (1, 'bench', 'Synthetic benchmark data', 'bench', 'synthetic benchmark data')"
    )
    tasks = open(taskwarrior, "w", encoding="utf-8") if taskwarrior else None  # noqa: SIM115 - closed below
    commitments: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    tags: list[tuple[Any, ...]] = []
    partners: list[tuple[Any, ...]] = []
    event_id = 0
    for cid in range(1, count + 1):
        agreed_day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(365 * 6))
        agreed = _fuzzy(rng, agreed_day)
        starts_on = agreed.first
        due = _fuzzy(rng, starts_on + dt.timedelta(days=rng.randrange(60, 1500))) if rng.random() < 0.7 else None
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} #{cid}"
        owner = rng.randrange(len(OWNERS)) + 1
        status = rng.choice(["not_started", "not_started", "in_progress"])
        created_stamp = _stamp(min(starts_on + dt.timedelta(days=rng.randrange(30)), TODAY), rng)
        event_id += 1
        events.append((event_id, cid, "created", status, starts_on.isoformat(), created_stamp, "bench", None, None))
        annotations = []
        day = status_on = starts_on
        span = max((TODAY - starts_on).days, 10)
        for _ in range(9):
            day = min(day + dt.timedelta(days=rng.randrange(1, max(span // 9, 2))), TODAY)
            event_id += 1
            stamp = _stamp(day, rng)
            if rng.random() < 0.6:
                choices = [s for s in STATUSES if s != status]
                if status in FINAL_STATUSES and rng.random() < 0.8:
                    events.append(
                        (event_id, cid, "note", None, day.isoformat(), stamp, "bench", rng.choice(NOTES), None)
                    )
                    continue
                status = rng.choices(choices, weights=[1 if s in FINAL_STATUSES else 3 for s in choices])[0]
                status_on = day
                events.append(
                    (
                        event_id,
                        cid,
                        "status",
                        status,
                        day.isoformat(),
                        stamp,
                        "bench",
                        None,
                        "https://example.org/evidence",
                    )
                )
            else:
                note = rng.choice(NOTES)
                annotations.append({"entry": stamp[:10].replace("-", "") + "T120000Z", "description": note})
                events.append((event_id, cid, "note", None, day.isoformat(), stamp, "bench", note, None))
        last_stamp = max(e[5] for e in events[-10:] if e[1] == cid)
        commitments.append(
            (
                cid,
                f"c-{cid}",
                title,
                f'Description of commitment {cid}; ‏متن‎ and "quotes".',
                owner,
                status,
                agreed.last.isoformat(),
                agreed.precision,
                due.last.isoformat() if due else None,
                due.precision if due else None,
                starts_on.isoformat(),
                1,
                created_stamp,
                last_stamp,
                status_on.isoformat(),
                max(day, starts_on).isoformat(),  # days only grow along the walk
            )
        )
        chosen_tags = rng.sample(TAGS, rng.randrange(1, 4))
        copies = (status, due.last.isoformat() if due else None, status_on.isoformat())  # as tracker keeps them
        tags.extend((cid, tag, *copies) for tag in chosen_tags)
        partners.extend((cid, p) for p in {rng.randrange(len(OWNERS)) + 1 for _ in range(rng.randrange(3))} - {owner})
        if tasks:
            task = {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "description": title,
                "project": OWNERS[owner - 1],
                "status": "completed" if status in FINAL_STATUSES else "pending",
                "entry": created_stamp[:10].replace("-", "") + "T080000Z",
                "tags": chosen_tags,
                "annotations": annotations,
            }
            if status in FINAL_STATUSES:
                task["end"] = last_stamp[:10].replace("-", "") + "T120000Z"
            if due:
                task["due"] = due.last.strftime("%Y%m%d") + "T000000Z"
            tasks.write(json.dumps(task, ensure_ascii=False) + "\n")
        if len(events) > 200_000:
            _flush(connection, commitments, events, tags, partners, keys)
    _flush(connection, commitments, events, tags, partners, keys)
    connection.execute("COMMIT")
    # No ANALYZE: tracker never runs it, so the query planner works here without statistics,
    # as it does on a database that `tracker load` filled.
    connection.close()
    if tasks:
        tasks.close()


Rows = list[tuple[Any, ...]]


def _flush(
    connection: sqlite3.Connection, commitments: Rows, events: Rows, tags: Rows, partners: Rows, keys: random.Random
) -> None:
    connection.executemany(
        "INSERT INTO commitment (id, ref, title, description, owner_id, status, agreed, agreed_precision, due, "
        "due_precision, starts_on, source_id, created_at, updated_at, status_on, last_event_on) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        commitments,
    )
    connection.executemany(
        "INSERT INTO event (id, commitment_id, kind, to_status, on_date, recorded_at, recorded_by, note, evidence, "
        "key) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(*event, str(uuid.UUID(int=keys.getrandbits(128), version=4))) for event in events],
    )
    connection.executemany(
        "INSERT INTO commitment_tag (commitment_id, tag, status, due, status_on) VALUES (?, ?, ?, ?, ?)", tags
    )
    connection.executemany("INSERT INTO commitment_partner (commitment_id, organisation_id) VALUES (?, ?)", partners)
    for rows in (commitments, events, tags, partners):
        rows.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commitments", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--taskwarrior", type=Path, help="also write Taskwarrior import JSON here")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    os.environ.setdefault("TRACKER_TODAY", TODAY.isoformat())
    generate(arguments.commitments, arguments.out, arguments.taskwarrior, arguments.seed)


if __name__ == "__main__":
    main()

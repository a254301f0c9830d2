"""What each loaded file said about each commitment the last time it was loaded.

Loading a fixture or a CSV again applies only what the file changed since: each row is compared
with what the same file said last time (its `load_snapshot` row), not with the commitment as it
stands, so whatever was recorded by hand in between stays. A file is known by its name without
its folder (`pakistan-us-security-talks.yaml`), as the history's notes name it: moved, or loaded
from another folder, it is the same file. When a database has no record of a file's row (the
first load of that file, or one from before m006_load_snapshots), the row is compared with the commitment
as it stands. Either way what differs is applied through `tracker edit` and `tracker update`'s
rules (service.apply_loaded_fields).

A statement is the fields a file gives, as the load read them, in the form kept as JSON:
texts, organisations' short names, sorted lists of tags and partners, dates as [last day,
precision] (null: no date). A status or source the file leaves empty is not stated.
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tracker.fastjson import compact_json
from tracker.store import interchange as queries
from tracker.store.database import Database

FIELDS = ("title", "description", "owner", "partners", "status", "agreed", "due", "tags", "source")
_UNSTATED_WHEN_EMPTY = ("status", "source")  # an empty cell keeps these as they are
_DATES = ("agreed", "due")
_LISTS = ("partners", "tags")  # kept sorted
_CHUNK = 500  # commitment ids per query

Statement = dict[str, Any]


def file_name(path: str) -> str:
    """How a file is known from one load to the next."""
    return Path(path).name


def statement(values: Mapping[str, Any]) -> Statement:
    """The fields a file gives, in the form kept: `values` holds only fields of FIELDS, with
    dates as FuzzyDates and lists of tags and partners sorted (as the loaders read them)."""
    stated = dict(values)  # copied whole: a load states every row, and this is the quick way
    for field in _DATES:
        date = stated.get(field)
        if date is not None:
            stated[field] = [date.last.isoformat(), date.precision]
    for field in _UNSTATED_WHEN_EMPTY:
        if field in stated and stated[field] is None:
            del stated[field]
    return stated


def as_it_stands(item: Mapping[str, Any]) -> Statement:
    """A commitment (a list item, tracker.reads) as a file that matches it would state it."""
    stated = {field: item[field] for field in FIELDS if field not in _DATES}
    for field in _DATES:
        stated[field] = [item[field], item[f"{field}_precision"]] if item[field] else None
    for field in _LISTS:
        stated[field] = sorted(stated[field])
    return stated


def changed(stated: Statement, before: Statement) -> list[str]:
    """The fields whose stated value differs from what was stated (or stood) before."""
    missing = object()
    return [field for field, value in stated.items() if before.get(field, missing) != value]


def encoded(stated: Statement) -> str:
    return compact_json(stated)


def read(database: Database, name: str, commitment_ids: Sequence[int]) -> dict[int, Statement]:
    """What the file called `name` last said about each of these commitments (those it gave)."""
    said: dict[int, Statement] = {}
    for start in range(0, len(commitment_ids), _CHUNK):
        query = queries.load_snapshots_of(commitment_ids[start : start + _CHUNK])
        for row in database.rows(query, {"file_name": name}):
            said[int(row["commitment_id"])] = json.loads(row["stated"])
    return said


def write(database: Database, name: str, statements: Mapping[int, Statement]) -> None:
    """Keep these statements as what the file called `name` said (one statement for them all)."""
    rows = [{"file_name": name, "commitment_id": i, "stated": encoded(s)} for i, s in statements.items()]
    database.execute_many(queries.KEEP_LOAD_SNAPSHOT, rows)

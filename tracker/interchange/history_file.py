"""A history file, read and checked: a CSV with the columns `ref,on,status,note,evidence,by`,
a row per event on a commitment's timeline (tracker.interchange.history_load records them).

`on` (a day) is required, and a ref, or a title for commitments loaded without refs (the ref a
load made from it), and a status or a note on every row. Statuses are read through
`--status-map` as a commitments file's are; the file's own word stays in the note.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import NamedTuple

from tracker.errors import TrackerError
from tracker.interchange.csv_file import CsvFile, day_cell, records
from tracker.interchange.problems import Problems
from tracker.interchange.status_maps import read_status
from tracker.render import spreadsheet_text
from tracker.text import clean_ref, clean_text, slugify


class HistoryRow(NamedTuple):
    """One event a file (or a commitments file's dated status) asks to record."""

    ref: str
    on: dt.date
    status: str | None
    note: str | None
    evidence: str | None
    by: str | None
    origin: str  # the file, as problems name it
    line: int
    restates_silently: bool = False  # a commitments file's dated status: already in effect, nothing to say
    day_column: str = "on"  # the file's names for the columns, for messages
    status_column: str = "status"


def read_history(data: CsvFile, problems: Problems) -> list[HistoryRow]:
    """Every row of the file, checked; each problem is added to `problems`, by line and column."""
    rows = []
    for line, _, cells in records(data, problems):
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave blank lines at the end
        if len(cells) > data.width and any(cell.strip() for cell in cells[data.width :]):
            problems.add(f"line {line}", f"{len(cells)} cells, but the header has {data.width} columns")
            continue
        row = _row(line, cells, data, problems)
        if row is not None:
            rows.append(row)
    return rows


def _row(line: int, cells: list[str], data: CsvFile, problems: Problems) -> HistoryRow | None:
    values: dict[str, object] = {}
    good = True
    for field, index in data.indexes.items():
        cell = cells[index] if index < len(cells) else ""
        if not cell:
            continue
        if cell[:1] == "'":
            cell = spreadsheet_text(cell)
        try:
            values[field] = _READERS[field](cell, data)
        except TrackerError as error:
            problems.add(f"line {line}, {data.columns[field]}", str(error))
            good = False
    if not good:
        return None
    ref, on = values.get("ref") or values.get("title"), values.get("on")
    if not isinstance(ref, str) or not isinstance(on, dt.date):
        if not isinstance(ref, str):
            named = "ref" if "ref" in data.indexes else "title"
            problems.add(f"line {line}, {data.columns[named]}", f"{named} is empty; every event names its commitment")
        if not isinstance(on, dt.date):
            problems.add(f"line {line}, {data.columns['on']}", "on is empty; give the day the event took effect")
        return None
    status: str | None = None
    label: str | None = None
    if isinstance(read := values.get("status"), tuple):
        status, label = read
    note = values.get("note")
    if label is not None:
        given = f"status given as {label!r}"
        note = f"{note} ({given})" if note else given
    if status is None and not note:
        problems.add(f"line {line}", "nothing to record: give a status, a note or both")
        return None
    evidence, by = values.get("evidence"), values.get("by")
    return HistoryRow(
        ref, on, status, note if isinstance(note, str) else None, evidence if isinstance(evidence, str) else None,
        by if isinstance(by, str) else None, data.path, line,
        day_column=data.columns["on"], status_column=data.columns.get("status", "status"),
    )  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _by(cell: str) -> str | None:
    return clean_text(cell, "by", single_line=True) or None  # a few people record a whole history


# Each reads a cell that is not empty.
_READERS: dict[str, Callable[[str, CsvFile], object]] = {
    "ref": lambda cell, data: clean_ref(cell) if cell.strip() else None,
    "title": lambda cell, data: slugify(clean_text(cell, "title") or "") or None,
    "on": lambda cell, data: day_cell(cell, "on").last if cell.strip() else None,
    "status": lambda cell, data: read_status(cell, data.status_map) if cell.strip() else None,
    "note": lambda cell, data: clean_text(cell, "note") or None,
    "evidence": lambda cell, data: clean_text(cell, "evidence", single_line=True) or None,
    "by": lambda cell, data: _by(cell),
}

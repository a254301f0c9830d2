"""A history file, read and checked: a CSV with the columns `ref,on,status,note,evidence,by`,
a row per event on a commitment's timeline (tracker.interchange.history_load records them).

`ref` and `on` (a day) are required, and a status or a note on every row. Statuses are read
through `--status-map` as a commitments file's are; the file's own word stays in the note.
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from tracker.errors import TrackerError
from tracker.interchange.csv_file import CsvFile, day_cell, records
from tracker.interchange.problems import Problems
from tracker.interchange.status_maps import read_status
from tracker.render import spreadsheet_text
from tracker.text import clean_ref, clean_text

_T = TypeVar("_T")


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
    text = {}
    for field, index in data.indexes.items():
        cell = cells[index] if index < len(cells) else ""
        text[field] = spreadsheet_text(cell) if cell[:1] == "'" else cell
    good = True

    def read(field: str, reader: Callable[[str], _T]) -> _T | None:
        nonlocal good
        if field not in text:
            return None
        try:
            return reader(text[field])
        except TrackerError as error:
            problems.add(f"line {line}, {data.columns[field]}", str(error))
            good = False
            return None

    ref = read("ref", _ref)
    on = read("on", _day)
    status, label = read("status", lambda cell: read_status(cell, data.status_map) if cell.strip() else None) or (
        None,
        None,
    )
    note = read("note", lambda cell: clean_text(cell, "note") or None)
    evidence = read("evidence", lambda cell: clean_text(cell, "evidence", single_line=True) or None)
    by = read("by", lambda cell: clean_text(cell, "by", single_line=True) or None)
    if not good or ref is None or on is None:
        return None
    if label is not None:
        given = f"status given as {label!r}"
        note = f"{note} ({given})" if note else given
    if status is None and not note:
        problems.add(f"line {line}", "nothing to record: give a status, a note or both")
        return None
    return HistoryRow(
        ref, on, status, note, evidence, by, data.path, line,
        day_column=data.columns["on"], status_column=data.columns.get("status", "status"),
    )  # fmt: skip


def _ref(cell: str) -> str:
    if not cell.strip():
        raise TrackerError("ref is empty; every event names its commitment's ref")
    return clean_ref(cell)


def _day(cell: str) -> dt.date:
    if not cell.strip():
        raise TrackerError("on is empty; give the day the event took effect")
    return day_cell(cell, "on").last

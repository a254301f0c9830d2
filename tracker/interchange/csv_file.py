"""A spreadsheet's CSV, read and checked: the header (`--map` renames a sheet's own columns),
then each record, a row per commitment, with its line number and every problem found.

A file whose header has an `on` column and no `title` is a history file instead, a row per
event (tracker.interchange.history_file reads its rows).

Columns are named as `tracker list --format json`'s fields; lists (tags, partners) are joined
with `;`. A row's line number is the line its record starts on, the header being line 1, so a
cell holding a newline does not shift later numbers. tracker.interchange.csv_load writes them.

The records come from a Table: CSV text here, or a workbook's sheet (tracker.interchange.xlsx_file,
where a line is the sheet's row). Everything after reading the cells is the same for both.
"""

import csv
import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tracker.dates import FuzzyDate, at_precision, counts_from_agreed, parse_date
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange.documents import opened
from tracker.interchange.problems import Problems
from tracker.interchange.status_maps import read_status
from tracker.render import spreadsheet_text
from tracker.service.commitments import check_dates
from tracker.text import clean_ref, clean_source_text, clean_tag, clean_text, slugify

FIELDS = (
    "ref", "title", "description", "owner", "partners", "status", "agreed", "due", "tags", "source", "source_url",
    "status_on", "withdrawn_on", "withdrawn_reason",
)  # fmt: skip
PRECISION_FIELDS = ("agreed_precision", "due_precision")  # written by export csv; they make its dates exact
# Written by export csv; a load does not set them (a history file brings notes and evidence).
IGNORED_FIELDS = ("id", "last_note", "last_evidence")
# Written by export csv; a new commitment keeps them (a commitment already here keeps its own).
RECORD_TIMES = ("created_at", "updated_at")
REQUIRED_FIELDS = ("title", "owner")
# A history file: a row per event, each an update to a commitment's timeline.
# `title` names the commitment when the commitments had no ref: the ref made from it (MadeRefs).
HISTORY_FIELDS = ("ref", "title", "on", "status", "note", "evidence", "by")
HISTORY_REQUIRED = ("on",)


def parse_mappings(mappings: list[str]) -> dict[str, str]:
    """`--map "Sheet column=field"` → {sheet column (case-folded): field}; an empty field skips it."""
    result = {}
    known = (*FIELDS, *PRECISION_FIELDS, *IGNORED_FIELDS, *RECORD_TIMES, *HISTORY_FIELDS)
    for mapping in mappings:
        column, equals, field = mapping.rpartition("=")
        field = field.strip().lower()
        if not equals or not column.strip():
            raise InvalidInput(f"--map {mapping!r} must be 'Sheet column=field'")
        if field and field not in known:
            raise InvalidInput(f"--map {mapping!r}: {field!r} is not a field; fields: {', '.join(FIELDS)}")
        result[column.strip().casefold()] = field
    return result


@dataclass
class CsvRow:
    line: int
    ref: str
    values: dict[str, Any]  # only the fields the file has
    status_label: str | None = None  # the file's own word for the status, when --status-map read it
    source_url: str | None = None  # where a source the row names is, should the load create it
    status_on: FuzzyDate | None = None  # the day the row's status took effect, when the file says
    created_at: dt.datetime | None = None  # the record's own times, for a new commitment
    updated_at: dt.datetime | None = None
    withdrawn_on: FuzzyDate | None = None  # the file says it is withdrawn: since this day (export csv writes it)
    withdrawn_reason: str | None = None  # and why (always given with withdrawn_on)


Record = tuple[int, int, list[str]]  # the line a record starts on, the line it ends on, its cells


class Table(Protocol):
    """Where a file's records come from, each cell as text."""

    def records(self, problems: Problems, read: Mapping[int, str] | None) -> Iterator[Record]:
        """Every record from the header on, read afresh at each call. `read`: the columns the load
        reads, by place, with the names messages give them (None: every column); a cell that
        cannot be read is a problem only there. A record that cannot be read is a problem, and
        the last one read."""
        ...


@dataclass
class CsvFile:
    """A CSV file (or a workbook's sheet) whose header has been checked; its rows are read as they are loaded."""

    path: str
    table: Table
    width: int  # the header's number of columns
    indexes: dict[str, int]  # field → its column's place
    columns: dict[str, str]  # field → the column's name in the file, for messages
    lines: int  # for the progress bar
    status_map: dict[str, str]  # --status-map: the file's labels (keys as status_maps.label_key) → statuses
    kind: str = "commitments"  # or "history": a row per event
    mapped: frozenset[str] = frozenset()  # the --map columns (case-folded) this file has
    # How _row reads each column: (field, its place, its reader, the values read from its cells
    # by cell for a column whose cells repeat down the file, else None); made on the first row.
    plan: list[tuple[str, int, Any, dict[str, Any] | None]] | None = None

    @property
    def is_history(self) -> bool:
        return self.kind == "history"


def _delimiter(header: str) -> str:
    """Comma, or the semicolon or tab some spreadsheet locales write, judged from the header line."""
    counts = {",": header.count(","), ";": header.count(";"), "\t": header.count("\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def open_csv(
    path: str, mappings: dict[str, str], status_map: dict[str, str] | None = None, encoding: str | None = None
) -> CsvFile:
    """Read and check a CSV file's header; raises with every problem found in it."""
    with opened(path, text=True, encoding=encoding, csv=True) as file:
        delimiter = _delimiter(file.readline())
    empty = f"{path} is empty; a CSV needs a header line ({','.join(FIELDS[:9])})"
    return open_table(path, _CsvText(path, delimiter, encoding), mappings, status_map, _line_count(path), empty)


def open_table(
    path: str, table: Table, mappings: dict[str, str], status_map: dict[str, str] | None, lines: int, empty: str
) -> CsvFile:
    """Read and check a table's header (its first record); raises `empty` when it has none, and
    with every problem found in it."""
    problems = Problems(path)
    header = next(table.records(problems, None), None)
    problems.raise_if_any()
    if header is None or not header[2]:
        raise TrackerError(empty)
    cells = header[2]
    indexes, columns, kind = _header(cells, mappings, problems)
    problems.raise_if_any()
    mapped = frozenset(name.strip().casefold() for name in cells) & mappings.keys()
    return CsvFile(path, table, len(cells), indexes, columns, lines, status_map or {}, kind, mapped)


def check_mappings_used(files: list[CsvFile], mappings: dict[str, str]) -> None:
    """A --map column applies to every file that has it; one that no file has is a mistake."""
    for column in mappings:
        if not any(column in data.mapped for data in files):
            if len(files) == 1:
                problems = Problems(files[0].path)
                problems.add("line 1", f"--map names a column {column!r} that the file does not have")
                problems.raise_if_any()
            named = ", ".join(data.path for data in files)
            raise InvalidInput(f"--map names a column {column!r} that none of the files has ({named})")


@dataclass
class _CsvText:
    """A CSV file's records."""

    path: str
    delimiter: str
    encoding: str | None = None  # --encoding, for a file without a byte-order mark (else UTF-8)

    def records(self, problems: Problems, read: Mapping[int, str] | None) -> Iterator[Record]:
        with opened(self.path, text=True, encoding=self.encoding, csv=True) as file:
            reader = csv.reader(file, delimiter=self.delimiter, strict=True)
            end = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    what = "cannot read the header" if end == 0 else "cannot read this record"
                    problems.add(f"line {end + 1}", f"{what}: {error}")
                    return
                yield end + 1, reader.line_num, cells
                end = reader.line_num


def _line_count(path: str) -> int:
    lines, last = 0, b"\n"
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return lines + (last != b"\n")


def records(data: CsvFile, problems: Problems) -> Iterator[Record]:
    """Each record after the header: the line it starts on, the line it ends on, its cells.
    A record that cannot be read is a problem, and the last one read."""
    read = {index: data.columns[field] for field, index in data.indexes.items()}
    table = data.table.records(problems, read)
    next(table, None)  # the header, checked when the file was opened
    yield from table


def checked_rows(data: CsvFile, problems: Problems) -> Iterator[tuple[int, CsvRow | None]]:
    """Each record after the header, checked: the line it ends on, and its row (None for a blank
    record or one with problems, which are added to `problems`)."""
    first_line: dict[str, int] = {}  # each ref given in the file, and the line it is first on
    for line, end, cells in records(data, problems):
        yield end, checked_row(line, cells, data, problems, first_line)


def checked_row(
    line: int, cells: list[str], data: CsvFile, problems: Problems, first_line: dict[str, int]
) -> CsvRow | None:
    """A record's values, checked; None for a blank record or one with problems (added to `problems`)."""
    if not "".join(cells).strip():
        return None  # spreadsheets leave blank lines at the end
    if len(cells) > data.width and any(cell.strip() for cell in cells[data.width :]):
        problems.add(f"line {line}", f"{len(cells)} cells, but the header has {data.width} columns")
        return None
    values = _row(line, cells, data, problems)
    # The ref is compared even when another cell of the row is bad, so that every
    # problem of the file shows at once.
    ref = values.pop("ref", None) if values is not None else _raw_ref(cells, data.indexes)
    if ref and ref in first_line:
        problems.add(f"line {line}, {data.columns['ref']}", f"ref {ref!r} is also on line {first_line[ref]}")
        return None
    if ref:
        first_line[ref] = line
    if values is None:
        return None
    return CsvRow(
        line, ref or "", values, values.pop("status_label", None), values.pop("source_url", None),
        values.pop("status_on", None), values.pop("created_at", None), values.pop("updated_at", None),
        values.pop("withdrawn_on", None), values.pop("withdrawn_reason", None),
    )  # fmt: skip


def _kind(header: list[str], mappings: dict[str, str]) -> str:
    """A history file has an `on` column (the day of each event), which a commitment has not."""
    fields = {mappings.get(key, key) for key in (name.strip().casefold() for name in header)}
    return "history" if "on" in fields else "commitments"


def _header(
    header: list[str], mappings: dict[str, str], problems: Problems
) -> tuple[dict[str, int], dict[str, str], str]:
    indexes: dict[str, int] = {}
    columns: dict[str, str] = {}
    kind = _kind(header, mappings)
    known, required = (HISTORY_FIELDS, HISTORY_REQUIRED) if kind == "history" else (FIELDS, REQUIRED_FIELDS)
    for index, name in enumerate(header):
        key = name.strip().casefold()
        field = mappings.get(key, key)
        if not field or (kind == "commitments" and field in IGNORED_FIELDS) or (not key and key not in mappings):
            continue
        if field not in known and (kind == "history" or field not in (*PRECISION_FIELDS, *RECORD_TIMES)):
            what = "an event field (ref, on, status, note, evidence, by)" if kind == "history" else "a commitment field"
            problems.add(
                "line 1",
                f"column {name.strip()!r} is not {what}; map it with --map '{name.strip()}=FIELD' "
                f"or skip it with --map '{name.strip()}='",
            )
            continue
        if field in indexes:
            problems.add("line 1", f"columns {columns[field]!r} and {name.strip()!r} both give {field}")
            continue
        indexes[field] = index
        columns[field] = name.strip()
    for field in required:
        if field not in indexes:
            problems.add("line 1", f"no {field} column (name one {field!r}, or use --map 'COLUMN={field}')")
    if kind == "history" and "ref" not in indexes and "title" not in indexes:
        problems.add("line 1", "no ref column (name one 'ref', or a 'title' for commitments loaded without refs)")
    if kind == "history" and "status" not in indexes and "note" not in indexes:
        problems.add("line 1", "a history file needs a status or a note column, or both")
    return indexes, columns, kind


def _raw_ref(cells: list[str], indexes: dict[str, int]) -> str | None:
    index = indexes.get("ref")
    if index is None or index >= len(cells):
        return None
    return cells[index].strip().lower() or None


def _items(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


_DATES_KEPT = 16_384  # distinct date cells read once; a 100k-row export has about 6,000


@functools.lru_cache(maxsize=_DATES_KEPT)
def cell_date(cell: str, field: str) -> FuzzyDate:
    """Spreadsheets repeat dates down a column; each text is read once (and `today` is fixed per load)."""
    return parse_date(cell, field=field)


_READERS: dict[str, Any] = {
    "ref": lambda cell: clean_ref(cell) if cell.strip() else None,
    "title": lambda cell: clean_text(cell, "title", required=True),
    "description": lambda cell: clean_text(cell, "description") or "",
    "owner": lambda cell: clean_text(cell, "owner", required=True, single_line=True),
    "partners": lambda cell: [clean_text(p, "partner", single_line=True) for p in _items(cell)],
    "agreed": lambda cell: cell_date(cell, "agreed") if cell.strip() else None,
    # `within 6 months` counts from the row's agreed date: read in _row, once that is known.
    "due": lambda cell: (cell if counts_from_agreed(cell) else cell_date(cell, "due")) if cell.strip() else None,
    "tags": lambda cell: sorted({clean_tag(t) for t in _items(cell)}),
    "source": lambda cell: clean_source_text(cell) if cell.strip() else None,  # a URL may be 2,000 characters
    "source_url": lambda cell: clean_text(cell, "url", single_line=True) or None,
    "status_on": lambda cell: day_cell(cell, "status_on") if cell.strip() else None,
    "withdrawn_on": lambda cell: day_cell(cell, "withdrawn_on") if cell.strip() else None,
    "withdrawn_reason": lambda cell: clean_text(cell, "withdrawn_reason", single_line=True) or None,
    "created_at": lambda cell: _timestamp(cell, "created_at") if cell.strip() else None,
    "updated_at": lambda cell: _timestamp(cell, "updated_at") if cell.strip() else None,
    "agreed_precision": lambda cell: cell.strip().lower() or None,
    "due_precision": lambda cell: cell.strip().lower() or None,
}


# Columns whose cells repeat down a file (owners, tags, dates, the withdrawal columns' empty
# cells …): each distinct cell is read once per load, its checks included; a cell with a problem
# is read again, and its problem reported, on every line it is on. Titles, descriptions, refs and
# record times are read on each row.
_REPEATING = frozenset(
    (
        *("owner", "partners", "status", "agreed", "due", "tags", "source", "source_url", "status_on"),
        *("withdrawn_on", "withdrawn_reason", *PRECISION_FIELDS),
    )
)
_CELLS_KEPT = 20_000  # distinct cells kept per column and load; memory stays bounded whatever the file
_UNREAD = object()


def _read_status(cell: str, status_map: dict[str, str]) -> tuple[str | None, str | None]:
    """(status, the file's own word for it); an empty cell is (None, None)."""
    return read_status(cell, status_map) if cell.strip() else (None, None)


def _plan(data: CsvFile) -> list[tuple[str, int, Any, dict[str, Any] | None]]:
    status_map = data.status_map
    readers = {**_READERS, "status": lambda cell: _read_status(cell, status_map)}
    repeating: dict[str, dict[str, Any] | None] = {f: {} if f in _REPEATING else None for f in data.indexes}
    return [(field, index, readers[field], repeating[field]) for field, index in data.indexes.items()]


def _row(line: int, cells: list[str], data: CsvFile, problems: Problems) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    good = True
    width = len(cells)
    plan = data.plan
    if plan is None:
        plan = data.plan = _plan(data)
    for field, index, reader, kept in plan:
        cell = cells[index] if index < width else ""
        if cell[:1] == "'":  # checked here: a call per cell is a tenth of a second on 10,000 rows
            cell = spreadsheet_text(cell)
        try:
            if kept is None:
                value = reader(cell)
            else:
                value = kept.get(cell, _UNREAD)
                if value is _UNREAD:
                    value = reader(cell)
                    if len(kept) < _CELLS_KEPT:
                        kept[cell] = value
                if type(value) is list:
                    value = list(value)  # each row its own list
        except TrackerError as error:
            problems.add(f"line {line}, {data.columns[field]}", str(error))
            good = False
            continue
        values[field] = value
    status = values.get("status")
    if status is not None:
        values["status"], label = status
        if label is not None:
            values["status_label"] = label
    columns = data.columns
    if good and isinstance(values.get("due"), str):
        try:
            values["due"] = parse_date(values["due"], field="due", agreed=values.get("agreed"))
        except TrackerError as error:
            problems.add(f"line {line}, {columns['due']}", str(error))
            good = False
    for field in ("agreed", "due"):
        precision = values.pop(f"{field}_precision", None)
        if good and precision and values.get(field) is not None:
            try:
                values[field] = _with_precision(values[field], precision)
            except TrackerError as error:
                problems.add(f"line {line}, {columns[field + '_precision']}", str(error))
                good = False
    if good:
        try:
            check_dates(values.get("agreed"), values.get("due"))
        except TrackerError as error:
            problems.add(f"line {line}, {columns.get('due') or columns['agreed']}", str(error))
            good = False
    withdrawn_on, withdrawn_reason = values.get("withdrawn_on"), values.get("withdrawn_reason")
    if good and withdrawn_on is not None and withdrawn_reason is None:
        problems.add(f"line {line}, {columns['withdrawn_on']}", "say why it is withdrawn: give a withdrawn_reason")
        good = False
    elif good and withdrawn_reason is not None and withdrawn_on is None:
        problems.add(
            f"line {line}, {columns['withdrawn_reason']}", "a withdrawn_reason needs the withdrawn_on day it goes with"
        )
        good = False
    return values if good else None


def _timestamp(cell: str, field: str) -> dt.datetime:
    """A record's time as export csv writes it (`2026-03-31T12:00:00Z`); without a zone, UTC."""
    try:
        stamp = dt.datetime.fromisoformat(cell.strip())
    except ValueError:
        raise InvalidInput(f"{field} {cell.strip()!r} is not a timestamp (2026-03-31T12:00:00Z)") from None
    if stamp.tzinfo is dt.UTC:  # `Z`, as export csv writes it
        return stamp
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def day_cell(cell: str, field: str) -> FuzzyDate:
    """A cell that must name one day (the day a status took effect, an event's day)."""
    date = cell_date(cell, field)
    if date.precision != "day":
        raise InvalidInput(f"{field} needs a day, not {date}: the day it took effect")
    return date


@functools.lru_cache(maxsize=_DATES_KEPT)
def _with_precision(date: FuzzyDate, precision: str) -> FuzzyDate:
    """A day from an exported CSV, read back at the precision stored beside it."""
    return at_precision(date.last, precision)


class MadeRefs:
    """Refs for rows without one, made from their titles, unique in the file: they avoid every
    ref the file gives, later rows' too, so those are read from the file when first needed.

    Two rows without a ref whose titles make the same ref are refused: numbering them in file
    order would tie each commitment to its row's place, and a reload in another order would move
    statuses and descriptions from one to the other."""

    def __init__(self, data: CsvFile) -> None:
        self.data = data
        self.taken: set[str] | None = None
        self.made: dict[str, int] = {}  # the ref made from a title → the line of the row it came from

    def make(self, title: str, line: int) -> str:
        if self.taken is None:
            given = records(self.data, Problems(self.data.path))  # its problems are the load's own
            self.taken = {ref for _, _, cells in given if (ref := _raw_ref(cells, self.data.indexes))}
        base = slugify(title)
        if base in self.made:
            raise InvalidInput(
                f"line {self.made[base]} has a title that makes the same ref ({base!r}) and neither row has a "
                "ref; give each a ref, or --map 'COLUMN=ref' to read them from a column"
            )
        self.made[base] = line
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}-{number}"
        self.taken.add(candidate)
        return candidate

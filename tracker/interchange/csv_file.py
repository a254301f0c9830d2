"""A spreadsheet's CSV, read and checked: the header (`--map` renames a sheet's own columns),
then each record, a row per commitment, with its line number and every problem found.

Columns are named as `tracker list --format json`'s fields; lists (tags, partners) are joined
with `;`. A row's line number is the line its record starts on, the header being line 1, so a
cell holding a newline does not shift later numbers. tracker.interchange.csv_load writes them.
"""

import csv
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker.dates import FuzzyDate, at_precision, counts_from_agreed, parse_date
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange.documents import opened
from tracker.interchange.problems import Problems
from tracker.interchange.status_maps import read_status
from tracker.render import spreadsheet_text
from tracker.service.commitments import check_dates
from tracker.text import clean_ref, clean_source_text, clean_tag, clean_text, slugify

FIELDS = ("ref", "title", "description", "owner", "partners", "status", "agreed", "due", "tags", "source", "source_url")
PRECISION_FIELDS = ("agreed_precision", "due_precision")  # written by export csv; they make its dates exact
# Written by export csv; a load does not set them (status_on is what the history says, which a
# commitments file does not change).
IGNORED_FIELDS = ("id", "created_at", "updated_at", "status_on")
REQUIRED_FIELDS = ("title", "owner")


def parse_mappings(mappings: list[str]) -> dict[str, str]:
    """`--map "Sheet column=field"` → {sheet column (case-folded): field}; an empty field skips it."""
    result = {}
    known = (*FIELDS, *PRECISION_FIELDS, *IGNORED_FIELDS)
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


@dataclass
class CsvFile:
    """A CSV file whose header has been checked; its rows are read as they are loaded."""

    path: str
    delimiter: str
    width: int  # the header's number of columns
    indexes: dict[str, int]  # field → its column's place
    columns: dict[str, str]  # field → the column's name in the file, for messages
    lines: int  # for the progress bar
    status_map: dict[str, str]  # --status-map: the file's labels (keys as status_maps.label_key) → statuses
    encoding: str | None = None  # --encoding, for a file without a byte-order mark (else UTF-8)


def _delimiter(header: str) -> str:
    """Comma, or the semicolon or tab some spreadsheet locales write, judged from the header line."""
    counts = {",": header.count(","), ";": header.count(";"), "\t": header.count("\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def open_csv(
    path: str, mappings: dict[str, str], status_map: dict[str, str] | None = None, encoding: str | None = None
) -> CsvFile:
    """Read and check a CSV file's header; raises with every problem found in it."""
    problems = Problems(path)
    with opened(path, text=True, encoding=encoding, csv=True) as file:
        delimiter = _delimiter(file.readline())
        file.seek(0)
        try:
            header = next(csv.reader(file, delimiter=delimiter, strict=True), None)
        except csv.Error as error:
            problems.add("line 1", f"cannot read the header: {error}")
            problems.raise_if_any()
    if not header:
        raise TrackerError(f"{path} is empty; a CSV needs a header line ({','.join(FIELDS[:9])})")
    indexes, columns = _header(header, mappings, problems)
    problems.raise_if_any()
    return CsvFile(path, delimiter, len(header), indexes, columns, _line_count(path), status_map or {}, encoding)


def _line_count(path: str) -> int:
    lines, last = 0, b"\n"
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return lines + (last != b"\n")


def records(data: CsvFile, problems: Problems) -> Iterator[tuple[int, int, list[str]]]:
    """Each record after the header: the line it starts on, the line it ends on, its cells.
    A record that cannot be read is a problem, and the last one read."""
    with opened(data.path, text=True, encoding=data.encoding, csv=True) as file:
        reader = csv.reader(file, delimiter=data.delimiter, strict=True)
        next(reader)
        end = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                problems.add(f"line {end + 1}", f"cannot read this record: {error}")
                return
            yield end + 1, reader.line_num, cells
            end = reader.line_num


def checked_row(
    line: int, cells: list[str], data: CsvFile, problems: Problems, first_line: dict[str, int]
) -> CsvRow | None:
    """A record's values, checked; None for a blank record or one with problems (added to `problems`)."""
    if not any(cell.strip() for cell in cells):
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
    return CsvRow(line, ref or "", values, values.pop("status_label", None), values.pop("source_url", None))


def _header(header: list[str], mappings: dict[str, str], problems: Problems) -> tuple[dict[str, int], dict[str, str]]:
    indexes: dict[str, int] = {}
    columns: dict[str, str] = {}
    seen = {name.strip().casefold() for name in header}
    for column in mappings:
        if column not in seen:
            problems.add("line 1", f"--map names a column {column!r} that the file does not have")
    for index, name in enumerate(header):
        key = name.strip().casefold()
        field = mappings.get(key, key)
        if not field or field in IGNORED_FIELDS or (not key and key not in mappings):
            continue
        if field not in FIELDS and field not in PRECISION_FIELDS:
            problems.add(
                "line 1",
                f"column {name.strip()!r} is not a commitment field; map it with --map '{name.strip()}=FIELD' "
                f"or skip it with --map '{name.strip()}='",
            )
            continue
        if field in indexes:
            problems.add("line 1", f"columns {columns[field]!r} and {name.strip()!r} both give {field}")
            continue
        indexes[field] = index
        columns[field] = name.strip()
    for field in REQUIRED_FIELDS:
        if field not in indexes:
            problems.add("line 1", f"no {field} column (name one {field!r}, or use --map 'COLUMN={field}')")
    return indexes, columns


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
    "status": lambda cell: None,  # an empty cell; one with a status is read through the map (_row)
    "agreed": lambda cell: cell_date(cell, "agreed") if cell.strip() else None,
    # `within 6 months` counts from the row's agreed date: read in _row, once that is known.
    "due": lambda cell: (cell if counts_from_agreed(cell) else cell_date(cell, "due")) if cell.strip() else None,
    "tags": lambda cell: sorted({clean_tag(t) for t in _items(cell)}),
    "source": lambda cell: clean_source_text(cell) if cell.strip() else None,  # a URL may be 2,000 characters
    "source_url": lambda cell: clean_text(cell, "url", single_line=True) or None,
    "agreed_precision": lambda cell: cell.strip().lower() or None,
    "due_precision": lambda cell: cell.strip().lower() or None,
}


def _row(line: int, cells: list[str], data: CsvFile, problems: Problems) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    good = True
    columns = data.columns
    for field, index in data.indexes.items():
        cell = cells[index] if index < len(cells) else ""
        if cell[:1] == "'":  # checked here: a call per cell is a tenth of a second on 10,000 rows
            cell = spreadsheet_text(cell)
        try:
            if field == "status" and cell.strip():
                values["status"], label = read_status(cell, data.status_map)
                if label is not None:
                    values["status_label"] = label
                continue
            values[field] = _READERS[field](cell)
        except TrackerError as error:
            problems.add(f"line {line}, {columns[field]}", str(error))
            good = False
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
    return values if good else None


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

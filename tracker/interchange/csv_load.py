"""Loading commitments from a spreadsheet's CSV: one row per commitment, an upsert by ref.

Columns are named as `tracker list --format json`'s fields (`--map` renames a sheet's own);
lists (tags, partners) are joined with `;`. A row's line number is the line its record starts
on, the header being line 1, so a cell holding a newline does not shift later numbers.
For a commitment that exists, only what the file changed since it was last loaded is applied
(tracker.interchange.snapshots): a column the file lacks leaves that field as it is, an empty
status cell keeps the status, and any other empty cell clears the field.

The header is checked before the load's transaction begins; the rows are read, checked and
written a batch at a time inside it, so memory stays flat in the size of the file.
"""

import csv
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker import queries
from tracker.dates import FuzzyDate, at_precision, counts_from_agreed, parse_date, today
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange import snapshots
from tracker.interchange.bulk import BATCH, NewCommitment, insert_commitments
from tracker.interchange.documents import opened
from tracker.interchange.problems import LoadSummary, Problems
from tracker.interchange.progress import progress
from tracker.queries import fetch_all
from tracker.render import spreadsheet_text
from tracker.service import check_dates
from tracker.statuses import parse_status
from tracker.text import clean_ref, clean_tag, clean_text, slugify

FIELDS = ("ref", "title", "description", "owner", "partners", "status", "agreed", "due", "tags", "source")
PRECISION_FIELDS = ("agreed_precision", "due_precision")  # written by export csv; they make its dates exact
IGNORED_FIELDS = ("id", "created_at", "updated_at")  # written by export csv; a load does not set them
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


@dataclass
class CsvFile:
    """A CSV file whose header has been checked; its rows are read as they are loaded."""

    path: str
    delimiter: str
    width: int  # the header's number of columns
    indexes: dict[str, int]  # field → its column's place
    columns: dict[str, str]  # field → the column's name in the file, for messages
    lines: int  # for the progress bar


def _delimiter(header: str) -> str:
    """Comma, or the semicolon or tab some spreadsheet locales write, judged from the header line."""
    counts = {",": header.count(","), ";": header.count(";"), "\t": header.count("\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def open_csv(path: str, mappings: dict[str, str]) -> CsvFile:
    """Read and check a CSV file's header; raises with every problem found in it."""
    problems = Problems(path)
    with opened(path, text=True) as file:
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
    return CsvFile(path, delimiter, len(header), indexes, columns, _line_count(path))


def _line_count(path: str) -> int:
    lines, last = 0, b"\n"
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return lines + (last != b"\n")


def _records(data: CsvFile, problems: Problems) -> Iterator[tuple[int, int, list[str]]]:
    """Each record after the header: the line it starts on, the line it ends on, its cells.
    A record that cannot be read is a problem, and the last one read."""
    with opened(data.path, text=True) as file:
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


def _checked_row(
    line: int, cells: list[str], data: CsvFile, problems: Problems, first_line: dict[str, int]
) -> CsvRow | None:
    """A record's values, checked; None for a blank record or one with problems (added to `problems`)."""
    if not any(cell.strip() for cell in cells):
        return None  # spreadsheets leave blank lines at the end
    if len(cells) > data.width and any(cell.strip() for cell in cells[data.width :]):
        problems.add(f"line {line}", f"{len(cells)} cells, but the header has {data.width} columns")
        return None
    values = _row(line, cells, data.indexes, data.columns, problems)
    # The ref is compared even when another cell of the row is bad, so that every
    # problem of the file shows at once.
    ref = values.pop("ref", None) if values is not None else _raw_ref(cells, data.indexes)
    if ref and ref in first_line:
        problems.add(f"line {line}, {data.columns['ref']}", f"ref {ref!r} is also on line {first_line[ref]}")
        return None
    if ref:
        first_line[ref] = line
    return CsvRow(line, ref or "", values) if values is not None else None


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
def _date(cell: str, field: str) -> FuzzyDate:
    """Spreadsheets repeat dates down a column; each text is read once (and `today` is fixed per load)."""
    return parse_date(cell, field=field)


_READERS: dict[str, Any] = {
    "ref": lambda cell: clean_ref(cell) if cell.strip() else None,
    "title": lambda cell: clean_text(cell, "title", required=True),
    "description": lambda cell: clean_text(cell, "description") or "",
    "owner": lambda cell: clean_text(cell, "owner", required=True, single_line=True),
    "partners": lambda cell: [clean_text(p, "partner", single_line=True) for p in _items(cell)],
    "status": lambda cell: parse_status(cell) if cell.strip() else None,
    "agreed": lambda cell: _date(cell, "agreed") if cell.strip() else None,
    # `within 6 months` counts from the row's agreed date: read in _row, once that is known.
    "due": lambda cell: (cell if counts_from_agreed(cell) else _date(cell, "due")) if cell.strip() else None,
    "tags": lambda cell: sorted({clean_tag(t) for t in _items(cell)}),
    "source": lambda cell: clean_text(cell, "source", single_line=True) or None,
    "agreed_precision": lambda cell: cell.strip().lower() or None,
    "due_precision": lambda cell: cell.strip().lower() or None,
}


def _row(
    line: int, cells: list[str], indexes: dict[str, int], columns: dict[str, str], problems: Problems
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    good = True
    for field, index in indexes.items():
        cell = cells[index] if index < len(cells) else ""
        if cell[:1] == "'":  # checked here: a call per cell is a tenth of a second on 10,000 rows
            cell = spreadsheet_text(cell)
        try:
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


class _MadeRefs:
    """Refs for rows without one, made from their titles, unique in the file: they avoid every
    ref the file gives, later rows' too, so those are read from the file when first needed."""

    def __init__(self, data: CsvFile) -> None:
        self.data = data
        self.taken: set[str] | None = None

    def make(self, title: str) -> str:
        if self.taken is None:
            records = _records(self.data, Problems(self.data.path))  # its problems are the load's own
            self.taken = {ref for _, _, cells in records if (ref := _raw_ref(cells, self.data.indexes))}
        base = slugify(title)
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}-{number}"
        self.taken.add(candidate)
        return candidate


def load_csv(session: Any, data: CsvFile, summary: LoadSummary, *, strict: bool, reopen: bool = False) -> None:
    """Read, check and write the rows inside the caller's transaction, a batch at a time: create
    new refs, update changed ones. After the first problem nothing more is written, but the file is
    read to its end; then it raises with every problem, by line, and the transaction is rolled back."""
    problems = Problems(data.path)
    _date.cache_clear()  # relative dates ("today", "+90d") are read afresh for each load
    owners = _Organisations(session, summary, problems, strict=strict, columns=data.columns)
    writer = _Writer(session, data, summary, problems, owners, reopen=reopen)
    made_refs = _MadeRefs(data)
    first_line: dict[str, int] = {}  # each ref given in the file, and the line it is first on
    batch: list[CsvRow] = []
    with progress(data.lines, "loading") as bar:
        for line, end, cells in _records(data, problems):
            bar.advance(end - bar.done)  # in lines, as the total counts them (the header's too)
            row = _checked_row(line, cells, data, problems, first_line)
            if row is None:
                continue
            row.ref = row.ref or made_refs.make(row.values["title"])
            row.values["owner"] = owners.resolve(row.values["owner"], row.line, "owner")
            if "partners" in row.values:
                partners = row.values["partners"]
                row.values["partners"] = sorted({owners.resolve(p, row.line, "partners") for p in partners})
            batch.append(row)
            if problems:
                batch = []  # nothing more is written
            elif len(batch) == BATCH:
                writer.write(batch)
                batch = []
    problems.raise_if_any()
    writer.write(batch)
    problems.raise_if_any()


class _Writer:
    """Writes checked rows: new refs in bulk; of the others, what the file changed since it was
    last loaded, through `tracker edit` and `tracker update`'s rules (tracker.interchange.snapshots)."""

    def __init__(
        self,
        session: Any,
        data: CsvFile,
        summary: LoadSummary,
        problems: Problems,
        owners: "_Organisations",
        *,
        reopen: bool,
    ) -> None:
        from tracker.service import default_recorder, now_utc

        self.session = session
        self.summary = summary
        self.problems = problems
        self.owners = owners
        self.reopen = reopen
        self.origin = snapshots.file_name(data.path)
        self.stamp, self.by, self.day = now_utc(), default_recorder(), today()
        self.known_refs = {r["ref"]: r["id"] for r in fetch_all(session.connection(), queries.COMMITMENT_IDS)}
        self.source_ids: dict[str, int | None] = {}

    def write(self, rows: list[CsvRow]) -> None:
        from tracker import reads

        connection = self.session.connection()
        ids = {row.ref: self.known_refs[row.ref] for row in rows if row.ref in self.known_refs}
        said = snapshots.read(connection, self.origin, list(ids.values()))
        unrecorded = [ref for ref, commitment_id in ids.items() if commitment_id not in said]
        # Rows this file has not given before are compared with the commitments as they stand.
        standing = {item["ref"]: item for item in reads.commitments_with_refs(connection, unrecorded)}
        new, kept = [], {}
        for row in rows:
            stated = snapshots.statement(row.values)
            if row.ref not in ids:
                new.append(self._new(row, stated))
                self.summary.count("commitments", "created")
                continue
            commitment_id = ids[row.ref]
            before = said.get(commitment_id)
            self._update(
                row, snapshots.changed(stated, snapshots.as_it_stands(standing[row.ref]) if before is None else before)
            )
            if stated != before:
                kept[commitment_id] = stated
        insert_commitments(self.session, new)
        snapshots.write(self.session, self.origin, kept)

    def _update(self, row: CsvRow, fields: list[str]) -> None:
        from tracker.service import apply_loaded_fields

        wanted = {field: row.values[field] for field in fields}
        try:
            recorded = bool(wanted) and apply_loaded_fields(
                self.session, row.ref, wanted, origin=self.origin, reopen=self.reopen
            )
        except TrackerError as error:
            self.problems.add(f"line {row.line}", str(error))
            return
        self.summary.count("commitments", "updated" if recorded else "unchanged")

    def _new(self, row: CsvRow, stated: snapshots.Statement) -> NewCommitment:
        from tracker.service import resolve_source

        values = row.values
        source = values.get("source")
        if source and source not in self.source_ids:
            self.source_ids[source] = resolve_source(self.session, source).id
        agreed, due = values.get("agreed"), values.get("due")
        status = values.get("status") or "not_started"
        starts_on = agreed.first if agreed else self.day
        commitment = {
            "ref": row.ref,
            "title": values["title"],
            "description": values.get("description", ""),
            "owner_id": self.owners.ids[values["owner"]],
            "status": status,
            "agreed": agreed.last if agreed else None,
            "agreed_precision": agreed.precision if agreed else None,
            "due": due.last if due else None,
            "due_precision": due.precision if due else None,
            "starts_on": starts_on,
            "status_on": starts_on,  # a new commitment's history is its created event alone
            "last_event_on": starts_on,
            "source_id": self.source_ids[source] if source else None,
            "created_at": self.stamp,
            "updated_at": self.stamp,
        }
        created = {
            "kind": "created",
            "to_status": status,
            "on_date": starts_on,
            "recorded_at": self.stamp,
            "recorded_by": self.by,
            "note": f"loaded from {self.origin}",
            "evidence": None,
            "changes": None,
            "batch": self.session.info.get("batch"),  # so that `tracker undo` sees the whole load
        }
        partner_ids = [self.owners.ids[p] for p in values.get("partners", [])]
        kept = {self.origin: snapshots.encoded(stated)}
        return NewCommitment(commitment, values.get("tags", []), partner_ids, [created], kept)


class _Organisations:
    """Owners and partners by short name, name or alias; unknown ones are created unless strict."""

    def __init__(
        self, session: Any, summary: LoadSummary, problems: Problems, *, strict: bool, columns: dict[str, str]
    ) -> None:
        self.session = session
        self.summary = summary
        self.problems = problems
        self.strict = strict
        self.columns = columns
        self.rows = fetch_all(session.connection(), queries.ORGANISATIONS)
        self.ids = {str(row["short_name"]): int(row["id"]) for row in self.rows}  # by short name
        self.found: dict[str, str] = {}

    def resolve(self, name: str, line: int, field: str) -> str:
        from tracker.reads import match_organisation
        from tracker.service import OrganisationSpec, upsert_organisation

        if name in self.found:
            return self.found[name]
        row = match_organisation(self.rows, name)
        if row is not None:
            self.found[name] = str(row["short_name"])
            return self.found[name]
        where = f"line {line}, {self.columns[field]}"
        if self.strict:
            self.problems.add(
                where, f"unknown organisation {name!r} (--strict creates none; add it with 'tracker owners add')"
            )
            return name
        try:
            upsert_organisation(self.session, OrganisationSpec(short_name=name, name=name))
        except TrackerError as error:
            self.problems.add(where, str(error))
            return name
        self.summary.count("organisations", "created", name)
        self.rows = fetch_all(self.session.connection(), queries.ORGANISATIONS)
        self.ids = {str(row["short_name"]): int(row["id"]) for row in self.rows}
        self.found[name] = name
        return name


__all__ = ["FIELDS", "CsvFile", "load_csv", "open_csv", "parse_mappings"]

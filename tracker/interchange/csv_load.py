"""Loading commitments from a spreadsheet's CSV: one row per commitment, an upsert by ref.

Columns are named as `tracker list --format json`'s fields (`--map` renames a sheet's own);
lists (tags, partners) are joined with `;`. A row's line number is the line its record starts
on, the header being line 1, so a cell holding a newline does not shift later numbers.
For a commitment that exists, a column the file lacks leaves that field as it is, an empty
status cell keeps the status, and any other empty cell clears the field.
"""

import csv
import functools
import io
from dataclasses import dataclass
from typing import Any

from tracker import queries
from tracker.dates import FuzzyDate, parse_date, today
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange.bulk import NewCommitment, insert_commitments
from tracker.interchange.documents import read_text
from tracker.interchange.problems import LoadSummary, Problems
from tracker.interchange.progress import progress
from tracker.queries import CommitmentFilter, fetch_all
from tracker.render import spreadsheet_safe
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
    path: str
    fields: set[str]
    rows: list[CsvRow]
    columns: dict[str, str]  # field → the column's name in the file, for messages


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab some spreadsheet locales write, judged from the header line."""
    header = text.split("\n", 1)[0]
    counts = {",": header.count(","), ";": header.count(";"), "\t": header.count("\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_csv(path: str, mappings: dict[str, str]) -> CsvFile:
    """Parse and check a CSV file; raises with every problem found, by line."""
    text = read_text(path)
    problems = Problems(path)
    _date.cache_clear()  # relative dates ("today", "+90d") are read afresh for each load
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.add("line 1", f"cannot read the header: {error}")
        problems.raise_if_any()
    if not header:
        raise TrackerError(f"{path} is empty; a CSV needs a header line ({','.join(FIELDS[:9])})")
    indexes, columns = _header(header, mappings, problems)
    problems.raise_if_any()
    records: list[tuple[int, list[str]]] = []
    end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.add(f"line {end + 1}", f"cannot read this record: {error}")
            break
        records.append((end + 1, cells))
        end = reader.line_num
    rows = []
    first_line: dict[str, int] = {}  # each ref given in the file, and the line it is first on
    with progress(len(records), "checking") as bar:
        for line, cells in records:
            bar.advance()
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets leave blank lines at the end
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                problems.add(f"line {line}", f"{len(cells)} cells, but the header has {len(header)} columns")
                continue
            values = _row(line, cells, indexes, columns, problems)
            # The ref is compared even when another cell of the row is bad, so that every
            # problem of the file shows at once.
            ref = values.pop("ref", None) if values is not None else _raw_ref(cells, indexes)
            if ref and ref in first_line:
                problems.add(f"line {line}, {columns['ref']}", f"ref {ref!r} is also on line {first_line[ref]}")
            elif ref:
                first_line[ref] = line
            if values is not None:
                rows.append(CsvRow(line, ref or "", values))
    _make_refs(rows, first_line)
    problems.raise_if_any()
    return CsvFile(path, set(indexes), rows, columns)


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


def _unneutralised(cell: str) -> str:
    """Undo the apostrophe that export csv puts before a cell a spreadsheet would run as a formula."""
    if cell.startswith("'") and spreadsheet_safe(cell[1:]) == cell:
        return cell[1:]
    return cell


def _items(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@functools.lru_cache(maxsize=4096)
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
    "due": lambda cell: _date(cell, "due") if cell.strip() else None,
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
        cell = _unneutralised(cells[index]) if index < len(cells) else ""
        try:
            values[field] = _READERS[field](cell)
        except TrackerError as error:
            problems.add(f"line {line}, {columns[field]}", str(error))
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


def _with_precision(date: FuzzyDate, precision: str) -> FuzzyDate:
    """A day from an exported CSV, read back at the precision stored beside it."""
    day = date.last
    if precision == "day":
        return FuzzyDate(day)
    if precision == "month":
        return parse_date(f"{day.year}-{day.month}")
    if precision == "quarter":
        return parse_date(f"Q{(day.month - 1) // 3 + 1} {day.year}")
    if precision == "year":
        return parse_date(str(day.year))
    raise InvalidInput(f"unknown precision {precision!r}; expected day, month, quarter or year")


def _make_refs(rows: list[CsvRow], taken: dict[str, int]) -> None:
    """A row without a ref gets one made from its title, unique in the file."""
    for row in rows:
        if row.ref:
            continue
        base = slugify(row.values["title"])
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        row.ref = candidate
        taken[candidate] = row.line


def load_csv(session: Any, data: CsvFile, summary: LoadSummary, *, strict: bool) -> None:
    """Write checked rows inside the caller's transaction: create new refs, update changed ones."""
    from pathlib import Path

    from tracker import reads
    from tracker.service import default_recorder, now_utc, resolve_source, upsert_commitment

    problems = Problems(data.path)
    origin = Path(data.path).name
    owners = _Organisations(session, summary, problems, strict=strict, columns=data.columns)
    for row in data.rows:
        row.values["owner"] = owners.resolve(row.values["owner"], row.line, "owner")
        if "partners" in row.values:
            row.values["partners"] = sorted({owners.resolve(p, row.line, "partners") for p in row.values["partners"]})
    problems.raise_if_any()
    connection = session.connection()
    organisation_ids = {r["short_name"]: r["id"] for r in fetch_all(connection, queries.ORGANISATION_IDS)}
    known_refs = {r["ref"] for r in fetch_all(connection, queries.COMMITMENT_IDS)}
    existing = {}
    if any(row.ref in known_refs for row in data.rows):
        existing = {item["ref"]: item for item in reads.list_commitments(connection, CommitmentFilter())}
    stamp, by, note, day = now_utc(), default_recorder(), f"loaded from {origin}", today()
    source_ids: dict[str, int | None] = {}
    new: list[NewCommitment] = []
    for row in data.rows:
        values = row.values
        if row.ref in existing:
            spec = _spec(row, existing[row.ref])
            if not _differs(spec, existing[row.ref]):
                summary.count("commitments", "unchanged")
                continue
            try:
                summary.count("commitments", upsert_commitment(session, spec, origin=origin))
            except TrackerError as error:
                problems.add(f"line {row.line}", str(error))
            continue
        source = values.get("source")
        if source and source not in source_ids:
            source_ids[source] = resolve_source(session, source).id
        agreed, due = values.get("agreed"), values.get("due")
        status = values.get("status") or "not_started"
        starts_on = agreed.first if agreed else day
        commitment = {
            "ref": row.ref,
            "title": values["title"],
            "description": values.get("description", ""),
            "owner_id": organisation_ids[values["owner"]],
            "status": status,
            "agreed": agreed.last if agreed else None,
            "agreed_precision": agreed.precision if agreed else None,
            "due": due.last if due else None,
            "due_precision": due.precision if due else None,
            "starts_on": starts_on,
            "status_on": starts_on,  # a new commitment's history is its created event alone
            "last_event_on": starts_on,
            "source_id": source_ids[source] if source else None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        created = {
            "kind": "created",
            "to_status": status,
            "on_date": starts_on,
            "recorded_at": stamp,
            "recorded_by": by,
            "note": note,
            "evidence": None,
            "changes": None,
            "batch": session.info.get("batch"),  # so that `tracker undo` sees the whole load
        }
        partner_ids = [organisation_ids[p] for p in values.get("partners", [])]
        new.append(NewCommitment(commitment, values.get("tags", []), partner_ids, [created]))
        summary.count("commitments", "created")
    problems.raise_if_any()
    insert_commitments(session, new)


def _spec(row: CsvRow, item: dict[str, Any]) -> Any:
    """The commitment as the row wants it; fields the file lacks keep their current values."""
    from tracker.service import CommitmentSpec

    values = row.values
    return CommitmentSpec(
        ref=row.ref,
        title=values["title"],
        owner=values["owner"],
        status=values.get("status") or item["status"],
        agreed=values.get("agreed", FuzzyDate.stored(item["agreed"], item["agreed_precision"])),
        due=values.get("due", FuzzyDate.stored(item["due"], item["due_precision"])),
        tags=values.get("tags", item["tags"]),
        partners=values.get("partners", item["partners"]),
        source=values.get("source"),
        description=values.get("description", item["description"]),
    )


def _stored(date: FuzzyDate | None) -> tuple[str | None, str | None]:
    return (date.last.isoformat(), date.precision) if date else (None, None)


def _differs(spec: Any, item: dict[str, Any]) -> bool:
    """Whether the row may change the commitment; when in doubt, the upsert decides."""
    return (
        spec.title != item["title"]
        or spec.description != item["description"]
        or spec.owner != item["owner"]
        or spec.status != item["status"]
        or sorted(spec.partners) != item["partners"]
        or sorted(spec.tags) != item["tags"]
        or _stored(spec.agreed) != (item["agreed"], item["agreed_precision"])
        or _stored(spec.due) != (item["due"], item["due_precision"])
        or (spec.source is not None and spec.source.casefold() != (item["source"] or "").casefold())
    )


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
        self.found[name] = name
        return name


__all__ = ["FIELDS", "CsvFile", "load_csv", "parse_mappings", "read_csv"]

"""Loading commitments from a spreadsheet's CSV (read by tracker.interchange.csv_file): one row
per commitment, an upsert by ref.

For a commitment that exists, only what the file changed since it was last loaded is applied
(tracker.interchange.snapshots): a column the file lacks leaves that field as it is, an empty
status cell keeps the status, and any other empty cell clears the field.

The header is checked before the load's transaction begins; the rows are read, checked and
written a batch at a time inside it, so memory stays flat in the size of the file.
"""

from tracker.creation import BATCH, NewCommitment, insert_commitments, planned_commitment
from tracker.dates import today
from tracker.errors import TrackerError
from tracker.interchange import snapshots
from tracker.interchange.csv_file import CsvFile, CsvRow, MadeRefs, cell_date, checked_row, records
from tracker.interchange.problems import LoadSummary, Problems
from tracker.interchange.progress import progress
from tracker.store import writes
from tracker.store.commitments import ORGANISATIONS
from tracker.store.database import Database
from tracker.store.interchange import COMMITMENT_IDS


def load_csv(database: Database, data: CsvFile, summary: LoadSummary, *, strict: bool, reopen: bool = False) -> None:
    """Read, check and write the rows inside the caller's transaction, a batch at a time: create
    new refs, update changed ones. After the first problem nothing more is written, but the file is
    read to its end; then it raises with every problem, by line, and the transaction is rolled back."""
    problems = Problems(data.path)
    last_source = database.row(writes.LAST_SOURCE_ID)
    cell_date.cache_clear()  # relative dates ("today", "+90d") are read afresh for each load
    owners = _Organisations(database, summary, problems, strict=strict, columns=data.columns)
    writer = _Writer(database, data, summary, problems, owners, reopen=reopen)
    made_refs = MadeRefs(data)
    first_line: dict[str, int] = {}  # each ref given in the file, and the line it is first on
    batch: list[CsvRow] = []
    with progress(data.lines, "loading") as bar:
        for line, end, cells in records(data, problems):
            bar.advance(end - bar.done)  # in lines, as the total counts them (the header's too)
            row = checked_row(line, cells, data, problems, first_line)
            if row is None:
                continue
            if not row.ref:
                try:
                    row.ref = made_refs.make(row.values["title"], row.line)
                except TrackerError as error:
                    problems.add(f"line {row.line}, {data.columns['title']}", str(error))
                    continue
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
    # A row's source that names none yet becomes a new one: say so (a typo makes a new source too).
    for source in database.rows(writes.SOURCES_AFTER, {"after": last_source["id"] if last_source else 0}):
        summary.count("sources", "created", source["key"])


class _Writer:
    """Writes checked rows: new refs in bulk; of the others, what the file changed since it was
    last loaded, through `tracker edit` and `tracker update`'s rules (tracker.interchange.snapshots)."""

    def __init__(
        self,
        database: Database,
        data: CsvFile,
        summary: LoadSummary,
        problems: Problems,
        owners: "_Organisations",
        *,
        reopen: bool,
    ) -> None:
        from tracker.service.commitments import default_recorder, now_utc

        self.database = database
        self.summary = summary
        self.problems = problems
        self.owners = owners
        self.reopen = reopen
        self.origin = snapshots.file_name(data.path)
        self.stamp, self.by, self.day = now_utc(), default_recorder(), today()
        self.known_refs = {r["ref"]: r["id"] for r in database.rows(COMMITMENT_IDS)}
        self.source_ids: dict[str, int | None] = {}

    def write(self, rows: list[CsvRow]) -> None:
        from tracker import reads

        ids = {row.ref: self.known_refs[row.ref] for row in rows if row.ref in self.known_refs}
        said = snapshots.read(self.database, self.origin, list(ids.values()))
        unrecorded = [ref for ref, commitment_id in ids.items() if commitment_id not in said]
        # Rows this file has not given before are compared with the commitments as they stand.
        standing = {item["ref"]: item for item in reads.commitments_with_refs(self.database, unrecorded)}
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
        insert_commitments(self.database, new)
        snapshots.write(self.database, self.origin, kept)

    def _update(self, row: CsvRow, fields: list[str]) -> None:
        from tracker.service.edits import apply_loaded_fields

        wanted = {field: row.values[field] for field in fields}
        try:
            recorded = bool(wanted) and apply_loaded_fields(
                self.database, row.ref, wanted, origin=self.origin, reopen=self.reopen, status_label=row.status_label
            )
        except TrackerError as error:
            self.problems.add(f"line {row.line}", str(error))
            return
        self.summary.count("commitments", "updated" if recorded else "unchanged")

    def _new(self, row: CsvRow, stated: snapshots.Statement) -> NewCommitment:
        from tracker.service.sources import resolve_source

        values = row.values
        source = values.get("source")
        if source and source not in self.source_ids:
            self.source_ids[source] = resolve_source(self.database, source, row.source_url)["id"]
        return planned_commitment(
            ref=row.ref,
            title=values["title"],
            description=values.get("description", ""),
            owner_id=self.owners.ids[values["owner"]],
            status=values.get("status") or "not_started",
            agreed=values.get("agreed"),
            due=values.get("due"),
            source_id=self.source_ids[source] if source else None,
            tags=values.get("tags", []),
            partner_ids=[self.owners.ids[p] for p in values.get("partners", [])],
            snapshots={self.origin: snapshots.encoded(stated)},
            note=f"loaded from {self.origin}" + _given_as(row.status_label),
            by=self.by,
            on=self.day,
            stamp=self.stamp,
            batch=self.database.batch,
        )


class _Organisations:
    """Owners and partners by short name, name or alias; unknown ones are created unless strict."""

    def __init__(
        self, database: Database, summary: LoadSummary, problems: Problems, *, strict: bool, columns: dict[str, str]
    ) -> None:
        self.database = database
        self.summary = summary
        self.problems = problems
        self.strict = strict
        self.columns = columns
        self.rows = database.rows(ORGANISATIONS)
        self.ids = {str(row["short_name"]): int(row["id"]) for row in self.rows}  # by short name
        self.found: dict[str, str] = {}

    def resolve(self, name: str, line: int, field: str) -> str:
        from tracker.reads import match_organisation
        from tracker.service.organisations import OrganisationSpec, upsert_organisation

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
            upsert_organisation(self.database, OrganisationSpec(short_name=name, name=name))
        except TrackerError as error:
            self.problems.add(where, str(error))
            return name
        self.summary.count("organisations", "created", name)
        self.rows = self.database.rows(ORGANISATIONS)
        self.ids = {str(row["short_name"]): int(row["id"]) for row in self.rows}
        self.found[name] = name
        return name


__all__ = ["load_csv"]


def _given_as(label: str | None) -> str:
    """The file's own word for a status read through --status-map, kept in the history."""
    return f" (status given as {label!r})" if label else ""

"""Loading commitments from a spreadsheet's CSV (read by tracker.interchange.csv_file): one row
per commitment, an upsert by ref.

For a commitment that exists, only what the file changed since it was last loaded is applied
(tracker.interchange.snapshots): a column the file lacks leaves that field as it is, an empty
status cell keeps the status, and any other empty cell clears the field.

The header is checked before the load's transaction begins; the rows are read, checked and
written a batch at a time inside it, so memory stays flat in the size of the file.
"""

import datetime as dt
from functools import partial

from tracker.creation import BATCH, NewCommitment, insert_commitments, planned_commitment
from tracker.dates import FuzzyDate, today
from tracker.errors import TrackerError
from tracker.interchange import snapshots
from tracker.interchange.csv_file import CsvFile, CsvRow, MadeRefs, cell_date, checked_rows
from tracker.interchange.history_file import HistoryRow
from tracker.interchange.history_load import ExpectedStatus, LoadHistory
from tracker.interchange.problems import LoadSummary, Problems
from tracker.interchange.progress import progress
from tracker.interchange.read_ahead import read_ahead
from tracker.service import commitments as service
from tracker.store import writes
from tracker.store.commitments import ORGANISATIONS
from tracker.store.database import Database
from tracker.store.interchange import COMMITMENT_IDS
from tracker.timeline import history_start


def load_csv(
    database: Database,
    data: CsvFile,
    summary: LoadSummary,
    plan: LoadHistory | None = None,
    *,
    strict: bool,
    reopen: bool = False,
    status_on: FuzzyDate | None = None,
) -> None:
    """Read, check and write the rows inside the caller's transaction, a batch at a time: create
    new refs, update changed ones. After the first problem nothing more is written, but the file is
    read to its end; then it raises with every problem, by line, and the transaction is rolled back."""
    problems = Problems(data.path)
    last_source = database.row(writes.LAST_SOURCE_ID)
    cell_date.cache_clear()  # relative dates ("today", "+90d") are read afresh for each load
    owners = _Organisations(database, summary, problems, strict=strict, columns=data.columns)
    writer = _Writer(database, data, summary, problems, owners, plan or LoadHistory(), reopen=reopen)
    made_refs = MadeRefs(data)
    batch: list[CsvRow] = []
    with progress(data.lines, "loading") as bar:
        # Read and checked in a second process where that helps, while this one writes.
        for end, row in read_ahead(partial(checked_rows, data), problems, size=data.lines):
            bar.advance(end - bar.done)  # in lines, as the total counts them (the header's too)
            if row is None:
                continue
            if not row.ref:
                try:
                    row.ref = made_refs.make(row.values["title"], row.line)
                except TrackerError as error:
                    problems.add(f"line {row.line}, {data.columns['title']}", str(error))
                    continue
            if row.status_on is None and "status" in row.values:
                row.status_on = status_on  # --status-on, for the rows that do not say
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
        plan: LoadHistory,
        *,
        reopen: bool,
    ) -> None:
        self.database = database
        self.summary = summary
        self.problems = problems
        self.owners = owners
        self.reopen = reopen
        self.plan = plan
        self.path = data.path
        self.status_column = data.columns.get("status", "status")
        self.status_on_column = data.columns.get("status_on", "--status-on")
        self.columns = data.columns
        self.origin = snapshots.file_name(data.path)
        self.stamp, self.by, self.day = service.now_utc(), service.default_recorder(), today()
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
        for row in rows:
            if row.ref not in ids and row.withdrawn_on is not None:
                self._withdraw(row, new=True)
        snapshots.write(self.database, self.origin, kept)

    def _update(self, row: CsvRow, fields: list[str]) -> None:
        from tracker.service.edits import apply_loaded_fields

        dated = "status" in fields and self._dated_later(row, new=False)
        wanted = {field: row.values[field] for field in fields if not (dated and field == "status")}
        try:
            # (The fields besides a status the load's history dates are applied here all the same.)
            recorded = bool(wanted) and apply_loaded_fields(
                self.database,
                row.ref,
                wanted,
                origin=self.origin,
                reopen=self.reopen,
                status_label=row.status_label,
                source_url=row.source_url,
            )
        except TrackerError as error:
            self.problems.add(f"line {row.line}", str(error))
            return
        withdrawn = row.withdrawn_on is not None and self._withdraw(row, new=False)
        self.summary.count("commitments", "updated" if recorded or dated or withdrawn else "unchanged")

    def _withdraw(self, row: CsvRow, *, new: bool) -> bool:
        """Record the withdrawal the row gives, as `tracker withdraw` does, on the row's day;
        whether one was recorded (not for a commitment withdrawn already, or brought back)."""
        from tracker.withdrawal import withdraw_loaded

        assert row.withdrawn_on is not None and row.withdrawn_reason is not None, "checked together (csv_file)"
        column = self.columns["withdrawn_on"]
        try:
            withdrawn = withdraw_loaded(
                self.database, row.ref, on=row.withdrawn_on.last, reason=row.withdrawn_reason, by=self.by,
                on_option=column, updated_at=row.updated_at if new else None,
            )  # fmt: skip
        except TrackerError as error:
            self.problems.add(f"line {row.line}, {column}", str(error))
            return False
        if withdrawn is not None:
            self.summary.count("withdrawals", "recorded", row.ref)
        return withdrawn is not None

    def _new(self, row: CsvRow, stated: snapshots.Statement) -> NewCommitment:
        values = row.values
        status = values.get("status") or "not_started"
        dated_later = self._dated_later(row, new=True)
        status_on = None
        if dated_later:
            status = "not_started"  # the load's history brings it to its status
        elif row.status_on is not None and values.get("status"):
            status_on = self._status_day(row)
        elif status != "not_started" and values.get("agreed") is not None:
            # (without an agreed date, the history starts on the row's creation, else today: the
            # day the status is known from)
            self.plan.undated_statuses += 1
        source = values.get("source")
        if source and source not in self.source_ids:
            from tracker.service.sources import resolve_source

            self.source_ids[source] = resolve_source(self.database, source, row.source_url)["id"]
        return planned_commitment(
            ref=row.ref,
            title=values["title"],
            description=values.get("description", ""),
            owner_id=self.owners.ids[values["owner"]],
            status=status,
            agreed=values.get("agreed"),
            due=values.get("due"),
            source_id=self.source_ids[source] if source else None,
            tags=values.get("tags", []),
            partner_ids=[self.owners.ids[p] for p in values.get("partners", [])],
            snapshots={self.origin: snapshots.encoded(stated)},
            note=f"loaded from {self.origin}" + ("" if dated_later or status_on else _given_as(row.status_label)),
            status_on=status_on,
            created_at=row.created_at,
            updated_at=row.updated_at,
            status_note=f"set in {self.origin}" + _given_as(row.status_label),
            by=self.by,
            on=self._created_on(row),
            stamp=self.stamp,
            batch=self.database.batch,
        )

    def _dated_later(self, row: CsvRow, *, new: bool) -> bool:
        """Whether the row's status is left to the load's history (tracker.interchange.history_load):
        it is when the row dates it (status_on), or a history file of the load gives the commitment's
        statuses; the status is then planned there and not written with the row."""
        status = row.values.get("status")
        if status is None or (row.status_on is None and row.ref not in self.plan.dated_refs):
            return False
        if new and row.ref not in self.plan.dated_refs:
            return False  # created with its dated status (planned_commitment)
        note = f"set in {self.origin}" + _given_as(row.status_label)
        if row.status_on is not None:
            dated = HistoryRow(
                row.ref, row.status_on.last, status, note, None, None, self.path, row.line,
                restates_silently=True, day_column=self.status_on_column, status_column=self.status_column,
            )  # fmt: skip
            self.plan.rows.append(dated)
        else:
            self.plan.expected[row.ref] = ExpectedStatus(status, self.path, row.line, note, today_otherwise=not new)
        return True

    def _created_on(self, row: CsvRow) -> dt.date:
        """The day a new row's commitment came into being, where its history starts without an
        agreed date: the day of its record time (a CSV export's created_at, in UTC), else today."""
        return min(row.created_at.date(), self.day) if row.created_at is not None else self.day

    def _status_day(self, row: CsvRow) -> dt.date | None:
        """A new row's status_on, checked as `update --on` checks its day; None with a problem."""
        assert row.status_on is not None
        agreed = row.values.get("agreed")
        try:
            service.check_update_day(
                row.ref, history_start(agreed, self._created_on(row)), agreed.last if agreed else None,
                agreed.precision if agreed else None, row.status_on.last, option=self.status_on_column,
            )  # fmt: skip
        except TrackerError as error:
            self.problems.add(f"line {row.line}, {self.status_on_column}", str(error))
            return None
        return row.status_on.last


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
        if name in self.found:  # (before the imports: this runs for every owner and partner cell)
            return self.found[name]
        from tracker.reads import match_organisation
        from tracker.service.organisations import OrganisationSpec, upsert_organisation

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

"""SQL for export and load (tracker.interchange). Exports stream these in commitment-id order,
so each table is read once whatever its size."""

from collections.abc import Sequence
from typing import TypedDict

from tracker.store.commitments import (
    COMMITMENT_COLUMNS,
    COMMITMENT_FROM,
    CommitmentRow,
    PartnerRow,
    SourceRow,
    TagRow,
    id_list,
)
from tracker.store.database import Query, StoredDay, StoredStamp
from tracker.store.timeline import RecordedEventRow
from tracker.timeline import TIMELINE_ORDER, WITHDRAWAL_NOTE, latest_text


class CountRow(TypedDict):
    count: int


COUNT_COMMITMENTS = Query[CountRow]("SELECT COUNT(*) AS count FROM commitment")


class ExportedOrganisationRow(TypedDict):
    short_name: str
    name: str
    country: str | None
    aliases: str


EXPORT_ORGANISATIONS = Query[ExportedOrganisationRow]("SELECT short_name, name, country, aliases FROM organisation")


class ExportedSourceRow(SourceRow):
    merged_into: str | None  # the key of the source it was merged into


EXPORT_SOURCES = Query[ExportedSourceRow]("""
    SELECT s.key, s.title, s.publisher, s.url, s.published, s.published_precision, s.note, m.key AS merged_into
    FROM source s LEFT JOIN source m ON m.id = s.merged_into
""")

EXPORT_COMMITMENTS = Query[CommitmentRow](f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} ORDER BY c.id")


class CsvExtrasRow(TypedDict):
    commitment_id: int
    source_url: str | None
    status_on: StoredDay | None
    last_note: str | None
    last_evidence: str | None
    withdrawn_on: StoredDay | None
    withdrawn_reason: str | None  # the note of the withdrawal that counts


# What a CSV export adds to each commitment's list fields, in the same order as EXPORT_COMMITMENTS.
EXPORT_CSV_EXTRAS = Query[CsvExtrasRow](f"""
    SELECT c.id AS commitment_id, s.url AS source_url, c.status_on,
           {latest_text("note")} AS last_note, {latest_text("evidence")} AS last_evidence,
           c.withdrawn_on, CASE WHEN c.withdrawn_on IS NOT NULL THEN {WITHDRAWAL_NOTE} END AS withdrawn_reason
    FROM commitment c LEFT JOIN source s ON s.id = c.source_id
    ORDER BY c.id
""")


EXPORT_TAGS = Query[TagRow]("SELECT commitment_id, tag FROM commitment_tag ORDER BY commitment_id")

EXPORT_PARTNERS = Query[PartnerRow]("""
    SELECT p.commitment_id, o.short_name
    FROM commitment_partner p JOIN organisation o ON o.id = p.organisation_id
    ORDER BY p.commitment_id
""")


class ExportedEventRow(RecordedEventRow):
    commitment_id: int
    batch: str | None


# Every event as stored (a created event keeps its own on_date), in timeline order.
EXPORT_EVENTS = Query[ExportedEventRow](f"""
    SELECT e.id, e.key, e.commitment_id, e.kind, e.to_status, e.on_date, e.recorded_at, e.recorded_by,
           e.note, e.evidence, e.changes, e.batch, e.undoes, e.verdict, e.verdict_reason
    FROM event e
    ORDER BY e.commitment_id, {TIMELINE_ORDER}
""")


class OrganisationIdRow(TypedDict):
    id: int
    short_name: str


ORGANISATION_IDS = Query[OrganisationIdRow]("SELECT id, short_name FROM organisation")


class SourceIdRow(TypedDict):
    id: int
    key: str


SOURCE_IDS = Query[SourceIdRow]("SELECT id, key FROM source")


class CommitmentIdRow(TypedDict):
    id: int
    ref: str
    updated_at: StoredStamp


COMMITMENT_IDS = Query[CommitmentIdRow]("SELECT id, ref, updated_at FROM commitment")


class RefRow(TypedDict):
    id: int
    ref: str


# A batch of new commitments' ids: those above the largest id before the batch was inserted.
class LastIdRow(TypedDict):
    id: int | None


LAST_COMMITMENT_ID = Query[LastIdRow]("SELECT MAX(id) AS id FROM commitment")

COMMITMENT_IDS_AFTER = Query[RefRow]("SELECT id, ref FROM commitment WHERE id > :after")


# A commitment's events as a load matches them with a file's: by key, else (events from files
# written before keys) by what each records.
STORED_EVENTS = Query[RecordedEventRow]("""
    SELECT id, key, kind, to_status, on_date, recorded_at, recorded_by, note, evidence, changes, undoes,
           verdict, verdict_reason
    FROM event WHERE commitment_id = :commitment_id
""")

# --- what loaded files said (tracker.interchange.snapshots) ----------------------------------


class SnapshotRow(TypedDict):
    """What a file said of a commitment (JSON), as tracker.interchange.snapshots reads it."""

    commitment_id: int
    stated: str


def load_snapshots_of(ids: Sequence[int]) -> Query[SnapshotRow]:
    return Query(f"""
        SELECT commitment_id, stated FROM load_snapshot
        WHERE file_name = :file_name AND commitment_id IN ({id_list(ids)})
    """)


_ADD_LOAD_SNAPSHOT = """
    INSERT INTO load_snapshot (file_name, commitment_id, stated) VALUES (:file_name, :commitment_id, :stated)
    ON CONFLICT (file_name, commitment_id) DO
"""
KEEP_LOAD_SNAPSHOT = _ADD_LOAD_SNAPSHOT + " UPDATE SET stated = excluded.stated"
# An export's record of a file, for a commitment here that has none of that file (restore).
ADD_MISSING_LOAD_SNAPSHOT = _ADD_LOAD_SNAPSHOT + " NOTHING"


class ExportedSnapshotRow(SnapshotRow):
    file_name: str


# Ordered by commitment only: file names are sorted in Python, as collations differ by server.
EXPORT_LOAD_SNAPSHOTS = Query[ExportedSnapshotRow](
    "SELECT commitment_id, file_name, stated FROM load_snapshot ORDER BY commitment_id"
)

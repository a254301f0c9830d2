"""SQL for evidence: the pieces events cite (models.Evidence). The rules are tracker.evidence's."""

from typing import TypedDict

from tracker.store.database import Query, StoredDay
from tracker.timeline import counted, verdict_event_at


class EvidenceRow(TypedDict):
    event_id: int
    position: int
    url: str | None
    citation: str | None
    title: str | None
    publisher: str | None
    published: StoredDay | None
    accessed: StoredDay | None
    quote: str | None
    archive_url: str | None
    stance: str
    source: str | None  # the cited source's key


class CountedEvidenceRow(EvidenceRow):
    ref: str  # the commitment's
    on_date: StoredDay
    evidence: str | None  # the event's own text: the one piece of an event recorded without records


class ReportedPieceRow(TypedDict):
    """status_pieces and verdict_pieces with the REPORTED columns."""

    event: int
    on: StoredDay
    url: str | None
    citation: str | None
    title: str | None
    publisher: str | None
    stance: str | None  # None: an event recorded without records
    evidence: str | None
    ref: str


class StatusRow(TypedDict):
    id: int
    ref: str
    status: str
    status_on: StoredDay | None
    last_event_on: StoredDay | None


# A commitment's current status, the day it took effect and the day of its latest event, by ref (ref_key).
CURRENT_STATUS = Query[StatusRow]("SELECT id, ref, status, status_on, last_event_on FROM commitment WHERE ref = :ref")

_COLUMNS = """ev.event_id, ev.position, ev.url, ev.citation, ev.title, ev.publisher, ev.published,
              ev.accessed, ev.quote, ev.archive_url, ev.stance, s.key AS source"""

# Every piece cited by a commitment's events, by event and place.
OF_COMMITMENT = Query[EvidenceRow](f"""
    SELECT {_COLUMNS}
    FROM event e JOIN evidence ev ON ev.event_id = e.id LEFT JOIN source s ON s.id = ev.source_id
    WHERE e.commitment_id = :commitment_id
    ORDER BY ev.event_id, ev.position
""")


class ExportedPieceRow(EvidenceRow):
    commitment_id: int


# Every piece in the database, by commitment, event and place (the export).
EXPORT_PIECES = Query[ExportedPieceRow](f"""
    SELECT e.commitment_id, {_COLUMNS}
    FROM evidence ev JOIN event e ON e.id = ev.event_id LEFT JOIN source s ON s.id = ev.source_id
    ORDER BY e.commitment_id, ev.event_id, ev.position
""")

# The kinds of event whose evidence bears on the status: the status change itself (or, for a
# status the commitment was created with, the created event), reviews and notes (`cite`'s
# included). A verdict's evidence bears on the verdict (verdict_pieces); edits, withdrawals and
# undo's corrections cite none.
STATUS_KINDS = "'created', 'status', 'review', 'note'"

_CITED = """e.id AS event_id, e.on_date, e.evidence, ev.position, ev.url, ev.citation, ev.title, ev.publisher,
            ev.published, ev.accessed, ev.quote, ev.archive_url, ev.stance, src.key AS source"""
# What a report shows of each piece, named and ordered as its JSON (tracker.evidence.reported_piece
# makes each row the piece itself): no source to join.
REPORTED = """e.id AS event, e.on_date AS "on", ev.url, ev.citation, ev.title, ev.publisher, ev.stance,
              e.evidence"""
_PIECES = "LEFT JOIN evidence ev ON ev.event_id = e.id"
_SOURCES = "LEFT JOIN source src ON src.id = ev.source_id"


def status_pieces(commitments: str, columns: str = _CITED) -> str:
    """SQL: what each status rests on at the end of :as_of, the one rule that `tracker evidence`
    and reports read. `commitments` is a FROM item aliased `s` with each commitment's `id`, `ref`
    and `status_on` (the day the status in effect at :as_of took effect). The rows (`s.ref` and
    `columns`): each piece cited by an event that counts, of a kind that bears on the status,
    dated from `status_on` to :as_of (for an event recorded without records, its own evidence
    text). One range seek of ix_event_timeline per commitment, one probe of ix_evidence_event
    per event that cites anything. Ordered by PIECES_ORDER, SQLite reads the commitments in
    order and each one's events in timeline order, with no sort; ordered by day alone, it chose
    to scan the whole event table and sort every piece, two to three times slower for all of
    100,000 commitments (tests/test_query_plans.py checks the plan)."""
    return f"""
    SELECT {columns}, s.ref
    FROM {commitments}
    JOIN event e ON e.commitment_id = s.id
    {_PIECES} {_SOURCES if "src." in columns else ""}
    WHERE e.on_date >= s.status_on AND e.on_date <= :as_of AND e.evidence IS NOT NULL
      AND e.kind IN ({STATUS_KINDS}) AND {counted("e")}
    """


PIECES_ORDER = "s.id, e.on_date, e.id, ev.position"


def verdict_pieces(commitments: str, columns: str = _CITED) -> str:
    """SQL: what each verdict in effect at the end of :as_of rests on: the pieces its verdict
    event cites (tracker.timeline.verdict_event_at), for the commitments of `commitments` (aliased
    `s`, with `id` and `ref`) that have a verdict event at all (found through ix_event_verdicts)."""
    return f"""
    SELECT {columns}, s.ref
    FROM {commitments}
    JOIN event e ON e.id = {verdict_event_at("s.id", ":as_of")}
    {_PIECES} {_SOURCES if "src." in columns else ""}
    WHERE s.id IN (SELECT r.commitment_id FROM event r WHERE r.kind = 'verdict') AND e.evidence IS NOT NULL
    """


# `tracker evidence REF`: what the commitment :commitment_id's current status rests on (:as_of
# its latest event's day, so every event of its history is read).
SINCE_STATUS = Query[CountedEvidenceRow](
    status_pieces("(SELECT c.id, c.ref, c.status_on FROM commitment c WHERE c.id = :commitment_id) s")
    + " ORDER BY e.on_date, e.id, ev.position"
)

# The text that --search matches in the pieces of the event `e`: title, quote, URL and citation.
SEARCHED = (
    "EXISTS (SELECT 1 FROM evidence ev WHERE ev.event_id = e.id"
    " AND (lower(ev.title) LIKE lower(:search) ESCAPE '\\' OR lower(ev.quote) LIKE lower(:search) ESCAPE '\\'"
    " OR lower(ev.url) LIKE lower(:search) ESCAPE '\\' OR lower(ev.citation) LIKE lower(:search) ESCAPE '\\'))"
)

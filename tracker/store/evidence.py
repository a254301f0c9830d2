"""SQL for evidence: the pieces events cite (models.Evidence). The rules are tracker.evidence's."""

from typing import TypedDict

from tracker.store.database import Query, StoredDay
from tracker.timeline import counted


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
    on_date: StoredDay
    evidence: str | None  # the event's own text: the one piece of an event recorded without records


class StatusRow(TypedDict):
    id: int
    ref: str
    status: str
    status_on: StoredDay | None


# A commitment's current status and the day it took effect, by ref (ref_key).
CURRENT_STATUS = Query[StatusRow]("SELECT id, ref, status, status_on FROM commitment WHERE ref = :ref")

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

# The events that count, dated on or after the day the commitment's current status took effect,
# that cite anything: each piece (or, for an event without records, its own evidence text).
SINCE_STATUS = Query[CountedEvidenceRow](f"""
    SELECT e.id AS event_id, e.on_date, e.evidence, ev.position, ev.url, ev.citation, ev.title,
           ev.publisher, ev.published, ev.accessed, ev.quote, ev.archive_url, ev.stance, s.key AS source
    FROM event e
    LEFT JOIN evidence ev ON ev.event_id = e.id LEFT JOIN source s ON s.id = ev.source_id
    WHERE e.commitment_id = :commitment_id AND e.on_date >= :status_on AND e.evidence IS NOT NULL
      AND {counted("e")}
    ORDER BY e.on_date, e.id, ev.position
""")

# The text that --search matches in the pieces of the event `e`: title, quote, URL and citation.
SEARCHED = (
    "EXISTS (SELECT 1 FROM evidence ev WHERE ev.event_id = e.id"
    " AND (lower(ev.title) LIKE lower(:search) ESCAPE '\\' OR lower(ev.quote) LIKE lower(:search) ESCAPE '\\'"
    " OR lower(ev.url) LIKE lower(:search) ESCAPE '\\' OR lower(ev.citation) LIKE lower(:search) ESCAPE '\\'))"
)

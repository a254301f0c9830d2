"""SQL for events: a commitment's history, its status on a day, the state it keeps, and the
events `tracker undo` looks at. The rule itself is tracker.timeline's."""

from collections.abc import Sequence
from typing import TypedDict

from tracker.store.commitments import id_list
from tracker.store.database import Database, Query, StoredDay, StoredStamp, stored_date
from tracker.timeline import (
    LATEST_EVENT_ON,
    LATEST_STATUS,
    LATEST_STATUS_ON,
    STATUS_ON_DAY,
    TIMELINE_ORDER,
    VERDICT_ON_DAY,
    WITHDRAWN_ON,
    TimelineEvent,
    counted,
)


class RecordedEventRow(TypedDict):
    """An event as it was recorded."""

    id: int
    key: str | None
    kind: str
    to_status: str | None
    on_date: StoredDay
    recorded_at: StoredStamp
    recorded_by: str | None
    note: str | None
    evidence: str | None
    changes: str | None
    undoes: int | None
    verdict: str | None
    verdict_reason: str | None


class HistoryRow(RecordedEventRow):
    position: int
    from_status: str | None


# Every event as it was recorded (a created event with its own day, whatever the start of the
# history is now), in timeline order.
HISTORY = Query[HistoryRow](f"""
    WITH timeline AS (
        SELECT e.id, e.key, e.kind, e.to_status, e.on_date,
               e.recorded_at, e.recorded_by, e.note, e.evidence, e.changes, e.undoes, e.verdict, e.verdict_reason,
               ROW_NUMBER() OVER (ORDER BY {TIMELINE_ORDER}) AS position
        FROM event e
        WHERE e.commitment_id = :commitment_id
    )
    SELECT t.*,
           (SELECT p.to_status FROM timeline p
             WHERE p.to_status IS NOT NULL AND p.position < t.position
             ORDER BY p.position DESC LIMIT 1) AS from_status
    FROM timeline t
    ORDER BY t.position
""")


class StatusRow(TypedDict):
    status: str


STATUS_ON = Query[StatusRow](STATUS_ON_DAY)


class VerdictRow(TypedDict):
    verdict: str
    verdict_reason: str | None
    on_date: StoredDay
    evidence: str | None


VERDICT_ON = Query[VerdictRow](VERDICT_ON_DAY)


class CurrentStateRow(TypedDict):
    status: str | None
    status_on: StoredDay | None
    last_event_on: StoredDay | None
    withdrawn_on: StoredDay | None


# The state one commitment keeps, derived from its timeline (service.refresh_current_state).
CURRENT_STATE = Query[CurrentStateRow](f"""
    SELECT {LATEST_STATUS} AS status, {LATEST_STATUS_ON} AS status_on, {LATEST_EVENT_ON} AS last_event_on,
           {WITHDRAWN_ON} AS withdrawn_on
    FROM commitment c WHERE c.id = :commitment_id
""")

# The same for every commitment at once (migration m003).
BACKFILL_CURRENT_STATE_DATES = f"""
    UPDATE commitment AS c SET status_on = {LATEST_STATUS_ON}, last_event_on = {LATEST_EVENT_ON}
"""

# Each tag row carries its commitment's status, due and status_on (models.CommitmentTag): copied
# after every write that can change them, for one commitment or, in migration m004, for all.
_TAG_COPIES = """
    UPDATE commitment_tag SET
        status = (SELECT c.status FROM commitment c WHERE c.id = commitment_tag.commitment_id),
        due = (SELECT c.due FROM commitment c WHERE c.id = commitment_tag.commitment_id),
        status_on = (SELECT c.status_on FROM commitment c WHERE c.id = commitment_tag.commitment_id)
"""
COPY_STATE_TO_TAGS = _TAG_COPIES + " WHERE commitment_id = :commitment_id"
COPY_STATE_TO_ALL_TAGS = _TAG_COPIES


class FirstUpdateRow(TypedDict):
    first_on: StoredDay | None


FIRST_UPDATE_ON = Query[FirstUpdateRow](
    "SELECT MIN(on_date) AS first_on FROM event WHERE commitment_id = :commitment_id AND kind <> 'created'"
)


# --- undo (tracker.undo) -----------------------------------------------------------------------


class LastEventRow(TypedDict):
    id: int
    batch: str | None
    recorded_by: str | None


# The most recent event, and the command (batch) that recorded it: of anyone, or of one recorder.
LAST_EVENT = Query[LastEventRow]("SELECT id, batch, recorded_by FROM event ORDER BY id DESC LIMIT 1")
LAST_EVENT_BY = Query[LastEventRow](
    "SELECT id, batch, recorded_by FROM event WHERE recorded_by = :by ORDER BY id DESC LIMIT 1"
)


class IdRow(TypedDict):
    id: int


EVENT_IDS_OF_BATCH = Query[IdRow]("SELECT id FROM event WHERE batch = :batch ORDER BY id")


class EventRow(TypedDict):
    id: int
    commitment_id: int
    ref: str
    kind: str
    to_status: str | None
    on_date: StoredDay
    note: str | None
    changes: str | None
    batch: str | None
    undoes: int | None
    recorded_by: str | None


EVENT_BY_ID = Query[EventRow]("""
    SELECT e.id, e.commitment_id, c.ref, e.kind, e.to_status, e.on_date, e.note, e.changes, e.batch, e.undoes,
           e.recorded_by
    FROM event e JOIN commitment c ON c.id = e.commitment_id
    WHERE e.id = :event_id
""")

# The withdrawal that counts (tracker.withdrawal), to name it to whoever withdraws it again.
COUNTED_WITHDRAWAL = Query[IdRow](f"""
    SELECT e.id FROM event e WHERE e.commitment_id = :commitment_id AND e.kind = 'withdrawal' AND {counted("e")}
    ORDER BY e.id DESC LIMIT 1
""")

# Any withdrawal, undone or not: a load withdraws no commitment that was brought back (tracker.withdrawal).
ANY_WITHDRAWAL = Query[IdRow](
    "SELECT e.id FROM event e WHERE e.commitment_id = :commitment_id AND e.kind = 'withdrawal' LIMIT 1"
)

UNDONE_BY = Query[IdRow]("SELECT id FROM event WHERE undoes = :event_id ORDER BY id LIMIT 1")


class TimelineRow(TypedDict):
    id: int
    kind: str
    to_status: str | None
    on_date: StoredDay
    undoes: int | None


# A commitment's events with the day each took effect (the created event's status: the start of
# the history), in recording order, as tracker.timeline's Python reads them.
_TIMELINE_COLUMNS = """e.id, e.kind, e.to_status,
           CASE WHEN e.kind = 'created' THEN c.starts_on ELSE e.on_date END AS on_date, e.undoes"""
TIMELINE_EVENTS = Query[TimelineRow](f"""
    SELECT {_TIMELINE_COLUMNS}
    FROM event e JOIN commitment c ON c.id = e.commitment_id
    WHERE e.commitment_id = :commitment_id
    ORDER BY e.id
""")


def stored_timeline(database: Database, commitment_id: int) -> list[TimelineEvent]:
    """A commitment's history as the timeline rule reads it (undo's planning, a load's reopenings)."""
    return [
        TimelineEvent(row["kind"], day, row["to_status"], row["id"], row["undoes"])
        for row in database.rows(TIMELINE_EVENTS, {"commitment_id": commitment_id})
        if (day := stored_date(row["on_date"])) is not None
    ]


# --- a load's history files (tracker.interchange.history_load), for many commitments at once ---


class LoadedTimelineRow(TypedDict):
    commitment_id: int
    id: int
    kind: str
    to_status: str | None
    on_date: StoredDay  # the created event's: the start of the history
    undoes: int | None
    note: str | None
    evidence: str | None


def timelines_of(ids: Sequence[int]) -> Query[LoadedTimelineRow]:
    """These commitments' events, each commitment's in recording order, as TIMELINE_EVENTS reads one."""
    return Query(f"""
        SELECT e.commitment_id, {_TIMELINE_COLUMNS}, e.note, e.evidence
        FROM event e JOIN commitment c ON c.id = e.commitment_id
        WHERE e.commitment_id IN ({id_list(ids)})
        ORDER BY e.commitment_id, e.id
    """)


class HistoryStartRow(TypedDict):
    id: int
    ref: str
    starts_on: StoredDay
    agreed: StoredDay | None
    agreed_precision: str | None
    due: StoredDay | None
    status: str
    status_on: StoredDay | None
    withdrawn_on: StoredDay | None


def history_starts_of(ids: Sequence[int]) -> Query[HistoryStartRow]:
    return Query(f"""
        SELECT id, ref, starts_on, agreed, agreed_precision, due, status, status_on, withdrawn_on
        FROM commitment WHERE id IN ({id_list(ids)})
    """)


# The state a commitment keeps, derived by the caller (tracker.timeline.kept_state), and its copies on its tags.
SET_KEPT_STATE = """
    UPDATE commitment SET status = :status, status_on = :status_on, last_event_on = :last_event_on,
           withdrawn_on = :withdrawn_on, updated_at = :updated_at
    WHERE id = :id
"""
# The same kept state for a commitment whose status, its day and withdrawal stay as they were
# (a note, a review, a restated status): its last event's day alone. An UPDATE rewrites the
# entries of every index holding a column it sets, whatever the value: this one touches one
# index of the commitment's five, and took under half the time over a 100k-row history file.
SET_LAST_EVENT = "UPDATE commitment SET last_event_on = :last_event_on, updated_at = :updated_at WHERE id = :id"
SET_TAG_COPIES = (
    "UPDATE commitment_tag SET status = :status, due = :due, status_on = :status_on WHERE commitment_id = :id"
)

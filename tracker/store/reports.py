"""SQL for reports (tracker.report): every commitment's state at the end of :as_of.

A report reads a ReportSource: each commitment in scope with its state at :as_of, and each of
their tags with the same state. Two sources give the same rows (tests/test_report.py):
- kept: when no event is dated after :as_of (a report on today, typically), the state each
  commitment keeps (status, status_on, last_event_on) and its tags' copies of it, read
  straight from the tables, so counts and lists come from indexes alone;
- rebuilt: otherwise, a TEMP table (report_scope) in which the commitments with an event
  dated after :as_of have their state rebuilt from their history, and the others, whose whole
  history is on or before :as_of, bring the state they keep.
Every query below is written once, against the source's two FROM items, both aliased `s`.
Query speeds measured on these choices are in docs/speed.md ("Data access").
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple, TypedDict

from tracker import timeline
from tracker.store.commitments import OPEN_LIST, bound_list, not_withdrawn, owner_and_tag
from tracker.store.database import Query, StoredDay
from tracker.store.evidence import PIECES_ORDER, REPORTED, ReportedPieceRow, status_pieces, verdict_pieces
from tracker.timeline import counted


class ReportScope(NamedTuple):
    """Which commitments a report covers; the status filter is on the status at :as_of."""

    as_of: dt.date
    statuses: Sequence[str] = ()
    owner_id: int | None = None
    tag: str | None = None
    withdrawn: bool = False  # include the withdrawn commitments (left out by default, whatever :as_of)


class ReportSource(NamedTuple):
    # id, ref, title, owner_id, due, due_precision, status, status_on, last_event
    commitments: str
    # tag, status, due, status_on: one row per tag of a commitment in scope
    tags: str
    params: dict[str, Any]  # the scope's parameters, bound by every query that reads the source
    prepare: tuple[str, dict[str, Any]] | None = None  # run first; DROP_REPORT_SCOPE undoes it


# When nothing is dated after the as-of day, each commitment's state then is the state it keeps.


class LatestDayRow(TypedDict):
    latest: StoredDay | None


class StatusCountRow(TypedDict):
    status: str
    count: int


class GroupRow(TypedDict):
    name: str
    status: str
    count: int
    past_due: int | None
    with_due: int | None
    by_due: int | None


class ListedRow(TypedDict):
    """A commitment as a report's lists and the review queue show it."""

    ref: str
    title: str
    owner: str
    status: str
    due: StoredDay | None
    due_precision: str | None


class ItemRow(ListedRow):
    status_on: StoredDay | None
    last_event: StoredDay


class CountRow(TypedDict):
    count: int


class ChangeRow(TypedDict):
    ref: str
    title: str
    owner: str
    from_status: str  # the created event's status at the least
    to_status: str
    on_date: StoredDay
    note: str | None
    recorded_by: str | None


class TransitionRow(TypedDict):
    from_status: str
    to_status: str
    count: int


LATEST_EVENT_DAY = Query[LatestDayRow]("SELECT MAX(last_event_on) AS latest FROM commitment")


def report_source(scope: ReportScope, *, kept: bool, rebuild_every_history: bool = False) -> ReportSource:
    """The kept source, or the rebuilt one; `rebuild_every_history` rebuilds even the commitments
    whose kept state is their state at :as_of (tests compare it with the kept state)."""
    if not kept:
        prepare = _rebuilt_scope(scope, rebuild_every_history)
        tags = """(SELECT t.tag, s.status, s.due, s.status_on
                   FROM report_scope s JOIN commitment_tag t ON t.commitment_id = s.id) s"""
        return ReportSource("report_scope s", tags, {}, prepare)
    # Every history has started by :as_of here (starts_on <= last_event_on <= :as_of), so the
    # scope is the filters alone, which the covering indexes serve.
    conditions: list[str] = []
    params: dict[str, Any] = {}
    owner_and_tag(scope.owner_id, scope.tag, conditions, params)
    if scope.statuses:
        conditions.append(f"c.status IN ({bound_list('status', scope.statuses, params)})")
    tag_conditions = [f"t.commitment_id IN (SELECT c.id FROM commitment c WHERE {' AND '.join(conditions)})"]
    if not conditions:
        tag_conditions = []
    if not scope.withdrawn:  # by id, so that the covering indexes still serve
        conditions.append(not_withdrawn("c.id"))
        tag_conditions.append(not_withdrawn("t.commitment_id"))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    commitments = f"""(SELECT c.id, c.ref, c.title, c.owner_id, c.due, c.due_precision, c.status, c.status_on,
                               c.last_event_on AS last_event
                        FROM commitment c {where}) s"""
    in_scope = f"WHERE {' AND '.join(tag_conditions)}" if tag_conditions else ""
    tags = f"(SELECT t.tag, t.status, t.due, t.status_on FROM commitment_tag t {in_scope}) s"
    return ReportSource(commitments, tags, params)


# The rebuilt scope: one row per commitment whose history has started by :as_of, with the
# status in effect at the end of that day, the day that status took effect, and the day of its
# latest event of any kind. A commitment whose latest event is on or before :as_of brings the
# state it keeps, which is that state (starts_on <= last_event_on <= :as_of); the others, those
# with an event dated later, are rebuilt: a report on the end of last month rebuilds only what
# changed since. For each the status event is found by one backward seek on ix_event_timeline
# (commitment_id, on_date, id), not a window function over the whole event table. The created
# event is the fallback: it is first in the timeline and takes effect on starts_on. `placed` is
# MATERIALIZED (SQLite 3.35+, PostgreSQL 12+) so that its correlated subqueries run once per
# commitment (inlined, `touched_on` ran twice). It is computed once into a TEMP table because a
# report reads it several times. The measurements behind these choices: docs/speed.md.
def _rebuilt_scope(scope: ReportScope, rebuild_every_history: bool) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"as_of": scope.as_of}
    filters: list[str] = [] if scope.withdrawn else [not_withdrawn("c.id")]
    owner_and_tag(scope.owner_id, scope.tag, filters, params)
    statuses = bound_list("status", scope.statuses, params) if scope.statuses else None
    rebuilt = ["c.starts_on <= :as_of", *filters]
    # COALESCE (last_event_on is always set) keeps SQLite from reaching these rows through
    # ix_commitment_status_last_event: in that order the seeks below jump about the event table
    # (docs/speed.md).
    last_event_on = "COALESCE(c.last_event_on, c.starts_on)"
    if not rebuild_every_history:
        rebuilt.append(f"{last_event_on} > :as_of")
    sql = f"""
        CREATE TEMPORARY TABLE report_scope AS
        WITH placed AS MATERIALIZED (
            SELECT c.id, c.ref, c.title, c.owner_id, c.due, c.due_precision, c.starts_on,
                   {timeline.status_event_at("c.id", ":as_of")} AS status_event_id,
                   {timeline.latest_event_day_by("c.id", ":as_of")} AS touched_on
            FROM commitment c
            WHERE {" AND ".join(rebuilt)}
        )
        SELECT p.id, p.ref, p.title, p.owner_id, p.due, p.due_precision,
               se.to_status AS status,
               CASE WHEN se.kind = 'created' THEN p.starts_on ELSE se.on_date END AS status_on,
               CASE WHEN p.touched_on > p.starts_on THEN p.touched_on ELSE p.starts_on END AS last_event
        FROM placed p
        JOIN event se ON se.id = p.status_event_id
        {f"WHERE se.to_status IN ({statuses})" if statuses else ""}
    """
    if not rebuild_every_history:
        settled = [f"{last_event_on} <= :as_of", *filters, *([f"c.status IN ({statuses})"] if statuses else [])]
        sql += f"""
        UNION ALL
        SELECT c.id, c.ref, c.title, c.owner_id, c.due, c.due_precision, c.status, c.status_on, c.last_event_on
        FROM commitment c
        WHERE {" AND ".join(settled)}
    """
    return sql, params


DROP_REPORT_SCOPE = "DROP TABLE report_scope"


def report_by_status(source: ReportSource) -> tuple[Query[StatusCountRow], dict[str, Any]]:
    return Query(f"SELECT s.status, COUNT(*) AS count FROM {source.commitments} GROUP BY s.status"), source.params


# Per owner or tag and status: how many, and of those how many are past due at :as_of, have a
# deadline, and took their status on or before it (tracker.report.Group folds these). Grouping
# by the leading columns of ix_commitment_owner_report / ix_commitment_tag_report reads each
# index in order, without sorting.
_GROUP_FIGURES = """
    COUNT(*) AS count,
    SUM(CASE WHEN s.due < :as_of THEN 1 ELSE 0 END) AS past_due,
    SUM(CASE WHEN s.due IS NOT NULL THEN 1 ELSE 0 END) AS with_due,
    SUM(CASE WHEN s.status_on <= s.due THEN 1 ELSE 0 END) AS by_due
"""


def report_by_owner(source: ReportSource, as_of: dt.date) -> tuple[Query[GroupRow], dict[str, Any]]:
    sql = f"""
        SELECT o.short_name AS name, g.status, g.count, g.past_due, g.with_due, g.by_due
        FROM (SELECT s.owner_id, s.status, {_GROUP_FIGURES} FROM {source.commitments} GROUP BY s.owner_id, s.status) g
        JOIN organisation o ON o.id = g.owner_id
        ORDER BY o.short_name, g.status
    """
    return Query(sql), {**source.params, "as_of": as_of}


def report_by_tag(source: ReportSource, as_of: dt.date) -> tuple[Query[GroupRow], dict[str, Any]]:
    sql = f"SELECT s.tag AS name, s.status, {_GROUP_FIGURES} FROM {source.tags} GROUP BY s.tag, s.status ORDER BY s.tag"
    return Query(sql), {**source.params, "as_of": as_of}


_ITEM_COLUMNS = "s.ref, s.title, o.short_name AS owner, s.status, s.due, s.due_precision, s.status_on, s.last_event"


# The report's lists: which commitments of the scope each holds, and in what order. Naming the
# open statuses (not excluding the final ones) lets the (status, due|last_event_on, ref) indexes serve.
_REPORT_LISTS = {
    "overdue": (f"s.status IN ({OPEN_LIST}) AND s.due < :as_of", "s.due, s.ref"),
    "upcoming": (f"s.status IN ({OPEN_LIST}) AND s.due >= :as_of AND s.due <= :until", "s.due, s.ref"),
    "stale": (f"s.status IN ({OPEN_LIST}) AND s.last_event < :touched_before", "s.last_event, s.ref"),
}


def report_list(
    source: ReportSource, name: str, params: dict[str, Any], limit: int | None
) -> tuple[Query[ItemRow], dict[str, Any]]:
    where, order = _REPORT_LISTS[name]
    rows = f"SELECT {_ITEM_COLUMNS} FROM {source.commitments} JOIN organisation o ON o.id = s.owner_id"
    if limit is None:
        return Query(f"{rows} WHERE {where} ORDER BY {order}"), {**source.params, **params}
    # The first `limit` are chosen from the index alone, then only they are read whole.
    first = f"SELECT s.id FROM {source.commitments} WHERE {where} ORDER BY {order} LIMIT :limit"
    return Query(f"{rows} WHERE s.id IN ({first}) ORDER BY {order}"), {**source.params, **params, "limit": limit}


def report_list_count(
    source: ReportSource, name: str, params: dict[str, Any]
) -> tuple[Query[CountRow], dict[str, Any]]:
    where = _REPORT_LISTS[name][0]
    return Query(f"SELECT COUNT(*) AS count FROM {source.commitments} WHERE {where}"), {**source.params, **params}


def _first_by_ref(source: ReportSource, limit: int | None) -> str:
    """The source, or (with a limit) its first `limit` commitments by ref, as a FROM item `s`."""
    if limit is None:
        return source.commitments
    columns = "s.id, s.ref, s.status, s.status_on, s.last_event"
    return f"(SELECT {columns} FROM {source.commitments} ORDER BY s.ref LIMIT :limit) s"


def report_rows(source: ReportSource) -> tuple[Query[ItemRow], dict[str, Any]]:
    sql = f"SELECT {_ITEM_COLUMNS} FROM {source.commitments} JOIN organisation o ON o.id = s.owner_id ORDER BY s.ref"
    return Query(sql), source.params


class StateRow(TypedDict):
    ref: str
    status: str
    status_on: StoredDay
    last_event: StoredDay


def report_states(source: ReportSource, limit: int | None) -> tuple[Query[StateRow], dict[str, Any]]:
    """Each commitment in scope (or the first `limit`) by ref, with its status, the day it took
    effect and the day of its latest event: the commitments whose evidence a report gives."""
    sql = f"SELECT s.ref, s.status, s.status_on, s.last_event FROM {_first_by_ref(source, limit)} ORDER BY s.ref"
    return Query(sql), source.params if limit is None else {**source.params, "limit": limit}


# The status changes that count, dated in (:since, :as_of], of the commitments in scope, each
# with the status in effect just before it in the timeline (a back-dated update counts where it
# lands).
def _report_changes(source: ReportSource) -> str:
    return f"""
    WITH changes AS (
        SELECT s.ref, s.title, o.short_name AS owner, e.id, e.on_date, e.to_status, e.note, e.recorded_by,
               {timeline.status_before("e")} AS from_status
        FROM {source.commitments}
        JOIN organisation o ON o.id = s.owner_id
        JOIN event e ON e.commitment_id = s.id
        WHERE e.kind <> 'created' AND e.to_status IS NOT NULL AND e.on_date > :since AND e.on_date <= :as_of
          AND {counted("e")}
    )
"""


def report_changes(
    source: ReportSource, as_of: dt.date, since: dt.date, limit: int | None
) -> tuple[Query[ChangeRow], dict[str, Any]]:
    sql = f"""{_report_changes(source)}
        SELECT ref, title, owner, from_status, to_status, on_date, note, recorded_by FROM changes
        ORDER BY on_date, id
    """
    params = {**source.params, "as_of": as_of, "since": since}
    if limit is None:
        return Query(sql), params
    return Query(sql + " LIMIT :limit"), {**params, "limit": limit}


def report_transitions(
    source: ReportSource, as_of: dt.date, since: dt.date
) -> tuple[Query[TransitionRow], dict[str, Any]]:
    sql = f"""{_report_changes(source)}
        SELECT from_status, to_status, COUNT(*) AS count FROM changes GROUP BY from_status, to_status
    """
    return Query(sql), {**source.params, "as_of": as_of, "since": since}


class PeriodEventRow(TypedDict):
    id: int
    ref: str
    title: str
    owner: str
    kind: str
    on_date: StoredDay
    from_status: str
    to_status: str | None
    changes: str | None  # an edit's {field: [before, after]}, as JSON
    note: str | None
    evidence: str | None
    recorded_by: str | None
    verdict: str | None
    verdict_reason: str | None
    pieces: int  # how many pieces of evidence it cites (tracker.evidence); its `evidence` is the first


# Every event that counts, dated in (:since, :as_of], of the commitments in scope (status changes,
# reviews, notes and edits; not the created event, nor undo's corrections), each with the status
# in effect just before it: the period report's listing.
_PERIOD_EVENTS = f"""
    FROM {{commitments}}
    JOIN organisation o ON o.id = s.owner_id
    JOIN event e ON e.commitment_id = s.id
    WHERE e.kind NOT IN ('created', 'undo') AND e.on_date > :since AND e.on_date <= :as_of AND {counted("e")}
"""


def report_events(
    source: ReportSource, as_of: dt.date, since: dt.date, limit: int | None
) -> tuple[Query[PeriodEventRow], dict[str, Any]]:
    sql = f"""
        SELECT e.id, s.ref, s.title, o.short_name AS owner, e.kind, e.on_date,
               {timeline.status_before("e")} AS from_status,
               e.to_status, e.changes, e.note, e.evidence, e.recorded_by, e.verdict, e.verdict_reason,
               (SELECT COUNT(*) FROM evidence p WHERE p.event_id = e.id) AS pieces
        {_PERIOD_EVENTS.format(commitments=source.commitments)}
        ORDER BY e.on_date, e.id
    """
    params = {**source.params, "as_of": as_of, "since": since}
    if limit is None:
        return Query(sql), params
    return Query(sql + " LIMIT :limit"), {**params, "limit": limit}


def report_events_count(source: ReportSource, as_of: dt.date, since: dt.date) -> tuple[Query[CountRow], dict[str, Any]]:
    sql = f"SELECT COUNT(*) AS count {_PERIOD_EVENTS.format(commitments=source.commitments)}"
    return Query(sql), {**source.params, "as_of": as_of, "since": since}


class PeriodPieceRow(TypedDict):
    event_id: int
    url: str | None
    citation: str | None  # (one of the two)
    title: str | None
    publisher: str | None
    stance: str


def report_event_pieces(
    source: ReportSource, as_of: dt.date, since: dt.date
) -> tuple[Query[PeriodPieceRow], dict[str, Any]]:
    """Every piece of evidence the period's events (report_events) cite, each event's in order."""
    sql = f"""
        SELECT p.event_id, p.url, p.citation, p.title, p.publisher, p.stance
        FROM evidence p
        WHERE p.event_id IN (SELECT e.id {_PERIOD_EVENTS.format(commitments=source.commitments)})
        ORDER BY p.event_id, p.position
    """
    return Query(sql), {**source.params, "as_of": as_of, "since": since}


class ReviewRow(ListedRow):
    last_checked: StoredDay


# `tracker review --queue`: open commitments in the order an analyst should check them (README,
# "Reviews"): overdue first, then the nearest deadline, then those without one; within each, the
# longest unchecked first (the day of the latest event of any kind, never-reviewed ones at the
# start of their history).
def review_queue(*, of_owner: bool, withdrawn: bool = False) -> Query[ReviewRow]:
    owner = "AND c.owner_id = :owner_id" if of_owner else ""
    if not withdrawn:
        owner += f" AND {not_withdrawn()}"
    return Query(f"""
        SELECT c.ref, c.title, o.short_name AS owner, c.status, c.due, c.due_precision,
               c.last_event_on AS last_checked
        FROM commitment c JOIN organisation o ON o.id = c.owner_id
        WHERE c.status IN ({OPEN_LIST}) {owner}
        ORDER BY CASE WHEN c.due IS NULL THEN 1 ELSE 0 END, c.due, c.last_event_on, c.ref
        LIMIT :limit
    """)


class CorrectionRow(TypedDict):
    id: int
    kind: str  # withdrawal or undo
    on_date: StoredDay
    ref: str
    note: str | None
    recorded_by: str | None
    undone_kind: str | None
    undone_status: str | None
    undone_on: StoredDay | None


# The corrections log (README, "Corrections"): every withdrawal, and the first undo event of each
# change undone (an undone status may take more than one, restating it), dated up to :as_of (after
# :since, when given), of the commitments of the owner or tag asked for, withdrawn ones included.
# Found through indexes: undos by ix_event_undoes, the withdrawals of withdrawn commitments by
# ix_commitment_withdrawn, and the others (undone since) through their undos.
def corrections_log(
    owner_id: int | None, tag: str | None, *, since: bool
) -> tuple[Query[CorrectionRow], dict[str, Any]]:
    conditions = ["e.on_date <= :as_of", *(["e.on_date > :since"] if since else [])]
    params: dict[str, Any] = {}
    owner_and_tag(owner_id, tag, conditions, params)
    # CROSS JOIN keeps SQLite's order: from the few withdrawn commitments and undo events, through
    # their indexes, to the events they name. Left to choose, without statistics, it read the
    # whole event table twice: 0.19 s of a 0.43 s report at 100k (a query-plan test checks).
    sql = f"""
        WITH logged AS (
            SELECT w.id FROM commitment cw CROSS JOIN event w
            WHERE w.commitment_id = cw.id AND cw.withdrawn_on IS NOT NULL AND w.kind = 'withdrawal'
            UNION
            SELECT w.id FROM event x CROSS JOIN event w
            WHERE w.id = x.undoes AND x.undoes IS NOT NULL AND w.kind = 'withdrawal'
            UNION
            SELECT MIN(x.id) FROM event x WHERE x.undoes IS NOT NULL AND x.kind = 'undo' GROUP BY x.undoes
        )
        SELECT e.id, e.kind, e.on_date, c.ref, e.note, e.recorded_by,
               u.kind AS undone_kind, u.to_status AS undone_status, u.on_date AS undone_on
        FROM logged l
        JOIN event e ON e.id = l.id
        JOIN commitment c ON c.id = e.commitment_id
        LEFT JOIN event u ON u.id = e.undoes
        WHERE {" AND ".join(conditions)}
        ORDER BY e.on_date, e.id
    """
    return Query(sql), params


class RatedRow(TypedDict):
    ref: str
    title: str
    owner: str
    status: str
    verdict: str
    verdict_reason: str | None
    verdict_on: StoredDay
    evidence: str | None


def report_verdicts(source: ReportSource, as_of: dt.date) -> tuple[Query[RatedRow], dict[str, Any]]:
    """The commitments in scope with a verdict at the as-of day (tracker.timeline.verdict_event_at),
    found through ix_event_verdicts: a report reads no event of the others."""
    sql = f"""
        SELECT s.ref, s.title, o.short_name AS owner, s.status, v.verdict, v.verdict_reason,
               v.on_date AS verdict_on, v.evidence
        FROM {source.commitments}
        JOIN organisation o ON o.id = s.owner_id
        JOIN event v ON v.id = {timeline.verdict_event_at("s.id", ":as_of")}
        WHERE s.id IN (SELECT r.commitment_id FROM event r WHERE r.kind = 'verdict')
        ORDER BY s.ref
    """
    return Query(sql), {**source.params, "as_of": as_of}


def report_pieces(
    source: ReportSource, as_of: dt.date, limit: int | None, *, of_verdicts: bool
) -> tuple[Query[ReportedPieceRow], dict[str, Any]]:
    """What each status (or, `of_verdicts`, each verdict) in scope rests on at the end of :as_of,
    for every commitment or the first `limit` by ref: the pieces of tracker.store.evidence's
    rules, the ones `tracker evidence` reads, in timeline order. One pass over the events and
    pieces of the commitments chosen."""
    chosen = _first_by_ref(source, limit)
    pieces = verdict_pieces(chosen, REPORTED) if of_verdicts else status_pieces(chosen, REPORTED)
    params = {**source.params, "as_of": as_of}
    sql = f"{pieces} ORDER BY {PIECES_ORDER}"
    return Query(sql), params if limit is None else {**params, "limit": limit}

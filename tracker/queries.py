"""Every read query, written once as SQL text with named parameters.

The same text runs through the standard library's sqlite3 for SQLite files (so read commands
never import SQLAlchemy) and through SQLAlchemy's `text()` inside write transactions and on
server databases.
"""

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from tracker.statuses import FINAL_STATUSES, OPEN_STATUSES, STATUSES

Row = dict[str, Any]

# Timeline order: the created event first, then by the day each event took effect, ties in
# recording order. A created event keeps the day it was recorded with, but its status takes
# effect on its commitment's starts_on, the start of the history, which edits of the agreed date
# move (service._move_history_start): so it is first even when that start is before its day.
TIMELINE_ORDER = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END, e.on_date, e.id"
TIMELINE_ORDER_DESC = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END DESC, e.on_date DESC, e.id DESC"


# Which events count. A commitment's state (its status on any day, the day that status took
# effect, the day of its latest event) and every figure of a report are worked out from the
# events that count: all but the `undo` events and the events they undo, so that an undone
# change reads as if it had never happened (`history` still shows both). The rule's one home:
# `counted` for SQL, `events_that_count` for events in hand (an export being loaded). The
# anti-join is one probe of ix_event_undoes per event looked at.
def counted(alias: str) -> str:
    """The SQL condition that the event `alias` counts."""
    undo = f"{alias}_undo"
    return f"{alias}.kind <> 'undo' AND NOT EXISTS (SELECT 1 FROM event {undo} WHERE {undo}.undoes = {alias}.id)"


def events_that_count(events: Sequence[Row], identity: str, link: str) -> list[Row]:
    """`counted` for events in hand: `identity` names the field that identifies an event, `link`
    the field in which an undo event names the event it undoes."""
    undone = {event[link] for event in events if event[link] is not None}
    return [event for event in events if event["kind"] != "undo" and event[identity] not in undone]


_FINAL_LIST = ", ".join(f"'{s}'" for s in sorted(FINAL_STATUSES))
_OPEN_LIST = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
# Driven from the tag index (tag, commitment_id), not checked commitment by commitment.
_WITH_TAG = "c.id IN (SELECT t.commitment_id FROM commitment_tag t WHERE t.tag = :tag)"


def fetch_all(connection: Any, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    """Run one query on a sqlite3 connection or a SQLAlchemy connection; rows as dicts."""
    result = _run(connection, sql, params)
    if isinstance(connection, sqlite3.Connection):
        names = [column[0] for column in result.description]
        # map() builds the dicts without a Python frame per row: a quarter faster on 50,000 rows.
        return list(map(dict, map(zip, itertools.repeat(names), result.fetchall())))
    return [dict(row) for row in result.mappings()]


def fetch_one(connection: Any, sql: str, params: dict[str, Any] | None = None) -> Row | None:
    rows = fetch_all(connection, sql, params)
    return rows[0] if rows else None


def execute(connection: Any, sql: str, params: dict[str, Any] | None = None) -> None:
    """Run a statement that returns no rows (DDL on temporary tables, the tag copies)."""
    _run(connection, sql, params)


def _run(connection: Any, sql: str, params: dict[str, Any] | None) -> Any:
    """The statement run: a sqlite3 cursor, or a SQLAlchemy result."""
    params = params or {}
    if isinstance(connection, sqlite3.Connection):
        return connection.execute(sql, {k: _sqlite_value(v) for k, v in params.items()})
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        params = {k: _sqlite_value(v) for k, v in params.items()}
    return connection.execute(text(sql), params)


def _sqlite_value(value: Any) -> Any:
    # SQLite keeps dates as ISO text; the stdlib's implicit date adapters are deprecated.
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


APPLIED_MIGRATIONS = "SELECT name FROM tracker_migration ORDER BY id"

COMMITMENT_COLUMNS = """
    c.id, c.ref, c.title, c.description, o.short_name AS owner, c.status,
    c.agreed, c.agreed_precision, c.due, c.due_precision, c.starts_on,
    s.key AS source, c.created_at, c.updated_at
"""

COMMITMENT_FROM = """
    FROM commitment c
    JOIN organisation o ON o.id = c.owner_id
    LEFT JOIN source s ON s.id = c.source_id
"""

COMMITMENT_BY_REF = f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} WHERE c.ref = :ref"

SOURCE_BY_KEY = "SELECT key, title, publisher, url, published, published_precision, note FROM source WHERE key = :key"

SORT_ORDERS = {
    "id": "c.id",
    "ref": "c.ref",
    "title": "c.title, c.id",
    "owner": "o.short_name, c.id",
    "status": "CASE c.status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUSES)) + " END, c.id",
    "due": "CASE WHEN c.due IS NULL THEN 1 ELSE 0 END, c.due, c.id",
    "agreed": "CASE WHEN c.agreed IS NULL THEN 1 ELSE 0 END, c.agreed, c.id",
    "updated": "c.updated_at DESC, c.id DESC",
}


class CommitmentFilter(NamedTuple):
    """What `list` (and later `report`) narrows to; every field is optional."""

    statuses: Sequence[str] = ()
    owner_id: int | None = None
    tag: str | None = None
    overdue_on: dt.date | None = None  # past due and not final on this day
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    search: str | None = None
    sort: str = "id"
    limit: int | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bound_list(prefix: str, values: Sequence[Any], params: dict[str, Any]) -> str:
    """`:status_0, :status_1, …` for an IN list, with the values added to params."""
    names = [f"{prefix}_{i}" for i in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(":" + name for name in names)


def _owner_and_tag(owner_id: int | None, tag: str | None, conditions: list[str], params: dict[str, Any]) -> None:
    if owner_id is not None:
        conditions.append("c.owner_id = :owner_id")
        params["owner_id"] = owner_id
    if tag is not None:
        conditions.append(_WITH_TAG)
        params["tag"] = tag


def commitment_conditions(filters: CommitmentFilter) -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if filters.statuses:
        conditions.append(f"c.status IN ({_bound_list('status', filters.statuses, params)})")
    _owner_and_tag(filters.owner_id, filters.tag, conditions, params)
    if filters.overdue_on is not None:
        # Naming the open statuses (rather than excluding the final ones) lets ix_commitment_status_due serve.
        conditions.append(f"c.status IN ({_OPEN_LIST}) AND c.due < :overdue_on")
        params["overdue_on"] = filters.overdue_on
    if filters.due_before is not None:
        conditions.append("c.due < :due_before")
        params["due_before"] = filters.due_before
    if filters.due_after is not None:
        conditions.append("c.due > :due_after")
        params["due_after"] = filters.due_after
    if filters.search:
        # Plain text: LIKE's wildcards in the user's text are escaped, so they match themselves.
        conditions.append(
            "(lower(c.title) LIKE lower(:search) ESCAPE '\\' OR lower(c.description) LIKE lower(:search) ESCAPE '\\')"
        )
        params["search"] = f"%{_escape_like(filters.search)}%"
    return conditions, params


def list_commitments(filters: CommitmentFilter) -> tuple[str, dict[str, Any]]:
    conditions, params = commitment_conditions(filters)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} {where} ORDER BY {SORT_ORDERS[filters.sort]}"
    if filters.limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = filters.limit
    return sql, params


def _id_list(ids: Iterable[int]) -> str:
    # Ids come from the database as integers, so inlining them is safe and keeps one statement.
    return ", ".join(str(int(i)) for i in ids)


def tags_of(ids: Sequence[int]) -> str:
    return f"""
        SELECT commitment_id, tag FROM commitment_tag
        WHERE commitment_id IN ({_id_list(ids)})
        ORDER BY commitment_id, tag
    """


def partners_of(ids: Sequence[int]) -> str:
    return f"""
        SELECT p.commitment_id, o.short_name
        FROM commitment_partner p JOIN organisation o ON o.id = p.organisation_id
        WHERE p.commitment_id IN ({_id_list(ids)})
        ORDER BY p.commitment_id, o.short_name
    """


# Every event as it was recorded (a created event with its own day, whatever the start of the
# history is now), in timeline order.
HISTORY = f"""
    WITH timeline AS (
        SELECT e.id, e.key, e.kind, e.to_status, e.on_date,
               e.recorded_at, e.recorded_by, e.note, e.evidence, e.changes, e.undoes,
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
"""

# The status in effect at the end of :on_date (the created event is always in effect).
STATUS_ON = f"""
    SELECT e.to_status AS status FROM event e
    WHERE e.commitment_id = :commitment_id AND e.to_status IS NOT NULL AND {counted("e")}
      AND (e.kind = 'created' OR e.on_date <= :on_date)
    ORDER BY {TIMELINE_ORDER_DESC}
    LIMIT 1
"""

# The derived current state of one commitment (service._refresh_current_state) and of every
# commitment at once (migration m003), from the events that count: the status at the latest
# date, the day it took effect, and the latest day any event took effect. A created event takes
# effect on starts_on.
_LATEST_STATUS = f"""(SELECT e.to_status FROM event e
      WHERE e.commitment_id = c.id AND e.to_status IS NOT NULL AND {counted("e")}
      ORDER BY {TIMELINE_ORDER_DESC} LIMIT 1)"""
_LATEST_STATUS_ON = f"""COALESCE((SELECT e.on_date FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND e.to_status IS NOT NULL AND {counted("e")}
      ORDER BY e.on_date DESC, e.id DESC LIMIT 1), c.starts_on)"""
_LATEST_EVENT_ON = f"""COALESCE((SELECT MAX(e.on_date) FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND {counted("e")}), c.starts_on)"""

CURRENT_STATE = f"""
    SELECT {_LATEST_STATUS} AS status, {_LATEST_STATUS_ON} AS status_on, {_LATEST_EVENT_ON} AS last_event_on
    FROM commitment c WHERE c.id = :commitment_id
"""

BACKFILL_CURRENT_STATE_DATES = f"""
    UPDATE commitment AS c SET status_on = {_LATEST_STATUS_ON}, last_event_on = {_LATEST_EVENT_ON}
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

# What `tracker db check` (SQLite only) finds kept out of step: a commitment whose kept state is
# not what its history gives, or a tag whose copy of that state differs from its commitment's.
# `IS NOT` is SQLite's null-safe inequality (IS DISTINCT FROM needs SQLite 3.39).
OUT_OF_STEP = f"""
    SELECT c.ref, 'status and dates' AS part FROM commitment c
    WHERE c.status IS NOT {_LATEST_STATUS} OR c.status_on IS NOT {_LATEST_STATUS_ON}
       OR c.last_event_on IS NOT {_LATEST_EVENT_ON}
    UNION ALL
    SELECT c.ref, 'tag ' || t.tag FROM commitment_tag t JOIN commitment c ON c.id = t.commitment_id
    WHERE t.status IS NOT c.status OR t.due IS NOT c.due OR t.status_on IS NOT c.status_on
    ORDER BY 1, 2
"""

FIRST_UPDATE_ON = (
    "SELECT MIN(on_date) AS first_on FROM event WHERE commitment_id = :commitment_id AND kind <> 'created'"
)

ORGANISATIONS = "SELECT id, short_name, name, country, aliases FROM organisation ORDER BY short_name"

OWNERS = f"""
    SELECT o.short_name, o.name, o.country,
           COUNT(c.id) AS owned,
           SUM(CASE WHEN c.status NOT IN ({_FINAL_LIST}) THEN 1 ELSE 0 END) AS open,
           SUM(CASE WHEN c.due < :today AND c.status NOT IN ({_FINAL_LIST}) THEN 1 ELSE 0 END) AS overdue,
           (SELECT COUNT(*) FROM commitment_partner p WHERE p.organisation_id = o.id) AS partner_in
    FROM organisation o LEFT JOIN commitment c ON c.owner_id = o.id
    GROUP BY o.id, o.short_name, o.name, o.country
    ORDER BY o.short_name
"""


# --- Reports (tracker.report): every commitment's state at the end of :as_of --------------
#
# A report reads a ReportSource: each commitment in scope with its state at :as_of, and each of
# their tags with the same state. Two sources give the same rows (tests/test_report.py):
# - kept: when no event is dated after :as_of (a report on today, typically), the state each
#   commitment keeps (status, status_on, last_event_on) and its tags' copies of it, read
#   straight from the tables, so counts and lists come from indexes alone;
# - rebuilt: otherwise, a TEMP table (_rebuilt_scope) in which the commitments with an event
#   dated after :as_of have their state rebuilt from their history, and the others, whose whole
#   history is on or before :as_of, bring the state they keep.
# Every query below is written once, against the source's two FROM items, both aliased `s`.


class ReportScope(NamedTuple):
    """Which commitments a report covers; the status filter is on the status at :as_of."""

    as_of: dt.date
    statuses: Sequence[str] = ()
    owner_id: int | None = None
    tag: str | None = None


class ReportSource(NamedTuple):
    # id, ref, title, owner_id, due, due_precision, status, status_on, last_event
    commitments: str
    # tag, status, due, status_on: one row per tag of a commitment in scope
    tags: str
    params: dict[str, Any]  # the scope's parameters, bound by every query that reads the source
    prepare: tuple[str, dict[str, Any]] | None = None  # run first; DROP_REPORT_SCOPE undoes it


# When nothing is dated after the as-of day, each commitment's state then is the state it keeps.
LATEST_EVENT_DAY = "SELECT MAX(last_event_on) AS latest FROM commitment"


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
    _owner_and_tag(scope.owner_id, scope.tag, conditions, params)
    if scope.statuses:
        conditions.append(f"c.status IN ({_bound_list('status', scope.statuses, params)})")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    commitments = f"""(SELECT c.id, c.ref, c.title, c.owner_id, c.due, c.due_precision, c.status, c.status_on,
                               c.last_event_on AS last_event
                        FROM commitment c {where}) s"""
    in_scope = f"WHERE t.commitment_id IN (SELECT c.id FROM commitment c {where})" if conditions else ""
    tags = f"(SELECT t.tag, t.status, t.due, t.status_on FROM commitment_tag t {in_scope}) s"
    return ReportSource(commitments, tags, params)


# The rebuilt scope: one row per commitment whose history has started by :as_of, with the
# status in effect at the end of that day, the day that status took effect, and the day of its
# latest event of any kind. A commitment whose latest event is on or before :as_of brings the
# state it keeps, which is that state (starts_on <= last_event_on <= :as_of); the others, those
# with an event dated later, are rebuilt: a report on the end of last month rebuilds only what
# changed since. For each the status event is found by one backward seek on ix_event_timeline
# (commitment_id, on_date, id); a window function over the whole event table measured ten times
# slower at 1M events (docs/reports.md). The created event is the fallback: it is first in the
# timeline and takes effect on starts_on. `placed` is MATERIALIZED (SQLite 3.35+, PostgreSQL 12+)
# so that its correlated subqueries run once per commitment: inlined, `touched_on` ran twice
# (0.75 s against 0.36 s at 100k). It is computed once into a TEMP table because a report reads
# it several times.
def _rebuilt_scope(scope: ReportScope, rebuild_every_history: bool) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"as_of": scope.as_of}
    filters: list[str] = []
    _owner_and_tag(scope.owner_id, scope.tag, filters, params)
    statuses = _bound_list("status", scope.statuses, params) if scope.statuses else None
    rebuilt = ["c.starts_on <= :as_of", *filters]
    # COALESCE (last_event_on is always set) keeps SQLite from reaching these rows through
    # ix_commitment_status_last_event: in that order the seeks below jump about the event table
    # (0.51 s, against 0.20 s reading the table in order, at 100k).
    last_event_on = "COALESCE(c.last_event_on, c.starts_on)"
    if not rebuild_every_history:
        rebuilt.append(f"{last_event_on} > :as_of")
    sql = f"""
        CREATE TEMPORARY TABLE report_scope AS
        WITH placed AS MATERIALIZED (
            SELECT c.id, c.ref, c.title, c.owner_id, c.due, c.due_precision, c.starts_on,
                   COALESCE(
                       (SELECT e.id FROM event e
                         WHERE e.commitment_id = c.id AND e.kind <> 'created' AND e.to_status IS NOT NULL
                           AND e.on_date <= :as_of AND {counted("e")}
                         ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
                       (SELECT e.id FROM event e WHERE e.commitment_id = c.id AND e.kind = 'created')
                   ) AS status_event_id,
                   -- the latest day, read backwards down ix_event_timeline: stops at the first row,
                   -- where MAX() would read every event up to the day (-25 ms at 100k)
                   (SELECT e.on_date FROM event e
                     WHERE e.commitment_id = c.id AND e.kind <> 'created' AND e.on_date <= :as_of
                       AND {counted("e")}
                     ORDER BY e.on_date DESC, e.id DESC LIMIT 1) AS touched_on
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


def report_by_status(source: ReportSource) -> tuple[str, dict[str, Any]]:
    return f"SELECT s.status, COUNT(*) AS count FROM {source.commitments} GROUP BY s.status", source.params


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


def report_by_owner(source: ReportSource, as_of: dt.date) -> tuple[str, dict[str, Any]]:
    sql = f"""
        SELECT o.short_name AS name, g.status, g.count, g.past_due, g.with_due, g.by_due
        FROM (SELECT s.owner_id, s.status, {_GROUP_FIGURES} FROM {source.commitments} GROUP BY s.owner_id, s.status) g
        JOIN organisation o ON o.id = g.owner_id
        ORDER BY o.short_name, g.status
    """
    return sql, {**source.params, "as_of": as_of}


def report_by_tag(source: ReportSource, as_of: dt.date) -> tuple[str, dict[str, Any]]:
    sql = f"SELECT s.tag AS name, s.status, {_GROUP_FIGURES} FROM {source.tags} GROUP BY s.tag, s.status ORDER BY s.tag"
    return sql, {**source.params, "as_of": as_of}


_ITEM_COLUMNS = "s.ref, s.title, o.short_name AS owner, s.status, s.due, s.due_precision, s.status_on, s.last_event"


# The report's lists: which commitments of the scope each holds, and in what order. Naming the
# open statuses (not excluding the final ones) lets the (status, due|last_event_on, ref) indexes serve.
_REPORT_LISTS = {
    "overdue": (f"s.status IN ({_OPEN_LIST}) AND s.due < :as_of", "s.due, s.ref"),
    "upcoming": (f"s.status IN ({_OPEN_LIST}) AND s.due >= :as_of AND s.due <= :until", "s.due, s.ref"),
    "stale": (f"s.status IN ({_OPEN_LIST}) AND s.last_event < :touched_before", "s.last_event, s.ref"),
}


def report_list(
    source: ReportSource, name: str, params: dict[str, Any], limit: int | None
) -> tuple[str, dict[str, Any]]:
    where, order = _REPORT_LISTS[name]
    rows = f"SELECT {_ITEM_COLUMNS} FROM {source.commitments} JOIN organisation o ON o.id = s.owner_id"
    if limit is None:
        return f"{rows} WHERE {where} ORDER BY {order}", {**source.params, **params}
    # The first `limit` are chosen from the index alone, then only they are read whole.
    first = f"SELECT s.id FROM {source.commitments} WHERE {where} ORDER BY {order} LIMIT :limit"
    return f"{rows} WHERE s.id IN ({first}) ORDER BY {order}", {**source.params, **params, "limit": limit}


def report_list_count(source: ReportSource, name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    where = _REPORT_LISTS[name][0]
    return f"SELECT COUNT(*) AS count FROM {source.commitments} WHERE {where}", {**source.params, **params}


def report_rows(source: ReportSource) -> tuple[str, dict[str, Any]]:
    sql = f"SELECT {_ITEM_COLUMNS} FROM {source.commitments} JOIN organisation o ON o.id = s.owner_id ORDER BY s.ref"
    return sql, source.params


# The status changes that count, dated in (:since, :as_of], of the commitments in scope, each
# with the status in effect just before it in the timeline (a back-dated update counts where it
# lands).
def _report_changes(source: ReportSource) -> str:
    return f"""
    WITH changes AS (
        SELECT s.ref, s.title, o.short_name AS owner, e.id, e.on_date, e.to_status, e.note, e.recorded_by,
               COALESCE(
                   (SELECT p.to_status FROM event p
                     WHERE p.commitment_id = e.commitment_id AND p.kind <> 'created' AND p.to_status IS NOT NULL
                       AND (p.on_date < e.on_date OR (p.on_date = e.on_date AND p.id < e.id)) AND {counted("p")}
                     ORDER BY p.on_date DESC, p.id DESC LIMIT 1),
                   (SELECT p.to_status FROM event p WHERE p.commitment_id = e.commitment_id AND p.kind = 'created')
               ) AS from_status
        FROM {source.commitments}
        JOIN organisation o ON o.id = s.owner_id
        JOIN event e ON e.commitment_id = s.id
        WHERE e.kind <> 'created' AND e.to_status IS NOT NULL AND e.on_date > :since AND e.on_date <= :as_of
          AND {counted("e")}
    )
"""


def report_changes(
    source: ReportSource, as_of: dt.date, since: dt.date, limit: int | None
) -> tuple[str, dict[str, Any]]:
    sql = f"""{_report_changes(source)}
        SELECT ref, title, owner, from_status, to_status, on_date, note, recorded_by FROM changes
        ORDER BY on_date, id
    """
    params = {**source.params, "as_of": as_of, "since": since}
    if limit is None:
        return sql, params
    return sql + " LIMIT :limit", {**params, "limit": limit}


def report_transitions(source: ReportSource, as_of: dt.date, since: dt.date) -> tuple[str, dict[str, Any]]:
    sql = f"""{_report_changes(source)}
        SELECT from_status, to_status, COUNT(*) AS count FROM changes GROUP BY from_status, to_status
    """
    return sql, {**source.params, "as_of": as_of, "since": since}


# --- interchange (export and load) -----------------------------------------------------------
# Exports stream these in commitment-id order, so each table is read once whatever its size.


def iterate(connection: Any, sql: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
    """Like fetch_all, but one row at a time, for results too big to hold."""
    params = params or {}
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.execute(sql, {k: _sqlite_value(v) for k, v in params.items()})
        names = [column[0] for column in cursor.description]
        for values in cursor:
            yield dict(zip(names, values, strict=False))
        return
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        params = {k: _sqlite_value(v) for k, v in params.items()}
    for row in connection.execute(text(sql), params).mappings():
        yield dict(row)


COUNT_COMMITMENTS = "SELECT COUNT(*) AS count FROM commitment"

EXPORT_ORGANISATIONS = "SELECT short_name, name, country, aliases FROM organisation"

EXPORT_SOURCES = "SELECT key, title, publisher, url, published, published_precision, note FROM source"

EXPORT_COMMITMENTS = f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} ORDER BY c.id"

EXPORT_TAGS = "SELECT commitment_id, tag FROM commitment_tag ORDER BY commitment_id"

EXPORT_PARTNERS = """
    SELECT p.commitment_id, o.short_name
    FROM commitment_partner p JOIN organisation o ON o.id = p.organisation_id
    ORDER BY p.commitment_id
"""

# Every event as stored (a created event keeps its own on_date), in timeline order.
EXPORT_EVENTS = f"""
    SELECT e.id, e.key, e.commitment_id, e.kind, e.to_status, e.on_date, e.recorded_at, e.recorded_by,
           e.note, e.evidence, e.changes, e.batch, e.undoes
    FROM event e
    ORDER BY e.commitment_id, {TIMELINE_ORDER}
"""

ORGANISATION_IDS = "SELECT id, short_name FROM organisation"

SOURCE_IDS = "SELECT id, key FROM source"

COMMITMENT_IDS = "SELECT id, ref, updated_at FROM commitment"


# A batch of new commitments' ids: those above the largest id before the batch was inserted.
LAST_COMMITMENT_ID = "SELECT MAX(id) AS id FROM commitment"

COMMITMENT_IDS_AFTER = "SELECT id, ref FROM commitment WHERE id > :after"


def commitments_with_refs(refs: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The commitments with these refs, as `list` reads them (the rows of a load that update them)."""
    params: dict[str, Any] = {}
    where = f"WHERE c.ref IN ({_bound_list('ref', refs, params)})"
    return f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} {where} ORDER BY c.id", params


# A commitment's events as a load matches them with a file's: by key, else (events from files
# written before keys) by what each records.
STORED_EVENTS = """
    SELECT id, key, kind, to_status, on_date, recorded_at, note FROM event WHERE commitment_id = :commitment_id
"""

# --- what loaded files said (tracker.interchange.snapshots) ----------------------------------


def load_snapshots_of(ids: Sequence[int]) -> str:
    return f"""
        SELECT commitment_id, stated FROM load_snapshot
        WHERE file_name = :file_name AND commitment_id IN ({_id_list(ids)})
    """


_ADD_LOAD_SNAPSHOT = """
    INSERT INTO load_snapshot (file_name, commitment_id, stated) VALUES (:file_name, :commitment_id, :stated)
    ON CONFLICT (file_name, commitment_id) DO
"""
KEEP_LOAD_SNAPSHOT = _ADD_LOAD_SNAPSHOT + " UPDATE SET stated = excluded.stated"
# An export's record of a file, for a commitment here that has none of that file (restore).
ADD_MISSING_LOAD_SNAPSHOT = _ADD_LOAD_SNAPSHOT + " NOTHING"

# Ordered by commitment only: file names are sorted in Python, as collations differ by server.
EXPORT_LOAD_SNAPSHOTS = "SELECT commitment_id, file_name, stated FROM load_snapshot ORDER BY commitment_id"

# --- data safety: backups, checks and undo (tracker.maintenance, tracker.undo) ----------------

DATABASE_COUNTS = "SELECT (SELECT COUNT(*) FROM commitment) AS commitments, (SELECT COUNT(*) FROM event) AS events"

# The most recent event, and the command (batch) that recorded it: of anyone, or of one recorder.
LAST_EVENT = "SELECT id, batch, recorded_by FROM event ORDER BY id DESC LIMIT 1"
LAST_EVENT_BY = "SELECT id, batch, recorded_by FROM event WHERE recorded_by = :by ORDER BY id DESC LIMIT 1"

EVENT_IDS_OF_BATCH = "SELECT id FROM event WHERE batch = :batch ORDER BY id"

EVENT_BY_ID = """
    SELECT e.id, e.commitment_id, c.ref, e.kind, e.to_status, e.on_date, e.note, e.changes, e.batch, e.undoes,
           e.recorded_by
    FROM event e JOIN commitment c ON c.id = e.commitment_id
    WHERE e.id = :event_id
"""

UNDONE_BY = "SELECT id FROM event WHERE undoes = :event_id ORDER BY id LIMIT 1"

# A commitment's events with the day each took effect (the created event's status: the start of
# the history), in timeline order, for undo's arithmetic.
TIMELINE_EVENTS = f"""
    SELECT e.id, e.kind, e.to_status,
           CASE WHEN e.kind = 'created' THEN c.starts_on ELSE e.on_date END AS on_date,
           e.undoes
    FROM event e JOIN commitment c ON c.id = e.commitment_id
    WHERE e.commitment_id = :commitment_id
    ORDER BY {TIMELINE_ORDER}
"""

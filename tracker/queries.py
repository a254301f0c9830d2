"""Every read query, written once as SQL text with named parameters.

The same text runs through the standard library's sqlite3 for SQLite files (so read commands
never import SQLAlchemy) and through SQLAlchemy's `text()` inside write transactions and on
server databases.
"""

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.statuses import FINAL_STATUSES, STATUSES

Row = dict[str, Any]

# Timeline order: the created event first, then by the day each event took effect, ties in
# recording order. A created event takes effect on its commitment's starts_on.
TIMELINE_ORDER = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END, e.on_date, e.id"
TIMELINE_ORDER_DESC = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END DESC, e.on_date DESC, e.id DESC"

_FINAL_LIST = ", ".join(f"'{s}'" for s in sorted(FINAL_STATUSES))


def fetch_all(connection: Any, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    """Run one query on a sqlite3 connection or a SQLAlchemy connection; rows as dicts."""
    params = params or {}
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.execute(sql, {k: _sqlite_value(v) for k, v in params.items()})
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=False)) for values in cursor.fetchall()]
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        params = {k: _sqlite_value(v) for k, v in params.items()}
    return [dict(row) for row in connection.execute(text(sql), params).mappings()]


def fetch_one(connection: Any, sql: str, params: dict[str, Any] | None = None) -> Row | None:
    rows = fetch_all(connection, sql, params)
    return rows[0] if rows else None


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


@dataclass(frozen=True)
class CommitmentFilter:
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


def commitment_conditions(filters: CommitmentFilter) -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if filters.statuses:
        names = [f"status_{i}" for i in range(len(filters.statuses))]
        conditions.append(f"c.status IN ({', '.join(':' + n for n in names)})")
        params.update(zip(names, filters.statuses, strict=False))
    if filters.owner_id is not None:
        conditions.append("c.owner_id = :owner_id")
        params["owner_id"] = filters.owner_id
    if filters.tag is not None:
        conditions.append("EXISTS (SELECT 1 FROM commitment_tag t WHERE t.commitment_id = c.id AND t.tag = :tag)")
        params["tag"] = filters.tag
    if filters.overdue_on is not None:
        conditions.append(f"c.due < :overdue_on AND c.status NOT IN ({_FINAL_LIST})")
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


HISTORY = f"""
    WITH timeline AS (
        SELECT e.id, e.kind, e.to_status,
               CASE WHEN e.kind = 'created' THEN c.starts_on ELSE e.on_date END AS on_date,
               e.recorded_at, e.recorded_by, e.note, e.evidence, e.changes,
               ROW_NUMBER() OVER (ORDER BY {TIMELINE_ORDER}) AS position
        FROM event e JOIN commitment c ON c.id = e.commitment_id
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
    WHERE e.commitment_id = :commitment_id AND e.to_status IS NOT NULL
      AND (e.kind = 'created' OR e.on_date <= :on_date)
    ORDER BY {TIMELINE_ORDER_DESC}
    LIMIT 1
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


# --- data safety: backups, checks and undo (tracker.maintenance, tracker.undo) ----------------

DATABASE_COUNTS = "SELECT (SELECT COUNT(*) FROM commitment) AS commitments, (SELECT COUNT(*) FROM event) AS events"

# The command (batch) that recorded the most recent event.
LAST_EVENT = "SELECT id, batch FROM event ORDER BY id DESC LIMIT 1"

EVENT_IDS_OF_BATCH = "SELECT id FROM event WHERE batch = :batch ORDER BY id"

EVENT_BY_ID = """
    SELECT e.id, e.commitment_id, c.ref, e.kind, e.to_status, e.on_date, e.note, e.changes, e.batch, e.undoes
    FROM event e JOIN commitment c ON c.id = e.commitment_id
    WHERE e.id = :event_id
"""

UNDONE_BY = "SELECT id FROM event WHERE undoes = :event_id ORDER BY id LIMIT 1"

# A commitment's events with the day each took effect, in timeline order, for undo's arithmetic.
TIMELINE_EVENTS = f"""
    SELECT e.id, e.kind, e.to_status,
           CASE WHEN e.kind = 'created' THEN c.starts_on ELSE e.on_date END AS on_date,
           e.undoes
    FROM event e JOIN commitment c ON c.id = e.commitment_id
    WHERE e.commitment_id = :commitment_id
    ORDER BY {TIMELINE_ORDER}
"""

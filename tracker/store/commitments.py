"""SQL for commitments, organisations and sources: what `list`, `show` and `owners` read, and
what the write commands read and write."""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypedDict

from tracker.statuses import FINAL_STATUSES, OPEN_STATUSES, STATUSES
from tracker.store.database import Query, StoredDay, StoredStamp

FINAL_LIST = ", ".join(f"'{s}'" for s in sorted(FINAL_STATUSES))
OPEN_LIST = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
# Driven from the tag index (tag, commitment_id), not checked commitment by commitment.
_WITH_TAG = "c.id IN (SELECT t.commitment_id FROM commitment_tag t WHERE t.tag = :tag)"
# The withdrawn commitments (tracker.withdrawal), few, read once from ix_commitment_withdrawn: a
# read leaves them out by id, which every index holds, so that the covering indexes still serve.
WITHDRAWN_IDS = "SELECT w.id FROM commitment w WHERE w.withdrawn_on IS NOT NULL"


def not_withdrawn(column: str = "c.id") -> str:
    """The condition that the commitment whose id is `column` is not withdrawn."""
    return f"{column} NOT IN ({WITHDRAWN_IDS})"


class CommitmentRow(TypedDict):
    """A commitment as `list` shows it (dates and timestamps as the database hands them back)."""

    id: int
    ref: str
    title: str
    description: str
    owner: str
    status: str
    agreed: StoredDay | None
    agreed_precision: str | None
    due: StoredDay | None
    due_precision: str | None
    starts_on: StoredDay
    source: str | None
    created_at: StoredStamp
    updated_at: StoredStamp
    withdrawn_on: StoredDay | None


class TagRow(TypedDict):
    commitment_id: int
    tag: str


class PartnerRow(TypedDict):
    commitment_id: int
    short_name: str


COMMITMENT_COLUMNS = """
    c.id, c.ref, c.title, c.description, o.short_name AS owner, c.status,
    c.agreed, c.agreed_precision, c.due, c.due_precision, c.starts_on,
    s.key AS source, c.created_at, c.updated_at, c.withdrawn_on
"""

COMMITMENT_FROM = """
    FROM commitment c
    JOIN organisation o ON o.id = c.owner_id
    LEFT JOIN source s ON s.id = c.source_id
"""

COMMITMENT_BY_REF = Query[CommitmentRow](f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} WHERE c.ref = :ref")


class SourceRow(TypedDict):
    key: str
    title: str
    publisher: str | None
    url: str | None
    published: StoredDay | None
    published_precision: str | None
    note: str | None


SOURCE_BY_KEY = Query[SourceRow](
    "SELECT key, title, publisher, url, published, published_precision, note FROM source WHERE key = :key"
)

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
    withdrawn: bool = False  # include the withdrawn ones (left out by default)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bound_list(prefix: str, values: Sequence[Any], params: dict[str, Any]) -> str:
    """`:status_0, :status_1, …` for an IN list, with the values added to params."""
    names = [f"{prefix}_{i}" for i in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(":" + name for name in names)


def owner_and_tag(owner_id: int | None, tag: str | None, conditions: list[str], params: dict[str, Any]) -> None:
    if owner_id is not None:
        conditions.append("c.owner_id = :owner_id")
        params["owner_id"] = owner_id
    if tag is not None:
        conditions.append(_WITH_TAG)
        params["tag"] = tag


def commitment_conditions(filters: CommitmentFilter) -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = [] if filters.withdrawn else [not_withdrawn()]
    params: dict[str, Any] = {}
    if filters.statuses:
        conditions.append(f"c.status IN ({bound_list('status', filters.statuses, params)})")
    owner_and_tag(filters.owner_id, filters.tag, conditions, params)
    if filters.overdue_on is not None:
        # Naming the open statuses (rather than excluding the final ones) lets ix_commitment_status_due serve.
        conditions.append(f"c.status IN ({OPEN_LIST}) AND c.due < :overdue_on")
        params["overdue_on"] = filters.overdue_on
    if filters.due_before is not None:
        conditions.append("c.due < :due_before")
        params["due_before"] = filters.due_before
    if filters.due_after is not None:
        conditions.append("c.due > :due_after")
        params["due_after"] = filters.due_after
    if filters.search:
        from tracker.store.evidence import SEARCHED  # here: a list without --search needs none of it
        from tracker.timeline import counted

        # Plain text: LIKE's wildcards in the user's text are escaped, so they match themselves.
        # Its history's notes and evidence too, of the events that count (a retracted note is gone):
        # the first piece's URL or citation (the event's own text), and every piece's title and quote.
        conditions.append(
            "(lower(c.title) LIKE lower(:search) ESCAPE '\\' OR lower(c.description) LIKE lower(:search) ESCAPE '\\'"
            " OR EXISTS (SELECT 1 FROM event e WHERE e.commitment_id = c.id"
            " AND (lower(e.note) LIKE lower(:search) ESCAPE '\\' OR lower(e.evidence) LIKE lower(:search) ESCAPE '\\'"
            f" OR {SEARCHED}) AND {counted('e')}))"
        )
        params["search"] = f"%{_escape_like(filters.search)}%"
    return conditions, params


def list_commitments(filters: CommitmentFilter) -> tuple[Query[CommitmentRow], dict[str, Any]]:
    conditions, params = commitment_conditions(filters)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} {where} ORDER BY {SORT_ORDERS[filters.sort]}"
    if filters.limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = filters.limit
    return Query(sql), params


def commitments_with_refs(refs: Sequence[str]) -> tuple[Query[CommitmentRow], dict[str, Any]]:
    """The commitments with these refs, as `list` reads them (the rows of a load that update them)."""
    params: dict[str, Any] = {}
    where = f"WHERE c.ref IN ({bound_list('ref', refs, params)})"
    return Query(f"SELECT {COMMITMENT_COLUMNS} {COMMITMENT_FROM} {where} ORDER BY c.id"), params


def id_list(ids: Iterable[int]) -> str:
    # Ids come from the database as integers, so inlining them is safe and keeps one statement.
    return ", ".join(str(int(i)) for i in ids)


def tags_of(ids: Sequence[int]) -> Query[TagRow]:
    """The tags of these commitments, in order."""
    return Query(f"""
        SELECT commitment_id, tag FROM commitment_tag
        WHERE commitment_id IN ({id_list(ids)})
        ORDER BY commitment_id, tag
    """)


def partners_of(ids: Sequence[int]) -> Query[PartnerRow]:
    """The partners of these commitments, by short name, in order."""
    return Query(f"""
        SELECT p.commitment_id, o.short_name
        FROM commitment_partner p JOIN organisation o ON o.id = p.organisation_id
        WHERE p.commitment_id IN ({id_list(ids)})
        ORDER BY p.commitment_id, o.short_name
    """)


class OrganisationRow(TypedDict):
    id: int
    short_name: str
    name: str
    country: str | None
    aliases: str  # a JSON list


ORGANISATIONS = Query[OrganisationRow](
    "SELECT id, short_name, name, country, aliases FROM organisation ORDER BY short_name"
)


class OwnerRow(TypedDict):
    short_name: str
    name: str
    country: str | None
    owned: int
    open: int | None
    overdue: int | None
    partner_in: int


def owners(*, withdrawn: bool = False) -> Query[OwnerRow]:
    """Each organisation with its counts: a withdrawn commitment counts against nobody, unless
    asked (--withdrawn); partnerships are counted whatever became of the commitment."""
    owned = "c.owner_id = o.id" if withdrawn else f"c.owner_id = o.id AND {not_withdrawn()}"
    return Query[OwnerRow](f"""
        SELECT o.short_name, o.name, o.country,
               COUNT(c.id) AS owned,
               SUM(CASE WHEN c.status NOT IN ({FINAL_LIST}) THEN 1 ELSE 0 END) AS open,
               SUM(CASE WHEN c.due < :today AND c.status NOT IN ({FINAL_LIST}) THEN 1 ELSE 0 END) AS overdue,
               (SELECT COUNT(*) FROM commitment_partner p WHERE p.organisation_id = o.id) AS partner_in
        FROM organisation o LEFT JOIN commitment c ON {owned}
        GROUP BY o.id, o.short_name, o.name, o.country
        ORDER BY o.short_name
    """)

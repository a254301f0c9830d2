"""Writing many new commitments at once, inside the load's transaction.

Rows go in as a few multi-row INSERTs (SQLAlchemy Core) instead of one ORM round trip each;
both loaders that create commitments (CSV and export) come through here, a batch at a time.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker import queries
from tracker.queries import execute, fetch_all, fetch_one

# Commitments a loader writes at a time: its memory stays flat in the size of the file.
BATCH = 1_000
_ROWS_PER_INSERT = 10_000


@dataclass
class NewCommitment:
    row: dict[str, Any]  # commitment columns, without id
    tags: list[str] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # event columns, without ids
    snapshots: dict[str, str] = field(default_factory=dict)  # file name → what it said (interchange.snapshots)


def insert_commitments(session: Any, items: Sequence[NewCommitment]) -> None:
    """Insert commitments with their tags, partners and events, in the order given."""
    if not items:
        return
    from tracker.models import Commitment, CommitmentPartner, CommitmentTag, Event, LoadSnapshot

    connection = session.connection()
    last = fetch_one(connection, queries.LAST_COMMITMENT_ID)
    _insert(connection, Commitment, [item.row for item in items])
    # Only this batch's ids are read, however big the table. (On a server, rows that other
    # writers committed meanwhile may come too; they are never looked up: refs are unique.)
    after = {"after": last["id"] if last and last["id"] is not None else 0}
    ids = {row["ref"]: row["id"] for row in fetch_all(connection, queries.COMMITMENT_IDS_AFTER, after)}
    pairs = [(ids[item.row["ref"]], item) for item in items]
    _insert(connection, CommitmentTag, [_tag_row(i, t, item.row) for i, item in pairs for t in item.tags])
    _insert(
        connection,
        CommitmentPartner,
        [{"commitment_id": i, "organisation_id": p} for i, item in pairs for p in dict.fromkeys(item.partner_ids)],
    )
    _insert(
        connection,
        LoadSnapshot,
        [
            {"file_name": n, "commitment_id": i, "stated": text}
            for i, item in pairs
            for n, text in item.snapshots.items()
        ],
    )
    linked = [(i, item) for i, item in pairs if any(event.get("_undoes") is not None for event in item.events)]
    linked_ids = {i for i, _ in linked}
    plain = [_event_row(event, i) for i, item in pairs if i not in linked_ids for event in item.events]
    _insert(connection, Event, plain)
    for commitment_id, item in linked:  # rare: histories with undo events, whose links need ids
        insert_history(session, commitment_id, item.events)
    session.expire_all()  # the ORM must not trust anything it read before these writes


def _tag_row(commitment_id: int, tag: str, commitment: dict[str, Any]) -> dict[str, Any]:
    """A tag with the copies of its commitment's state (models.CommitmentTag)."""
    copies = {name: commitment.get(name) for name in ("status", "due", "status_on")}
    return {"commitment_id": commitment_id, "tag": tag, **copies}


def insert_history(session: Any, commitment_id: int, events: Sequence[dict[str, Any]]) -> None:
    """Insert a commitment's new events, in order, linking each undo to the event it reverses
    (`_undoes`: that event's key), once that event has an id."""
    from tracker.models import Event

    connection = session.connection()
    pending: list[dict[str, Any]] = []
    for event in events:
        row = _event_row(event, commitment_id)
        target = event.get("_undoes")
        if target is not None:
            _insert(connection, Event, pending)
            pending = []
            stored = fetch_all(connection, queries.STORED_EVENTS, {"commitment_id": commitment_id})
            row["undoes"] = {stored_event["key"]: stored_event["id"] for stored_event in stored}[target]
        pending.append(row)
    _insert(connection, Event, pending)


def _event_row(event: dict[str, Any], commitment_id: int) -> dict[str, Any]:
    from tracker.models import new_event_key

    # Every row names the same columns, as one multi-row INSERT needs.
    row = {"batch": None, "undoes": None, **{k: v for k, v in event.items() if not k.startswith("_")}}
    return {**row, "key": row.get("key") or new_event_key(), "commitment_id": commitment_id}


def update_commitment(
    session: Any,
    commitment_id: int,
    values: dict[str, Any],
    tags: Sequence[str] | None = None,
    partner_ids: Sequence[int] | None = None,
) -> None:
    """Set a commitment's columns, and replace its tags and partners when they are given."""
    from sqlalchemy import delete, update

    from tracker.models import Commitment, CommitmentPartner, CommitmentTag

    connection = session.connection()
    table = _table(Commitment)
    connection.execute(update(table).where(table.c.id == commitment_id).values(**values))
    if tags is not None:
        links = _table(CommitmentTag)
        connection.execute(delete(links).where(links.c.commitment_id == commitment_id))
        _insert(connection, CommitmentTag, [{"commitment_id": commitment_id, "tag": t} for t in dict.fromkeys(tags)])
    if partner_ids is not None:
        links = _table(CommitmentPartner)
        connection.execute(delete(links).where(links.c.commitment_id == commitment_id))
        rows = [{"commitment_id": commitment_id, "organisation_id": p} for p in dict.fromkeys(partner_ids)]
        _insert(connection, CommitmentPartner, rows)
    execute(connection, queries.COPY_STATE_TO_TAGS, {"commitment_id": commitment_id})
    session.expire_all()


def _table(model: Any) -> Any:
    return model.__table__


def _insert(connection: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all name the same columns.

    SQLAlchemy compiles the statement and the columns' types convert the values, as for any
    insert, but each distinct value is converted once (a load repeats its timestamp and dates
    down every row) and the rows go to the driver's executemany as they are: SQLAlchemy's own
    handling of each row's parameters took longer than SQLite took to insert it."""
    if not rows:
        return
    from sqlalchemy import insert

    dialect = connection.dialect
    table = _table(model)
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]), for_executemany=True)
    names = list(compiled.positiontup or rows[0])  # positional paramstyles (SQLite's) fix the order
    converters = [
        (place, _once_per_value(convert))
        for place, name in enumerate(names)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    values = [[row[name] for name in names] for row in rows]
    for place, convert in converters:
        for row_values in values:
            row_values[place] = convert(row_values[place])
    params: list[Any] = (
        [tuple(v) for v in values] if compiled.positiontup else [dict(zip(names, v, strict=True)) for v in values]
    )
    for start in range(0, len(params), _ROWS_PER_INSERT):
        connection.exec_driver_sql(compiled.string, params[start : start + _ROWS_PER_INSERT])


def _once_per_value(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    converted: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value not in converted:
            converted[value] = convert(value)
        return converted[value]

    return once

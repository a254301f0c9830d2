"""Writing many new commitments at once, inside the load's transaction.

Rows go in as a few multi-row INSERTs (SQLAlchemy Core) instead of one ORM round trip each;
both loaders that create commitments (CSV and export) come through here, a batch at a time.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker import queries
from tracker.queries import fetch_all

# Commitments a loader writes at a time: its memory stays flat in the size of the file.
BATCH = 1_000
_ROWS_PER_INSERT = 10_000


@dataclass
class NewCommitment:
    row: dict[str, Any]  # commitment columns, without id
    tags: list[str] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # event columns, without ids


EventKey = Callable[[dict[str, Any]], tuple[Any, ...]]


def insert_commitments(session: Any, items: Sequence[NewCommitment], key: EventKey | None = None) -> None:
    """Insert commitments with their tags, partners and events, in the order given."""
    if not items:
        return
    from tracker.models import Commitment, CommitmentPartner, CommitmentTag, Event

    connection = session.connection()
    ids = _insert_returning_ids(connection, Commitment, [item.row for item in items])
    pairs = [(ids[item.row["ref"]], item) for item in items]
    _insert(connection, CommitmentTag, [{"commitment_id": i, "tag": t} for i, item in pairs for t in item.tags])
    _insert(
        connection,
        CommitmentPartner,
        [{"commitment_id": i, "organisation_id": p} for i, item in pairs for p in dict.fromkeys(item.partner_ids)],
    )
    linked = [(i, item) for i, item in pairs if any(event.get("_undoes") is not None for event in item.events)]
    linked_ids = {i for i, _ in linked}
    plain = [_event_row(event, i) for i, item in pairs if i not in linked_ids for event in item.events]
    _insert(connection, Event, plain)
    for commitment_id, item in linked:  # rare: histories with undo events, whose links need ids
        assert key is not None
        insert_history(session, commitment_id, item.events, item.events, key)
    session.expire_all()  # the ORM must not trust anything it read before these writes


def insert_history(
    session: Any, commitment_id: int, history: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], key: EventKey
) -> None:
    """Insert the `new` events of a commitment's `history`, in order, linking each undo to the
    event it reverses (`_undoes`: that event's place in `history`), once that event has an id."""
    from tracker.models import Event

    connection = session.connection()
    pending: list[dict[str, Any]] = []
    for event in new:
        row = _event_row(event, commitment_id)
        position = event.get("_undoes")
        if position is not None:
            _insert(connection, Event, pending)
            pending = []
            stored = fetch_all(connection, queries.EVENT_KEYS, {"commitment_id": commitment_id})
            ids = {key(stored_event): stored_event["id"] for stored_event in stored}
            row["undoes"] = ids[key(history[position])]
        pending.append(row)
    _insert(connection, Event, pending)


def _event_row(event: dict[str, Any], commitment_id: int) -> dict[str, Any]:
    # Every row names the same columns, as one multi-row INSERT needs.
    row = {"batch": None, "undoes": None, **{k: v for k, v in event.items() if not k.startswith("_")}}
    return {**row, "commitment_id": commitment_id}


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
    session.expire_all()


def _table(model: Any) -> Any:
    return model.__table__


def _insert(connection: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), _ROWS_PER_INSERT):
        connection.execute(insert(_table(model)), rows[start : start + _ROWS_PER_INSERT])


def _insert_returning_ids(connection: Any, model: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert commitments; their ids by ref. RETURNING reads back only these rows, however big the table."""
    from sqlalchemy import insert

    table = _table(model)
    statement = insert(table).returning(table.c.ref, table.c.id)
    ids: dict[str, int] = {}
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        ids.update((row.ref, row.id) for row in connection.execute(statement, rows[start : start + _ROWS_PER_INSERT]))
    return ids

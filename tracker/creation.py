"""The one way a commitment comes into being: its row, its `created` event, its tags and
partners, and the state it keeps (tracker.store.timeline), written in the caller's transaction.

`add` writes one (`new_commitment`); the CSV load, fixtures and restore write many a batch at a
time (`insert_commitments`): a few multi-row INSERTs instead of a round trip each. Restore
brings each commitment's own history, its `created` event among it; every other caller has
`planned_commitment` build the row and the `created` event.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.dates import FuzzyDate
from tracker.keys import keyed
from tracker.store import interchange as queries
from tracker.store.database import Database
from tracker.timeline import history_start

# Commitments a loader writes at a time: its memory stays flat in the size of the file.
BATCH = 1_000


@dataclass
class NewCommitment:
    row: dict[str, Any]  # commitment columns, without id
    tags: list[str] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # event columns, without ids
    snapshots: dict[str, str] = field(default_factory=dict)  # file name → what it said (interchange.snapshots)


def planned_commitment(
    *,
    ref: str,
    title: str,
    owner_id: int,
    status: str,
    agreed: FuzzyDate | None,
    due: FuzzyDate | None,
    on: dt.date,
    stamp: dt.datetime,
    by: str | None,
    note: str | None,
    batch: str | None,
    description: str = "",
    source_id: int | None = None,
    tags: Sequence[str] = (),
    partner_ids: Sequence[int] = (),
    snapshots: dict[str, str] | None = None,
    status_on: dt.date | None = None,
    status_note: str | None = None,
    created_at: dt.datetime | None = None,
    updated_at: dt.datetime | None = None,
) -> NewCommitment:
    """A new commitment recorded at `stamp` on the day `on`: its history starts on the agreed
    date's first day, else on `on`, and is its created event alone, so that is the state it keeps.

    With `status_on` (a loaded row's day its status took effect, after the history starts; the
    caller checks it as `update --on`), it is created `not_started` and a status event on that day
    brings it to `status`. `created_at` and `updated_at` are the record's own times when a file
    gives them (a CSV export); its events are recorded at `stamp`."""
    starts_on = history_start(agreed, on)
    dated = status_on is not None and status_on != starts_on and status != "not_started"
    row = {
        "ref": ref,
        "title": title,
        "description": description,
        "owner_id": owner_id,
        "status": status,
        "agreed": agreed.last if agreed else None,
        "agreed_precision": agreed.precision if agreed else None,
        "due": due.last if due else None,
        "due_precision": due.precision if due else None,
        "starts_on": starts_on,
        # Rule 4 of tracker/timeline.py for a history of one created event (and one status event),
        # written out: loads make 100,000 of these (tests/test_current_state.py compares every
        # path with the rule).
        "status_on": status_on if dated else starts_on,
        "last_event_on": status_on if dated else starts_on,
        "source_id": source_id,
        "created_at": created_at or stamp,
        "updated_at": updated_at or created_at or stamp,
    }
    created = {
        "kind": "created",
        "to_status": "not_started" if dated else status,
        "on_date": starts_on,
        "recorded_at": stamp,
        "recorded_by": by,
        "note": note,
        "evidence": None,
        "changes": None,
        "batch": batch,  # so that `tracker undo` sees the whole command
    }
    events = [created]
    if dated:
        events.append({**created, "kind": "status", "to_status": status, "on_date": status_on, "note": status_note})
    return NewCommitment(row, list(tags), list(partner_ids), events, snapshots or {})


def new_commitment(database: Database, planned: NewCommitment) -> int:
    """Write one new commitment; its id."""
    return insert_commitments(database, [planned])[0]


def insert_commitments(database: Database, items: Sequence[NewCommitment]) -> list[int]:
    """Insert commitments with their tags, partners and events, in the order given; their ids."""
    if not items:
        return []
    last = database.row(queries.LAST_COMMITMENT_ID)
    database.insert_many("commitment", [item.row for item in items])
    # Only this batch's ids are read, however big the table. (On a server, rows that other
    # writers committed meanwhile may come too; they are never looked up: refs are unique.)
    after = {"after": last["id"] if last and last["id"] is not None else 0}
    ids = {row["ref"]: row["id"] for row in database.rows(queries.COMMITMENT_IDS_AFTER, after)}
    pairs = [(ids[item.row["ref"]], item) for item in items]
    database.insert_many(
        "commitment_tag",
        [
            # With the copies of its commitment's state (models.CommitmentTag).
            {"commitment_id": i, "tag": t, "status": row["status"], "due": row["due"], "status_on": row["status_on"]}
            for i, item in pairs
            for row in (item.row,)
            for t in dict.fromkeys(item.tags)
        ],
    )
    database.insert_many(
        "commitment_partner",
        [{"commitment_id": i, "organisation_id": p} for i, item in pairs for p in dict.fromkeys(item.partner_ids)],
    )
    database.insert_many(
        "load_snapshot",
        [
            {"file_name": n, "commitment_id": i, "stated": text}
            for i, item in pairs
            for n, text in item.snapshots.items()
        ],
    )
    linked = [(i, item) for i, item in pairs if any(event.get("_undoes") is not None for event in item.events)]
    linked_ids = {i for i, _ in linked}
    plain = keyed([_event_row(event, i) for i, item in pairs if i not in linked_ids for event in item.events])
    database.insert_many("event", plain)
    for commitment_id, item in linked:  # rare: histories with undo events, whose links need ids
        insert_history(database, commitment_id, item.events)
    for commitment_id, item in pairs:
        if commitment_id not in linked_ids:
            _insert_cited(database, commitment_id, item.events)
    return [i for i, _ in pairs]


def insert_history(database: Database, commitment_id: int, events: Sequence[dict[str, Any]]) -> None:
    """Insert a commitment's new events, in order, linking each undo to the event it reverses
    (`_undoes`: that event's key), once that event has an id."""
    pending: list[dict[str, Any]] = []
    rows = keyed([_event_row(event, commitment_id) for event in events])
    for event, row in zip(events, rows, strict=True):
        target = event.get("_undoes")
        if target is not None:
            database.insert_many("event", pending)
            pending = []
            stored = database.rows(queries.STORED_EVENTS, {"commitment_id": commitment_id})
            row["undoes"] = {stored_event["key"]: stored_event["id"] for stored_event in stored}[target]
        pending.append(row)
    database.insert_many("event", pending)
    _insert_cited(database, commitment_id, events)


def _insert_cited(database: Database, commitment_id: int, events: Sequence[dict[str, Any]]) -> None:
    """Write the evidence records of a commitment's newly inserted events (an export's `cited`)."""
    if not any(event.get("_cited") for event in events):
        return
    from tracker.evidence import write_pieces
    from tracker.store.sources import SOURCE_BY_KEY

    ids = {e["key"]: e["id"] for e in database.rows(queries.STORED_EVENTS, {"commitment_id": commitment_id})}
    for event in events:
        rows = []
        for piece in event.get("_cited") or []:
            source = database.row(SOURCE_BY_KEY, {"key": piece["_source"]}) if piece["_source"] else None
            rows.append({**{k: v for k, v in piece.items() if k != "_source"}, "source_id": source and source["id"]})
        if rows:
            write_pieces(database, ids[event["key"]], rows)


def _event_row(event: dict[str, Any], commitment_id: int) -> dict[str, Any]:
    # Every row names the same columns, as one multi-row INSERT needs.
    row = {"batch": None, "undoes": None, **event}
    row.pop("_undoes", None)  # the undone event's key (insert_history links it by id)
    row.pop("_cited", None)  # its evidence records (_insert_cited writes them once it has an id)
    row["commitment_id"] = commitment_id
    return row

"""Read operations: plain dicts in the shape of the JSON interface, from tracker.store's queries."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.errors import InvalidInput, NotFound
from tracker.store import commitments as queries
from tracker.store.commitments import CommitmentFilter, CommitmentRow, OrganisationRow
from tracker.store.database import Database, Row, stored_date
from tracker.text import LIMITS, lookup_text, match_key, ref_key

if TYPE_CHECKING:
    from tracker.store.sources import SourceRecordRow

_CHUNK = 500


def iso_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def as_date(value: Any) -> dt.date:
    """A stored date that is always set, as a date (store.database.stored_date reads it)."""
    day = stored_date(value)
    assert day is not None, "a date that is always set"
    return day


def iso_timestamp(value: Any) -> str | None:
    """Stored UTC timestamps as `2026-11-28T09:44:45Z`."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 26 and value[10] == " " and value[19] == ".":
        # SQLite's stored form, naive UTC `2026-11-28 09:44:45.000000`: sliced, as lists of
        # thousands of commitments would otherwise parse each one twice.
        return f"{value[:10]}T{value[11:19]}Z"
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return stamp.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def json_value(text: str) -> Any:
    import json  # here, not at the top: most reads never parse JSON, and it costs ~2 ms to load

    return json.loads(text)


def _json_list(text: str | None) -> list[str]:
    return list(json_value(text)) if text else []


def match_organisation(rows: Sequence[OrganisationRow], name: str) -> OrganisationRow | None:
    """Find an organisation by short name, then full name, then alias, ignoring case."""
    wanted = name.strip().casefold()
    for key in ("short_name", "name"):
        for row in rows:
            if str(row[key]).casefold() == wanted:
                return row
    for row in rows:
        if any(alias.casefold() == wanted for alias in _json_list(row["aliases"])):
            return row
    return None


def find_organisation(database: Database, name: str) -> OrganisationRow:
    rows = database.rows(queries.ORGANISATIONS)
    row = match_organisation(rows, name)
    if row is None:
        known = ", ".join(r["short_name"] for r in rows) or "none yet"
        raise NotFound(f"unknown organisation {name!r}; known: {known} (add one with 'tracker owners add')")
    return row


def list_commitments(database: Database, filters: CommitmentFilter) -> list[Row]:
    for field, value in (("search", filters.search), ("tag", filters.tag)):
        if value is not None:
            lookup_text(value, field)
    if filters.search is not None and len(filters.search) > LIMITS["search"]:
        raise InvalidInput(f"search is {len(filters.search)} characters long; the limit is {LIMITS['search']}")
    sql, params = queries.list_commitments(filters)
    rows = database.rows(sql, params)
    return _with_lists(database, rows)


def commitments_with_refs(database: Database, refs: Sequence[str]) -> list[Row]:
    """The list items of the commitments with these refs (a batch of a load, not a whole table)."""
    items = []
    for start in range(0, len(refs), _CHUNK):
        rows = database.rows(*queries.commitments_with_refs(refs[start : start + _CHUNK]))
        items += _with_lists(database, rows)
    return items


def _with_lists(database: Database, rows: list[CommitmentRow]) -> list[Row]:
    tags: dict[int, list[str]] = {}
    partners: dict[int, list[str]] = {}
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for tag_row in database.rows(queries.tags_of(chunk)):
            tags.setdefault(tag_row["commitment_id"], []).append(tag_row["tag"])
        for partner_row in database.rows(queries.partners_of(chunk)):
            partners.setdefault(partner_row["commitment_id"], []).append(partner_row["short_name"])
    return [commitment_item(row, tags.get(row["id"], []), partners.get(row["id"], [])) for row in rows]


def commitment_item(row: CommitmentRow, tags: list[str], partners: list[str]) -> Row:
    return {
        "id": row["id"],
        "ref": row["ref"],
        "title": row["title"],
        "description": row["description"],
        "owner": row["owner"],
        "partners": partners,
        "status": row["status"],
        "agreed": iso_date(row["agreed"]),
        "agreed_precision": row["agreed_precision"],
        "due": iso_date(row["due"]),
        "due_precision": row["due_precision"],
        "tags": tags,
        "source": row["source"],
        "created_at": iso_timestamp(row["created_at"]),
        "updated_at": iso_timestamp(row["updated_at"]),
        # Only on a withdrawn one (lists show them with --withdrawn; show, history and exports always).
        **({"withdrawn_on": iso_date(row["withdrawn_on"])} if row["withdrawn_on"] is not None else {}),
    }


def _commitment_row(database: Database, ref: str) -> CommitmentRow:
    row = database.row(queries.COMMITMENT_BY_REF, {"ref": ref_key(lookup_text(ref.strip(), "ref"))})
    if row is None:
        raise NotFound(f"no commitment with ref {ref!r}; 'tracker list' shows the refs")
    return row


def history(database: Database, ref: str) -> list[Row]:
    row = _commitment_row(database, ref)
    return _history(database, row["id"])


def _history(database: Database, commitment_id: int) -> list[Row]:
    from tracker.evidence import cited_by_event
    from tracker.store.timeline import HISTORY  # here: list and show, which import this module, need none of it

    pieces = cited_by_event(database, commitment_id)
    return [
        {
            "id": event["id"],
            "key": event["key"],
            "kind": event["kind"],
            "from_status": event["from_status"],
            **recorded_fields({**event, "note": shown_note(event)}, pieces),
            "undoes": event["undoes"],
        }
        for event in database.rows(HISTORY, {"commitment_id": commitment_id})
    ]


_UNDO_NOTE = "undo of event "
# Between what an undo did and the reason given for it (`tracker undo --reason`), in its note.
REASON_MARK = "; reason: "


def shown_note(event: Mapping[str, Any]) -> str | None:
    """An undo's note as shown: "undo of event N: " and what it did, N being the id here of the
    event it reverses. The id is taken from the link when shown, never stored in the note, since
    a copy of the tracker (an export loaded elsewhere) numbers its events afresh. A note stored
    with an id in it (before tracker kept event keys) has that id replaced in the same way."""
    note: str | None = event["note"]
    if event["kind"] != "undo" or event["undoes"] is None:
        return note
    if note and note.startswith(_UNDO_NOTE) and ": " in note:
        note = note.split(": ", 1)[1]
    return f"{_UNDO_NOTE}{event['undoes']}: {note}"


def recorded_fields(event: Mapping[str, Any], pieces: Mapping[int, list[Row]]) -> Row:
    """What an event records, as `history --format json` and the export both show it; `pieces`
    holds the evidence records of events (tracker.evidence.cited_by_event)."""
    from tracker.evidence import cited

    return {
        "to_status": event["to_status"],
        "on": iso_date(event["on_date"]),
        "recorded_at": iso_timestamp(event["recorded_at"]),
        "by": event["recorded_by"],
        "note": event["note"],
        "evidence": event["evidence"],
        "cited": cited(event, pieces),
        "changes": json_value(event["changes"]) if event["changes"] else None,
        # A verdict event's judgement (tracker.verdicts); other events have none.
        **({"verdict": event["verdict"], "verdict_reason": event["verdict_reason"]} if event.get("verdict") else {}),
    }


def commitment_detail(database: Database, ref: str) -> Row:
    """`show`: the list item, the day its history starts, the source it cites, and its whole history."""
    row = _commitment_row(database, ref)
    item = _with_lists(database, [row])[0]
    item["starts_on"] = iso_date(row["starts_on"])
    source = database.row(queries.SOURCE_BY_KEY, {"key": row["source"]}) if row["source"] else None
    if source is not None:
        source["published"] = iso_date(source["published"])
    item["source_detail"] = source
    item["history"] = _history(database, row["id"])
    return item


def owners(database: Database, today: dt.date, *, withdrawn: bool = False) -> list[Row]:
    return [
        {
            "short_name": row["short_name"],
            "name": row["name"],
            "country": row["country"],
            "owned": row["owned"],
            "open": row["open"] or 0,
            "overdue": row["overdue"] or 0,
            "partner_in": row["partner_in"],
        }
        for row in database.rows(queries.owners(withdrawn=withdrawn), {"today": today})
    ]


# --- sources (tracker sources) ------------------------------------------------------------------


def nearest_source_name(database: Database, text: str, *, keys_only: bool = False) -> str | None:
    """The key or title (of a source not merged away) nearest to text, if one is near: said when a
    command names no source. Read only then, so a command that finds its source never reads them."""
    import difflib

    from tracker.store.sources import SOURCE_NAMES

    names: dict[str, str] = {}
    for row in database.rows(SOURCE_NAMES):
        for name in (row["key"],) if keys_only else (row["key"], row["title"]):
            names.setdefault(match_key(name), name)
    near = difflib.get_close_matches(match_key(text), list(names), n=1)
    return names[near[0]] if near else None


def source_by_key(database: Database, key: str) -> "SourceRecordRow":
    """The source with this key (in any case), merged or not."""
    from tracker.store.sources import SOURCE_BY_KEY

    row = database.row(SOURCE_BY_KEY, {"key": ref_key(lookup_text(key.strip(), "source key"))})
    if row is None:
        near = nearest_source_name(database, key, keys_only=True)
        hint = f"did you mean {near!r}? " if near else ""
        raise NotFound(f"no source with key {key!r}; {hint}'tracker sources' lists the keys")
    return row


def source_fields(row: Mapping[str, Any]) -> Row:
    """A source as `sources --format json` and the export show it."""
    return {
        "key": row["key"],
        "title": row["title"],
        "publisher": row["publisher"],
        "url": row["url"],
        "published": iso_date(row["published"]),
        "published_precision": row["published_precision"],
        "note": row["note"],
    }


def sources(database: Database) -> list[Row]:
    """Every source not merged into another, by key, with how many commitments cite it."""
    from tracker.store.sources import LISTED_SOURCES

    return [{**source_fields(row), "commitments": row["commitments"]} for row in database.rows(LISTED_SOURCES)]


def source_detail(database: Database, key: str) -> Row:
    """`sources show`: one source, the source it was merged into (if it was), and what cites it."""
    from tracker.store.sources import CITING, SOURCE_BY_ID

    row = source_by_key(database, key)
    into = database.row(SOURCE_BY_ID, {"id": row["merged_into"]}) if row["merged_into"] is not None else None
    cited = database.rows(CITING, {"source_id": row["id"]})
    return {
        **source_fields(row),
        "merged_into": into["key"] if into else None,
        "commitments": len(cited),
        "cited_by": [{"ref": c["ref"], "title": c["title"], "status": c["status"]} for c in cited],
    }

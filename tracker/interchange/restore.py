"""Loading an export document (`tracker-export/2`, or `/1` from before events had keys) back
into a database.

Into an empty database it restores everything as it was: every event with its own dates,
recorder and key, no new `created` events. Into a database that already has some of it:

- organisations and sources are upserted by short name and key;
- a commitment whose ref is new is restored whole;
- a commitment that exists gains the events of the file it lacks (matched by key, else by kind,
  on, recorded_at, to_status and note); when it gains any, it takes the file's fields if the
  file's copy was updated no earlier than its own, and its status is worked out again from
  the merged history. A commitment that gains no event is left alone. Nothing is
  removed. A commitment that has the same ref but was created separately (its `created`
  event is not in the file) is refused, so two different commitments are never merged;
- a status event it gains that now follows a final status recorded here, not before it in the
  file, leaves that status: as an update would, it needs --reopen (service.check_reopen);
- what loaded files last said of a commitment (`last_loaded`, interchange.snapshots) is
  restored with it, and added to one that exists for the files this database has no record of.
"""

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker import queries
from tracker.dates import PRECISIONS, FuzzyDate, at_precision
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange.bulk import BATCH, NewCommitment, insert_commitments, insert_history, update_commitment
from tracker.interchange.documents import StreamedList
from tracker.interchange.export import FORMAT, FORMAT_WITHOUT_KEYS
from tracker.interchange.problems import LoadSummary, Problems, listed
from tracker.models import new_event_key
from tracker.queries import events_that_count, fetch_all, fetch_one
from tracker.reads import as_date, iso_date, iso_timestamp
from tracker.statuses import STATUSES
from tracker.text import clean_ref, clean_tag, clean_text

EVENT_KINDS = ("created", "status", "note", "edit", "undo")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEAD_KEYS = ("format", "organisations", "sources")  # an export's keys before its commitments


@dataclass
class ExportedCommitment:
    where: str
    ref: str
    row: dict[str, Any]  # commitment columns without ids
    owner: str
    partners: list[str]
    source: str | None
    tags: list[str]
    events: list[dict[str, Any]]  # event columns without ids
    last_loaded: dict[str, str]  # file name → what it said when last loaded (interchange.snapshots)


@dataclass
class ExportData:
    path: str
    organisations: list[Any]
    sources: list[Any]
    commitments: Iterable[Any]  # the document's items, unchecked: each is checked as it is restored
    keyed: bool = True  # tracker-export/2: events have keys, and an undo names its event's key


class _Reader:
    """Typed access to one mapping of the document; every problem goes to `problems`."""

    def __init__(self, item: Any, where: str, problems: Problems) -> None:
        self.item = item if isinstance(item, dict) else {}
        self.where = where
        self.problems = problems
        if not isinstance(item, dict):
            problems.add(where, "must be a mapping of fields")

    def _fail(self, key: str, message: str) -> None:
        self.problems.add(f"{self.where}.{key}", message)

    def text(self, key: str, field: str, *, required: bool = False, single_line: bool = False) -> str | None:
        value = self.item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self._fail(key, "is missing" if value is None else "must be text")
            return None
        try:
            return clean_text(value, field, required=required, single_line=single_line)
        except TrackerError as error:
            self._fail(key, str(error))
            return None

    def texts(self, key: str, clean: Any) -> list[str]:
        value = self.item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._fail(key, "must be a list of text")
            return []
        try:
            return [clean(v) for v in value]
        except TrackerError as error:
            self._fail(key, str(error))
            return []

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.item.get(key)
        if value is None:
            if required:
                self._fail(key, "is missing")
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self._fail(key, f"{value!r} is not a YYYY-MM-DD date")
            return None

    def fuzzy(self, key: str) -> FuzzyDate | None:
        last = self.date(key)
        precision = self.item.get(f"{key}_precision") or "day"
        if precision not in PRECISIONS:
            self._fail(f"{key}_precision", f"must be one of: {', '.join(PRECISIONS)}")
            return None
        if last is None:
            return None
        if at_precision(last, precision).last != last:  # `first` and the shown form rely on it
            self._fail(key, f"{last} is not the last day of a {precision.replace('_', ' ')}")
            return None
        return FuzzyDate(last, precision)

    def timestamp(self, key: str) -> dt.datetime | None:
        value = self.item.get(key)
        try:
            stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        except ValueError:
            self._fail(key, "is missing" if value is None else f"{value!r} is not a timestamp (2026-03-31T12:00:00Z)")
            return None
        # Stored in UTC; a timestamp without a zone is taken to be UTC already.
        return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)

    def key(self) -> str | None:
        """An event's key: a UUID as tracker writes them (models.new_event_key), or none."""
        value = self.item.get("key")
        if value is not None and not (isinstance(value, str) and _UUID.fullmatch(value)):
            self._fail("key", "must be a UUID in lower case, such as 0b6f5e1c-3d3a-4c52-9a0e-52f1d8f1b7a4")
            return None
        return value

    def status(self, key: str, *, required: bool) -> str | None:
        value = self.item.get(key)
        if value is None and not required:
            return None
        if value not in STATUSES:
            self._fail(key, f"must be one of: {', '.join(STATUSES)}")
            return None
        return str(value)


def export_from_document(document: Any, path: str) -> ExportData:
    """Check a parsed export document but its commitments (checked as they are restored, since a
    JSON file's are read from it one at a time); raises with every problem found."""
    from tracker.service import OrganisationSpec, SourceSpec

    if not isinstance(document, dict) or document.get("format") not in (FORMAT, FORMAT_WITHOUT_KEYS):
        raise TrackerError(f"{path} is not a tracker export (expected 'format: {FORMAT}')")
    problems = Problems(path)
    organisations = []
    for index, item in enumerate(listed(document, "organisations", problems)):
        read = _Reader(item, f"organisations[{index}]", problems)
        short_name = read.text("short_name", "organisation", required=True, single_line=True)
        if short_name:
            organisations.append(
                OrganisationSpec(
                    short_name=short_name,
                    name=read.text("name", "organisation", single_line=True) or short_name,
                    country=read.text("country", "organisation", single_line=True),
                    aliases=read.texts("aliases", lambda a: clean_text(a, "organisation", single_line=True)),
                )
            )
    sources = []
    for index, item in enumerate(listed(document, "sources", problems)):
        read = _Reader(item, f"sources[{index}]", problems)
        key, title = read.text("key", "ref", required=True), read.text("title", "source", required=True)
        published = read.fuzzy("published")
        if key and title:
            sources.append(
                SourceSpec(
                    key=key,
                    title=title,
                    publisher=read.text("publisher", "source", single_line=True),
                    url=read.text("url", "evidence", single_line=True),
                    published=published,
                    note=read.text("note", "note"),
                )
            )
    commitments = document.get("commitments")
    if not isinstance(commitments, StreamedList):
        commitments = listed(document, "commitments", problems)
    problems.raise_if_any()
    return ExportData(path, organisations, sources, commitments, keyed=document["format"] == FORMAT)


def _commitment(item: Any, where: str, problems: Problems, *, keyed: bool) -> ExportedCommitment | None:
    before = len(problems.lines)
    read = _Reader(item, where, problems)
    ref_text = read.text("ref", "ref", required=True)
    ref = None
    if ref_text:
        try:
            ref = clean_ref(ref_text)
        except TrackerError as error:
            problems.add(f"{where}.ref", str(error))
    where = f"{where} ({ref or ref_text})"
    read.where = where
    agreed, due = read.fuzzy("agreed"), read.fuzzy("due")
    row = {
        "ref": ref,
        "title": read.text("title", "title", required=True),
        "description": read.text("description", "description") or "",
        "status": read.status("status", required=True),
        "agreed": agreed.last if agreed else None,
        "agreed_precision": agreed.precision if agreed else None,
        "due": due.last if due else None,
        "due_precision": due.precision if due else None,
        "starts_on": read.date("starts_on", required=True),
        "created_at": read.timestamp("created_at"),
        "updated_at": read.timestamp("updated_at"),
    }
    owner = read.text("owner", "organisation", required=True, single_line=True)
    partners = read.texts("partners", lambda p: clean_text(p, "organisation", single_line=True))
    tags = read.texts("tags", clean_tag)
    source = read.text("source", "ref", single_line=True)
    history = read.item.get("history")
    if not isinstance(history, list) or not history:
        problems.add(f"{where}.history", "must be a list of events, starting with the created one")
        history = []
    events = [_event(event, f"{where}.history[{i}]", problems, keyed=keyed) for i, event in enumerate(history)]
    _link_undos(events, f"{where}.history", problems, keyed=keyed)
    if history and sum(1 for e in events if e["kind"] == "created") != 1:
        problems.add(f"{where}.history", "must have exactly one created event")
    last_loaded = _last_loaded(read.item.get("last_loaded"), f"{where}.last_loaded", problems)
    if len(problems.lines) > before or ref is None or owner is None:
        return None
    # The state comes from the events that count, as the database derives it (queries.counted).
    counting = events_that_count(events, "key", "_undoes")
    derived = _status_from(counting)
    if derived != row["status"]:
        problems.add(f"{where}.status", f"is {row['status']}, but its history leaves it {derived}")
    if isinstance(row["starts_on"], dt.date):
        row["status_on"], row["last_event_on"] = _current_dates(counting, row["starts_on"])
    return ExportedCommitment(where, ref, row, owner, partners, source, tags, events, last_loaded)


def _last_loaded(value: Any, where: str, problems: Problems) -> dict[str, str]:
    """File name → its statement, encoded (absent in exports from before m006_load_snapshots: none)."""
    from tracker.interchange import snapshots

    value = value or {}
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(stated, dict) and set(stated) <= set(snapshots.FIELDS)
        for name, stated in value.items()
    ):
        problems.add(where, "must map file names to the fields each gave")
        return {}
    return {name: snapshots.encoded(stated) for name, stated in value.items()}


def _event(item: Any, where: str, problems: Problems, *, keyed: bool) -> dict[str, Any]:
    read = _Reader(item, where, problems)
    kind = read.item.get("kind")
    if kind not in EVENT_KINDS:
        problems.add(f"{where}.kind", f"must be one of: {', '.join(EVENT_KINDS)}")
    to_status = read.status("to_status", required=kind in ("created", "status"))
    changes = read.item.get("changes")
    if changes is not None and not isinstance(changes, dict):
        problems.add(f"{where}.changes", "must be a mapping of field: [before, after]")
        changes = None
    if "on" not in read.item and True in read.item:
        read.item["on"] = read.item[True]  # YAML 1.1 reads a bare `on:` key as true
    return {
        "key": (read.key() if keyed else None) or new_event_key(),
        "kind": kind,
        "to_status": to_status,
        "on_date": read.date("on", required=True),
        "recorded_at": read.timestamp("recorded_at"),
        "recorded_by": read.text("by", "by", single_line=True),
        "note": read.text("note", "note"),
        "evidence": read.text("evidence", "evidence", single_line=True),
        "changes": json.dumps(changes, ensure_ascii=False) if changes else None,
        "batch": read.text("batch", "ref", single_line=True),
        "_undoes": read.item.get("undoes"),  # the undone event's key, checked by _link_undos
    }


def _link_undos(events: list[dict[str, Any]], where: str, problems: Problems, *, keyed: bool) -> None:
    """Check that each event's key is its own and that each undo names an earlier event of the
    history: by its key, or in tracker-export/1 by its place. `_undoes` becomes that event's key
    (bulk.insert_history resolves it to an id when it writes the undo)."""
    seen: dict[str, int] = {}
    for index, event in enumerate(events):
        if event["key"] in seen:
            problems.add(f"{where}[{index}].key", f"is also the key of history[{seen[event['key']]}]")
        seen.setdefault(event["key"], index)
        target = event["_undoes"]
        if target is None:
            continue
        if keyed and not (isinstance(target, str) and seen.get(target, index) < index):
            problems.add(f"{where}[{index}].undoes", "must be the key of an earlier event in this history")
        elif not keyed and not (isinstance(target, int) and 0 <= target < index):
            problems.add(f"{where}[{index}].undoes", "must be the place of an earlier event in this history")
        else:
            event["_undoes"] = target if keyed else events[target]["key"]


def _status_from(events: list[dict[str, Any]]) -> str | None:
    """The status the timeline ends on: created first, then by day, ties in the file's order."""
    timeline = sorted(
        ((e["kind"] != "created", e["on_date"], i, e["to_status"]) for i, e in enumerate(events) if e["to_status"]),
    )
    return str(timeline[-1][3]) if timeline else None


def _current_dates(events: list[dict[str, Any]], starts_on: dt.date) -> tuple[dt.date, dt.date]:
    """The day the current status took effect and the latest event's day (as CURRENT_STATE does)."""
    updates = [(e["on_date"], i, e) for i, e in enumerate(events) if e["kind"] != "created" and e["on_date"]]
    status_days = [(on, i) for on, i, e in updates if e["to_status"]]
    status_on = max(status_days)[0] if status_days else starts_on
    last_event_on = max([starts_on, *(on for on, _, _ in updates)])
    return status_on, last_event_on


def _recorded(event: dict[str, Any]) -> tuple[Any, ...]:
    """What an event records, by which a file's event without a key of ours is matched."""
    return (
        event["kind"],
        iso_date(event["on_date"]),
        iso_timestamp(event["recorded_at"]),
        event["to_status"],
        event["note"],
    )


def restore_export(session: Any, data: ExportData, summary: LoadSummary, *, reopen: bool = False) -> None:
    """Check and write an export inside the caller's transaction (see the module's rules), a batch
    of new commitments at a time. After the first problem nothing more is written, but checking
    goes on to the end of the file, so that every problem is listed; then it raises, and the
    caller's transaction is rolled back."""
    from tracker.service import upsert_organisation, upsert_source

    problems = Problems(data.path)
    for organisation in data.organisations:
        try:
            summary.count("organisations", upsert_organisation(session, organisation))
        except TrackerError as error:
            problems.add(f"organisation {organisation.short_name}", str(error))
    for source in data.sources:
        try:
            summary.count("sources", upsert_source(session, source))
        except TrackerError as error:
            problems.add(f"source {source.key}", str(error))
    connection = session.connection()
    organisation_ids = {row["short_name"]: row["id"] for row in fetch_all(connection, queries.ORGANISATION_IDS)}
    source_ids = {row["key"]: row["id"] for row in fetch_all(connection, queries.SOURCE_IDS)}
    existing = {row["ref"]: row for row in fetch_all(connection, queries.COMMITMENT_IDS)}
    refs: set[str] = set()
    new: list[NewCommitment] = []
    for index, item in enumerate(data.commitments):
        commitment = _commitment(item, f"commitments[{index}]", problems, keyed=data.keyed)
        if commitment is None:
            continue
        if commitment.ref in refs:
            problems.add(commitment.where, "the ref appears twice in the file")
            continue
        refs.add(commitment.ref)
        try:
            row = {
                **commitment.row,
                "owner_id": _known(organisation_ids, commitment.owner, "owner"),
                "source_id": _known(source_ids, commitment.source, "source") if commitment.source else None,
            }
            partner_ids = [_known(organisation_ids, p, "partner") for p in commitment.partners]
            if commitment.ref not in existing:
                new.append(NewCommitment(row, commitment.tags, partner_ids, commitment.events, commitment.last_loaded))
                summary.count("commitments", "created")
            elif problems:
                _new_events(connection, existing[commitment.ref]["id"], commitment)  # checked, not written
            else:
                found = existing[commitment.ref]
                outcome = _merge(session, found["id"], found["updated_at"], commitment, row, partner_ids, reopen)
                summary.count("commitments", outcome)
        except TrackerError as error:
            problems.add(commitment.where, str(error))
        if problems:
            new = []  # nothing more is written
        elif len(new) == BATCH:
            insert_commitments(session, new)
            new = []
    problems.raise_if_any()
    insert_commitments(session, new)


def _known(ids: dict[str, int], name: str, what: str) -> int:
    if name not in ids:
        raise InvalidInput(f"{what} {name!r} is neither in the file nor in the database")
    return ids[name]


def _new_events(connection: Any, commitment_id: int, commitment: ExportedCommitment) -> list[dict[str, Any]]:
    """The file's events that the stored commitment lacks, each undo linked to its event's key
    here; refuses a commitment that was created separately."""
    stored = fetch_all(connection, queries.STORED_EVENTS, {"commitment_id": commitment_id})
    keys = {e["key"] for e in stored}
    recorded = {_recorded(e): e["key"] for e in stored}
    # A file's event is one stored here with the same key, or (a file or a copy from before keys)
    # one that records the same.
    here = {e["key"]: e["key"] if e["key"] in keys else recorded.get(_recorded(e)) for e in commitment.events}
    created = next(e for e in commitment.events if e["kind"] == "created")
    if here[created["key"]] is None:
        raise InvalidInput(
            f"{commitment.ref} exists here but was created separately (its created event is not in the file); "
            "load into an empty database, or change one of the refs"
        )
    return [
        {**e, "_undoes": here.get(e["_undoes"]) or e["_undoes"]} for e in commitment.events if here[e["key"]] is None
    ]


def _merge(
    session: Any,
    commitment_id: int,
    updated_at: Any,
    commitment: ExportedCommitment,
    row: dict[str, Any],
    partner_ids: list[int],
    reopen: bool,
) -> str:
    connection = session.connection()
    missing = _new_events(connection, commitment_id, commitment)
    _keep_last_loaded(session, commitment_id, commitment.last_loaded)
    if not missing:
        return "unchanged"  # every change to a commitment comes with an event, so nothing changed
    here = {event["id"] for event in fetch_all(connection, queries.TIMELINE_EVENTS, {"commitment_id": commitment_id})}
    insert_history(session, commitment_id, missing)
    _check_reopened(connection, commitment_id, commitment, missing, here, reopen=reopen)
    # Timestamps are to the second, so a tie goes to the file: it brings events this copy lacks.
    if (iso_timestamp(row["updated_at"]) or "") >= (iso_timestamp(updated_at) or ""):
        update_commitment(session, commitment_id, row, commitment.tags, partner_ids)
    state = fetch_one(connection, queries.CURRENT_STATE, {"commitment_id": commitment_id})
    assert state is not None
    update_commitment(
        session,
        commitment_id,
        {
            "status": state["status"],
            "status_on": as_date(state["status_on"]),
            "last_event_on": as_date(state["last_event_on"]),
        },
    )
    return "updated"


def _keep_last_loaded(session: Any, commitment_id: int, last_loaded: dict[str, str]) -> None:
    """The export's record of what loaded files said, for those files this database has none of
    for this commitment (its own record is the one its next load of them must compare with)."""
    from sqlalchemy import text

    rows = [{"file_name": n, "commitment_id": commitment_id, "stated": s} for n, s in last_loaded.items()]
    if rows:
        session.connection().execute(text(queries.ADD_MISSING_LOAD_SNAPSHOT), rows)


def _check_reopened(
    connection: Any,
    commitment_id: int,
    commitment: ExportedCommitment,
    gained: list[dict[str, Any]],
    here: set[int],
    *,
    reopen: bool,
) -> None:
    """A status event the file adds may now follow a final status recorded here (one its own
    history does not have before it): it leaves that status, which needs --reopen, as an update."""
    from tracker.service import check_reopen

    timeline = fetch_all(connection, queries.TIMELINE_EVENTS, {"commitment_id": commitment_id})
    # insert_history wrote the gained events in their order, so their ids ascend with it.
    added = dict(zip(sorted(e["id"] for e in timeline if e["id"] not in here), (e["key"] for e in gained), strict=True))
    # Both timelines as they count (queries.counted): undone events and undos leave no status.
    before_in_file = _statuses_before(events_that_count(commitment.events, "key", "_undoes"))
    in_effect = None
    for event in events_that_count(timeline, "id", "undoes"):
        source = added.get(event["id"])
        if source is not None and event["kind"] == "status" and in_effect != before_in_file.get(source):
            check_reopen(commitment.ref, in_effect, as_date(event["on_date"]), event["to_status"], reopen=reopen)
        in_effect = event["to_status"] or in_effect


def _statuses_before(events: list[dict[str, Any]]) -> dict[str, str | None]:
    """The status in effect just before each event (by key) on the file's own timeline."""
    before: dict[str, str | None] = {}
    in_effect = None
    for _, _, _, event in sorted((e["kind"] != "created", e["on_date"], i, e) for i, e in enumerate(events)):
        before[event["key"]] = in_effect
        in_effect = event["to_status"] or in_effect
    return before

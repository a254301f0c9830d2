"""Writing an export document (`tracker-export/2`, or `/1` from before events had keys), as
tracker.interchange.export_reader reads it, back into a database.

Into an empty database it restores everything as it was: every event with its own dates,
recorder and key, no new `created` events. Into a database that already has some of it:

- organisations and sources are upserted by short name and key; a source the load creates keeps
  its merge (`merged_into`), one that exists here keeps its own;
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

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from tracker import timeline
from tracker.creation import BATCH, NewCommitment, insert_commitments, insert_history
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange.export_reader import ExportData, ExportedCommitment, exported_commitment, file_timeline
from tracker.interchange.problems import LoadSummary, Problems
from tracker.reads import as_date, iso_date, iso_timestamp
from tracker.store import interchange as queries
from tracker.store import timeline as events
from tracker.store import writes
from tracker.store.database import Database


def _recorded(event: Mapping[str, Any]) -> tuple[Any, ...]:
    """What an event records, by which a file's event without a key of ours is matched."""
    return (
        event["kind"],
        iso_date(event["on_date"]),
        iso_timestamp(event["recorded_at"]),
        event["to_status"],
        event["note"],
    )


def restore_export(database: Database, data: ExportData, summary: LoadSummary, *, reopen: bool = False) -> None:
    """Check and write an export inside the caller's transaction (see the module's rules), a batch
    of new commitments at a time. After the first problem nothing more is written, but checking
    goes on to the end of the file, so that every problem is listed; then it raises, and the
    caller's transaction is rolled back."""
    from tracker.service.organisations import upsert_organisation
    from tracker.service.sources import link_merged, upsert_source

    problems = Problems(data.path)
    for organisation in data.organisations:
        try:
            summary.count("organisations", upsert_organisation(database, organisation))
        except TrackerError as error:
            problems.add(f"organisation {organisation.short_name}", str(error))
    created = []
    for source in data.sources:
        try:
            outcome = upsert_source(database, source)
        except TrackerError as error:
            problems.add(f"source {source.key}", str(error))
            continue
        summary.count("sources", outcome)
        if outcome == "created":
            created.append(source)
    for source in created:  # once every source is in: one may be merged into a later one
        try:
            link_merged(database, source)
        except TrackerError as error:
            problems.add(f"source {source.key}", str(error))
    organisation_ids = {row["short_name"]: row["id"] for row in database.rows(queries.ORGANISATION_IDS)}
    source_ids = {row["key"]: row["id"] for row in database.rows(queries.SOURCE_IDS)}
    existing = {row["ref"]: row for row in database.rows(queries.COMMITMENT_IDS)}
    refs: set[str] = set()
    new: list[NewCommitment] = []
    for index, item in enumerate(data.commitments):
        commitment = exported_commitment(item, f"commitments[{index}]", problems, keyed=data.keyed)
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
                _new_events(database, existing[commitment.ref]["id"], commitment)  # checked, not written
            else:
                found = existing[commitment.ref]
                outcome = _merge(database, found["id"], found["updated_at"], commitment, row, partner_ids, reopen)
                summary.count("commitments", outcome)
        except TrackerError as error:
            problems.add(commitment.where, str(error))
        if problems:
            new = []  # nothing more is written
        elif len(new) == BATCH:
            insert_commitments(database, new)
            new = []
    problems.raise_if_any()
    insert_commitments(database, new)


def _known(ids: dict[str, int], name: str, what: str) -> int:
    if name not in ids:
        raise InvalidInput(f"{what} {name!r} is neither in the file nor in the database")
    return ids[name]


def _new_events(database: Database, commitment_id: int, commitment: ExportedCommitment) -> list[dict[str, Any]]:
    """The file's events that the stored commitment lacks, each undo linked to its event's key
    here; refuses a commitment that was created separately."""
    stored = database.rows(queries.STORED_EVENTS, {"commitment_id": commitment_id})
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
    database: Database,
    commitment_id: int,
    updated_at: Any,
    commitment: ExportedCommitment,
    row: dict[str, Any],
    partner_ids: list[int],
    reopen: bool,
) -> str:
    missing = _new_events(database, commitment_id, commitment)
    _keep_last_loaded(database, commitment_id, commitment.last_loaded)
    if not missing:
        return "unchanged"  # every change to a commitment comes with an event, so nothing changed
    here = {event["id"] for event in database.rows(events.TIMELINE_EVENTS, {"commitment_id": commitment_id})}
    insert_history(database, commitment_id, missing)
    _check_reopened(database, commitment_id, commitment, missing, here, reopen=reopen)
    # Timestamps are to the second, so a tie goes to the file: it brings events this copy lacks.
    if (iso_timestamp(row["updated_at"]) or "") >= (iso_timestamp(updated_at) or ""):
        update_commitment(database, commitment_id, row, commitment.tags, partner_ids)
    state = database.row(events.CURRENT_STATE, {"commitment_id": commitment_id})
    assert state is not None
    update_commitment(
        database,
        commitment_id,
        {
            "status": state["status"],
            "status_on": as_date(state["status_on"]),
            "last_event_on": as_date(state["last_event_on"]),
            "withdrawn_on": as_date(state["withdrawn_on"]) if state["withdrawn_on"] else None,
        },
    )
    return "updated"


def _keep_last_loaded(database: Database, commitment_id: int, last_loaded: dict[str, str]) -> None:
    """The export's record of what loaded files said, for those files this database has none of
    for this commitment (its own record is the one its next load of them must compare with)."""
    rows = [{"file_name": n, "commitment_id": commitment_id, "stated": s} for n, s in last_loaded.items()]
    database.execute_many(queries.ADD_MISSING_LOAD_SNAPSHOT, rows)


def _check_reopened(
    database: Database,
    commitment_id: int,
    commitment: ExportedCommitment,
    gained: list[dict[str, Any]],
    here: set[int],
    *,
    reopen: bool,
) -> None:
    """A status event the file adds may now follow a final status recorded here (one its own
    history does not have before it): it leaves that status, which needs --reopen, as an update."""
    from tracker.service.commitments import check_reopen

    here_now = events.stored_timeline(database, commitment_id)
    # insert_history wrote the gained events in their order, so their ids ascend with it.
    added: dict[Hashable, Hashable] = dict(
        zip((e.identity for e in here_now if e.identity not in here), (e["key"] for e in gained), strict=True)
    )
    # The status before each event on both timelines, by the timeline rule (undone events and
    # undos leave none).
    before_here = timeline.statuses_before(here_now)
    before_in_file = timeline.statuses_before(file_timeline(commitment.events))
    for event in timeline.in_timeline_order(timeline.that_count(here_now)):
        source = added.get(event.identity)
        if source is not None and event.kind == "status" and before_here[event.identity] != before_in_file.get(source):
            check_reopen(commitment.ref, before_here[event.identity], event.on, str(event.to_status), reopen=reopen)


def update_commitment(
    database: Database,
    commitment_id: int,
    values: dict[str, Any],
    tags: Sequence[str] | None = None,
    partner_ids: Sequence[int] | None = None,
) -> None:
    """Set a commitment's columns, and replace its tags and partners when they are given."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    database.execute(f"UPDATE commitment SET {assignments} WHERE id = :id", {**values, "id": commitment_id})
    if tags is not None:
        database.execute(writes.DELETE_TAGS, {"commitment_id": commitment_id})
        database.insert_many(
            "commitment_tag", [{"commitment_id": commitment_id, "tag": t} for t in dict.fromkeys(tags)]
        )
    if partner_ids is not None:
        database.execute(writes.DELETE_PARTNERS, {"commitment_id": commitment_id})
        rows = [{"commitment_id": commitment_id, "organisation_id": p} for p in dict.fromkeys(partner_ids)]
        database.insert_many("commitment_partner", rows)
    database.execute(events.COPY_STATE_TO_TAGS, {"commitment_id": commitment_id})

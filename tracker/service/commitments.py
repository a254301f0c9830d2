"""Commitments: adding one, recording an update, and the event every change appends, which
keeps the commitment's state (status, status_on, last_event_on, withdrawn_on) and its tags' copies of it."""

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any, NamedTuple

from tracker.dates import FuzzyDate, today
from tracker.errors import InvalidInput, NotFound
from tracker.evidence import Piece, checked_pieces, first_cited, write_pieces
from tracker.reads import find_organisation
from tracker.service.organisations import unique_value
from tracker.service.sources import SourceRule, resolve_source
from tracker.statuses import STATUSES, is_final
from tracker.store import timeline as events
from tracker.store import writes
from tracker.store.database import Database, stored_date
from tracker.store.writes import StoredCommitment
from tracker.text import clean_ref, clean_tag, clean_text, lookup_text, ref_key, slugify


def _encoded(changes: dict[str, Any] | None) -> str | None:
    """An edit's changes as stored: JSON, imported only by the commands that record one."""
    if not changes:
        return None
    import json

    return json.dumps(changes, ensure_ascii=False)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def default_recorder() -> str | None:
    """Who records a change when --by is not given: TRACKER_USER, else the login name."""
    if user := os.environ.get("TRACKER_USER"):
        return user
    import getpass  # here: most commands are given --by or TRACKER_USER

    try:
        return getpass.getuser() or None
    except (OSError, KeyError):
        return None


def recorder(by: str | None) -> str | None:
    """Who records a change (and whose commands `undo` reverses): --by, else default_recorder()."""
    return clean_text(by, "by", single_line=True) or default_recorder()


class CommitmentSpec(NamedTuple):
    """Everything a commitment is made of, as given by a person or a file."""

    title: str
    owner: str
    ref: str | None = None
    status: str = "not_started"
    agreed: FuzzyDate | None = None
    due: FuzzyDate | None = None
    tags: Sequence[str] = ()
    partners: Sequence[str] = ()
    source: str | None = None
    description: str = ""
    source_rule: SourceRule = "existing"  # what an unknown source becomes (service.sources)


def commitment_by_ref(database: Database, ref: str) -> StoredCommitment:
    wanted = ref_key(lookup_text(ref.strip(), "ref"))
    query = writes.RECORD_BY_REF_LOCKED if database.is_server else writes.RECORD_BY_REF
    row = database.row(query, {"ref": wanted})
    if row is None:
        raise NotFound(f"no commitment with ref {ref!r}; 'tracker list' shows the refs")
    return StoredCommitment.from_row(row)


def commitment_by_id(database: Database, commitment_id: int) -> StoredCommitment:
    query = writes.RECORD_BY_ID_LOCKED if database.is_server else writes.RECORD_BY_ID
    row = database.row(query, {"id": commitment_id})
    assert row is not None, "events belong to commitments"
    return StoredCommitment.from_row(row)


def check_dates(agreed: FuzzyDate | None, due: FuzzyDate | None) -> None:
    if agreed is not None and agreed.first > today():
        raise InvalidInput(f"agreed date {agreed} is in the future; record a commitment once it is agreed")
    if agreed is not None and due is not None and due.last < agreed.first:
        raise InvalidInput(f"due date {due} is before the agreed date {agreed}")


def add_commitment(
    database: Database, spec: CommitmentSpec, *, note: str | None = None, by: str | None = None
) -> StoredCommitment:
    title = clean_text(spec.title, "title", required=True) or ""
    if spec.status not in STATUSES:
        raise InvalidInput(f"unknown status {spec.status!r}")
    check_dates(spec.agreed, spec.due)
    owner = find_organisation(database, spec.owner)
    ref = clean_ref(spec.ref) if spec.ref else unique_value(database, "commitment", "ref", slugify(title))
    if database.row(writes.value_taken("commitment", "ref"), {"value": ref}) is not None:
        raise InvalidInput(f"ref {ref!r} is already taken; choose another with --ref")
    # Imported here: update and edit, which never create one, start without it (docs/speed.md).
    from tracker.creation import new_commitment, planned_commitment

    planned = planned_commitment(
        ref=ref,
        title=title,
        description=clean_text(spec.description, "description") or "",
        owner_id=owner["id"],
        status=spec.status,
        agreed=spec.agreed,
        due=spec.due,
        source_id=resolve_source(database, spec.source, rule=spec.source_rule)["id"] if spec.source else None,
        tags=[clean_tag(t) for t in spec.tags],
        partner_ids=[find_organisation(database, p)["id"] for p in spec.partners],
        note=clean_text(note, "note") or None,
        by=recorder(by),
        on=today(),
        stamp=now_utc(),
        batch=database.batch,
    )
    return commitment_by_id(database, new_commitment(database, planned))


def append_event(
    database: Database,
    commitment: StoredCommitment,
    kind: str,
    on: dt.date,
    *,
    to_status: str | None = None,
    note: str | None = None,
    evidence: Sequence[Piece] = (),
    by: str | None = None,
    changes: dict[str, Any] | None = None,
    undoes: int | None = None,
    verdict: str | None = None,
    verdict_reason: str | None = None,
) -> int:
    """Record one event on `commitment`, save the commitment with it, and derive its state
    again from the timeline; the event's id."""
    from tracker.keys import new_event_key

    pieces = checked_pieces(database, evidence) if evidence else []
    recorded_at = now_utc()
    event_id = database.insert(
        "event",
        {
            "key": new_event_key(),
            "commitment_id": commitment.id,
            "kind": kind,
            "to_status": to_status,
            "on_date": on,
            "recorded_at": recorded_at,
            "recorded_by": recorder(by),
            "note": clean_text(note, "note") or None,
            "evidence": first_cited(pieces),
            "changes": _encoded(changes),
            "batch": database.batch,
            "undoes": undoes,
            "verdict": verdict,
            "verdict_reason": verdict_reason,
        },
    )
    if pieces:
        write_pieces(database, event_id, pieces)
    commitment.updated_at = recorded_at
    refresh_current_state(database, commitment)
    return event_id


def refresh_current_state(database: Database, commitment: StoredCommitment) -> None:
    """Derive the status and its dates from the timeline, so a back-dated event lands in place;
    saves the commitment, and copies its state to its tags."""
    commitment.save(database)
    row = database.row(events.CURRENT_STATE, {"commitment_id": commitment.id})
    assert row is not None and row["status"] is not None, "every commitment has a created event"
    commitment.status = row["status"]
    commitment.status_on = stored_date(row["status_on"])
    commitment.last_event_on = stored_date(row["last_event_on"])
    commitment.withdrawn_on = stored_date(row["withdrawn_on"])
    commitment.save(database)
    database.execute(events.COPY_STATE_TO_TAGS, {"commitment_id": commitment.id})


def status_on(database: Database, commitment: StoredCommitment, on: dt.date) -> str:
    row = database.row(events.STATUS_ON, {"commitment_id": commitment.id, "on_date": on})
    assert row is not None, "every commitment has a created event"
    return row["status"]


def check_reopen(ref: str, in_effect: str | None, on: dt.date, status: str, *, reopen: bool) -> None:
    """Leaving a final status (the one in effect on the change's own date) needs --reopen."""
    if in_effect is not None and is_final(in_effect) and status != in_effect and not reopen:
        raise InvalidInput(f"{ref} is {in_effect} on {on}, a final status; add --reopen to change it to {status}")


def check_update_day(
    ref: str,
    starts_on: dt.date,
    agreed: dt.date | None,
    agreed_precision: str | None,
    on: dt.date,
    option: str = "--on",
) -> None:
    """An update takes effect on a day from the start of the commitment's history to today."""
    if on > today():
        raise InvalidInput(f"{option} {on} is after today ({today()}); record what has already happened")
    if on < starts_on:
        hint = (
            f"it was agreed {FuzzyDate.stored(agreed, agreed_precision)}"
            if agreed
            else "it has no agreed date, so its history starts the day it was recorded"
        )
        raise InvalidInput(
            f"{ref}'s history starts on {starts_on} ({hint}); an update cannot be dated "
            f"before that. Give an earlier agreed date with 'tracker edit {ref} --agreed DATE'"
        )


class UpdateRequest(NamedTuple):
    ref: str
    status: str | None = None
    on: dt.date | None = None
    note: str | None = None
    evidence: Sequence[Piece] = ()  # what it cites (tracker.evidence)
    by: str | None = None
    reopen: bool = False
    review: bool = False  # `tracker review`: record that the status in effect was checked
    verdict: str | None = None  # a verdict event instead (tracker.verdicts)
    reason: str | None = None  # a broken verdict's reason
    no_evidence: bool = False  # a verdict recorded without evidence, on purpose
    cite: bool = False  # `tracker cite`: a note event citing its evidence, with or without a note


class UpdateResult(NamedTuple):
    ref: str
    on: dt.date
    from_status: str
    to_status: str | None
    current_status: str
    event_id: int
    kind: str = "status"  # status, note, or review: the status was checked and still held


def record_update(database: Database, request: UpdateRequest) -> UpdateResult:
    if request.verdict is not None:
        return _record_verdict(database, request)
    if request.reason is not None or request.no_evidence:
        raise InvalidInput("--reason and --no-evidence go with --verdict")
    note = clean_text(request.note, "note")
    if request.status is None and not note and not request.review and not request.cite:
        raise InvalidInput("nothing to record: give --status, --note or both")
    commitment = commitment_by_ref(database, request.ref)
    _refuse_if_withdrawn(database, commitment)
    on = request.on or today()
    check_update_day(commitment.ref, commitment.starts_on, commitment.agreed, commitment.agreed_precision, on)
    in_effect = status_on(database, commitment, on)
    if request.status == in_effect or request.review:
        # The status was checked and still held that day: a review, which changes no status.
        kind, to_status = "review", None
    else:
        kind, to_status = ("status", request.status) if request.status is not None else ("note", None)
        if to_status is not None:
            check_reopen(commitment.ref, in_effect, on, to_status, reopen=request.reopen)
    event_id = append_event(
        database, commitment, kind, on, to_status=to_status, note=note, evidence=request.evidence, by=request.by
    )
    return UpdateResult(commitment.ref, on, in_effect, to_status, commitment.status, event_id, kind)


def _record_verdict(database: Database, request: UpdateRequest) -> UpdateResult:
    """A verdict event: the judgement, with its evidence (or, on purpose, none) and, for a broken
    promise, a reason; revising a verdict takes a note saying why."""
    from tracker.store.timeline import VERDICT_ON
    from tracker.verdicts import broken_reasons, parse_reason

    verdict = str(request.verdict)
    if request.status is not None or request.review:
        raise InvalidInput("a verdict is recorded on its own; give --status in another update")
    if verdict == "broken" and request.reason is None:
        raise InvalidInput(
            f"a broken verdict takes --reason: one of {', '.join(broken_reasons())} (TRACKER_BROKEN_REASONS adds more)"
        )
    if verdict != "broken" and request.reason is not None:
        raise InvalidInput("--reason is for a broken verdict")
    reason = parse_reason(request.reason) if request.reason is not None else None
    evidence = list(request.evidence)
    if not evidence and not request.no_evidence:
        raise InvalidInput("a verdict cites its evidence: give --evidence URL, or --no-evidence to record it without")
    if evidence and request.no_evidence:
        raise InvalidInput("--no-evidence and --evidence contradict each other; give one")
    note = clean_text(request.note, "note")
    commitment = commitment_by_ref(database, request.ref)
    _refuse_if_withdrawn(database, commitment)
    on = request.on or today()
    check_update_day(commitment.ref, commitment.starts_on, commitment.agreed, commitment.agreed_precision, on)
    row = database.row(VERDICT_ON, {"commitment_id": commitment.id, "on_date": on})
    in_effect = row["verdict"] if row is not None else "not_rated"
    if verdict == in_effect and reason == (row["verdict_reason"] if row is not None else None):
        raise InvalidInput(f"{commitment.ref} is already rated {verdict} on {on}")
    if in_effect != "not_rated" and not note:
        raise InvalidInput(
            f"{commitment.ref} is rated {in_effect} on {on}; a revised verdict takes a --note saying why"
        )
    event_id = append_event(
        database, commitment, "verdict", on, note=note, evidence=evidence, by=request.by,
        verdict=verdict, verdict_reason=reason,
    )  # fmt: skip
    return UpdateResult(commitment.ref, on, in_effect, verdict, commitment.status, event_id, "verdict")


def _refuse_if_withdrawn(database: Database, commitment: StoredCommitment) -> None:
    """A withdrawn commitment takes no update, review or verdict until undo brings it back."""
    if commitment.withdrawn_on is None:
        return
    withdrawal = database.row(events.COUNTED_WITHDRAWAL, {"commitment_id": commitment.id})
    assert withdrawal is not None, "withdrawn_on is kept from a withdrawal that counts"
    raise InvalidInput(
        f"{commitment.ref} was withdrawn on {commitment.withdrawn_on}; bring it back with "
        f"'tracker undo --event {withdrawal['id']} --reason \"…\"' before recording anything on it"
    )

"""Write operations. Each runs inside the one transaction its command opened (store.write_session)
and either completes or raises before anything is committed.
"""

import datetime as dt
import getpass
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from tracker import queries, reads
from tracker.dates import FuzzyDate, today
from tracker.errors import InvalidInput, NotFound
from tracker.models import Commitment, CommitmentPartner, CommitmentTag, Event, Organisation, Source
from tracker.queries import execute, fetch_all, fetch_one
from tracker.reads import match_organisation
from tracker.statuses import STATUSES, is_final
from tracker.text import clean_ref, clean_tag, clean_text, lookup_text, slugify

CLEAR = FuzzyDate(dt.date.min, "day")  # "remove this date" in an edit


def _id(row: Any) -> int:
    assert row.id is not None, "rows have ids once flushed"
    return int(row.id)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def default_recorder() -> str | None:
    """Who records a change when --by is not given: TRACKER_USER, else the login name."""
    try:
        return os.environ.get("TRACKER_USER") or getpass.getuser()
    except (OSError, KeyError):
        return None


def recorder(by: str | None) -> str | None:
    """Who records a change (and whose commands `undo` reverses): --by, else default_recorder()."""
    return clean_text(by, "by", single_line=True) or default_recorder()


# --- organisations and sources -------------------------------------------------------------


def find_organisation(session: Session, name: str) -> Organisation:
    row = reads.find_organisation(session.connection(), name)
    organisation = session.get(Organisation, row["id"])
    assert organisation is not None
    return organisation


@dataclass
class OrganisationSpec:
    short_name: str
    name: str
    country: str | None = None
    aliases: Sequence[str] = ()

    def cleaned(self) -> "OrganisationSpec":
        short = clean_text(self.short_name, "organisation", required=True, single_line=True) or ""
        return OrganisationSpec(
            short_name=short,
            name=clean_text(self.name, "organisation", single_line=True) or short,
            country=clean_text(self.country, "organisation", single_line=True) or None,
            aliases=[a for a in (clean_text(x, "organisation", single_line=True) for x in self.aliases) if a],
        )


def upsert_organisation(session: Session, spec: OrganisationSpec, *, create_only: bool = False) -> str:
    """Create or bring up to date one organisation by short name; says which it did."""
    spec = spec.cleaned()
    existing = session.exec(select(Organisation).where(Organisation.short_name == spec.short_name)).first()
    aliases = json.dumps(list(spec.aliases), ensure_ascii=False)
    if create_only:
        # A new name must not be mistaken for one that exists, in any case or as an alias.
        clash = match_organisation(fetch_all(session.connection(), queries.ORGANISATIONS), spec.short_name)
        if clash is not None:
            raise InvalidInput(f"organisation {spec.short_name!r} already exists (as {clash['short_name']})")
    if existing is None:
        session.add(Organisation(short_name=spec.short_name, name=spec.name, country=spec.country, aliases=aliases))
        session.flush()
        return "created"
    return _bring_up_to_date(session, existing, {"name": spec.name, "country": spec.country, "aliases": aliases})


def _bring_up_to_date(session: Session, row: Any, wanted: dict[str, Any]) -> str:
    if all(getattr(row, name) == value for name, value in wanted.items()):
        return "unchanged"
    for name, value in wanted.items():
        setattr(row, name, value)
    session.flush()
    return "updated"


@dataclass
class SourceSpec:
    key: str
    title: str
    publisher: str | None = None
    url: str | None = None
    published: FuzzyDate | None = None
    note: str | None = None


def upsert_source(session: Session, spec: SourceSpec) -> str:
    key = clean_ref(spec.key)
    wanted = {
        "title": clean_text(spec.title, "source", required=True),
        "publisher": clean_text(spec.publisher, "source", single_line=True),
        "url": clean_text(spec.url, "evidence", single_line=True),
        "published": spec.published.last if spec.published else None,
        "published_precision": spec.published.precision if spec.published else None,
        "note": clean_text(spec.note, "note"),
    }
    existing = session.exec(select(Source).where(Source.key == key)).first()
    if existing is None:
        session.add(Source.model_validate({"key": key, **wanted}))
        session.flush()
        return "created"
    return _bring_up_to_date(session, existing, wanted)


def resolve_source(session: Session, text: str) -> Source:
    """A source by key, title or URL; text that names none becomes a new source."""
    cleaned = clean_text(text, "source", required=True, single_line=True) or ""
    for source in session.exec(select(Source)).all():
        if cleaned.casefold() in (source.key.casefold(), source.title.casefold(), (source.url or "").casefold()):
            return source
    is_url = cleaned.lower().startswith(("http://", "https://"))
    key = _unique_value(session, Source, "key", slugify(cleaned.split("://")[-1] if is_url else cleaned, 40))
    source = Source(key=key, title=cleaned, url=cleaned if is_url else None)
    session.add(source)
    session.flush()
    return source


def _unique_value(session: Session, model: Any, column: str, base: str) -> str:
    candidate, number = base, 1
    while session.exec(select(model).where(getattr(model, column) == candidate)).first() is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


# --- commitments ---------------------------------------------------------------------------


@dataclass
class CommitmentSpec:
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


def _commitment_by_ref(session: Session, ref: str) -> Commitment:
    # FOR UPDATE: on a server, writers to one commitment take turns, so each sees the others'
    # events before it derives the status (SQLite's BEGIN IMMEDIATE already serialises them).
    wanted = lookup_text(ref.strip().lower(), "ref")
    statement = select(Commitment).where(Commitment.ref == wanted).with_for_update()
    commitment = session.exec(statement).first()
    if commitment is None:
        raise NotFound(f"no commitment with ref {ref!r}; 'tracker list' shows the refs")
    return commitment


def check_dates(agreed: FuzzyDate | None, due: FuzzyDate | None) -> None:
    if agreed is not None and agreed.first > today():
        raise InvalidInput(f"agreed date {agreed} is in the future; record a commitment once it is agreed")
    if agreed is not None and due is not None and due.last < agreed.first:
        raise InvalidInput(f"due date {due} is before the agreed date {agreed}")


def add_commitment(
    session: Session, spec: CommitmentSpec, *, note: str | None = None, by: str | None = None
) -> Commitment:
    title = clean_text(spec.title, "title", required=True) or ""
    if spec.status not in STATUSES:
        raise InvalidInput(f"unknown status {spec.status!r}")
    check_dates(spec.agreed, spec.due)
    owner = find_organisation(session, spec.owner)
    ref = clean_ref(spec.ref) if spec.ref else _unique_value(session, Commitment, "ref", slugify(title))
    if session.exec(select(Commitment).where(Commitment.ref == ref)).first() is not None:
        raise InvalidInput(f"ref {ref!r} is already taken; choose another with --ref")
    stamp = now_utc()
    commitment = Commitment(
        ref=ref,
        title=title,
        description=clean_text(spec.description, "description") or "",
        owner_id=_id(owner),
        status=spec.status,
        agreed=spec.agreed.last if spec.agreed else None,
        agreed_precision=spec.agreed.precision if spec.agreed else None,
        due=spec.due.last if spec.due else None,
        due_precision=spec.due.precision if spec.due else None,
        starts_on=spec.agreed.first if spec.agreed else today(),
        source_id=resolve_source(session, spec.source).id if spec.source else None,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(commitment)
    session.flush()
    _set_tags(session, commitment, [clean_tag(t) for t in spec.tags])
    _set_partners(session, commitment, [find_organisation(session, p) for p in spec.partners])
    append_event(session, commitment, "created", commitment.starts_on, to_status=spec.status, note=note, by=by)
    return commitment


def commitment_tags(session: Session, commitment: Commitment) -> list[str]:
    return sorted(
        t.tag for t in session.exec(select(CommitmentTag).where(CommitmentTag.commitment_id == commitment.id))
    )


def commitment_partners(session: Session, commitment: Commitment) -> list[str]:
    statement = (
        select(Organisation.short_name)
        .join(CommitmentPartner, col(CommitmentPartner.organisation_id) == col(Organisation.id))
        .where(CommitmentPartner.commitment_id == commitment.id)
    )
    return sorted(session.exec(statement).all())


def _set_tags(session: Session, commitment: Commitment, tags: Sequence[str]) -> None:
    for existing in session.exec(select(CommitmentTag).where(CommitmentTag.commitment_id == commitment.id)):
        session.delete(existing)
    session.flush()
    for tag in dict.fromkeys(tags):
        session.add(CommitmentTag(commitment_id=_id(commitment), tag=tag))
    session.flush()


def _set_partners(session: Session, commitment: Commitment, partners: Sequence[Organisation]) -> None:
    for existing in session.exec(select(CommitmentPartner).where(CommitmentPartner.commitment_id == commitment.id)):
        session.delete(existing)
    session.flush()
    for organisation_id in dict.fromkeys(_id(p) for p in partners):
        session.add(CommitmentPartner(commitment_id=_id(commitment), organisation_id=organisation_id))
    session.flush()


def append_event(
    session: Session,
    commitment: Commitment,
    kind: str,
    on: dt.date,
    *,
    to_status: str | None = None,
    note: str | None = None,
    evidence: str | None = None,
    by: str | None = None,
    changes: dict[str, Any] | None = None,
    undoes: int | None = None,
) -> Event:
    event = Event(
        commitment_id=_id(commitment),
        kind=kind,
        to_status=to_status,
        on_date=on,
        recorded_at=now_utc(),
        recorded_by=recorder(by),
        note=clean_text(note, "note") or None,
        evidence=clean_text(evidence, "evidence", single_line=True) or None,
        changes=json.dumps(changes, ensure_ascii=False) if changes else None,
        batch=session.info.get("batch"),
        undoes=undoes,
    )
    session.add(event)
    commitment.updated_at = event.recorded_at
    session.flush()
    refresh_current_state(session, commitment)
    return event


def refresh_current_state(session: Session, commitment: Commitment) -> None:
    """Derive the status and its dates from the timeline, so a back-dated event lands in place."""
    row = fetch_one(session.connection(), queries.CURRENT_STATE, {"commitment_id": commitment.id})
    assert row is not None and row["status"] is not None, "every commitment has a created event"
    commitment.status = str(row["status"])
    commitment.status_on = reads.as_date(row["status_on"])
    commitment.last_event_on = reads.as_date(row["last_event_on"])
    session.flush()
    _copy_state_to_tags(session, commitment)


def _copy_state_to_tags(session: Session, commitment: Commitment) -> None:
    execute(session.connection(), queries.COPY_STATE_TO_TAGS, {"commitment_id": commitment.id})
    for loaded in list(session.identity_map.values()):  # their rows changed under the ORM
        if isinstance(loaded, CommitmentTag):
            session.expire(loaded)


def status_on(session: Session, commitment: Commitment, on: dt.date) -> str:
    row = fetch_one(session.connection(), queries.STATUS_ON, {"commitment_id": commitment.id, "on_date": on})
    assert row is not None, "every commitment has a created event"
    return str(row["status"])


def check_reopen(ref: str, in_effect: str | None, on: dt.date, status: str, *, reopen: bool) -> None:
    """Leaving a final status (the one in effect on the change's own date) needs --reopen."""
    if in_effect is not None and is_final(in_effect) and status != in_effect and not reopen:
        raise InvalidInput(f"{ref} is {in_effect} on {on}, a final status; add --reopen to change it to {status}")


@dataclass
class UpdateRequest:
    ref: str
    status: str | None = None
    on: dt.date | None = None
    note: str | None = None
    evidence: str | None = None
    by: str | None = None
    reopen: bool = False


@dataclass
class UpdateResult:
    ref: str
    on: dt.date
    from_status: str
    to_status: str | None
    current_status: str
    event_id: int


def record_update(session: Session, request: UpdateRequest) -> UpdateResult:
    note = clean_text(request.note, "note")
    if request.status is None and not note:
        raise InvalidInput("nothing to record: give --status, --note or both")
    commitment = _commitment_by_ref(session, request.ref)
    on = request.on or today()
    if on > today():
        raise InvalidInput(f"--on {on} is after today ({today()}); record what has already happened")
    if on < commitment.starts_on:
        hint = (
            f"it was agreed {FuzzyDate.stored(commitment.agreed, commitment.agreed_precision)}"
            if commitment.agreed
            else "it has no agreed date, so its history starts the day it was recorded"
        )
        raise InvalidInput(
            f"{commitment.ref}'s history starts on {commitment.starts_on} ({hint}); an update cannot be dated "
            f"before that. Give an earlier agreed date with 'tracker edit {commitment.ref} --agreed DATE'"
        )
    in_effect = status_on(session, commitment, on)
    if request.status is not None:
        if request.status == in_effect:
            raise InvalidInput(
                f"{commitment.ref} is already {in_effect} on {on}; to add a note without a change, leave out --status"
            )
        check_reopen(commitment.ref, in_effect, on, request.status, reopen=request.reopen)
    kind = "status" if request.status is not None else "note"
    event = append_event(
        session, commitment, kind, on, to_status=request.status, note=note, evidence=request.evidence, by=request.by
    )
    assert event.id is not None
    return UpdateResult(commitment.ref, on, in_effect, request.status, commitment.status, event.id)


@dataclass
class CommitmentEdit:
    """Fields to change; None leaves a field as it is, CLEAR removes a date."""

    title: str | None = None
    description: str | None = None
    owner: str | None = None
    agreed: FuzzyDate | None = None
    due: FuzzyDate | None = None
    source: str | None = None
    add_tags: Sequence[str] = field(default_factory=list)
    remove_tags: Sequence[str] = field(default_factory=list)
    add_partners: Sequence[str] = field(default_factory=list)
    remove_partners: Sequence[str] = field(default_factory=list)


def _shown(value: FuzzyDate | None) -> str | None:
    return str(value) if value is not None else None


def edit_commitment(
    session: Session, ref: str, edit: CommitmentEdit, *, note: str | None = None, by: str | None = None
) -> dict[str, list[Any]]:
    """Change fields and record one `edit` event listing each change as [before, after]."""
    commitment = _commitment_by_ref(session, ref)
    changes = apply_edit(session, commitment, edit)
    if not changes:
        raise InvalidInput(f"nothing to change: {commitment.ref} already has these values")
    _record_edit(session, commitment, changes, note=note, by=by)
    return changes


def _record_edit(
    session: Session, commitment: Commitment, changes: dict[str, list[Any]], *, note: str | None, by: str | None
) -> None:
    summary = clean_text(note, "note") or "changed " + ", ".join(changes)
    append_event(session, commitment, "edit", today(), note=summary, by=by, changes=changes)


def apply_edit(session: Session, commitment: Commitment, edit: CommitmentEdit) -> dict[str, list[Any]]:
    """Change the fields; returns {field: [before, after]}. The caller records an event for the
    changes (append_event), which refreshes the kept state and the tag rows' copies of it."""
    changes: dict[str, list[Any]] = {}
    if edit.title is not None:
        _change(changes, commitment, "title", clean_text(edit.title, "title", required=True))
    if edit.description is not None:
        _change(changes, commitment, "description", clean_text(edit.description, "description"))
    if edit.owner is not None:
        owner = find_organisation(session, edit.owner)
        if owner.id != commitment.owner_id:
            before = session.get(Organisation, commitment.owner_id)
            changes["owner"] = [before.short_name if before else None, owner.short_name]
            commitment.owner_id = owner.id  # type: ignore[assignment]
    agreed = FuzzyDate.stored(commitment.agreed, commitment.agreed_precision)
    due = FuzzyDate.stored(commitment.due, commitment.due_precision)
    new_agreed = agreed if edit.agreed is None else (None if edit.agreed is CLEAR else edit.agreed)
    new_due = due if edit.due is None else (None if edit.due is CLEAR else edit.due)
    if new_agreed != agreed or new_due != due:
        check_dates(new_agreed, new_due)
    if new_agreed != agreed:
        _move_history_start(session, commitment, new_agreed)
        changes["agreed"] = [_shown(agreed), _shown(new_agreed)]
        commitment.agreed = new_agreed.last if new_agreed else None
        commitment.agreed_precision = new_agreed.precision if new_agreed else None
    if new_due != due:
        changes["due"] = [_shown(due), _shown(new_due)]
        commitment.due = new_due.last if new_due else None
        commitment.due_precision = new_due.precision if new_due else None
    if edit.source is not None:
        before_source = session.get(Source, commitment.source_id) if commitment.source_id else None
        source = resolve_source(session, edit.source)
        if source.id != commitment.source_id:
            changes["source"] = [before_source.key if before_source else None, source.key]
            commitment.source_id = source.id
    if edit.add_tags or edit.remove_tags:
        tags_before = commitment_tags(session, commitment)
        removed = {clean_tag(t) for t in edit.remove_tags}
        missing = sorted(removed - set(tags_before))
        if missing:
            raise InvalidInput(f"{commitment.ref} has no tag {missing[0]!r}")
        tags_after = sorted(set(tags_before) - removed | {clean_tag(t) for t in edit.add_tags})
        if tags_after != tags_before:
            _set_tags(session, commitment, tags_after)
            changes["tags"] = [tags_before, tags_after]
    if edit.add_partners or edit.remove_partners:
        partners_before = commitment_partners(session, commitment)
        removed_partners = {find_organisation(session, p).short_name for p in edit.remove_partners}
        missing = sorted(removed_partners - set(partners_before))
        if missing:
            raise InvalidInput(f"{commitment.ref} has no partner {missing[0]!r}")
        added = [find_organisation(session, p) for p in edit.add_partners]
        partners_after = sorted(set(partners_before) - removed_partners | {p.short_name for p in added})
        if partners_after != partners_before:
            organisations = [find_organisation(session, p) for p in partners_after]
            _set_partners(session, commitment, organisations)
            changes["partners"] = [partners_before, partners_after]
    return changes


def _change(changes: dict[str, list[Any]], commitment: Commitment, name: str, value: Any) -> None:
    before = getattr(commitment, name)
    if before != value:
        changes[name] = [before, value]
        setattr(commitment, name, value)


def _move_history_start(session: Session, commitment: Commitment, agreed: FuzzyDate | None) -> None:
    """The history starts on the agreed date's first day (else the day it was recorded). The edit
    event that records the agreed change is what moves it: the created event stays as recorded."""
    starts_on = agreed.first if agreed else commitment.created_at.date()
    first = fetch_one(session.connection(), queries.FIRST_UPDATE_ON, {"commitment_id": commitment.id})
    first_on = first["first_on"] if first else None
    if first_on is not None and str(starts_on) > str(first_on)[:10]:
        raise InvalidInput(
            f"{commitment.ref} has updates from {str(first_on)[:10]}; its history cannot start later, on {starts_on}"
        )
    commitment.starts_on = starts_on


# --- loading commitments from files ------------------------------------------------------


def apply_loaded_fields(
    session: Session, ref: str, wanted: dict[str, Any], *, origin: str, reopen: bool, by: str | None = None
) -> bool:
    """Apply the fields a loaded file changed, as `tracker edit` and `tracker update` record them,
    dated today; says whether anything was recorded. `wanted` holds only those fields, as a file
    gives them (texts, organisations, lists of tags and partners, FuzzyDates or None for no date,
    a status). A status already in effect records nothing; another is an update, so leaving a
    final status needs `reopen` (the load's --reopen)."""
    commitment = _commitment_by_ref(session, ref)
    edit = CommitmentEdit(
        title=wanted.get("title"),
        description=wanted.get("description"),
        owner=wanted.get("owner"),
        source=wanted.get("source"),
    )
    for name in ("agreed", "due"):
        if name in wanted:
            setattr(edit, name, wanted[name] or CLEAR)
    if "tags" in wanted:
        current_tags = commitment_tags(session, commitment)
        wanted_tags = sorted({clean_tag(t) for t in wanted["tags"]})
        edit.add_tags = [t for t in wanted_tags if t not in current_tags]
        edit.remove_tags = [t for t in current_tags if t not in wanted_tags]
    if "partners" in wanted:
        current_partners = commitment_partners(session, commitment)
        wanted_partners = sorted({find_organisation(session, p).short_name for p in wanted["partners"]})
        edit.add_partners = [p for p in wanted_partners if p not in current_partners]
        edit.remove_partners = [p for p in current_partners if p not in wanted_partners]
    changes = apply_edit(session, commitment, edit)
    if changes:
        _record_edit(session, commitment, changes, note=f"changed in {origin}", by=by)
    status = wanted.get("status")
    if status is None or status == status_on(session, commitment, today()):
        return bool(changes)
    record_update(session, UpdateRequest(commitment.ref, status, note=f"set in {origin}", by=by, reopen=reopen))
    return True

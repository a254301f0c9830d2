"""Edits: changing a commitment's fields, recorded as one `edit` event listing each change as
[before, after]; and the fields a loaded file changed, recorded as `edit` and `update` do."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.dates import FuzzyDate, parse_date, today
from tracker.errors import InvalidInput
from tracker.reads import find_organisation
from tracker.service.commitments import (
    UpdateRequest,
    append_event,
    check_dates,
    commitment_by_ref,
    record_update,
    status_on,
)
from tracker.service.sources import CLEAR, SourceRule, resolve_source
from tracker.store import timeline as events
from tracker.store import writes
from tracker.store.database import Database
from tracker.store.writes import StoredCommitment
from tracker.text import clean_tag, clean_text
from tracker.timeline import history_start


@dataclass
class CommitmentEdit:
    """Fields to change; None leaves a field as it is, CLEAR removes a date."""

    title: str | None = None
    description: str | None = None
    owner: str | None = None
    agreed: FuzzyDate | None = None
    due: FuzzyDate | None = None
    due_within: str | None = None  # `within 6 months`: counted from the agreed date, new or kept
    source: str | None = None
    source_rule: SourceRule = "existing"  # what a source that `source` names none of becomes
    source_url: str | None = None  # where a source the load creates is (a CSV export's source_url)
    add_tags: Sequence[str] = field(default_factory=list)
    remove_tags: Sequence[str] = field(default_factory=list)
    add_partners: Sequence[str] = field(default_factory=list)
    remove_partners: Sequence[str] = field(default_factory=list)


def commitment_tags(database: Database, commitment: StoredCommitment) -> list[str]:
    return [row["name"] for row in database.rows(writes.TAGS_OF, {"commitment_id": commitment.id})]


def commitment_partners(database: Database, commitment: StoredCommitment) -> list[str]:
    return [row["name"] for row in database.rows(writes.PARTNERS_OF, {"commitment_id": commitment.id})]


def _set_tags(database: Database, commitment: StoredCommitment, tags: Sequence[str]) -> None:
    """Replace the tags; append_event then copies the commitment's state to them."""
    database.execute(writes.DELETE_TAGS, {"commitment_id": commitment.id})
    database.insert_many("commitment_tag", [{"commitment_id": commitment.id, "tag": t} for t in dict.fromkeys(tags)])


def _set_partners(database: Database, commitment: StoredCommitment, organisation_ids: Sequence[int]) -> None:
    database.execute(writes.DELETE_PARTNERS, {"commitment_id": commitment.id})
    rows = [{"commitment_id": commitment.id, "organisation_id": i} for i in dict.fromkeys(organisation_ids)]
    database.insert_many("commitment_partner", rows)


def _shown(value: FuzzyDate | None) -> str | None:
    return str(value) if value is not None else None


def edit_commitment(
    database: Database, ref: str, edit: CommitmentEdit, *, note: str | None = None, by: str | None = None
) -> dict[str, list[Any]]:
    """Change fields and record one `edit` event listing each change as [before, after]."""
    commitment = commitment_by_ref(database, ref)
    changes = apply_edit(database, commitment, edit)
    if not changes:
        raise InvalidInput(f"nothing to change: {commitment.ref} already has these values")
    _record_edit(database, commitment, changes, note=note, by=by)
    return changes


def _record_edit(
    database: Database,
    commitment: StoredCommitment,
    changes: dict[str, list[Any]],
    *,
    note: str | None,
    by: str | None,
) -> None:
    summary = clean_text(note, "note") or "changed " + ", ".join(changes)
    append_event(database, commitment, "edit", today(), note=summary, by=by, changes=changes)


def _name(database: Database, query: Any, row_id: int | None) -> str | None:
    row = database.row(query, {"id": row_id}) if row_id is not None else None
    return row["name"] if row else None


def owner_name(database: Database, commitment: StoredCommitment) -> str | None:
    return _name(database, writes.ORGANISATION_NAME, commitment.owner_id)


def source_key(database: Database, commitment: StoredCommitment) -> str | None:
    return _name(database, writes.SOURCE_KEY, commitment.source_id)


def apply_edit(database: Database, commitment: StoredCommitment, edit: CommitmentEdit) -> dict[str, list[Any]]:
    """Change the fields; returns {field: [before, after]}. The caller records an event for the
    changes (append_event), which saves the commitment, and refreshes the kept state and the tag
    rows' copies of it."""
    changes: dict[str, list[Any]] = {}
    if edit.title is not None:
        _change(changes, commitment, "title", clean_text(edit.title, "title", required=True))
    if edit.description is not None:
        _change(changes, commitment, "description", clean_text(edit.description, "description"))
    if edit.owner is not None:
        owner = find_organisation(database, edit.owner)
        if owner["id"] != commitment.owner_id:
            changes["owner"] = [owner_name(database, commitment), owner["short_name"]]
            commitment.owner_id = owner["id"]
    _edit_dates(database, commitment, edit, changes)
    if edit.source is not None:
        before_source = source_key(database, commitment)
        source = resolve_source(database, edit.source, edit.source_url, rule=edit.source_rule)
        if source["id"] != commitment.source_id:
            changes["source"] = [before_source, source["key"]]
            commitment.source_id = source["id"]
    if edit.add_tags or edit.remove_tags:
        tags_before = commitment_tags(database, commitment)
        removed = {clean_tag(t) for t in edit.remove_tags}
        missing = sorted(removed - set(tags_before))
        if missing:
            raise InvalidInput(f"{commitment.ref} has no tag {missing[0]!r}")
        tags_after = sorted(set(tags_before) - removed | {clean_tag(t) for t in edit.add_tags})
        if tags_after != tags_before:
            _set_tags(database, commitment, tags_after)
            changes["tags"] = [tags_before, tags_after]
    if edit.add_partners or edit.remove_partners:
        partners_before = commitment_partners(database, commitment)
        removed_partners = {find_organisation(database, p)["short_name"] for p in edit.remove_partners}
        missing = sorted(removed_partners - set(partners_before))
        if missing:
            raise InvalidInput(f"{commitment.ref} has no partner {missing[0]!r}")
        added = [find_organisation(database, p) for p in edit.add_partners]
        partners_after = sorted(set(partners_before) - removed_partners | {p["short_name"] for p in added})
        if partners_after != partners_before:
            organisations = [find_organisation(database, p)["id"] for p in partners_after]
            _set_partners(database, commitment, organisations)
            changes["partners"] = [partners_before, partners_after]
    return changes


def _edit_dates(
    database: Database, commitment: StoredCommitment, edit: CommitmentEdit, changes: dict[str, list[Any]]
) -> None:
    agreed = FuzzyDate.stored(commitment.agreed, commitment.agreed_precision)
    due = FuzzyDate.stored(commitment.due, commitment.due_precision)
    new_agreed = agreed if edit.agreed is None else (None if edit.agreed is CLEAR else edit.agreed)
    new_due = due if edit.due is None else (None if edit.due is CLEAR else edit.due)
    if edit.due_within is not None:
        new_due = parse_date(edit.due_within, field="--due", agreed=new_agreed)
    if new_agreed != agreed or new_due != due:
        check_dates(new_agreed, new_due)
    if new_agreed != agreed:
        _move_history_start(database, commitment, new_agreed)
        changes["agreed"] = [_shown(agreed), _shown(new_agreed)]
        commitment.agreed = new_agreed.last if new_agreed else None
        commitment.agreed_precision = new_agreed.precision if new_agreed else None
    if new_due != due:
        changes["due"] = [_shown(due), _shown(new_due)]
        commitment.due = new_due.last if new_due else None
        commitment.due_precision = new_due.precision if new_due else None


def _change(changes: dict[str, list[Any]], commitment: StoredCommitment, name: str, value: Any) -> None:
    before = getattr(commitment, name)
    if before != value:
        changes[name] = [before, value]
        setattr(commitment, name, value)


def _move_history_start(database: Database, commitment: StoredCommitment, agreed: FuzzyDate | None) -> None:
    """The history starts on the agreed date's first day (else the day it was recorded). The edit
    event that records the agreed change is what moves it: the created event stays as recorded."""
    starts_on = history_start(agreed, commitment.created_at.date())
    first = database.row(events.FIRST_UPDATE_ON, {"commitment_id": commitment.id})
    first_on = first["first_on"] if first else None
    if first_on is not None and str(starts_on) > str(first_on)[:10]:
        raise InvalidInput(
            f"{commitment.ref} has updates from {str(first_on)[:10]}; its history cannot start later, on {starts_on}"
        )
    commitment.starts_on = starts_on


def apply_loaded_fields(
    database: Database,
    ref: str,
    wanted: dict[str, Any],
    *,
    origin: str,
    reopen: bool,
    by: str | None = None,
    status_label: str | None = None,
    source_url: str | None = None,
) -> bool:
    """Apply the fields a loaded file changed, as `tracker edit` and `tracker update` record them,
    dated today; says whether anything was recorded. `wanted` holds only those fields, as a file
    gives them (texts, organisations, lists of tags and partners, FuzzyDates or None for no date,
    a status). A status already in effect records nothing; another is an update, so leaving a
    final status needs `reopen` (the load's --reopen)."""
    commitment = commitment_by_ref(database, ref)
    edit = CommitmentEdit(
        title=wanted.get("title"),
        description=wanted.get("description"),
        owner=wanted.get("owner"),
        source=wanted.get("source"),
        source_rule="create",  # a loaded file's unknown source is created, and named in the summary
        source_url=source_url,
    )
    for name in ("agreed", "due"):
        if name in wanted:
            setattr(edit, name, wanted[name] or CLEAR)
    if "tags" in wanted:
        current_tags = commitment_tags(database, commitment)
        wanted_tags = sorted({clean_tag(t) for t in wanted["tags"]})
        edit.add_tags = [t for t in wanted_tags if t not in current_tags]
        edit.remove_tags = [t for t in current_tags if t not in wanted_tags]
    if "partners" in wanted:
        current_partners = commitment_partners(database, commitment)
        wanted_partners = sorted({find_organisation(database, p)["short_name"] for p in wanted["partners"]})
        edit.add_partners = [p for p in wanted_partners if p not in current_partners]
        edit.remove_partners = [p for p in current_partners if p not in wanted_partners]
    changes = apply_edit(database, commitment, edit)
    if changes:
        _record_edit(database, commitment, changes, note=f"changed in {origin}", by=by)
    status = wanted.get("status")
    if status is None or status == status_on(database, commitment, today()):
        return bool(changes)
    note = f"set in {origin}" + (f" (given as {status_label!r})" if status_label else "")
    record_update(database, UpdateRequest(commitment.ref, status, note=note, by=by, reopen=reopen))
    return True

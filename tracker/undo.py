"""Undo by appending correcting events, never by deleting: the mistake stays in the history.

Each correction is an `undo` event linked to the event it reverses (`undoes`); its note says
what the correction does, and is shown after "undo of event N: ", N being the linked event's id
in the database at hand (reads.shown_note):

- an undone status event gets an `undo` event with a status, dated on the undone event's day
  and so placed after it, restating the status the timeline has without the undone event
  (and without any event undone before). When an earlier correction restated a status that
  rested on the event now undone, a restatement is added on that later day too, so the status
  on every day, and the current one, is what it would be had the undone events never happened;
- an undone edit gets an `undo` event whose changes are the edit's, reversed, with the fields
  put back (refused when a field has changed since);
- an undone note gets an `undo` event on the same day saying it is retracted.

`--reason` is required, as every correction carries one, and kept in each correction's note after
"; reason: ", where the corrections log of reports and exports reads it. The command checks it
before it opens the database, so an undo without one changes nothing, not even an old file's schema.

`undo` without an event reverses every event of the caller's last command that recorded any (a
load of many rows is one command), all in the one transaction of the undo command; the caller is
who records the corrections (--by, else TRACKER_USER, else the login name). Someone else's
change is undone by naming its event.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from tracker import timeline
from tracker.dates import FuzzyDate, parse_date, today
from tracker.errors import InvalidInput, NotFound
from tracker.reads import REASON_MARK
from tracker.service.commitments import append_event, commitment_by_id, recorder
from tracker.service.edits import (
    CommitmentEdit,
    apply_edit,
    commitment_partners,
    commitment_tags,
    owner_name,
    source_key,
)
from tracker.service.sources import CLEAR
from tracker.store import timeline as queries
from tracker.store.database import Database, stored_date
from tracker.store.timeline import EventRow, TimelineRow
from tracker.store.writes import StoredCommitment
from tracker.text import reason_text
from tracker.timeline import TimelineEvent


@dataclass
class Undone:
    event_id: int
    ref: str
    kind: str
    effect: str
    corrections: list[int]
    recorded_by: str | None = None  # who recorded the undone event, when it was not the caller

    def line(self) -> str:
        made = ", ".join(str(i) for i in self.corrections)
        whose = f", recorded by {self.recorded_by}" if self.recorded_by else ""
        return f"undid event {self.event_id} ({self.kind} on {self.ref}{whose}): {self.effect} [event {made}]"


@dataclass
class Undoing:
    """What one `tracker undo` did, and a word on a later command of someone else's it left alone."""

    undone: list[Undone]
    left_alone: str | None = None

    def lines(self) -> list[str]:
        return [result.line() for result in self.undone] + ([self.left_alone] if self.left_alone else [])


def _caller(by: str | None) -> str:
    caller = recorder(by)
    if caller is None:
        raise InvalidInput("undo reverses your own last command, but who you are is not known: give --by NAME")
    return caller


def _whose(name: str | None) -> str:
    return f"{name}'s" if name else "an unnamed recorder's"


NEEDS_REASON = (
    "undo needs --reason: every correction carries one, for the corrections log "
    '(e.g. --reason "typed the wrong status")'
)


def correction_reason(reason: str | None) -> str:
    """An undo's --reason, checked: required, and not blank."""
    if reason is None:
        raise InvalidInput(NEEDS_REASON)
    return reason_text(reason, NEEDS_REASON)


def _noted(note: str, reason: str) -> str:
    """A correction's note, with the reason given for it (the corrections log reads it back)."""
    return f"{note}{REASON_MARK}{reason}"


def undo_last(database: Database, reason: str, by: str | None = None) -> Undoing:
    """Reverse every event of the caller's last command that recorded events."""
    reason = correction_reason(reason)
    caller = _caller(by)
    latest = database.row(queries.LAST_EVENT)
    if latest is None:
        raise InvalidInput("nothing to undo: no change has been recorded yet")
    last = database.row(queries.LAST_EVENT_BY, {"by": caller})
    if last is None:
        raise InvalidInput(
            f"nothing of {caller}'s to undo: {caller} has recorded no change. The last change, event {latest['id']}, "
            f"is {_whose(latest['recorded_by'])}; to undo someone else's change, name its event: "
            f"'tracker undo --event {latest['id']} --reason \"…\"'"
        )
    if last["batch"] is None:
        raise InvalidInput(
            f"{caller}'s last change (event {last['id']}) was recorded before commands were grouped; "
            f"undo it with 'tracker undo --event {last['id']} --reason \"…\"'"
        )
    events = [_event(database, row["id"]) for row in database.rows(queries.EVENT_IDS_OF_BATCH, last)]
    undos = [event for event in events if event["kind"] == "undo"]
    if undos:
        reversed_ids = ", ".join(
            str(i) for i in sorted({event["undoes"] for event in undos if event["undoes"] is not None})
        )
        raise InvalidInput(
            f"{caller}'s last command was itself an undo (of event {reversed_ids}); an undo is not undone. "
            "To reverse an earlier change, name its event: 'tracker undo --event ID --reason \"…\"'"
        )
    left_alone = None
    if latest["id"] > last["id"]:  # recorded since by someone else: the caller's last event is `last`
        left_alone = (
            f"not undone: the latest command, {_whose(latest['recorded_by'])} (event {latest['id']}); "
            f"to undo someone else's change, name its event: 'tracker undo --event {latest['id']} --reason \"…\"'"
        )
    return Undoing(_undo(database, events, caller, reason), left_alone)


def undo_event(database: Database, event_id: int, reason: str, by: str | None = None) -> Undoing:
    """Reverse one event, the caller's or anyone's."""
    reason = correction_reason(reason)
    return Undoing(_undo(database, [_event(database, event_id)], _caller(by), reason))


def _event(database: Database, event_id: int) -> EventRow:
    row = database.row(queries.EVENT_BY_ID, {"event_id": event_id})
    if row is None:
        raise NotFound(f"no event {event_id}; 'tracker history REF' shows the event ids")
    row["on_date"] = _day(row)
    return row


def _day(event: EventRow | TimelineRow) -> dt.date:
    """The day an event took effect, as a date."""
    day = stored_date(event["on_date"])
    assert day is not None, "every event has a day"
    return day


def _check_undoable(database: Database, event: EventRow) -> None:
    if event["kind"] == "created":
        raise InvalidInput(
            f"event {event['id']} created {event['ref']}; a commitment is not removed from the record. "
            f"Record what became of it instead: 'tracker update {event['ref']} --status abandoned --note …'"
        )
    if event["kind"] == "undo":
        raise InvalidInput(
            f"event {event['id']} is itself an undo (of event {event['undoes']}); an undo is not undone. "
            "Record the change again instead"
        )
    undone_by = database.row(queries.UNDONE_BY, {"event_id": event["id"]})
    if undone_by is not None:
        raise InvalidInput(f"event {event['id']} was already undone by event {undone_by['id']}")


def _undo(database: Database, events: list[EventRow], caller: str, reason: str) -> list[Undone]:
    """Undo the events, each correction recorded by the caller."""
    for event in events:
        _check_undoable(database, event)
    results: list[Undone] = []
    statuses: dict[int, list[EventRow]] = {}
    for event in sorted(events, key=lambda e: -int(e["id"])):  # latest first, so edits unwind in order
        commitment = commitment_by_id(database, event["commitment_id"])
        if event["to_status"] is not None:
            statuses.setdefault(event["commitment_id"], []).append(event)
        elif event["kind"] == "edit":
            results.append(_undo_edit(database, commitment, event, caller, reason))
        else:
            retracted = f"{event['kind']} retracted"  # a note, a review or a withdrawal
            correction = append_event(
                database,
                commitment,
                "undo",
                _day(event),
                note=_noted(retracted, reason),
                undoes=event["id"],
                by=caller,
            )
            effect = retracted
            if event["kind"] == "withdrawal":
                effect += f"; {commitment.ref} is back in lists and reports"
            results.append(Undone(event["id"], commitment.ref, event["kind"], effect, [correction]))
    for commitment_id, undone in statuses.items():
        commitment = commitment_by_id(database, commitment_id)
        results.extend(_undo_statuses(database, commitment, undone, caller, reason))
    recorded_by = {int(event["id"]): event["recorded_by"] for event in events}
    for result in results:  # say whose the event was, when not the caller's
        if recorded_by[result.event_id] != caller:
            result.recorded_by = recorded_by[result.event_id] or "an unnamed recorder"
    return sorted(results, key=lambda result: result.event_id)


# --- statuses --------------------------------------------------------------------------------


def _undo_statuses(
    database: Database, commitment: StoredCommitment, undone: list[EventRow], caller: str, reason: str
) -> list[Undone]:
    recorded = queries.stored_timeline(database, commitment.id)
    # What the timeline will say: these events undone too (timeline rule 3) …
    clean = [*recorded, *(TimelineEvent("undo", _day(e), None, ("undoing", e["id"]), e["id"]) for e in undone)]
    # … and the chain `history` shows (rule 5), which the restatements planned here join.
    chain = list(recorded)
    planned: list[tuple[dt.date, str, int, str]] = []  # day, status, undoes, note

    def plan(day: dt.date, undoes: int, note: str) -> None:
        status = timeline.status_at(clean, day)
        assert status is not None, "the created event is never undone"
        planned.append((day, status, undoes, note))
        chain.append(TimelineEvent("undo", day, status, ("planned", len(planned))))

    for event in sorted(undone, key=lambda e: (_day(e), e["id"])):
        plan(_day(event), event["id"], f"{event['to_status']} withdrawn")
    first_day = min(_day(event) for event in undone)
    for day in sorted({event.on for event in chain if event.on > first_day}):
        if timeline.status_as_recorded(chain, day) != timeline.status_at(clean, day):
            latest = max((e for e in undone if _day(e) <= day), key=lambda e: (_day(e), e["id"]))
            plan(day, latest["id"], "restates the status in effect without it")
    corrections: dict[int, list[int]] = {}
    for day, status, undoes, note in planned:
        correction = append_event(
            database, commitment, "undo", day, to_status=status, note=_noted(note, reason), undoes=undoes, by=caller
        )
        corrections.setdefault(undoes, []).append(correction)
    return [
        Undone(
            event["id"],
            commitment.ref,
            event["kind"],
            f"{event['to_status']} on {event['on_date']} withdrawn; {commitment.ref} is {commitment.status} now",
            corrections[event["id"]],
        )
        for event in undone
    ]


# --- edits -----------------------------------------------------------------------------------


def _current_values(database: Database, commitment: StoredCommitment) -> dict[str, Any]:
    agreed = FuzzyDate.stored(commitment.agreed, commitment.agreed_precision)
    due = FuzzyDate.stored(commitment.due, commitment.due_precision)
    return {
        "title": commitment.title,
        "description": commitment.description,
        "owner": owner_name(database, commitment),
        "agreed": str(agreed) if agreed else None,
        "due": str(due) if due else None,
        "source": source_key(database, commitment),
        "tags": commitment_tags(database, commitment),
        "partners": commitment_partners(database, commitment),
    }


def _undo_edit(database: Database, commitment: StoredCommitment, event: EventRow, caller: str, reason: str) -> Undone:
    changes: dict[str, list[Any]] = json.loads(event["changes"] or "{}")
    current = _current_values(database, commitment)
    for name, (_, after) in changes.items():
        if current.get(name) != after:
            raise InvalidInput(
                f"cannot undo event {event['id']}: {commitment.ref}'s {name} has changed since "
                f"(it is now {current.get(name)!r}); change it with 'tracker edit' instead"
            )
    before = {name: pair[0] for name, pair in changes.items()}
    edit = CommitmentEdit(
        title=before.get("title"),
        description=before.get("description"),
        owner=before.get("owner"),
        agreed=_date_or_clear(before["agreed"]) if "agreed" in before else None,
        due=_date_or_clear(before["due"]) if "due" in before else None,
        source=before.get("source"),
        source_rule="restore",  # the source the history names, brought back if merged since
        add_tags=sorted(set(before.get("tags") or []) - set(current["tags"])),
        remove_tags=sorted(set(current["tags"]) - set(before.get("tags") or [])) if "tags" in before else [],
        add_partners=sorted(set(before.get("partners") or []) - set(current["partners"])),
        remove_partners=(
            sorted(set(current["partners"]) - set(before.get("partners") or [])) if "partners" in before else []
        ),
    )
    restored = apply_edit(database, commitment, edit)
    if "source" in before and before["source"] is None and commitment.source_id is not None:
        restored["source"] = [current["source"], None]
        commitment.source_id = None
    correction = append_event(
        database,
        commitment,
        "undo",
        today(),
        note=_noted(f"restored {', '.join(restored) or 'nothing'}", reason),
        changes=restored,
        undoes=event["id"],
        by=caller,
    )
    return Undone(event["id"], commitment.ref, "edit", f"restored {', '.join(restored) or 'nothing'}", [correction])


def _date_or_clear(text: str | None) -> FuzzyDate:
    return CLEAR if text is None else parse_date(text, field="date")

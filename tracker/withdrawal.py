"""Withdrawing a commitment recorded in error (`tracker withdraw`): a correction, as an undo is.

A withdrawal is a `withdrawal` event on the commitment, dated the day it is recorded, whose note
is the reason (or "duplicate of REF2", and the reason after it). It carries no status
(tracker/timeline.py, rule 4): the commitment keeps its history and its status, and keeps the
day of the withdrawal as `withdrawn_on`, which every list, count and report reads to leave it
out unless asked (--withdrawn). `tracker undo` retracts the withdrawal like a note, and the
commitment is back.
"""

import datetime as dt
from typing import NamedTuple

from tracker.dates import today
from tracker.errors import InvalidInput, NotFound
from tracker.service.commitments import append_event, check_update_day, commitment_by_ref
from tracker.store import timeline as queries
from tracker.store.database import Database
from tracker.store.writes import SET_UPDATED_AT
from tracker.text import reason_text


class Withdrawn(NamedTuple):
    ref: str
    on: str
    note: str
    event_id: int

    def line(self) -> str:
        return (
            f"{self.ref}: withdrawn on {self.on} ({self.note}) [event {self.event_id}]; "
            "lists and reports leave it out, 'tracker undo --reason \"…\"' brings it back"
        )


def withdraw(
    database: Database,
    ref: str,
    *,
    reason: str | None,
    duplicate_of: str | None = None,
    by: str | None = None,
    on: dt.date | None = None,
    on_option: str = "--on",
) -> Withdrawn:
    """Withdraw `ref`, today, or on the day `on` (a loaded file's withdrawn_on, checked as an
    update's day is, and named `on_option` when refused)."""
    missing = f"say why {ref.strip()} is withdrawn: give --reason TEXT, or --duplicate-of REF"
    if reason is not None:
        reason = reason_text(reason, missing)
    elif duplicate_of is None:
        raise InvalidInput(missing)
    commitment = commitment_by_ref(database, ref)
    if commitment.withdrawn_on is not None:
        row = database.row(queries.COUNTED_WITHDRAWAL, {"commitment_id": commitment.id})
        assert row is not None, "withdrawn_on is kept from a withdrawal that counts"
        raise InvalidInput(
            f"{commitment.ref} was already withdrawn on {commitment.withdrawn_on} (event {row['id']}); "
            f"'tracker undo --event {row['id']} --reason \"…\"' brings it back"
        )
    note = reason or ""
    if duplicate_of is not None:
        try:
            original = commitment_by_ref(database, duplicate_of)
        except NotFound:
            raise NotFound(
                f"--duplicate-of: no commitment with ref {duplicate_of.strip()!r}; 'tracker list' shows the refs"
            ) from None
        if original.id == commitment.id:
            raise InvalidInput(f"{commitment.ref} cannot be a duplicate of itself; --duplicate-of names the one kept")
        if original.withdrawn_on is not None:
            raise InvalidInput(f"{original.ref} is withdrawn too; --duplicate-of names the commitment that stands")
        note = f"duplicate of {original.ref}" + (f": {reason}" if reason else "")
    if on is None:
        on = today()
    else:
        check_update_day(
            commitment.ref, commitment.starts_on, commitment.agreed, commitment.agreed_precision, on, on_option
        )
    event_id = append_event(database, commitment, "withdrawal", on, note=note, by=by)
    return Withdrawn(commitment.ref, on.isoformat(), note, event_id)


def withdraw_loaded(
    database: Database,
    ref: str,
    *,
    on: dt.date,
    reason: str,
    by: str | None,
    on_option: str,
    updated_at: dt.datetime | None = None,
) -> Withdrawn | None:
    """A loaded file's withdrawal of `ref` (export --format csv writes withdrawn_on and
    withdrawn_reason), recorded by `withdraw`: None, and nothing recorded, when the commitment is
    withdrawn already or its history holds a withdrawal that was undone (brought back by
    `tracker undo`, it stays back: loading the file again changes nothing). `updated_at`: a new
    commitment's record time from the file, which it keeps, the withdrawal being part of its row."""
    commitment = commitment_by_ref(database, ref)
    # withdrawn already, or brought back: either way its history holds a withdrawal
    if database.row(queries.ANY_WITHDRAWAL, {"commitment_id": commitment.id}) is not None:
        return None
    withdrawn = withdraw(database, ref, reason=reason, by=by, on=on, on_option=on_option)
    if updated_at is not None:
        database.execute(SET_UPDATED_AT, {"updated_at": updated_at, "id": commitment.id})
    return withdrawn

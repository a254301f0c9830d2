"""Withdrawing a commitment recorded in error (`tracker withdraw`): a correction, as an undo is.

A withdrawal is a `withdrawal` event on the commitment, dated the day it is recorded, whose note
is the reason (or "duplicate of REF2", and the reason after it). It carries no status
(tracker/timeline.py, rule 4): the commitment keeps its history and its status, and keeps the
day of the withdrawal as `withdrawn_on`, which every list, count and report reads to leave it
out unless asked (--withdrawn). `tracker undo` retracts the withdrawal like a note, and the
commitment is back.
"""

from typing import NamedTuple

from tracker.dates import today
from tracker.errors import InvalidInput, NotFound
from tracker.service.commitments import append_event, commitment_by_ref
from tracker.store import timeline as queries
from tracker.store.database import Database
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
    database: Database, ref: str, *, reason: str | None, duplicate_of: str | None = None, by: str | None = None
) -> Withdrawn:
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
    on = today()
    event_id = append_event(database, commitment, "withdrawal", on, note=note, by=by)
    return Withdrawn(commitment.ref, on.isoformat(), note, event_id)

"""The review queue: open commitments in the order an analyst should check them.

Overdue first (the longest overdue first), then by the nearest deadline, then those without a
deadline; within each, the longest unchecked first. A commitment is checked by any event after
its creation (a status change, a note, a review, an edit); one never checked counts from the
start of its history. A withdrawn commitment is not checked (unless asked, --withdrawn)."""

from typing import Any

from tracker.dates import today
from tracker.reads import find_organisation
from tracker.store.database import Database, stored_date
from tracker.store.reports import review_queue as queue_query


def review_queue(
    database: Database, *, owner: str | None = None, limit: int | None = None, withdrawn: bool = False
) -> list[dict[str, Any]]:
    day = today()
    # No limit: LIMIT NULL on PostgreSQL, LIMIT -1 on SQLite.
    params: dict[str, Any] = {"limit": limit if limit is not None else (None if database.is_server else -1)}
    if owner is not None:
        params["owner_id"] = find_organisation(database, owner)["id"]
    rows = []
    for row in database.rows(queue_query(of_owner=owner is not None, withdrawn=withdrawn), params):
        due, checked = stored_date(row["due"]), stored_date(row["last_checked"])
        assert checked is not None
        unchecked = (day - checked).days
        if due is not None and due < day:
            why = f"overdue by {(day - due).days} days"
        elif due is not None:
            why = f"due in {(due - day).days} days"
        else:
            why = f"not checked for {unchecked} days"
        rows.append(
            {
                **row,
                "due": due.isoformat() if due else None,
                "last_checked": checked.isoformat(),
                "days_unchecked": unchecked,
                "why": why,
            }
        )
    return rows

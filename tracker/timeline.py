"""The timeline rule: which status holds at the end of a day, and which events count.

A commitment's history is its events in timeline order: the `created` event first (its status
takes effect on the commitment's `starts_on`, the start of the history, which edits of the
agreed date move), then the other events by the day each took effect (`on_date`), ties in
recording order (`id`). The events that count are all but the `undo` events and the events
they undo, so that an undone change reads as if it had never happened (`history` still shows
both). The status at the end of day D is the `to_status` of the last event that counts and
carries a status, among the created event and the events dated on or before D.

This module is that rule's one home: SQL fragments below for the queries of tracker.store, and
the same rule for events in hand. It reads no database.
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

# SQL
# ===
# Fragments over an event aliased `e` (and, for the kept state, its commitment aliased `c`).

TIMELINE_ORDER = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END, e.on_date, e.id"
TIMELINE_ORDER_DESC = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END DESC, e.on_date DESC, e.id DESC"


def counted(alias: str) -> str:
    """The SQL condition that the event `alias` counts. The anti-join is one probe of
    ix_event_undoes per event looked at."""
    undo = f"{alias}_undo"
    return f"{alias}.kind <> 'undo' AND NOT EXISTS (SELECT 1 FROM event {undo} WHERE {undo}.undoes = {alias}.id)"


Event = TypeVar("Event", bound=Mapping[str, Any])


def events_that_count(events: Sequence[Event], identity: str, link: str) -> list[Event]:
    """`counted` for events in hand (an export being loaded): `identity` names the field that
    identifies an event, `link` the field in which an undo event names the event it undoes."""
    undone = {event[link] for event in events if event[link] is not None}
    return [event for event in events if event["kind"] != "undo" and event[identity] not in undone]


# The status in effect at the end of :on_date for the commitment :commitment_id (the created
# event is always in effect).
STATUS_ON_DAY = f"""
    SELECT e.to_status AS status FROM event e
    WHERE e.commitment_id = :commitment_id AND e.to_status IS NOT NULL AND {counted("e")}
      AND (e.kind = 'created' OR e.on_date <= :on_date)
    ORDER BY {TIMELINE_ORDER_DESC}
    LIMIT 1
"""

# The state a commitment `c` keeps (its status at the latest date, the day that status took
# effect, the latest day any event took effect), as scalar subqueries. A created event takes
# effect on starts_on.
LATEST_STATUS = f"""(SELECT e.to_status FROM event e
      WHERE e.commitment_id = c.id AND e.to_status IS NOT NULL AND {counted("e")}
      ORDER BY {TIMELINE_ORDER_DESC} LIMIT 1)"""
LATEST_STATUS_ON = f"""COALESCE((SELECT e.on_date FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND e.to_status IS NOT NULL AND {counted("e")}
      ORDER BY e.on_date DESC, e.id DESC LIMIT 1), c.starts_on)"""
LATEST_EVENT_ON = f"""COALESCE((SELECT MAX(e.on_date) FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND {counted("e")}), c.starts_on)"""

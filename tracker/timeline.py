"""The timeline rule, in one place: which status holds at the end of a day.

A commitment's history is a list of events. The rule:

1. **Which events count:** all but `undo` events and the events they undo, so that an undone
   change reads as if it had never happened (`history` still shows both).
2. **Timeline order:** the `created` event first (its status takes effect on the commitment's
   `starts_on`, whatever day it was recorded on), then by the day each event took effect, ties in
   recording order.
3. **The status at the end of day D** is the status of the last event that counts, carries a
   status, and is the created event or took effect on or before D.
4. **The kept state** of a commitment (stored on it for fast reads) is the status at the latest
   day, the day that status took effect (the latest status event's day, or `starts_on` for the
   created event alone) and the day of its latest event (or `starts_on`).

The rule is written twice, once for the database and once for events in hand, and nowhere else:
the SQL fragments below, which every query that needs the rule is built from, and the Python
functions under them, used where events are in hand (undo's planning, a file being loaded).
`tests/test_timeline.py` builds random histories and checks that the two always agree, on SQLite
and on PostgreSQL.
"""

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

# --- Python ------------------------------------------------------------------------------------


class TimelineEvent(NamedTuple):
    """What the rule needs to know of one event.

    `identity` is whatever names the event where it is held (a database id, an export's key);
    `undoes` is the identity of the event an `undo` event undoes. Sequences of events are given
    in recording order, which breaks ties between events of the same day.
    """

    kind: str
    on: dt.date
    to_status: str | None
    identity: Hashable
    undoes: Hashable | None = None


class KeptState(NamedTuple):
    status: str | None
    status_on: dt.date
    last_event_on: dt.date


def that_count(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Rule 1: the events that count, in the order given."""
    events = list(events)
    undone = {event.undoes for event in events if event.undoes is not None}
    return [event for event in events if event.kind != "undo" and event.identity not in undone]


def in_timeline_order(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Rule 2: created first, then by day; a stable sort keeps recording order for ties."""
    return sorted(events, key=lambda event: (event.kind != "created", event.on))


def status_at(events: Iterable[TimelineEvent], day: dt.date | None = None) -> str | None:
    """Rule 3: the status in effect at the end of `day` (the latest day when None)."""
    status = None
    for event in in_timeline_order(that_count(events)):
        if event.to_status is not None and (day is None or event.kind == "created" or event.on <= day):
            status = event.to_status
    return status


def statuses_before(events: Sequence[TimelineEvent]) -> dict[Hashable, str | None]:
    """The status in effect just before each event that counts takes effect, by identity."""
    before: dict[Hashable, str | None] = {}
    in_effect = None
    for event in in_timeline_order(that_count(events)):
        before[event.identity] = in_effect
        in_effect = event.to_status or in_effect
    return before


def kept_state(events: Iterable[TimelineEvent], starts_on: dt.date) -> KeptState:
    """Rule 4: what a commitment keeps of its history."""
    counting = in_timeline_order(that_count(events))
    updates = [event for event in counting if event.kind != "created"]
    status_days = [event.on for event in updates if event.to_status is not None]
    return KeptState(
        status_at(counting),
        status_days[-1] if status_days else starts_on,
        max(event.on for event in updates) if updates else starts_on,
    )

"""The timeline rule, in one place: which status holds at the end of a day.

A commitment's history is a list of events. The rule:

1. **Which events count:** all but `undo` events and the events they undo, so that an undone
   change reads as if it had never happened (`history` still shows both).
2. **Timeline order:** the `created` event first (its status takes effect on the commitment's
   `starts_on`, whatever day it was recorded on), then by the day each event took effect, ties in
   recording order.
3. **The status at the end of day D** is the status of the last event that counts, carries a
   status, and is the created event or took effect on or before D. The verdict at the end of D
   (tracker.verdicts) is read the same way from the verdict events: `not_rated` when none.
4. **The kept state** of a commitment (stored on it for fast reads) is the status at the latest
   day, the day that status took effect (the latest status event's day, or `starts_on` for the
   created event alone), the day of its latest event (or `starts_on`) and, when a `withdrawal`
   event counts, its day (`withdrawn_on`; a withdrawal carries no status, and undoing it
   brings the commitment back).
5. **As recorded:** `history` shows each event with the status before it on the timeline of
   every event that carries a status, undone or not, so that it reads as a chain; `tracker undo`
   appends `undo` events restating the status wherever that chain would otherwise disagree with
   rule 3.

The rule is written twice, once for the database and once for events in hand, and nowhere else:
- the SQL fragments below, from which tracker/store builds every query that needs it (the status
  on a day, the kept state and `db check`, `report --as-of` and the period report's changes,
  `history`'s order);
- the Python functions under them, for events in hand: `tracker undo` plans its restatements
  with them, and a loaded export's state and reopenings are read with them.
`tests/test_timeline.py` builds random histories (back-dated, same-day, undone, reopened) and
checks that the two always agree, on SQLite and on PostgreSQL; `tests/test_current_state.py`
checks every command's kept state against rule 4.
"""

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tracker.dates import FuzzyDate

# --- SQL ---------------------------------------------------------------------------------------
# Fragments over an event aliased `e` (and, for the kept state, its commitment aliased `c`).

TIMELINE_ORDER = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END, e.on_date, e.id"
TIMELINE_ORDER_DESC = "CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END DESC, e.on_date DESC, e.id DESC"


def counted(alias: str) -> str:
    """The SQL condition that the event `alias` counts. The anti-join is one probe of
    ix_event_undoes per event looked at."""
    undo = f"{alias}_undo"
    return f"{alias}.kind <> 'undo' AND NOT EXISTS (SELECT 1 FROM event {undo} WHERE {undo}.undoes = {alias}.id)"


# The status in effect at the end of :on_date for the commitment :commitment_id (the created
# event is always in effect).
STATUS_ON_DAY = f"""
    SELECT e.to_status AS status FROM event e
    WHERE e.commitment_id = :commitment_id AND e.to_status IS NOT NULL AND {counted("e")}
      AND (e.kind = 'created' OR e.on_date <= :on_date)
    ORDER BY {TIMELINE_ORDER_DESC}
    LIMIT 1
"""


def verdict_event_at(commitment: str, day: str) -> str:
    """The id of the verdict event in effect at the end of `day` for `commitment` (both SQL
    expressions): the latest verdict event that counts, dated on or before the day; NULL for
    not_rated (tracker.verdicts). One backward seek down ix_event_timeline."""
    return f"""(SELECT e.id FROM event e
        WHERE e.commitment_id = {commitment} AND e.kind = 'verdict' AND e.on_date <= {day} AND {counted("e")}
        ORDER BY e.on_date DESC, e.id DESC LIMIT 1)"""


# The verdict in effect at the end of :on_date for :commitment_id; no row: not_rated.
VERDICT_ON_DAY = f"""
    SELECT v.verdict, v.verdict_reason, v.on_date, v.evidence FROM event v
    WHERE v.id = {verdict_event_at(":commitment_id", ":on_date")}
"""


def status_event_at(commitment: str, day: str) -> str:
    """The id of the event whose status is in effect at the end of `day` for `commitment` (both
    SQL expressions): the latest status event that counts on or before the day, else the created
    event. One backward seek down ix_event_timeline (commitment_id, on_date, id)."""
    return f"""COALESCE(
        (SELECT e.id FROM event e
          WHERE e.commitment_id = {commitment} AND e.kind <> 'created' AND e.to_status IS NOT NULL
            AND e.on_date <= {day} AND {counted("e")}
          ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
        (SELECT e.id FROM event e WHERE e.commitment_id = {commitment} AND e.kind = 'created'))"""


def latest_event_day_by(commitment: str, day: str) -> str:
    """The day of the latest event that counts on or before `day` (not the created one), read
    backwards down ix_event_timeline: it stops at the first row, where MAX() reads every event."""
    return f"""(SELECT e.on_date FROM event e
        WHERE e.commitment_id = {commitment} AND e.kind <> 'created' AND e.on_date <= {day} AND {counted("e")}
        ORDER BY e.on_date DESC, e.id DESC LIMIT 1)"""


def status_before(event: str) -> str:
    """The status in effect just before the event aliased `event` takes effect: the latest status
    event that counts before it in timeline order, else the created event's."""
    return f"""COALESCE(
        (SELECT p.to_status FROM event p
          WHERE p.commitment_id = {event}.commitment_id AND p.kind <> 'created' AND p.to_status IS NOT NULL
            AND (p.on_date < {event}.on_date OR (p.on_date = {event}.on_date AND p.id < {event}.id))
            AND {counted("p")}
          ORDER BY p.on_date DESC, p.id DESC LIMIT 1),
        (SELECT p.to_status FROM event p WHERE p.commitment_id = {event}.commitment_id AND p.kind = 'created'))"""


# The state a commitment `c` keeps (its status at the latest date, the day that status took
# effect, the latest day any event took effect), as scalar subqueries. A created event takes
# effect on starts_on.
LATEST_STATUS = f"""(SELECT e.to_status FROM event e
      WHERE e.commitment_id = c.id AND e.to_status IS NOT NULL AND {counted("e")}
      ORDER BY {TIMELINE_ORDER_DESC} LIMIT 1)"""
LATEST_STATUS_ON = f"""COALESCE((SELECT e.on_date FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND e.to_status IS NOT NULL AND {counted("e")}
      ORDER BY e.on_date DESC, e.id DESC LIMIT 1), c.starts_on)"""


def latest_text(column: str) -> str:
    """The latest `note` or `evidence` on commitment `c`'s timeline, of the events that count
    after the created one (a CSV export's last note and evidence): one reverse probe of
    ix_event_timeline, stopped at the first event that has one."""
    return f"""(SELECT e.{column} FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND e.{column} IS NOT NULL AND {counted("e")}
      ORDER BY e.on_date DESC, e.id DESC LIMIT 1)"""


LATEST_EVENT_ON = f"""COALESCE((SELECT MAX(e.on_date) FROM event e
      WHERE e.commitment_id = c.id AND e.kind <> 'created' AND {counted("e")}), c.starts_on)"""
WITHDRAWN_ON = f"""(SELECT MAX(e.on_date) FROM event e
      WHERE e.commitment_id = c.id AND e.kind = 'withdrawal' AND {counted("e")})"""
# The note (the reason) of the withdrawal of commitment `c` that counts, the one WITHDRAWN_ON dates.
WITHDRAWAL_NOTE = f"""(SELECT e.note FROM event e
      WHERE e.commitment_id = c.id AND e.kind = 'withdrawal' AND {counted("e")}
      ORDER BY e.on_date DESC, e.id DESC LIMIT 1)"""


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
    withdrawn_on: dt.date | None = None


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


def status_as_recorded(events: Iterable[TimelineEvent], day: dt.date) -> str | None:
    """Rule 5: the status at the end of `day` on the timeline of every event with a status."""
    status = None
    for event in in_timeline_order(events):
        if event.to_status is not None and (event.kind == "created" or event.on <= day):
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


def history_start(agreed: "FuzzyDate | None", recorded_on: dt.date) -> dt.date:
    """Where a commitment's history starts (its `starts_on`): the first day of its agreed date,
    else the day it was recorded. (A later agreed date moves it by an edit: service.edits.)"""
    return agreed.first if agreed is not None else recorded_on


def kept_state(events: Iterable[TimelineEvent], starts_on: dt.date) -> KeptState:
    """Rule 4: what a commitment keeps of its history."""
    counting = in_timeline_order(that_count(events))
    updates = [event for event in counting if event.kind != "created"]
    status_days = [event.on for event in updates if event.to_status is not None]
    return KeptState(
        status_at(counting),
        status_days[-1] if status_days else starts_on,
        max(event.on for event in updates) if updates else starts_on,
        max((event.on for event in updates if event.kind == "withdrawal"), default=None),
    )

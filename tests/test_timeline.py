"""The timeline rule (tracker/timeline.py) is written once in SQL and once in Python: random
histories (back-dated, same-day, undone, reopened) must read the same through both, on SQLite and
on PostgreSQL, and through the reports users read."""

import datetime as dt
import itertools
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, text

from tests.conftest import ok
from tracker import timeline
from tracker.statuses import STATUSES
from tracker.timeline import TimelineEvent

START = dt.date(2026, 1, 10)
DAYS = 12  # a short span, so that many events share a day
_refs = itertools.count()


@st.composite
def histories(draw: st.DrawFn) -> list[TimelineEvent]:
    """A created event, then status changes, notes, withdrawals and undos in recording order; ids are
    places."""
    day = st.integers(0, DAYS).map(lambda n: START + dt.timedelta(days=n))
    events = [TimelineEvent("created", draw(day), draw(st.sampled_from(STATUSES)), 0)]
    undoable: list[int] = []
    for place in range(1, draw(st.integers(0, 9)) + 1):
        kinds = ["status", "status", "status", "note", "withdrawal"]
        kind = draw(st.sampled_from([*kinds, "undo"] if undoable else kinds))
        if kind == "undo":
            target = draw(st.sampled_from(undoable))
            undoable.remove(target)
            restated = draw(st.none() | st.sampled_from(STATUSES))  # undo events may restate a status
            events.append(TimelineEvent("undo", draw(day), restated, place, target))
            continue
        status = draw(st.sampled_from(STATUSES)) if kind == "status" else None
        events.append(TimelineEvent(kind, draw(day), status, place))
        undoable.append(place)
    return events


@pytest.fixture
def connection() -> Iterator[Connection]:
    ok("init")
    location = os.environ["TRACKER_DB"]
    engine = create_engine(location if "://" in location else f"sqlite:///{location}")
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO organisation (short_name, name, aliases) VALUES ('OWN', 'Owner', '[]')"))
        connection.commit()
        yield connection
    engine.dispose()


def _store(connection: Connection, events: list[TimelineEvent]) -> tuple[str, int]:
    """Write the history as a commitment of its own (tagged with its ref), its kept state as the
    database works it out; the ref and its id."""
    from tracker.store.timeline import COPY_STATE_TO_TAGS, CURRENT_STATE

    ref = f"h{next(_refs)}"
    now = dt.datetime(2026, 1, 1)
    commitment_id = connection.execute(
        text(
            "INSERT INTO commitment (ref, title, description, owner_id, status, starts_on, created_at, updated_at)"
            " VALUES (:ref, :ref, '', (SELECT id FROM organisation), 'not_started', :start, :now, :now)"
            " RETURNING id"
        ),
        {"ref": ref, "start": START, "now": now},
    ).scalar_one()
    ids: dict[Any, int] = {}
    for event in events:
        ids[event.identity] = connection.execute(
            text(
                "INSERT INTO event (commitment_id, kind, to_status, on_date, recorded_at, undoes, key)"
                " VALUES (:commitment, :kind, :status, :on, :now, :undoes, :key) RETURNING id"
            ),
            {
                "commitment": commitment_id,
                "kind": event.kind,
                "status": event.to_status,
                "on": event.on,
                "now": now,
                "undoes": ids[event.undoes] if event.undoes is not None else None,
                "key": f"{ref}-{event.identity}",
            },
        ).scalar_one()
    state = connection.execute(text(CURRENT_STATE.sql), {"commitment_id": commitment_id}).mappings().one()
    connection.execute(
        text(
            "UPDATE commitment SET status = :status, status_on = :status_on, last_event_on = :last_event_on,"
            " withdrawn_on = :withdrawn_on WHERE id = :id"
        ),
        {**state, "id": commitment_id},
    )
    connection.execute(
        text("INSERT INTO commitment_tag (commitment_id, tag) VALUES (:id, :ref)"), {"id": commitment_id, "ref": ref}
    )
    connection.execute(text(COPY_STATE_TO_TAGS), {"commitment_id": commitment_id})
    connection.commit()
    return ref, commitment_id


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _report(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok("report", "--format", "json", *args))
    return document


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=histories(), days=st.lists(st.integers(-1, DAYS + 1), min_size=1, max_size=3))
def test_python_and_sql_read_every_history_alike(
    connection: Connection, events: list[TimelineEvent], days: list[int]
) -> None:
    from tracker.store.timeline import STATUS_ON

    ref, commitment_id = _store(connection, events)

    kept = connection.execute(
        text("SELECT status, status_on, last_event_on, withdrawn_on FROM commitment WHERE id = :id"),
        {"id": commitment_id},
    ).one()
    withdrawn_on = _day(kept[3]) if kept[3] is not None else None
    assert (kept[0], _day(kept[1]), _day(kept[2]), withdrawn_on) == timeline.kept_state(events, START)

    for offset in days:
        day = START + dt.timedelta(days=offset)
        in_sql = connection.execute(text(STATUS_ON.sql), {"commitment_id": commitment_id, "on_date": day}).scalar()
        assert in_sql == timeline.status_at(events, day), day
        # The report's count, from the kept state or from a rebuilt history, says the same.
        by_status = _report("--tag", ref, "--as-of", day.isoformat())["by_status"]
        expected = {status: 0 for status in STATUSES}
        if day >= START and withdrawn_on is None:  # a withdrawn one is in no report, whatever the day
            expected[str(timeline.status_at(events, day))] = 1
        assert by_status == expected, day

    # A period report lists each status change that counts, from the status just before it.
    since, as_of = START - dt.timedelta(days=1), START + dt.timedelta(days=DAYS)
    changes = _report("--tag", ref, "--since", since.isoformat(), "--as-of", as_of.isoformat())["changes"]
    before = timeline.statuses_before(events)
    expected_changes = [
        (before[event.identity], event.to_status, event.on)
        for event in sorted(timeline.that_count(events), key=lambda event: event.on)
        if event.kind == "status" and withdrawn_on is None
    ]
    assert [(c["from_status"], c["to_status"], _day(c["on"])) for c in changes] == expected_changes

"""A load's dated events, recorded on the commitments' timelines by `tracker update`'s rules.

They come from history files (tracker.interchange.history_file) and from commitments files'
dated statuses (a `status_on` column, or `--status-on`). Each is placed by its day, after what
was recorded on the same day, and checked as `update --on DAY` checks: no day after today or
before the history starts, and leaving a final status in effect on that day needs `--reopen`.

- **Loading the same events twice adds nothing:** an event already recorded on its day, with the
  same status, note and evidence, is skipped.
- **A status already in effect on its day** is not a change: it is recorded as a review (the
  status was checked and still held), as `update` records it.
- **A commitments file's status and its history, in one load:** a new commitment whose history
  the load gives starts `not_started`, and the history brings it to its status; the file's
  status must be where that history ends (else a problem), unless `status_on` dates it. For a
  commitment already here, a changed status the history does not end at is today's update.

A commitment's events are written together, a chunk of commitments at a time, and its kept state
derived once from the timeline in hand (tracker.timeline.kept_state, as a loaded export's is).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.errors import TrackerError
from tracker.interchange.history_file import HistoryRow
from tracker.interchange.problems import LoadSummary, Problems, raise_for_files
from tracker.store import timeline as queries
from tracker.store.database import Database, stored_date
from tracker.store.interchange import COMMITMENT_IDS
from tracker.timeline import TimelineEvent, kept_state, status_at

_CHUNK = 500  # commitments read and written at a time


@dataclass(frozen=True)
class ExpectedStatus:
    """A commitments file's status for a commitment whose history the load gives, undated."""

    status: str
    origin: str
    line: int
    note: str  # for today's update, when the commitment is already here
    today_otherwise: bool


@dataclass
class LoadHistory:
    """Everything a load asks to record on timelines, gathered from its files, then recorded."""

    rows: list[HistoryRow] = field(default_factory=list)
    dated_refs: set[str] = field(default_factory=set)  # refs a history file gives a status for
    expected: dict[str, ExpectedStatus] = field(default_factory=dict)
    problems: dict[str, Problems] = field(default_factory=dict)  # by file
    undated_statuses: int = 0  # new commitments' statuses dated at their agreed date
    files: list[str] = field(default_factory=list)  # the load's tables, in the order given

    def problems_in_order(self) -> list[Problems]:
        """Each file's problems, in the order the files were given."""
        place = {name: index for index, name in enumerate(self.files)}
        return sorted(self.problems.values(), key=lambda problems: place.get(problems.origin, len(place)))

    def add_history(self, rows: Iterable[HistoryRow]) -> None:
        for row in rows:
            self.rows.append(row)
            if row.status is not None:
                self.dated_refs.add(row.ref)

    def problems_of(self, origin: str) -> Problems:
        return self.problems.setdefault(origin, Problems(origin))


def record_history(database: Database, plan: LoadHistory, summary: LoadSummary, *, reopen: bool) -> None:
    """Record every planned event (after the load's commitments are written); raises with every
    problem, by file and line, and then nothing of the load stays."""
    from tracker.service.commitments import default_recorder, now_utc

    if plan.undated_statuses:
        count = plan.undated_statuses
        summary.notes.append(
            f"{count} status{'es' if count != 1 else ''} dated at {'their' if count != 1 else 'its'} agreed date; "
            "give status_on to date them"
        )
    if not plan.rows and not plan.expected:
        return
    stamp, by = now_utc(), default_recorder()
    by_ref: dict[str, list[tuple[int, HistoryRow]]] = {}
    for order, row in enumerate(plan.rows):
        by_ref.setdefault(row.ref, []).append((order, row))
    known = {r["ref"]: r["id"] for r in database.rows(COMMITMENT_IDS)}
    for ref, rows in by_ref.items():
        if ref not in known:
            for _, row in rows:
                plan.problems_of(row.origin).add(
                    f"line {row.line}, ref", f"no commitment {ref!r} here or in the files of this load"
                )
    ids = [known[ref] for ref in by_ref if ref in known]
    recorder = _Recorder(database, plan, summary, stamp=stamp, by=by, reopen=reopen)
    for start in range(0, len(ids), _CHUNK):
        recorder.record_chunk(ids[start : start + _CHUNK], by_ref)
    for problems in plan.problems.values():
        problems.sort_by_line()
    raise_for_files(plan.problems_in_order())


class _Recorder:
    def __init__(
        self, database: Database, plan: LoadHistory, summary: LoadSummary, *, stamp: dt.datetime, by: str | None,
        reopen: bool,
    ) -> None:  # fmt: skip
        self.database = database
        self.plan = plan
        self.summary = summary
        self.stamp = stamp
        self.by = by
        self.reopen = reopen
        self.failed: set[str] = set()  # refs with a history row in problems: no more said of them

    def record_chunk(self, ids: Sequence[int], by_ref: dict[str, list[tuple[int, HistoryRow]]]) -> None:
        from tracker.keys import keyed

        timelines: dict[int, list[TimelineEvent]] = {i: [] for i in ids}
        said: dict[int, set[tuple[dt.date, str | None, str | None, str | None]]] = {i: set() for i in ids}
        for stored in self.database.iterate(queries.timelines_of(ids)):
            day = stored_date(stored["on_date"])
            assert day is not None
            commitment_id, kind = stored["commitment_id"], stored["kind"]
            timelines[commitment_id].append(
                TimelineEvent(kind, day, stored["to_status"], stored["id"], stored["undoes"])
            )
            if kind not in ("created", "undo"):
                said[commitment_id].add((day, stored["to_status"], stored["note"], stored["evidence"]))
        new_events: list[dict[str, object]] = []
        kept: list[dict[str, object]] = []
        moved: list[dict[str, object]] = []  # of those, the ones whose last event's day alone changes
        retagged: list[dict[str, object]] = []  # tags copy the status and the day it took effect
        for start in self.database.rows(queries.history_starts_of(ids)):
            commitment_id, ref = start["id"], start["ref"]
            before = len(new_events)
            rows = [row for _, row in sorted(by_ref[ref], key=lambda pair: (pair[1].on, pair[0]))]
            for row in rows:
                event = self._planned(start, row, timelines[commitment_id], said[commitment_id])
                if event is not None:
                    new_events.append({**event, "key": None, "commitment_id": commitment_id})  # keyed below
            expected = self.plan.expected.get(ref)
            if expected is not None:
                event = self._expected(ref, expected, timelines[commitment_id])
                if event is not None:
                    new_events.append({**event, "key": None, "commitment_id": commitment_id})  # keyed below
            if len(new_events) > before:
                starts_on = stored_date(start["starts_on"])
                assert starts_on is not None
                state = kept_state(timelines[commitment_id], starts_on)
                status_moved = (state.status, state.status_on) != (start["status"], stored_date(start["status_on"]))
                if status_moved or state.withdrawn_on != stored_date(start["withdrawn_on"]):
                    kept.append({"id": commitment_id, **state._asdict(), "updated_at": self.stamp})
                else:
                    moved.append({"id": commitment_id, "last_event_on": state.last_event_on, "updated_at": self.stamp})
                if status_moved:
                    retagged.append({"id": commitment_id, **state._asdict(), "due": start["due"]})
        if any(self.plan.problems.values()):
            return  # nothing more is written; the load is rolled back
        self.database.insert_many("event", keyed(new_events))
        self.database.execute_many(queries.SET_KEPT_STATE, kept)
        self.database.execute_many(queries.SET_LAST_EVENT, moved)
        self.database.execute_many(queries.SET_TAG_COPIES, retagged)

    def _planned(
        self,
        start: queries.HistoryStartRow,
        row: HistoryRow,
        timeline: list[TimelineEvent],
        said: set[tuple[dt.date, str | None, str | None, str | None]],
    ) -> dict[str, object] | None:
        from tracker.service.commitments import check_reopen, check_update_day

        problems = self.plan.problems_of(row.origin)
        starts_on = stored_date(start["starts_on"])
        assert starts_on is not None
        try:
            check_update_day(
                row.ref, starts_on, stored_date(start["agreed"]), start["agreed_precision"], row.on, option="on"
            )
        except TrackerError as error:
            problems.add(f"line {row.line}, {row.day_column}", str(error))
            self.failed.add(row.ref)
            return None
        in_effect = status_at(timeline, row.on)
        restated = row.status is None or row.status == in_effect
        if (row.on, row.status, row.note, row.evidence) in said or (
            restated and (row.on, None, row.note, row.evidence) in said
        ):
            self.summary.count("events", "unchanged")
            return None
        if restated and (row.restates_silently or (row.status is None and not row.note)):
            self.summary.count("events", "unchanged")
            return None
        if not restated:
            try:
                check_reopen(row.ref, in_effect, row.on, str(row.status), reopen=self.reopen)
            except TrackerError as error:
                problems.add(f"line {row.line}, {row.status_column}", str(error))
                self.failed.add(row.ref)
                return None
        to_status = None if restated else row.status
        # A status already in effect was checked and still held: a review, as `update` records it.
        kind = "status" if to_status else "review" if row.status else "note"
        said.add((row.on, to_status, row.note, row.evidence))
        timeline.append(TimelineEvent(kind, row.on, to_status, object()))
        self.summary.count("events", "recorded")
        return self._event(kind, row.on, to_status, row.note, row.evidence, row.by)

    def _expected(self, ref: str, expected: ExpectedStatus, timeline: list[TimelineEvent]) -> dict[str, object] | None:
        """A commitments file's undated status, once the history is in place."""
        from tracker.dates import today
        from tracker.service.commitments import check_reopen

        ends_at = status_at(timeline)
        if ends_at == expected.status or ref in self.failed:
            return None  # (where a row of its history is refused, where it ends means nothing yet)
        problems = self.plan.problems_of(expected.origin)
        if not expected.today_otherwise:
            problems.add(
                f"line {expected.line}, status",
                f"{expected.status}, but the history in this load leaves {ref} {ends_at}; give the day it became "
                f"{expected.status} in status_on, or end its history there",
            )
            return None
        try:
            check_reopen(ref, ends_at, today(), expected.status, reopen=self.reopen)
        except TrackerError as error:
            problems.add(f"line {expected.line}, status", str(error))
            return None
        timeline.append(TimelineEvent("status", today(), expected.status, object()))
        return self._event("status", today(), expected.status, expected.note, None, None)

    def _event(
        self, kind: str, on: dt.date, to_status: str | None, note: str | None, evidence: str | None, by: str | None
    ) -> dict[str, object]:
        return {
            "kind": kind,
            "to_status": to_status,
            "on_date": on,
            "recorded_at": self.stamp,
            "recorded_by": by or self.by,
            "note": note,
            "evidence": evidence,
            "changes": None,
            "batch": self.database.batch,
            "undoes": None,
        }

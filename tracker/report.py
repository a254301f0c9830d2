"""Progress reports: the state of every commitment at the end of a day, rebuilt from its history.

`build_report` runs the counting in SQL (tracker.store.reports) and returns a plain
`Report`; tracker.report_render turns it into text, Markdown, HTML, JSON or CSV. Statuses are
rebuilt from the timeline; titles, owners, tags and deadlines are today's values.
"""

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Sequence
from typing import Any, NamedTuple

from tracker import reads
from tracker.errors import InvalidInput
from tracker.evidence import lone_address
from tracker.statuses import FINAL_STATUSES, STATUSES
from tracker.store import reports as queries
from tracker.store.database import Database, Query
from tracker.store.reports import (
    ChangeRow,
    CorrectionRow,
    GroupRow,
    ItemRow,
    PeriodEventRow,
    PeriodPieceRow,
    RatedRow,
    ReportScope,
    ReportSource,
)
from tracker.verdicts import DISAGREEING, VERDICTS

DEFAULT_UPCOMING_DAYS = 30
DEFAULT_STALE_DAYS = 90
_MAX_DAYS = 36_500


# The records here are NamedTuples, not dataclasses: each dataclass costs ~0.4 ms to create when
# its module loads, and `report` loads this module on every run (see issue 7's start-up target).


class ReportRequest(NamedTuple):
    as_of: dt.date
    since: dt.date | None = None
    owner: str | None = None
    tag: str | None = None
    statuses: Sequence[str] = ()
    upcoming_days: int = DEFAULT_UPCOMING_DAYS
    stale_days: int = DEFAULT_STALE_DAYS
    with_rows: bool = False  # one row per commitment, for CSV
    list_limit: int | None = None  # at most this many rows in each list (and of commitments' evidence); None: all
    withdrawn: bool = False  # count and list the withdrawn commitments too
    every_piece: bool = False  # each period event with every piece it cites (PeriodEvent.pieces), for CSV


class Group(NamedTuple):
    """Counts for one owner or one tag."""

    name: str
    total: int
    by_status: dict[str, int]
    overdue: int
    completed_with_due: int
    on_time: int

    @property
    def on_time_share(self) -> float | None:
        """Of the completed commitments that have a deadline, the share completed on or before it."""
        return share(self.on_time, self.completed_with_due) if self.completed_with_due else None


class Item(NamedTuple):
    """One commitment as the report sees it at the as-of date."""

    ref: str
    title: str
    owner: str
    status: str
    due: str | None
    due_precision: str | None
    status_on: str
    last_event: str
    days_overdue: int | None  # past due and not final: days since the deadline's last day
    days_left: int | None  # not final and due on or after the as-of date
    days_since: int  # since the latest event of any kind


class Change(NamedTuple):
    ref: str
    title: str
    owner: str
    from_status: str
    to_status: str
    on: str
    note: str | None
    by: str | None


class PeriodEvent(NamedTuple):
    """One event of the period: a status change, a review, a note or an edit."""

    ref: str
    title: str
    owner: str
    kind: str
    on: str
    what: str  # in a few words: `in_progress → completed`, `still stalled`, `due: Q3 2026 → Q4 2026`
    note: str | None
    evidence: str | None
    by: str | None
    from_status: str
    to_status: str | None
    changes: dict[str, list[Any]] | None
    event: int  # its id, as `history` shows it
    verdict: str | None
    verdict_reason: str | None
    # With ReportRequest.every_piece: every piece it cites, in order, each {url, citation, title,
    # publisher, stance} (as the JSON's `cited` gives them).
    pieces: tuple[dict[str, Any], ...] = ()


class Correction(NamedTuple):
    """One entry of the corrections log: a withdrawal, or an undo of a change."""

    on: str
    ref: str
    kind: str  # withdrawal or undo
    corrected: str  # what was corrected, in words
    reason: str | None
    by: str | None
    event: int  # the withdrawal's or the undo's id, as `history` shows it

    def fields(self) -> dict[str, Any]:
        """As JSON reports and exports give it: without the event's id, which is each database's own."""
        return {"on": self.on, "ref": self.ref, "kind": self.kind, "corrected": self.corrected,
                "reason": self.reason, "by": self.by}  # fmt: skip


class Rated(NamedTuple):
    """A commitment's verdict at the as-of day, beside its status."""

    ref: str
    title: str
    owner: str
    status: str
    verdict: str
    reason: str | None
    since: str
    evidence: str | None


class Backing(NamedTuple):
    """What one commitment's status and verdict rest on at the as-of day, and when it was last
    checked. Pieces are as a report gives them (tracker.evidence.reported_piece), in timeline order."""

    ref: str
    status: str
    status_on: str
    status_evidence: list[dict[str, Any]]
    verdict: str
    verdict_on: str | None
    verdict_reason: str | None
    verdict_evidence: list[dict[str, Any]]
    last_checked: str  # the day of the latest event that counts (the stale list's last event)


class Report(NamedTuple):
    as_of: str
    since: str | None
    filters: dict[str, Any]
    upcoming_days: int
    stale_days: int
    total: int
    by_status: dict[str, int]
    by_owner: list[Group]
    by_tag: list[Group]
    overdue: list[Item]
    upcoming: list[Item]
    stale: list[Item]
    changes: list[Change] | None  # None when no --since was given
    events: list[PeriodEvent] | None  # every event of the period (None when no --since was given)
    transitions: dict[str, dict[str, int]] | None  # from status -> to status -> count
    rows: list[Item] | None  # every commitment in scope, for CSV; else None
    # Every commitment in scope (the first list_limit by ref), with what its status and verdict rest on.
    commitments: list[Backing]
    # How many each list holds in full, when list_limit cut it short: overdue, upcoming, stale,
    # changes, events, commitments.
    totals: dict[str, int]
    # The verdict axis at the as-of day (tracker.verdicts): counts, where status and verdict
    # disagree, and verdicts recorded without evidence.
    by_verdict: dict[str, int]
    disagreements: list[Rated]
    unsupported: list[Rated]
    # Every withdrawal and undo dated up to as_of (after since, when given): the corrections log.
    corrections: list[Correction]

    def total_of(self, name: str) -> int:
        return self.totals.get(name, self._shown(name))

    def not_shown(self, name: str) -> int:
        """How many of a list list_limit left out (the renderers say "… and N more")."""
        return self.total_of(name) - self._shown(name)

    def _shown(self, name: str) -> int:
        shown: list[Any] = getattr(self, name) or []
        return len(shown)

    @property
    def final(self) -> int:
        return sum(self.by_status[s] for s in STATUSES if s in FINAL_STATUSES)

    @property
    def final_share(self) -> float:
        return share(self.final, self.total)

    def status_share(self, status: str) -> float:
        return share(self.by_status[status], self.total)


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def build_report(database: Database, request: ReportRequest) -> Report:
    _check(request)
    as_of = request.as_of
    scope = ReportScope(
        as_of=as_of,
        statuses=tuple(request.statuses),
        owner_id=reads.find_organisation(database, request.owner)["id"] if request.owner else None,
        tag=request.tag,
        withdrawn=request.withdrawn,
    )
    latest = database.rows(queries.LATEST_EVENT_DAY)[0]["latest"]
    kept = latest is None or str(latest)[:10] <= as_of.isoformat()
    source = queries.report_source(scope, kept=kept)
    corrections = corrections_log(database, as_of, request.since, owner_id=scope.owner_id, tag=scope.tag)
    if source.prepare is None:
        return _sections(database, request, source)._replace(corrections=corrections)
    database.execute(*source.prepare)
    try:
        return _sections(database, request, source)._replace(corrections=corrections)
    finally:
        database.execute(queries.DROP_REPORT_SCOPE)


def _sections(database: Database, request: ReportRequest, source: ReportSource) -> Report:
    as_of, limit = request.as_of, request.list_limit
    by_status = dict.fromkeys(STATUSES, 0)
    for row in database.rows(*queries.report_by_status(source)):
        by_status[row["status"]] = row["count"]
    list_params = {
        "as_of": as_of,
        "until": as_of + dt.timedelta(days=request.upcoming_days),
        "touched_before": as_of - dt.timedelta(days=request.stale_days),
    }
    lists = {
        name: _items(database.rows(*queries.report_list(source, name, list_params, limit)), as_of)
        for name in ("overdue", "upcoming", "stale")
    }
    totals = {}
    changes = transitions = events = None
    if request.since is not None:
        transitions = {from_status: dict.fromkeys(STATUSES, 0) for from_status in STATUSES}
        for transition in database.rows(*queries.report_transitions(source, as_of, request.since)):
            transitions[transition["from_status"]][transition["to_status"]] = transition["count"]
        changes = [_change(row) for row in database.rows(*queries.report_changes(source, as_of, request.since, limit))]
        totals["changes"] = sum(sum(row.values()) for row in transitions.values())
        events = [_event(row) for row in database.rows(*queries.report_events(source, as_of, request.since, limit))]
        if request.every_piece:
            events = _with_pieces(database, events, queries.report_event_pieces(source, as_of, request.since))
        if limit is not None and len(events) == limit:
            totals["events"] = database.rows(*queries.report_events_count(source, as_of, request.since))[0]["count"]
    if limit is not None:
        for name, items in lists.items():
            if len(items) == limit:
                count_query = queries.report_list_count(source, name, list_params)
                totals[name] = database.rows(*count_query)[0]["count"]
    rated = [_rated(row) for row in database.rows(*queries.report_verdicts(source, as_of))]
    rows = None
    if request.with_rows:
        rows = _items(database.rows(*queries.report_rows(source)), as_of)
        states = [(item.ref, item.status, item.status_on, item.last_event) for item in rows]
    else:
        states = [
            (row["ref"], row["status"], _day(row["status_on"])[0], _day(row["last_event"])[0])
            for row in database.rows(*queries.report_states(source, limit))
        ]
    commitments = _backing(database, source, request, states, rated)
    by_verdict = dict.fromkeys(VERDICTS, 0)
    for item in rated:
        by_verdict[item.verdict] += 1
    by_verdict["not_rated"] += sum(by_status.values()) - len(rated)
    if limit is not None:
        totals["commitments"] = sum(by_status.values())
    return Report(
        as_of=as_of.isoformat(),
        since=request.since.isoformat() if request.since else None,
        filters={"owner": request.owner, "tag": request.tag, "statuses": list(request.statuses)},
        upcoming_days=request.upcoming_days,
        stale_days=request.stale_days,
        total=sum(by_status.values()),
        by_status=by_status,
        by_owner=_groups(database.rows(*queries.report_by_owner(source, as_of))),
        by_tag=_groups(database.rows(*queries.report_by_tag(source, as_of))),
        overdue=lists["overdue"],
        upcoming=lists["upcoming"],
        stale=lists["stale"],
        changes=changes,
        events=events,
        transitions=transitions,
        rows=rows,
        commitments=commitments,
        totals=totals,
        corrections=[],
        by_verdict=by_verdict,
        disagreements=[item for item in rated if (item.status, item.verdict) in DISAGREEING],
        unsupported=[item for item in rated if item.verdict != "not_rated" and item.evidence is None],
    )


def _backing(
    database: Database,
    source: ReportSource,
    request: ReportRequest,
    states: list[tuple[str, str, str, str]],
    rated: list[Rated],
) -> list[Backing]:
    """The commitments of `states` (ref, status, status_on, last_event; by ref) with what their
    statuses and verdicts rest on: the pieces of the rules `tracker evidence` reads
    (tracker.store.evidence), read in one query for the statuses and one for the verdicts."""
    from tracker.evidence import reported_piece

    of_status: dict[str, list[dict[str, Any]]] = {}
    of_verdict: dict[str, list[dict[str, Any]]] = {}
    for pieces, of_verdicts in ((of_status, False), (of_verdict, True)):
        query = queries.report_pieces(source, request.as_of, request.list_limit, of_verdicts=of_verdicts)
        for ref, piece in map(reported_piece, database.rows(*query)):
            pieces.setdefault(ref, []).append(piece)
    verdicts = {item.ref: item for item in rated}
    none: list[dict[str, Any]] = []
    backing = []
    for ref, status, status_on, last_event in states:
        verdict = verdicts.get(ref)
        if verdict is None:
            backing.append(
                Backing(ref, status, status_on, of_status.get(ref, none), "not_rated", None, None, none, last_event)
            )
        else:
            backing.append(
                Backing(ref, status, status_on, of_status.get(ref, none), verdict.verdict, verdict.since,
                        verdict.reason, of_verdict.get(ref, none), last_event)
            )  # fmt: skip
    return backing


def _rated(row: RatedRow) -> Rated:
    return Rated(
        ref=row["ref"],
        title=row["title"],
        owner=row["owner"],
        status=row["status"],
        verdict=row["verdict"],
        reason=row["verdict_reason"],
        since=_day(row["verdict_on"])[0],
        evidence=row["evidence"],
    )


def _check(request: ReportRequest) -> None:
    if request.since is not None and request.since >= request.as_of:
        raise InvalidInput(f"--since {request.since} is not before --as-of {request.as_of}; nothing can fall between")
    for option, days in (("--upcoming-days", request.upcoming_days), ("--stale-days", request.stale_days)):
        if not 0 <= days <= _MAX_DAYS:
            raise InvalidInput(f"{option} must be a number of days from 0 to {_MAX_DAYS}, not {days}")


def _groups(rows: list[GroupRow]) -> list[Group]:
    """Fold rows of (name, status, count, past_due, with_due, by_due), ordered by name, into Groups."""
    groups = []
    for name, rows_of_name in itertools.groupby(rows, key=operator.itemgetter("name")):
        by_status = dict.fromkeys(STATUSES, 0)
        overdue = completed_with_due = on_time = 0
        for row in rows_of_name:
            status = row["status"]
            by_status[status] += row["count"]
            if status not in FINAL_STATUSES:
                overdue += row["past_due"] or 0
            if status == "completed":
                completed_with_due += row["with_due"] or 0
                on_time += row["by_due"] or 0
        groups.append(Group(name, sum(by_status.values()), by_status, overdue, completed_with_due, on_time))
    return groups


@functools.lru_cache(maxsize=8192)
def _day(value: Any) -> tuple[str, int]:
    """A stored day as ISO text and as a day number, for arithmetic without building dates.

    Reports at scale repeat the same few thousand days tens of thousands of times.
    """
    iso = str(reads.iso_date(value))
    return iso, dt.date.fromisoformat(iso).toordinal()


def _items(rows: list[ItemRow], as_of: dt.date) -> list[Item]:
    today = as_of.toordinal()
    return [_item(row, today) for row in rows]


def _item(row: ItemRow, today: int) -> Item:
    status, due_value = row["status"], row["due"]
    due, due_day = _day(due_value) if due_value is not None else (None, 0)
    is_open = status not in FINAL_STATUSES
    last_event, last_event_day = _day(row["last_event"])
    return Item(
        row["ref"],
        row["title"],
        row["owner"],
        status,
        due,
        row["due_precision"],
        _day(row["status_on"])[0],
        last_event,
        today - due_day if due and is_open and due_day < today else None,  # days overdue
        due_day - today if due and is_open and due_day >= today else None,  # days left
        today - last_event_day,  # days since
    )


def _event(row: PeriodEventRow) -> PeriodEvent:
    changes = reads.json_value(row["changes"]) if row["changes"] else None
    if row["kind"] == "status":
        what = f"{row['from_status']} → {row['to_status']}"
    elif row["kind"] == "review":
        what = f"still {row['from_status']}"
    elif row["kind"] == "verdict":
        what = f"verdict {row['verdict']}" + (f" ({row['verdict_reason']})" if row["verdict_reason"] else "")
    elif changes:
        what = "; ".join(_edit(field, before, after) for field, (before, after) in changes.items())
    else:
        what = ""
    return PeriodEvent(
        ref=row["ref"],
        title=row["title"],
        owner=row["owner"],
        kind=row["kind"],
        on=_day(row["on_date"])[0],
        what=what,
        note=row["note"],
        # The first piece it cites, and how many more (`tracker evidence REF` lists them all).
        evidence=row["evidence"] + (f" (+{row['pieces'] - 1} more)" if row["pieces"] > 1 else "")
        if row["evidence"]
        else None,
        by=row["recorded_by"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        changes=changes,
        event=row["id"],
        verdict=row["verdict"],
        verdict_reason=row["verdict_reason"],
    )


def _with_pieces(
    database: Database, events: list[PeriodEvent], query: tuple[Query[PeriodPieceRow], dict[str, Any]]
) -> list[PeriodEvent]:
    """The events with every piece each cites: its records, else (an event recorded without them)
    its evidence text as one piece, supporting (tracker.evidence.cited)."""
    cited: dict[int, list[dict[str, Any]]] = {}
    for row in database.rows(*query):
        cited.setdefault(row.pop("event_id"), []).append(dict(row))  # type: ignore[misc]
    return [event._replace(pieces=tuple(cited.get(event.event) or _lone(event))) for event in events]


def _lone(event: PeriodEvent) -> list[dict[str, Any]]:
    # Without records, an event's evidence is its own text alone (no "(+N more)" then).
    if not event.evidence:
        return []
    url, citation = lone_address(event.evidence)
    return [{"url": url, "citation": citation, "title": None, "publisher": None, "stance": "supports"}]


def _edit(field: str, before: Any, after: Any) -> str:
    """One field of an edit: `due: none → Q3 2026`, or for a list what it gained and lost (`tags: +academy`)."""
    if isinstance(before, list) and isinstance(after, list):
        gained = [f"+{item}" for item in after if item not in before]
        lost = [f"−{item}" for item in before if item not in after]
        return f"{field}: {' '.join(gained + lost)}"
    return f"{field}: {_edited(before)} → {_edited(after)}"


def _edited(value: Any) -> str:
    """An edit's before or after value, as the period's listing shows it."""
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _change(row: ChangeRow) -> Change:
    return Change(
        ref=row["ref"],
        title=row["title"],
        owner=row["owner"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        on=_day(row["on_date"])[0],
        note=row["note"],
        by=row["recorded_by"],
    )


def corrections_log(
    database: Database,
    as_of: dt.date,
    since: dt.date | None = None,
    *,
    owner_id: int | None = None,
    tag: str | None = None,
) -> list[Correction]:
    """Every withdrawal and undo dated up to `as_of` (after `since`), of the commitments of this
    owner or tag: a report's corrections log, and an export's (up to any day)."""
    log, params = queries.corrections_log(owner_id, tag, since=since is not None)
    return [_correction(row) for row in database.rows(log, {**params, "as_of": as_of, "since": since})]


def _correction(row: CorrectionRow) -> Correction:
    """What a withdrawal or an undo corrected, and why: a withdrawal's note is its reason; an
    undo's reason, when one was given, follows reads.REASON_MARK in its note."""
    note = row["note"] or ""
    if row["kind"] == "withdrawal":
        corrected, reason = "withdrawn from lists and reports", note or None
    else:
        undone = str(row["undone_kind"])
        if row["undone_status"] is not None:
            undone = f"status {row['undone_status']}"
        corrected = f"undid the {undone} of {_day(row['undone_on'])[0]}"
        if row["undone_kind"] == "withdrawal":
            corrected += " (back in lists and reports)"
        elif row["undone_kind"] == "edit":
            corrected += f" ({note.split(reads.REASON_MARK, 1)[0]})"  # restored title, due …
        reason = note.split(reads.REASON_MARK, 1)[1] if reads.REASON_MARK in note else None
    on = _day(row["on_date"])[0]
    return Correction(on, row["ref"], row["kind"], corrected, reason, row["recorded_by"], row["id"])

"""The machine forms of a report: JSON (the stable interface) and CSV (one row per commitment)."""

import operator
from typing import Any

from tracker.evidence import summary
from tracker.render import to_csv, to_json
from tracker.report import Backing, Change, Group, Item, PeriodEvent, Rated, Report
from tracker.statuses import STATUSES

CSV_FIELDS = (
    "ref", "title", "owner", "status", "status_on", "due", "due_precision", "overdue", "days_overdue",
    "days_left", "last_event", "days_since", "status_evidence", "verdict", "verdict_on", "verdict_evidence",
)  # fmt: skip
# `report --format csv --rows events`: one row per event of the period, as the text report lists them.
EVENT_CSV_FIELDS = (
    "on", "ref", "title", "owner", "kind", "what", "from_status", "to_status", "verdict", "verdict_reason",
    "note", "evidence", "evidence_stances", "by", "event",
)  # fmt: skip
# `--rows corrections`: the corrections log.
CORRECTION_CSV_FIELDS = ("on", "ref", "kind", "corrected", "reason", "by", "event")
CSV_ROWS = ("commitments", "events", "corrections")


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "as_of": report.as_of,
        "since": report.since,
        "filters": report.filters,
        "upcoming_days": report.upcoming_days,
        "stale_days": report.stale_days,
        "total": report.total,
        "by_status": report.by_status,
        "shares": {status: report.status_share(status) for status in STATUSES},
        "final": report.final,
        "final_share": report.final_share,
        "by_owner": [_group(group, "owner") for group in report.by_owner],
        "by_tag": [_group(group, "tag") for group in report.by_tag],
        "overdue": _items(report.overdue, "due", "due_precision", "days_overdue"),
        "upcoming": _items(report.upcoming, "due", "due_precision", "days_left"),
        "stale": _items(report.stale, "due", "due_precision", "last_event", "days_since"),
        "changes": None if report.changes is None else [_change(change) for change in report.changes],
        "events": None if report.events is None else [_event(event) for event in report.events],
        "transitions": report.transitions,
        "by_verdict": report.by_verdict,
        "disagreements": [_rated(item) for item in report.disagreements],
        "unsupported_verdicts": [_rated(item) for item in report.unsupported],
        "corrections": [correction.fields() for correction in report.corrections],
        "commitments": [_backing(backing) for backing in report.commitments],
    }


def _group(group: Group, key: str) -> dict[str, Any]:
    return {
        key: group.name,
        "total": group.total,
        "by_status": group.by_status,
        "overdue": group.overdue,
        "completed_with_due": group.completed_with_due,
        "on_time": group.on_time,
        "on_time_share": group.on_time_share,
    }


def _items(items: list[Item], *extra: str) -> list[dict[str, Any]]:
    fields = ("ref", "title", "owner", "status", *extra)
    values = operator.attrgetter(*fields)  # one C call per item: lists can hold 50,000
    return [dict(zip(fields, values(item), strict=True)) for item in items]


def _change(change: Change) -> dict[str, Any]:
    return {
        "ref": change.ref,
        "title": change.title,
        "owner": change.owner,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "on": change.on,
        "note": change.note,
        "by": change.by,
    }


def _event(event: PeriodEvent) -> dict[str, Any]:
    return {
        "on": event.on,
        "ref": event.ref,
        "title": event.title,
        "owner": event.owner,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "changes": event.changes,
        "what": event.what,
        "verdict": event.verdict,
        "verdict_reason": event.verdict_reason,
        "note": event.note,
        "evidence": event.evidence,
        "cited": list(event.pieces),
        "by": event.by,
    }


def _event_row(event: PeriodEvent) -> list[Any]:
    """Every piece it cites on a line of its own (a piece holds no line break), and beside them,
    line for line, their stances."""
    return [
        event.on, event.ref, event.title, event.owner, event.kind, event.what, event.from_status, event.to_status,
        event.verdict, event.verdict_reason, event.note, "\n".join(p["url"] or p["citation"] for p in event.pieces),
        "\n".join(p["stance"] for p in event.pieces), event.by, event.event,
    ]  # fmt: skip


def _backing(backing: Backing) -> dict[str, Any]:
    return dict(zip(Backing._fields, backing, strict=True))  # the JSON fields, in order: C calls alone


def _rated(item: Rated) -> dict[str, Any]:
    return {
        "ref": item.ref,
        "title": item.title,
        "owner": item.owner,
        "status": item.status,
        "verdict": item.verdict,
        "verdict_reason": item.reason,
        "verdict_on": item.since,
        "evidence": item.evidence,
    }


def render_json(report: Report) -> str:
    return to_json(report_dict(report))


def render_csv(report: Report, rows: str = "commitments") -> str:
    """One row per commitment (what its status and verdict rest on as the text report's section
    gives it, tracker.evidence.summary, an empty cell where nothing is cited), or with `rows`
    one per event of the period, or per entry of the corrections log."""
    if rows == "events":
        return to_csv(EVENT_CSV_FIELDS, [_event_row(event) for event in report.events or []])
    if rows == "corrections":
        return to_csv(
            CORRECTION_CSV_FIELDS,
            [[*correction.fields().values(), correction.event] for correction in report.corrections],
        )
    backing = {b.ref: b for b in report.commitments}
    commitments = [
        [item.ref, item.title, item.owner, item.status, item.status_on, item.due, item.due_precision,
         "yes" if item.days_overdue is not None else "no", item.days_overdue, item.days_left,
         item.last_event, item.days_since, *_evidence_cells(backing[item.ref])]
        for item in report.rows or []
    ]  # fmt: skip
    return to_csv(CSV_FIELDS, commitments)


def _evidence_cells(backing: Backing) -> tuple[str | None, str, str | None, str | None]:
    rated = backing.verdict_on is not None
    return (
        summary(backing.status_evidence) if backing.status_evidence else None,
        backing.verdict,
        backing.verdict_on,
        summary(backing.verdict_evidence) if rated and backing.verdict_evidence else None,
    )

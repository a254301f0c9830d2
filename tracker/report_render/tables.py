"""A report as terminal tables (tabulate) or GitHub-flavoured Markdown tables."""

from collections.abc import Callable, Sequence

from tracker.evidence import summary
from tracker.render import markdown_text, shown_date, table
from tracker.report import Backing, Group, Item, Report
from tracker.statuses import STATUSES

BAR_WIDTH = 20


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def bar(value: float) -> str:
    return "█" * round(value * BAR_WIDTH)


def render_tables(report: Report, *, markdown: bool) -> str:
    fmt = "markdown" if markdown else "table"  # render.table escapes every Markdown cell
    parts = [_title(report, markdown)]

    def section(heading: str, body: str) -> None:
        parts.append(f"## {heading}\n\n{body}" if markdown else f"{heading}\n\n{body}")

    header = ("status", "count", "share") + (() if markdown else ("",))
    rows = [
        (status, report.by_status[status], percent(report.status_share(status)))
        + (() if markdown else (bar(report.status_share(status)),))
        for status in STATUSES
    ]
    section("Statuses", table(header, rows, fmt))
    section("By owner", _groups(report.by_owner, "owner", fmt))
    section("By tag", _groups(report.by_tag, "tag", fmt))

    def listing(name: str, heading: str, body: str) -> None:
        hidden = report.not_shown(name)
        more = f"\n{_more(hidden, markdown)}\n" if hidden > 0 else ""
        section(f"{heading} ({report.total_of(name)})", body + more)

    if any(count for verdict, count in report.by_verdict.items() if verdict != "not_rated"):
        _verdict_sections(report, fmt, section)
    listing("overdue", "Overdue", _items(report.overdue, "days overdue", "days_overdue", fmt))
    listing(
        "upcoming",
        f"Upcoming deadlines, next {report.upcoming_days} days",
        _items(report.upcoming, "days left", "days_left", fmt),
    )
    listing("stale", f"Stale: open, no event for more than {report.stale_days} days", _stale(report.stale, fmt))
    if report.events is not None and report.transitions is not None:
        events = report.events
        rows = [(e.on, e.ref, e.title, e.kind, e.what, e.by or "", e.note or "", e.evidence or "") for e in events]
        header = ("on", "ref", "title", "kind", "what", "by", "note", "evidence")
        body = table(header, rows, fmt, wrap={2: 30, 4: 32, 6: 32, 7: 30})
        listing("events", f"Events after {report.since}", body if events else "none\n")
        matrix = [(source, *(report.transitions[source][target] for target in STATUSES)) for source in STATUSES]
        section("Transitions (rows: from, columns: to)", table(("from \\ to", *STATUSES), matrix, fmt))
    listing("commitments", "Evidence behind each status and verdict", _backing(report.commitments, fmt))
    if report.corrections:
        rows = [(c.on, c.ref, c.corrected, c.reason or "", c.by or "") for c in report.corrections]
        body = table(("on", "ref", "correction", "reason", "by"), rows, fmt, wrap={2: 40, 3: 40})
        section(f"Corrections ({len(report.corrections)})", body)
    return "\n".join(parts)


def _more(count: int, markdown: bool) -> str:
    note = f"… and {count} more (--limit 0 shows every row; JSON and CSV always hold them all)"
    return f"*{markdown_text(note)}*" if markdown else note


def _title(report: Report, markdown: bool) -> str:
    scope = [f"{name} {value}" for name, value in report.filters.items() if value and name != "statuses"]
    if report.filters["statuses"]:
        scope.append("status " + ", ".join(report.filters["statuses"]))
    headline = f"Progress report as of {report.as_of}"
    if report.since:
        headline += f", changes after {report.since}"
    lines = [
        f"# {markdown_text(headline)}" if markdown else headline,
        "",
        f"{report.total} commitments; {report.final} reached a final status ({percent(report.final_share)}).",
    ]
    if scope:
        lines.append("Only: " + "; ".join(markdown_text(s) if markdown else s for s in scope) + ".")
    return "\n".join(lines) + "\n"


def _groups(groups: Sequence[Group], key: str, fmt: str) -> str:
    if not groups:
        return "none\n"
    header = (key, "total", *STATUSES, "overdue", "on time")
    rows = [
        (g.name, g.total, *(g.by_status[s] for s in STATUSES), g.overdue, _on_time(g)) for g in groups
    ]  # fmt: skip
    return table(header, rows, fmt)


def _on_time(group: Group) -> str:
    if group.on_time_share is None:
        return ""
    return f"{percent(group.on_time_share)} ({group.on_time}/{group.completed_with_due})"


def _items(items: Sequence[Item], label: str, field: str, fmt: str) -> str:
    if not items:
        return "none\n"
    header = ("ref", "title", "owner", "status", "due", label)
    rows = [(i.ref, i.title, i.owner, i.status, shown_date(i.due, i.due_precision), getattr(i, field)) for i in items]
    return table(header, rows, fmt, wrap={1: 48})


def _stale(items: Sequence[Item], fmt: str) -> str:
    if not items:
        return "none\n"
    header = ("ref", "title", "owner", "status", "last event", "days since")
    rows = [(i.ref, i.title, i.owner, i.status, i.last_event, i.days_since) for i in items]
    return table(header, rows, fmt, wrap={1: 48})


BACKING_HEADER = (
    "ref", "status", "status since", "status evidence", "verdict", "verdict since", "verdict evidence", "last checked",
)  # fmt: skip


def _backing(commitments: Sequence[Backing], fmt: str) -> str:
    """Each commitment's status and verdict with what they rest on (tracker.evidence.summary),
    and the day it was last checked."""
    if not commitments:
        return "none\n"
    rows = [
        (b.ref, b.status, b.status_on, summary(b.status_evidence), verdict_text(b.verdict, b.verdict_reason),
         b.verdict_on or "", summary(b.verdict_evidence) if b.verdict_on else "", b.last_checked)
        for b in commitments
    ]  # fmt: skip
    return table(BACKING_HEADER, rows, fmt, wrap={3: 44, 6: 44})


def verdict_text(verdict: str, reason: str | None) -> str:
    """A verdict with a broken one's reason: `broken (not_funded)`."""
    return verdict + (f" ({reason})" if reason else "")


def _verdict_sections(report: Report, fmt: str, section: Callable[[str, str], None]) -> None:
    """The verdict axis, when anything in scope is rated: counts, disagreements, gaps in evidence."""
    section("Verdicts", table(("verdict", "count"), list(report.by_verdict.items()), fmt))
    header = ("ref", "title", "status", "verdict", "since", "evidence")
    for heading, items in (
        ("Status and verdict disagree", report.disagreements),
        ("Verdicts without evidence", report.unsupported),
    ):
        rows = [(i.ref, i.title, i.status, verdict_text(i.verdict, i.reason), i.since, i.evidence or "") for i in items]
        section(f"{heading} ({len(items)})", table(header, rows, fmt, wrap={1: 36}) if items else "none\n")

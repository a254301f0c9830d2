"""A report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

Every piece of user text goes through `esc` (html.escape), in element text and in attributes.
"""

from collections.abc import Sequence
from html import escape
from typing import Any

from tracker.evidence import label
from tracker.render import shown_date
from tracker.report import Group, Item, PeriodEvent, Report
from tracker.report_render.tables import percent, verdict_text
from tracker.statuses import STATUSES

COLOURS = {
    "not_started": "#9aa5b1",
    "in_progress": "#2f6fde",
    "stalled": "#e69b00",
    "completed": "#1a8a4a",
    "partial": "#7cb342",
    "abandoned": "#c62828",
}

_CSS = """
:root { color-scheme: light; --ink: #1c2430; --muted: #5b6675; --rule: #d9dee5; --panel: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 32px 48px; color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--rule); }
p.lead { color: var(--muted); margin: 0 0 20px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.figure { background: var(--panel); border: 1px solid var(--rule); border-radius: 8px; padding: 12px 14px; }
.figure .value { font-size: 28px; font-weight: 700; line-height: 1.1; }
.figure .label { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 4px 0 8px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.status, td.d { white-space: nowrap; }
table.narrow { width: auto; min-width: 360px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; color: var(--muted); margin: 6px 0; }
.none { color: var(--muted); font-style: italic; }
ul.pieces { margin: 0; padding-left: 16px; }
.pieces .on { color: var(--muted); font-size: 12px; white-space: nowrap; }
.stance { font-size: 12px; padding: 0 4px; border-radius: 3px; background: var(--panel); }
.stance.contradicts { color: #fff; background: #c62828; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #1c2430; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  .figures, svg, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 14mm; }
}
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def render_html(report: Report) -> str:
    title = f"Progress report as of {report.as_of}"
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">{_lead(report)}</p>',
        _figures(report),
        "<h2>Statuses</h2>",
        _stacked_bars([("All", report.by_status, report.total)], label_width=60),
        _legend(),
        _status_table(report),
        "<h2>By owner</h2>",
        _stacked_bars([(g.name, g.by_status, g.total) for g in report.by_owner]) if report.by_owner else "",
        _groups(report.by_owner, "Owner"),
        "<h2>By tag</h2>",
        _groups(report.by_tag, "Tag"),
        _verdicts(report),
        f"<h2>Overdue ({report.total_of('overdue')})</h2>",
        _items(report.overdue, "Days overdue", "days_overdue") + _more(report, "overdue"),
        f"<h2>Upcoming deadlines, next {report.upcoming_days} days ({report.total_of('upcoming')})</h2>",
        _items(report.upcoming, "Days left", "days_left") + _more(report, "upcoming"),
        f"<h2>Stale: open, no event for more than {report.stale_days} days ({report.total_of('stale')})</h2>",
        _stale(report.stale) + _more(report, "stale"),
    ]
    if report.events is not None and report.transitions is not None:
        body += [
            f"<h2>Events after {esc(report.since)} ({report.total_of('events')})</h2>",
            _events(report) + _more(report, "events"),
        ]
        body += ["<h2>Transitions</h2>", _transitions(report.transitions)]
    body += [
        f"<h2>Evidence behind each status and verdict ({report.total_of('commitments')})</h2>",
        _backing(report) + _more(report, "commitments"),
    ]
    if report.corrections:
        body += [f"<h2>Corrections ({len(report.corrections)})</h2>", _corrections(report)]
    body.append(f"<footer>Made by tracker from the recorded history, as of the end of {esc(report.as_of)}.</footer>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def _more(report: Report, name: str) -> str:
    hidden = report.not_shown(name)
    if hidden <= 0:
        return ""
    return f'<p class="more">… and {hidden} more (--limit 0 shows every row).</p>'


def _lead(report: Report) -> str:
    parts = [f"The state of every commitment at the end of {esc(report.as_of)}"]
    if report.since:
        parts.append(f"with the status changes after {esc(report.since)}")
    filters = report.filters
    only = [
        f"owner {esc(filters['owner'])}" if filters["owner"] else "",
        f"tag {esc(filters['tag'])}" if filters["tag"] else "",
    ]
    if filters["statuses"]:
        only.append("status " + esc(", ".join(filters["statuses"])))
    text = ", ".join(parts) + "."
    if any(only):
        text += " Only " + "; ".join(o for o in only if o) + "."
    return text


def _figures(report: Report) -> str:
    figures = [
        (str(report.total), "commitments"),
        (percent(report.final_share) if report.total else "–", f"reached a final status ({report.final})"),
        (str(report.total_of("overdue")), "overdue"),
        (str(report.total_of("upcoming")), f"due in the next {report.upcoming_days} days"),
        (str(report.total_of("stale")), f"stale (no event for {report.stale_days}+ days)"),
    ]
    if report.changes is not None:
        figures.append((str(report.total_of("changes")), "status changes in the period"))
    cells = "".join(
        f'<div class="figure"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>'
        for value, label in figures
    )
    return f'<div class="figures">{cells}</div>'


def _stacked_bars(rows: Sequence[tuple[str, dict[str, int], int]], label_width: int = 150) -> str:
    """One horizontal bar per row, split by status; widths are shares of that row's total."""
    width, height, gap, bar_width = 1000, 22, 8, 1000 - label_width - 60
    parts = []
    for index, (name, counts, total) in enumerate(rows):
        y = index * (height + gap)
        parts.append(f'<text x="0" y="{y + 15}">{esc(_clip(name, 22))}<title>{esc(name)}</title></text>')
        x = float(label_width)
        for status in STATUSES:
            count = counts[status]
            if not count or not total:
                continue
            span = bar_width * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{span:.1f}" height="{height}" fill="{COLOURS[status]}">'
                f"<title>{esc(name)}: {status} {count}</title></rect>"
            )
            x += span
        if not total:
            parts.append(f'<rect x="{label_width}" y="{y}" width="{bar_width}" height="{height}" fill="#eef1f4"/>')
        parts.append(f'<text x="{label_width + bar_width + 8}" y="{y + 15}">{total}</text>')
    total_height = max(len(rows) * (height + gap) - gap, height)
    return (
        f'<svg viewBox="0 0 {width} {total_height}" role="img" aria-label="commitments per status">'
        + "".join(parts)
        + "</svg>"
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend() -> str:
    items = "".join(f'<span><span class="swatch" style="background:{COLOURS[s]}"></span>{s}</span>' for s in STATUSES)
    return f'<div class="legend">{items}</div>'


def _status_cell(status: str) -> str:
    return f'<span class="status"><span class="swatch" style="background:{COLOURS[status]}"></span>{esc(status)}</span>'


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int] = (),
    nowrap: Sequence[int] = (),
    narrow: bool = False,
) -> str:
    """Cells arrive escaped; `numeric` columns align right, `nowrap` ones (dates, owners) never wrap."""
    if not rows:
        return '<p class="none">none</p>'

    def attributes(index: int) -> str:
        return " class=n" if index in numeric else " class=d" if index in nowrap else ""

    head = "".join(f"<th{attributes(i)}>{esc(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{attributes(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>" for row in rows
    )
    opening = '<table class="narrow">' if narrow else "<table>"
    return f"{opening}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _status_table(report: Report) -> str:
    rows = [
        (_status_cell(s), str(report.by_status[s]), esc(percent(report.status_share(s)))) for s in STATUSES
    ]  # fmt: skip
    return _table(("Status", "Count", "Share"), rows, numeric=(1, 2), narrow=True)


def _groups(groups: Sequence[Group], key: str) -> str:
    rows = []
    for g in groups:
        on_time = "" if g.on_time_share is None else f"{percent(g.on_time_share)} ({g.on_time}/{g.completed_with_due})"
        rows.append((esc(g.name), str(g.total), *(str(g.by_status[s]) for s in STATUSES), str(g.overdue), esc(on_time)))
    numeric = tuple(range(1, len(STATUSES) + 4))
    return _table((key, "Total", *STATUSES, "Overdue", "On time"), rows, numeric)


def _items(items: Sequence[Item], label: str, field: str) -> str:
    rows = [
        (esc(i.ref), esc(i.title), esc(i.owner), _status_cell(i.status), esc(shown_date(i.due, i.due_precision)),
         str(getattr(i, field)))
        for i in items
    ]  # fmt: skip
    return _table(("Ref", "Title", "Owner", "Status", "Due", label), rows, numeric=(5,), nowrap=(2, 4))


def _stale(items: Sequence[Item]) -> str:
    rows = [
        (esc(i.ref), esc(i.title), esc(i.owner), _status_cell(i.status), esc(i.last_event), str(i.days_since))
        for i in items
    ]
    return _table(("Ref", "Title", "Owner", "Status", "Last event", "Days since"), rows, numeric=(5,), nowrap=(2, 4))


def _events(report: Report) -> str:
    rows = [
        (esc(e.on), esc(e.ref), esc(e.title), esc(e.kind), _what(e), esc(e.by or ""), esc(e.note or ""),
         _evidence(e.evidence))
        for e in report.events or []
    ]  # fmt: skip
    return _table(("On", "Ref", "Title", "Kind", "What", "By", "Note", "Evidence"), rows, nowrap=(0,))


def _what(event: PeriodEvent) -> str:
    if event.kind == "status" and event.to_status is not None:
        return f"{_status_cell(event.from_status)} → {_status_cell(event.to_status)}"
    if event.kind == "review":
        return f"still {_status_cell(event.from_status)}"
    return esc(event.what)


def _evidence(evidence: str | None) -> str:
    """A link when the evidence is a web address, else the citation as text."""
    if evidence and evidence.startswith(("https://", "http://")):
        return f'<a href="{esc(evidence)}">{esc(evidence)}</a>'
    return esc(evidence or "")


def _backing(report: Report) -> str:
    """Each commitment's status and verdict with every piece they rest on, and when it was last checked."""
    rows = [
        (esc(b.ref), _status_cell(b.status), esc(b.status_on), _pieces(b.status_evidence),
         esc(verdict_text(b.verdict, b.verdict_reason)), esc(b.verdict_on or ""),
         _pieces(b.verdict_evidence) if b.verdict_on else "", esc(b.last_checked))
        for b in report.commitments
    ]  # fmt: skip
    header = ("Ref", "Status", "Since", "Status evidence", "Verdict", "Since", "Verdict evidence", "Last checked")
    return _table(header, rows, nowrap=(0, 2, 5, 7))


def _pieces(pieces: Sequence[dict[str, Any]]) -> str:
    """Every piece: a link when it has a URL, its stance when it does not support, and its day."""
    if not pieces:
        return '<span class="none">none cited</span>'
    items = []
    for piece in pieces:
        text = esc(label(piece))
        cited = f'<a href="{esc(piece["url"])}">{text}</a>' if piece["url"] else text
        stance = piece["stance"]
        flag = f' <span class="stance {esc(stance)}">{esc(stance)}</span>' if stance != "supports" else ""
        items.append(f'<li>{cited}{flag} <span class="on">{esc(piece["on"])}</span></li>')
    return f'<ul class="pieces">{"".join(items)}</ul>'


def _corrections(report: Report) -> str:
    rows = [(esc(c.on), esc(c.ref), esc(c.corrected), esc(c.reason or ""), esc(c.by or "")) for c in report.corrections]
    return _table(("On", "Ref", "Correction", "Reason", "By"), rows, nowrap=(0,))


def _transitions(transitions: dict[str, dict[str, int]]) -> str:
    rows = [
        (_status_cell(source), *(str(transitions[source][target]) for target in STATUSES)) for source in STATUSES
    ]  # fmt: skip
    return _table(("From \\ to", *STATUSES), rows, numeric=tuple(range(1, len(STATUSES) + 1)), narrow=True)


def _verdicts(report: Report) -> str:
    """The verdict axis, when anything in scope is rated (README, "Verdicts")."""
    if not any(count for verdict, count in report.by_verdict.items() if verdict != "not_rated"):
        return ""
    counts = [(esc(verdict), str(count)) for verdict, count in report.by_verdict.items()]
    parts = ["<h2>Verdicts</h2>", _table(("Verdict", "Count"), counts, numeric=(1,), narrow=True)]
    for heading, items in (
        ("Status and verdict disagree", report.disagreements),
        ("Verdicts without evidence", report.unsupported),
    ):
        rows = [
            (esc(i.ref), esc(i.title), _status_cell(i.status), esc(i.verdict + (f" ({i.reason})" if i.reason else "")),
             esc(i.since), _evidence(i.evidence))
            for i in items
        ]  # fmt: skip
        body = _table(("Ref", "Title", "Status", "Verdict", "Since", "Evidence"), rows) if items else "<p>None.</p>"
        parts += [f"<h2>{heading} ({len(items)})</h2>", body]
    return "\n".join(parts)

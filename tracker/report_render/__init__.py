"""Renderers of a tracker.report.Report: one module per family of formats; none reads the database."""

from tracker.report import Report


def render(report: Report, fmt: str, rows: str = "commitments") -> str:
    """`rows` picks what a CSV's rows are (report_render.data.CSV_ROWS); the other formats hold everything."""
    if fmt in ("text", "markdown"):
        from tracker.report_render.tables import render_tables

        return render_tables(report, markdown=fmt == "markdown")
    if fmt == "html":
        from tracker.report_render.html import render_html

        return render_html(report)
    from tracker.report_render.data import render_csv, render_json

    return render_json(report) if fmt == "json" else render_csv(report, rows)

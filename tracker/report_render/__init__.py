"""Renderers of a tracker.report.Report: one module per family of formats; none reads the database."""

import os

from tracker.errors import TrackerError
from tracker.report import Report


def render(report: Report, fmt: str) -> str:
    if fmt in ("text", "markdown"):
        from tracker.report_render.tables import render_tables

        return render_tables(report, markdown=fmt == "markdown")
    if fmt == "html":
        from tracker.report_render.html import render_html

        return render_html(report)
    from tracker.report_render.data import render_csv, render_json

    return render_json(report) if fmt == "json" else render_csv(report)


def write_whole(path: str, text: str) -> None:
    """Write the file whole or not at all: a temporary file in the same folder, then a rename."""
    import tempfile  # here, not at the top: printing a report needs none of it

    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise TrackerError(f"cannot write {path}: it is a folder")
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".tmp", dir=folder)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise TrackerError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

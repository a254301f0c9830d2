"""`report`: the state of every commitment at the end of a day, and what changed before it."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, WholeNumber, app, checked_format, database, write

REPORT_FORMATS = ("text", "markdown", "html", "json", "csv")


@app.command()
def report(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day to report on, at its end (default: today).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Also list the status changes after this day, up to --as-of.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only commitments this organisation owns.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only commitments with this tag.")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="Only commitments with this status at --as-of (repeatable).")
    ] = None,
    upcoming_days: Annotated[
        int, typer.Option(click_type=WholeNumber(), help="Deadlines within this many days count as upcoming.")
    ] = 30,
    stale_days: Annotated[
        int, typer.Option(click_type=WholeNumber(), help="Open commitments with no event for longer are stale.")
    ] = 90,
    limit: Annotated[
        int,
        typer.Option(
            click_type=WholeNumber(0),
            help="At most this many rows in each list of a text, markdown or html report; 0 shows all. "
            "JSON and CSV always hold every row.",
        ),
    ] = 50,
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="Count and list withdrawn commitments too (left out by default).")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(REPORT_FORMATS)}.")] = "text",
    rows: Annotated[
        str | None,
        typer.Option(
            "--rows",
            help="CSV: one row per commitment (default), per event of the period (with --since), or per correction.",
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file (whole, or not at all).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Report progress: counts per status, owner and tag; overdue, upcoming and stale commitments."""
    from tracker.dates import parse_date, today
    from tracker.files import writing
    from tracker.report import ReportRequest, build_report
    from tracker.report_render import render
    from tracker.statuses import parse_status
    from tracker.store.transactions import read_database

    checked_format(fmt, REPORT_FORMATS)
    csv_rows = checked_rows(rows, fmt, since)
    # A vague date means its last day, as deadlines do: `--since Q1 2026 --as-of Q2 2026` is Q2.
    request = ReportRequest(
        as_of=parse_date(as_of, field="--as-of").last if as_of is not None else today(),
        since=parse_date(since, field="--since").last if since is not None else None,
        owner=owner,
        tag=tag.strip().lower() if tag else None,
        statuses=[parse_status(s) for s in status or []],
        upcoming_days=upcoming_days,
        stale_days=stale_days,
        with_rows=csv_rows == "commitments",
        list_limit=(limit or None) if fmt in ("text", "markdown", "html") else None,
        withdrawn=withdrawn,
        every_piece=csv_rows == "events" or fmt == "json",  # each event's every piece, where they are listed
    )
    choice = database(ctx, db)
    with read_database(choice) as snapshot:
        result = build_report(snapshot, request)
    text = render(result, fmt, csv_rows or "commitments")
    if output is None:
        write(text)
    else:
        with writing(output, database=choice) as out:
            out.write(text)


def checked_rows(rows: str | None, fmt: str, since: str | None) -> str | None:
    """What a CSV report's rows are (None for the other formats), or the one-line refusal."""
    from tracker.errors import InvalidInput
    from tracker.report_render.data import CSV_ROWS

    if rows is None:
        return "commitments" if fmt == "csv" else None
    if fmt != "csv":
        raise InvalidInput(
            "--rows is for --format csv; the other formats hold the period's events and the corrections log already"
        )
    if rows not in CSV_ROWS:
        raise InvalidInput(f"unknown --rows {rows!r}; expected one of: {', '.join(CSV_ROWS)}")
    if rows == "events" and since is None:
        raise InvalidInput("--rows events lists the events of a period: give --since DATE (they run to --as-of)")
    return rows

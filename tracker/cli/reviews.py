"""`review`: record that a status was checked and still held, or list what to check next."""

from typing import Annotated, Any

import typer

from tracker.cli.common import DbOption, EvidenceOption, WholeNumber, app, checked_format, database, write


@app.command()
def review(
    ctx: typer.Context,
    ref: Annotated[str | None, typer.Argument(help="The commitment checked.", show_default=False)] = None,
    on: Annotated[str | None, typer.Option(help="The day it was checked (default: today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What the check found.")] = None,
    evidence: EvidenceOption = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who checked (default: $TRACKER_USER, else your login).")
    ] = None,
    queue: Annotated[bool, typer.Option("--queue", help="List open commitments in the order to check them.")] = False,
    owner: Annotated[str | None, typer.Option(help="With --queue: only this owner's.")] = None,
    limit: Annotated[
        int | None, typer.Option(click_type=WholeNumber(1), help="With --queue: at most this many.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="With --queue: table, json, csv or markdown.")] = "table",
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="With --queue: include withdrawn commitments.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Record that REF's status was checked and still holds (a review), or, with --queue, list
    open commitments in the order an analyst should check them."""
    from tracker.errors import InvalidInput

    if queue:
        if ref is not None or on is not None or note is not None or evidence is not None or by is not None:
            raise InvalidInput("--queue lists what to review; give a REF (with --on, --note …) to record a review")
        _queue(ctx, db, owner, limit, checked_format(fmt, ("table", "json", "csv", "markdown")), withdrawn)
        return
    if ref is None:
        raise InvalidInput("give the REF of the commitment checked, or --queue for what to check next")
    if owner is not None or limit is not None or fmt != "table" or withdrawn:
        raise InvalidInput("--owner, --limit, --format and --withdrawn are for --queue")
    from tracker.cli.commitments import _say_recorded, cited
    from tracker.cli.common import date_option as _date
    from tracker.service.commitments import UpdateRequest, record_update
    from tracker.store.transactions import write_transaction

    day = _date(on, "--on")
    if day is not None and day.precision != "day":
        raise InvalidInput(f"--on needs a day, not {day}; a review takes place on one day")
    request = UpdateRequest(ref, on=day.last if day else None, note=note, evidence=cited(evidence), by=by, review=True)
    with write_transaction(database(ctx, db)) as transaction:
        _say_recorded(record_update(transaction, request))


def _queue(ctx: typer.Context, db: str | None, owner: str | None, limit: Any, fmt: str, withdrawn: bool) -> None:
    from tracker import render
    from tracker.reviews import review_queue
    from tracker.store.transactions import read_database

    with read_database(database(ctx, db)) as snapshot:
        rows = review_queue(snapshot, owner=owner, limit=limit, withdrawn=withdrawn)
    write(render.review_queue(rows, fmt))

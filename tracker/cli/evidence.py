"""`cite` records a piece of evidence with its details; `evidence` lists what a status rests on."""

from typing import Annotated, Any

import typer

from tracker.cli.common import DbOption, app, checked_format, database, write


@app.command()
def cite(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment it bears on.", show_default=False)],
    cited: Annotated[str, typer.Argument(help="A URL, or a citation without one.", show_default=False)],
    title: Annotated[str | None, typer.Option(help="The title of what is cited.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    published: Annotated[str | None, typer.Option(help="The day it was published.")] = None,
    accessed: Annotated[str | None, typer.Option(help="The day it was read (default: today).")] = None,
    quote: Annotated[str | None, typer.Option(help="A short quote from it.")] = None,
    archive: Annotated[str | None, typer.Option(help="An archived copy's URL.")] = None,
    stance: Annotated[str, typer.Option(help="supports, contradicts or context.")] = "supports",
    source: Annotated[str | None, typer.Option(help="A tracker source's key or URL.")] = None,
    on: Annotated[str | None, typer.Option(help="The day it bears on (default: today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What it shows, in a sentence or two.")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who records it (default: $TRACKER_USER, else your login).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record a piece of evidence on REF, with its details: a note event citing it, which
    'tracker undo' retracts like any note."""
    from tracker.evidence import Piece
    from tracker.service.commitments import UpdateRequest, record_update
    from tracker.store.transactions import write_transaction

    piece = Piece(
        cited,
        title=title,
        publisher=publisher,
        published=_day(published, "--published"),
        accessed=_day(accessed, "--accessed"),
        quote=quote,
        archive=archive,
        stance=stance.strip().lower(),
        source=source,
    )
    day = _day(on, "--on")
    request = UpdateRequest(ref, on=day, note=note, evidence=[piece], by=by, cite=True)
    with write_transaction(database(ctx, db)) as transaction:
        result = record_update(transaction, request)
    write(f"{result.ref}: evidence recorded on {result.on} (event {result.event_id}, {piece.stance})\n")


def _day(text: str | None, option: str) -> Any:
    from tracker.cli.common import date_option as _date
    from tracker.errors import InvalidInput

    day = _date(text, option)
    if day is not None and day.precision != "day":
        raise InvalidInput(f"{option} needs a day, not {day}")
    return day.last if day else None


@app.command()
def evidence(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment's ref.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    db: DbOption = None,
) -> None:
    """What supports REF's current status and what contradicts it: the evidence cited since
    that status took effect, by stance."""
    from tracker import render
    from tracker.evidence import commitment_evidence
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, ("table", "json"))
    with read_database(database(ctx, db)) as snapshot:
        found = commitment_evidence(snapshot, ref)
    write(render.evidence(found, fmt))

"""`export`: the database as a lossless JSON or YAML document, or a CSV for spreadsheets."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, app, database


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json or yaml (everything, lossless), or csv (for spreadsheets).")
    ] = "json",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write this file (whole or not at all) instead of stdout.")
    ] = None,
    excel: Annotated[
        bool, typer.Option("--excel", help="With csv: start with a byte-order mark, so Excel reads UTF-8.")
    ] = False,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="With csv: ',' (default), ';' or tab between cells.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export the whole database: organisations, sources and commitments with their history."""
    from tracker.files import writing
    from tracker.interchange.export import export_database
    from tracker.store.transactions import read_database

    choice = database(ctx, db)
    with read_database(choice) as snapshot, writing(output, database=choice) as out:
        export_database(snapshot, fmt, out, excel=excel, delimiter=delimiter)

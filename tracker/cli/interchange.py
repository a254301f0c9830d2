"""`export`: the database as a lossless JSON or YAML document, or a CSV or workbook for spreadsheets."""

from contextlib import AbstractContextManager
from typing import Annotated, BinaryIO, TextIO

import typer

from tracker.cli.common import DbOption, app, database


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="json or yaml (everything, lossless), or csv or xlsx (for spreadsheets)."),
    ] = "json",
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write this file (whole or not at all) instead of stdout ('-')."),
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
    from tracker.files import writing, writing_bytes
    from tracker.interchange.export import BINARY_FORMATS, check_options, export_database
    from tracker.store.transactions import read_database

    choice = database(ctx, db)
    check_options(fmt, excel=excel, delimiter=delimiter)  # before anything is opened
    target: AbstractContextManager[TextIO | BinaryIO] = (
        writing_bytes(output, database=choice, kind=f"--format {fmt}")
        if fmt in BINARY_FORMATS
        else writing(output, database=choice)
    )
    with read_database(choice) as snapshot, target as out:
        export_database(snapshot, fmt, out, excel=excel, delimiter=delimiter)

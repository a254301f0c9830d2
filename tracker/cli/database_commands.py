"""`init`, `load` and the `db` group: creating, filling and locating a tracker database."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, app, database, write

db_app = typer.Typer(help="Where the database is, and its upkeep.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def init(ctx: typer.Context, db: DbOption = None) -> None:
    """Create an empty database, or upgrade an old one."""
    from tracker.store.transactions import write_transaction

    choice = database(ctx, db)
    with write_transaction(choice, create=True):
        pass
    write(f"database ready at {choice.location}\n")


@app.command()
def load(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(help="Fixture, export (.yaml/.json), CSV or workbook (.xlsx) files.", show_default=False),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="fixture, export, csv or xlsx (default: from each file's name and content)."
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="CSV and xlsx: read a sheet's column as a field, 'Sheet column=field' (repeatable)."
        ),
    ] = None,
    status_map: Annotated[
        list[str] | None,
        typer.Option(
            "--status-map",
            help="CSV and xlsx: read another tracker's status word as ours, 'LABEL=status', a file of such lines, "
            "or politifact or ogp (repeatable).",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding", help="CSV: the file's encoding when it has no byte-order mark (default utf-8), e.g. cp1252."
        ),
    ] = None,
    status_on: Annotated[
        str | None,
        typer.Option(
            "--status-on",
            help="CSV: the day the statuses of a commitments file took effect, for rows without a status_on cell.",
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="xlsx: the sheet to read, by name (default: the first).")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="CSV and xlsx: refuse unknown owners and partners instead of creating them."),
    ] = False,
    reopen: Annotated[
        bool, typer.Option("--reopen", help="Let a status the files changed leave a final status (as update does).")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report, write nothing.")] = False,
    db: DbOption = None,
) -> None:
    """Load files: create what is new, record what they changed since they were last loaded; all or nothing."""
    from tracker.interchange.loading import LoadOptions, load_files

    options = LoadOptions(
        fmt=fmt,
        mappings=mapping or [],
        status_maps=status_map or [],
        encoding=encoding,
        status_on=status_on,
        sheet=sheet,
        strict=strict,
        reopen=reopen,
    )
    summary = load_files(database(ctx, db), files, options, dry_run=dry_run)
    prefix = "dry run, nothing written: " if dry_run else ""
    write(f"{prefix}{summary.line()}\n")
    for note in summary.notes:
        write(f"{note}\n")


@db_app.command("path")
def path(ctx: typer.Context, db: DbOption = None) -> None:
    """Say which database commands use, and why."""
    import os

    choice = database(ctx, db)
    if choice.is_url:
        write(f"{choice.location} ({choice.reason})\n")
        return
    exists = "" if os.path.exists(choice.location) else "; it does not exist yet"
    write(f"{os.path.abspath(choice.location)} ({choice.reason}{exists})\n")

"""`owners`: the organisations, with counts of what they own; `owners add` adds one."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, app, checked_format, database, write

owners_app = typer.Typer(help="Organisations with counts of their commitments.", invoke_without_command=True)
app.add_typer(owners_app, name="owners")

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json, csv or markdown.")]


@owners_app.callback()
def owners(
    ctx: typer.Context,
    fmt: FormatOption = "table",
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="Count withdrawn commitments too (left out by default).")
    ] = False,
    db: DbOption = None,
) -> None:
    """List organisations: commitments owned, open, overdue, and how many they support as partner."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker import reads, render
    from tracker.dates import today
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, render.LIST_FORMATS)
    with read_database(database(ctx, db)) as snapshot:
        rows = reads.owners(snapshot, today(), withdrawn=withdrawn)
    if fmt == "csv":
        header = ("short_name", "name", "country", "owned", "open", "overdue", "partner_in")
        write(render.to_csv(header, [[row[h] for h in header] for row in rows]))
    else:
        write(render.owners(rows, fmt))


@owners_app.command("add")
def add(
    ctx: typer.Context,
    short_name: Annotated[str, typer.Argument(help="Unique short name, e.g. FIA.", show_default=False)],
    name: Annotated[str | None, typer.Option(help="Full name (default: the short name).")] = None,
    country: Annotated[str | None, typer.Option(help="Country.")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name it goes by (repeatable).")] = None,
    db: DbOption = None,
) -> None:
    """Add an organisation that commitments can name as owner or partner."""
    from tracker.service.organisations import OrganisationSpec, upsert_organisation
    from tracker.store.transactions import write_transaction

    spec = OrganisationSpec(short_name, name or short_name, country, alias or [])
    with write_transaction(database(ctx, db), create=True) as transaction:
        upsert_organisation(transaction, spec, create_only=True)
    write(f"added organisation {spec.short_name.strip()}\n")

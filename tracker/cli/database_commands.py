"""`init`, `load` and the `db` group: creating, filling and locating a tracker database."""

from typing import Annotated

import typer

from tracker.cli import DbOption, app, database, write

db_app = typer.Typer(help="Where the database is, and its upkeep.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def init(ctx: typer.Context, db: DbOption = None) -> None:
    """Create an empty database, or upgrade an old one."""
    from tracker.store import write_session

    choice = database(ctx, db)
    with write_session(choice, create=True):
        pass
    write(f"database ready at {choice.location}\n")


@app.command()
def load(
    ctx: typer.Context,
    files: Annotated[
        list[str], typer.Argument(help="Fixture files (YAML, format tracker-fixture/1).", show_default=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report, write nothing.")] = False,
    db: DbOption = None,
) -> None:
    """Load files: create what is new, record what changed."""
    from tracker.fixture import LoadSummary, load_fixture, read_fixture
    from tracker.store import write_session

    fixtures = [(path, read_fixture(path)) for path in files]
    summary = LoadSummary()
    with write_session(database(ctx, db), create=True, dry_run=dry_run) as session:
        for path, fixture in fixtures:
            load_fixture(session, fixture, path, summary)
    prefix = "dry run, nothing written: " if dry_run else ""
    write(f"{prefix}{summary.line()}\n")


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

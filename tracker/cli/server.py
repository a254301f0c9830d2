"""`db copy`: move a whole tracker between a file and a server database, in either direction."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, database, write
from tracker.cli.database_commands import db_app


@db_app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to", help="The target: a file path or postgresql+psycopg://user@host/dbname.", show_default=False
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace the contents of a target that has some.")] = False,
    db: DbOption = None,
) -> None:
    """Copy the whole tracker, history included, to another database."""
    from tracker.copying import copy_tracker
    from tracker.settings import DatabaseChoice
    from tracker.text import check_file_name

    target = DatabaseChoice(check_file_name(to, "--to"), "from --to")
    summary = copy_tracker(database(ctx, db), target, force=force)
    write(summary.line(target.location) + "\n")

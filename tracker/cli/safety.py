"""Data safety commands: `db backup`, `db check`, and the corrections `undo` and `withdraw`."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, WholeNumber, app, database, write
from tracker.cli.database_commands import db_app


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The copy to write.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the database to FILE, safely while others write to it."""
    from tracker.maintenance import backup_database

    result = backup_database(database(ctx, db), file, force=force)
    write(
        f"backed up {result.source} to {result.target} "
        f"({result.commitments} commitments, {result.events} events, {_size(result.size)})\n"
    )


@db_app.command("check")
def check(ctx: typer.Context, db: DbOption = None) -> None:
    """Check the database file for damage, and its kept state against the histories."""
    from tracker.errors import TrackerError
    from tracker.maintenance import check_database, damage_message

    report = check_database(database(ctx, db))
    if report.problems:
        raise TrackerError(damage_message(report))
    write(
        f"ok: {report.location} passed integrity_check, foreign_key_check and the kept-state check "
        f"(schema {report.schema}, {report.commitments} commitments, {report.events} events)\n"
    )


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"


@app.command()
def undo(
    ctx: typer.Context,
    event: Annotated[
        int | None,
        typer.Option(
            "--event", click_type=WholeNumber(1), help="Undo this one event, anyone's (default: your last command)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Whose last command to undo, and who records the undo (default: $TRACKER_USER, else your login).",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why, for the corrections log (required; recorded in the undo's note)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Reverse your last command that changed the history, by recording corrections (nothing is deleted)."""
    from tracker.store.transactions import write_transaction
    from tracker.undo import correction_reason, undo_event, undo_last

    why = correction_reason(reason)  # refused before the database is opened: nothing is touched
    with write_transaction(database(ctx, db)) as transaction:
        undoing = undo_last(transaction, why, by) if event is None else undo_event(transaction, event, why, by)
    for line in undoing.lines():
        write(line + "\n")


@app.command()
def withdraw(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment recorded in error.", show_default=False)],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it is withdrawn (or give --duplicate-of).")
    ] = None,
    duplicate_of: Annotated[
        str | None, typer.Option("--duplicate-of", help="The commitment it duplicates, which stands.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who records it (default: $TRACKER_USER, else your login).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Take a commitment recorded in error out of lists and reports; its history stays, and
    'tracker undo' brings it back."""
    from tracker.store.transactions import write_transaction
    from tracker.withdrawal import withdraw as withdraw_commitment

    with write_transaction(database(ctx, db)) as transaction:
        withdrawn = withdraw_commitment(transaction, ref, reason=reason, duplicate_of=duplicate_of, by=by)
    write(withdrawn.line() + "\n")

"""The Typer app every command module registers on, and what those modules share."""

import os
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from tracker import __version__
from tracker.errors import TrackerError

EXIT_FAILURE = 1  # an expected failure, explained in one line
EXIT_INTERNAL = 3  # a bug: the message says how to see the traceback
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command stopped by SIGPIPE


class _TrackerGroup(TyperGroup):
    """Turns domain errors into `error: …` on stderr and an exit code, at one boundary."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except TrackerError as error:
            if os.environ.get("TRACKER_DEBUG"):
                raise
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(EXIT_FAILURE) from None
        except BrokenPipeError:
            # The reader went away (`tracker list | head`): stop quietly, as a pipeline expects.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except KeyboardInterrupt:
            typer.echo("error: interrupted; nothing was changed", err=True)
            raise typer.Exit(130) from None
        except Exception as error:
            if os.environ.get("TRACKER_DEBUG"):
                raise
            message = str(error).splitlines()[0] if str(error) else ""
            typer.echo(
                f"error: unexpected {type(error).__name__}: {message} (set TRACKER_DEBUG=1 to see the traceback)",
                err=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


app = typer.Typer(
    name="tracker",
    cls=_TrackerGroup,
    help="Track policy commitments, their history and their progress.",
    no_args_is_help=True,
    add_completion=False,
    suggest_commands=False,  # click already suggests a near name; Typer's would say it twice
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="Database file or URL (else $TRACKER_DB, else db/tracker.db).",
        show_default=False,
    ),
]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tracker {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: DbOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = db


def database(ctx: typer.Context, db: str | None) -> Any:
    """The database for this command: its own --db, else the one before it, else the usual order."""
    from tracker.settings import resolve_database

    return resolve_database(db or ctx.find_root().obj)


def checked_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """A --format value, refused with the list of choices when it is not one of them."""
    if fmt not in allowed:
        raise TrackerError(f"unknown format {fmt!r}; expected one of: {', '.join(allowed)}")
    return fmt


def write(text: str) -> None:
    sys.stdout.write(text)

"""The Typer app every command module registers on, and what those modules share."""

import os
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from tracker import __version__
from tracker.errors import InvalidInput, TrackerError

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

# --evidence on update and review: a piece each (tracker.evidence); `tracker cite` gives one with details.
EvidenceOption = Annotated[
    list[str] | None, typer.Option(help="A URL (or citation) that shows it (repeatable; details: 'tracker cite').")
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="Database file or URL (else $TRACKER_DB, else db/tracker.db).",
        show_default=False,
    ),
]


# SQLite's INTEGER and PostgreSQL's bigint: an integer option beyond them cannot reach a query.
SMALLEST_STORED_INTEGER, LARGEST_STORED_INTEGER = -(2**63), 2**63 - 1


if TYPE_CHECKING:
    _IntegerType = click.ParamType[int, Any]  # generic from click 8.2; 8.1 is allowed too
else:
    _IntegerType = click.ParamType


class WholeNumber(_IntegerType):
    """The type of every integer option: from `minimum` to the largest integer a database stores.

    Anything else is one `error:` line with exit 1, as every expected failure is (click's own
    checks are usage errors, exit 2). Commands may narrow the range further.
    """

    name = "integer"

    def __init__(self, minimum: int = SMALLEST_STORED_INTEGER) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        option = param.opts[0] if param is not None and param.opts else "the value"
        text = str(value).strip()
        shown = text if len(text) <= 30 else text[:29] + "…"
        if not _INTEGER.fullmatch(text):
            raise InvalidInput(f"{option} must be a whole number, not {shown!r}")
        # More digits than any stored integer has: out of range, however many (int() reads 4,300).
        digits = text.lstrip("+-").lstrip("0") or "0"
        number = (-1 if text.startswith("-") else 1) * (int(digits) if len(digits) <= 19 else 10**19)
        if number < self.minimum:
            raise InvalidInput(f"{option} must be at least {self.minimum}, not {shown}")
        if number > LARGEST_STORED_INTEGER:
            raise InvalidInput(f"{option} must be at most {LARGEST_STORED_INTEGER}, not {shown}")
        return number


_INTEGER = re.compile(r"[+-]?[0-9]+")


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


def date_option(text: str | None, option: str, *, agreed: Any = None) -> Any:
    """A date option's FuzzyDate (None when not given); `within N months` counts from `agreed`."""
    from tracker.dates import parse_date

    return None if text is None else parse_date(text, field=option, agreed=agreed)


def date_or_clear_option(text: str | None, option: str) -> Any:
    """For an edit: `none` or `-` removes the date (CLEAR); else as date_option."""
    from tracker.service.sources import CLEAR

    if text is not None and text.strip().lower() in ("none", "-"):
        return CLEAR
    return date_option(text, option)

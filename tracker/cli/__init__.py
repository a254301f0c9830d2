"""The command line: a thin adapter that parses options, calls the domain and renders results.

A process imports only the module of the command it runs, and domain modules are imported
inside commands, so `--help` and read commands start quickly.
"""

import copy
import gc
import importlib
import sys
from typing import Any

import typer

from tracker.cli.common import app

# The modules that register each top-level command (tests/test_commands.py checks this against what
# they register): `tracker report` need not import the modules of twenty other commands.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "add": ("commitments",),
    "list": ("commitments",),
    "show": ("commitments",),
    "history": ("commitments",),
    "update": ("commitments",),
    "edit": ("commitments",),
    "report": ("report",),
    "export": ("interchange",),
    "init": ("database_commands",),
    "load": ("database_commands",),
    "owners": ("owners",),
    "undo": ("safety",),
    "db": ("database_commands", "safety", "server"),
}


def whole_app() -> typer.Typer:
    """The app with every command registered (for help, and for tests that drive it in-process)."""
    _register(sorted({module for modules in COMMAND_MODULES.values() for module in modules}))
    return app


def main() -> None:
    # What a process loads (Typer, click, SQLAlchemy for writes, tracker) lives as long as it does:
    # the collector need not walk it again, during the command nor in the collection Python runs
    # at exit. Freezing it saves ~8 ms of every command, ~50 ms of a write (README "Speed");
    # objects made after a freeze are collected as usual, the young ones every 10,000 allocations
    # rather than 700: importing sqlmodel alone set off 129 collections, 9 now (~20 ms of a
    # write, ~50 ms of a 10k-row load).
    gc.set_threshold(10_000, 10, 10)
    gc.freeze()
    try:
        _app_for(sys.argv[1:])()
    finally:
        gc.freeze()


def _register(modules: list[str]) -> None:
    for module in modules:
        importlib.import_module(f"tracker.cli.{module}")  # registers its commands on `app`


def _app_for(arguments: list[str]) -> typer.Typer:
    """The app with just the command the arguments name, else all of it.

    Typer turns every registered command into click's form before it runs any: about 5 ms of
    a 70 ms read command here. Help on the whole app, no command, or an unknown one (click then
    suggests a near name) keep every command.
    """
    name = _command_named(arguments)
    if name not in COMMAND_MODULES:
        return whole_app()
    _register(list(COMMAND_MODULES[name]))
    trimmed = copy.copy(app)  # the module's app keeps every command registered, for whole_app
    trimmed.registered_commands = [c for c in app.registered_commands if _command_name(c) == name]
    trimmed.registered_groups = [g for g in app.registered_groups if g.name == name]
    return trimmed


def _command_named(arguments: list[str]) -> str | None:
    """The command the arguments run; None for help on the whole app or no command."""
    remaining = iter(arguments)
    for argument in remaining:
        if argument in ("-h", "--help"):
            return None
        if argument == "--db":
            next(remaining, None)  # its value
        elif not argument.startswith("-"):
            return argument
    return None


def _command_name(command: Any) -> str:
    return str(command.name or command.callback.__name__.lower().replace("_", "-"))  # as Typer names them

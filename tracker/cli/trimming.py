"""A process imports the module of the command it runs and builds only that Typer command.

Typer turns every registered command into click's form before it runs any of them, and each
command module imports what its commands need; so `main` hands Typer a copy of the app that holds
just the command the arguments name. Help on the whole app, no command, or an unknown one (click
then suggests a near name) keep every command. It relies on Typer's `registered_commands` and
`registered_groups` lists; tests/test_speed_tricks.py fails if a process builds more than its
command. What it saves: docs/speed.md, "Trimming Typer's commands".
"""

import copy
import importlib
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
    "sources": ("sources",),
    "review": ("reviews",),
    "undo": ("safety",),
    "withdraw": ("safety",),
    "cite": ("evidence",),
    "evidence": ("evidence",),
    "db": ("database_commands", "safety", "server"),
}


def whole_app() -> typer.Typer:
    """The app with every command registered (for help, and for tests that drive it in-process)."""
    _register(sorted({module for modules in COMMAND_MODULES.values() for module in modules}))
    return app


def app_for(arguments: list[str]) -> typer.Typer:
    """The app with just the command the arguments name, else all of it."""
    name = _command_named(arguments)
    if name not in COMMAND_MODULES:
        return whole_app()
    _register(list(COMMAND_MODULES[name]))
    trimmed = copy.copy(app)  # the module's app keeps every command registered, for whole_app
    trimmed.registered_commands = [c for c in app.registered_commands if command_name(c) == name]
    trimmed.registered_groups = [g for g in app.registered_groups if g.name == name]
    return trimmed


def _register(modules: list[str]) -> None:
    for module in modules:
        importlib.import_module(f"tracker.cli.{module}")  # registers its commands on `app`


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


def command_name(command: Any) -> str:
    """A registered command's name, as Typer names it."""
    return str(command.name or command.callback.__name__.lower().replace("_", "-"))

"""The store: a write to an up-to-date SQLite file goes through the standard library's sqlite3
alone, so that it costs no more than the do-nothing command plus its own work (README, "Speed")."""

import subprocess
import sys

import pytest

from tests.conftest import FIXTURE, ok

# Runs the CLI as `tracker` does, then says which of the heavy libraries the command imported.
_RUN_THEN_LIST_IMPORTS = (
    "import sys\n"
    "from tracker.cli import main\n"
    "sys.argv = ['tracker', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as stop:\n"
    "    assert not stop.code, stop.code\n"
    "print(' '.join(sorted(sys.modules)))\n"
)


def _loaded_modules(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _RUN_THEN_LIST_IMPORTS, *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.splitlines()[-1].split())


def _imports_of(*args: str) -> str:
    """Which of the heavy libraries the command imported."""
    return str(sorted({name.split(".")[0] for name in _loaded_modules(*args)} & {"sqlalchemy", "sqlmodel"}))


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "command",
    [
        ["update", "ata-engagement", "--status", "stalled", "--note", "no import"],
        ["update", "ata-engagement", "--note", "a note alone"],
        [
            "add",
            "A new one",
            "--owner",
            "FIA",
            "--tag",
            "new",
            "--partner",
            "MOI",
            "--source",
            "A new source",
            "--new-source",
        ],
        ["edit", "ata-engagement", "--title", "Renamed", "--add-tag", "renamed", "--due", "2027"],
    ],
    ids=["update", "note", "add", "edit"],
)
def test_a_write_to_an_up_to_date_sqlite_file_imports_neither_sqlalchemy_nor_sqlmodel(command: list[str]) -> None:
    ok("load", str(FIXTURE))
    assert _imports_of(*command) == "[]"


@pytest.mark.sqlite_only
def test_a_new_file_is_created_without_sqlalchemy() -> None:
    """A new file's schema is written through sqlite3 (tracker.store.new_file; tests/test_speed_tricks.py
    compares it with the models')."""
    assert _imports_of("owners", "add", "FIA") == "[]"
    assert _imports_of("owners", "add", "MOI") == "[]"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "command",
    [
        ["update", "ata-engagement", "--status", "stalled", "--note", "lean"],
        ["edit", "ata-engagement", "--due", "2027"],
    ],
    ids=["update", "edit"],
)
def test_an_update_or_edit_imports_nothing_only_other_commands_need(command: list[str]) -> None:
    """What only creating a commitment (tracker.creation), recording an edit's changes (json) or
    naming the login (getpass) needs, and secrets' hashing, stay out of an update (docs/speed.md)."""
    ok("load", str(FIXTURE))
    unneeded = {"tracker.creation", "hashlib", "getpass"} | ({"json"} if command[0] == "update" else set())
    assert _loaded_modules(*command) & unneeded == set()

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
    "print(sorted({name.split('.')[0] for name in sys.modules} & {'sqlalchemy', 'sqlmodel'}))\n"
)


def _imports_of(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _RUN_THEN_LIST_IMPORTS, *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "command",
    [
        ["update", "ata-engagement", "--status", "stalled", "--note", "no import"],
        ["update", "ata-engagement", "--note", "a note alone"],
        ["add", "A new one", "--owner", "FIA", "--tag", "new", "--partner", "MOI", "--source", "A new source"],
        ["edit", "ata-engagement", "--title", "Renamed", "--add-tag", "renamed", "--due", "2027"],
    ],
    ids=["update", "note", "add", "edit"],
)
def test_a_write_to_an_up_to_date_sqlite_file_imports_neither_sqlalchemy_nor_sqlmodel(command: list[str]) -> None:
    ok("load", str(FIXTURE))
    assert _imports_of(*command) == "[]"


@pytest.mark.sqlite_only
def test_a_new_file_is_created_through_the_models() -> None:
    """The schema comes from the models (SQLModel), once: the file's first write."""
    assert _imports_of("owners", "add", "FIA") == "['sqlalchemy', 'sqlmodel']"
    assert _imports_of("owners", "add", "MOI") == "[]"

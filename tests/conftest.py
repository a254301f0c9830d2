"""Every test runs in its own folder with its own database; none can touch real data."""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tracker.cli import whole_app
from tracker.interchange import read_ahead

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "pakistan-us-security-talks.yaml"


# The same tests run on SQLite and, when a server is given, on PostgreSQL: a new database per test.
POSTGRES_SERVER = os.environ.get("TRACKER_TEST_POSTGRES")
NO_POSTGRES = (
    "PostgreSQL tests skipped: set TRACKER_TEST_POSTGRES to a server URL "
    "(scripts/postgres-cluster.sh starts one; .ci/run does so and sets it)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite files themselves")
    config.addinivalue_line("markers", "database_free: the test touches no database, so it runs once")
    config.addinivalue_line("markers", "slow: left out of `make unit` (seconds each); `make test` runs it")
    config.addinivalue_line("markers", "postgresql: runs on a PostgreSQL server (given to each server test)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the server half of the suite, so that `-m "not postgresql"` leaves it out."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        if not POSTGRES_SERVER:
            if os.environ.get("CI"):
                pytest.fail("TRACKER_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
            pytest.skip(NO_POSTGRES)
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("about SQLite files, not a server")
        if request.node.get_closest_marker("database_free"):
            pytest.skip("touches no database: run once")
    return str(request.param)


@pytest.fixture(autouse=True)
def isolated(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """TRACKER_DB for this test: a file in its own folder, or a new PostgreSQL database."""
    monkeypatch.setenv("TRACKER_USER", "tester")
    for name in ("TRACKER_DEBUG", "TRACKER_TODAY", "TRACKER_LOCK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the default db/tracker.db would land here, never in the repo
    # Every CSV load reads its rows in a second process, as big files are (tests/test_read_ahead.py).
    monkeypatch.setattr(read_ahead, "FORK_FROM", 0)
    if backend == "sqlite":
        database = tmp_path / "tracker.db"
        monkeypatch.setenv("TRACKER_DB", str(database))
        yield database
        return
    with postgres_database() as url:
        monkeypatch.setenv("TRACKER_DB", url)
        yield url


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    assert POSTGRES_SERVER is not None
    server = make_url(POSTGRES_SERVER)
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def db_rows(sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query on this test's database (TRACKER_DB), whichever backend it is on."""
    from sqlalchemy import create_engine, text

    location = os.environ["TRACKER_DB"]
    engine = create_engine(location if "://" in location else f"sqlite:///{location}")
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def db_exists() -> bool:
    location = os.environ["TRACKER_DB"]
    return "://" in location or Path(location).exists()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(*args: str) -> Result:
    """Run the CLI in-process, as a user would type it."""
    result = CliRunner().invoke(whole_app(), list(args))
    return Result(result.exit_code, result.stdout, result.stderr)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def fails(*args: str) -> str:
    """Run a command that must fail as expected: exit 1, one `error:` line (with any detail lines
    indented below it), no traceback; return the message.

    Exit 1 exactly: a bug also prints `error: unexpected …` (exit 3), and a usage mistake exits 2.
    """
    result = run(*args)
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: "), result.stderr
    assert not result.stderr.startswith("error: unexpected "), result.stderr
    assert result.stderr.endswith("\n") and "Traceback" not in result.stderr, result.stderr
    detail = result.stderr.splitlines()[1:]
    assert all(line.startswith("  ") for line in detail), result.stderr
    return result.stderr.rstrip("\n")


def run_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m tracker` as a separate process, the way a shell does."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=env, check=False
    )


def every_command() -> list[tuple[list[str], Any]]:
    """Every command a user can run, as its words (`db copy`) and its click command, found from the
    app itself: a new command is covered by the tests that go through them all."""
    import click
    import typer.main

    found: list[tuple[list[str], Any]] = []

    def walk(words: list[str], command: click.Command) -> None:
        if not isinstance(command, click.Group):
            found.append((words, command))
            return
        if command.invoke_without_command:  # `tracker owners` lists them, `owners add` adds one
            found.append((words, command))
        for name, sub in sorted(command.commands.items()):
            walk([*words, name], sub)

    root = typer.main.get_command(whole_app())
    assert isinstance(root, click.Group)
    for name, command in sorted(root.commands.items()):
        walk([name], command)
    return found


# Options a command requires itself rather than through click, so that leaving one out is one
# `error:` line saying why (`undo --reason`): given like click's required ones.
REQUIRED_BY_THE_COMMAND = {("undo", "reason")}


def invocation(words: list[str], command: Any, values: dict[str, str]) -> list[str]:
    """The words, and a value for each required argument and option (from `values` by the
    parameter's name, else "x")."""
    import click

    arguments = list(words)
    for param in command.params:
        if param.required or (" ".join(words), param.name) in REQUIRED_BY_THE_COMMAND:
            value = values.get(param.name, "x")
            arguments += [param.opts[0], value] if isinstance(param, click.Option) else [value]
    return arguments


def normalise(text: str) -> str:
    """Blank out what changes between runs (timestamps, event keys) before comparing whole outputs."""
    text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "<timestamp>", text)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<key>", text)


@pytest.fixture
def loaded() -> None:
    ok("load", str(FIXTURE))

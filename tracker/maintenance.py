"""Upkeep of a SQLite tracker database: consistent backup copies and integrity checks.

Copies go through SQLite's online backup API (sqlite3.Connection.backup): the copy is one
consistent snapshot even while other commands write, and tracker.files writes it whole or not
at all, never over the database.
"""

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tracker import files
from tracker.errors import InvalidInput, NotFound, TrackerError
from tracker.settings import DatabaseChoice

if TYPE_CHECKING:
    from tracker.store.database import Database

_MAX_REPORTED = 20


@dataclass
class BackupResult:
    source: str
    target: str
    commitments: int
    events: int
    size: int  # bytes


@dataclass
class CheckReport:
    location: str
    problems: list[str] = field(default_factory=list)
    schema: int | None = None
    commitments: int | None = None
    events: int | None = None


def copy_database(source: sqlite3.Connection, target: str, database: DatabaseChoice | None, what: str) -> None:
    """Write a consistent copy of `source` to `target`, whole or not at all."""
    with files.replacing(target, database=database, what=what) as partial:
        try:
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
            finally:
                destination.close()
        except sqlite3.Error as error:
            raise TrackerError(f"cannot write {target}: {error}") from None


def backup_before_upgrade(location: str, schema: int) -> str:
    """The copy an upgrade leaves next to the database: `tracker.db.backup-schema1-<UTC time>`.

    The caller holds the write lock, so the database cannot change during the copy; the copy is
    read through a connection of its own, as SQLite refuses to back up through a writing one.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = f"{location}.backup-schema{schema}-{stamp}"
    number = 1
    while os.path.exists(target):
        number += 1
        target = f"{location}.backup-schema{schema}-{stamp}-{number}"
    source = _open_read_only(location)
    try:
        copy_database(source, target, None, "file name")
    finally:
        source.close()
    return target


def _sqlite_file(choice: DatabaseChoice, command: str) -> str:
    if choice.is_url:
        raise InvalidInput(
            f"'tracker db {command}' works on SQLite files; for a server use its own tools (pg_dump, amcheck), "
            "or 'tracker db copy --to FILE' to take a copy as a file"
        )
    path = choice.location
    if not os.path.isfile(path):
        raise NotFound(f"no tracker database at {path}")
    return path


def _open_read_only(path: str) -> sqlite3.Connection:
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise TrackerError(f"cannot open {path}: {error}") from None


def _counts(connection: sqlite3.Connection) -> tuple[int, int]:
    from tracker.store.database import Database
    from tracker.store.upkeep import DATABASE_COUNTS

    row = Database(connection).row(DATABASE_COUNTS)
    assert row is not None
    return int(row["commitments"]), int(row["events"])


def backup_database(choice: DatabaseChoice, target: str, *, force: bool = False) -> BackupResult:
    """An online, consistent copy of the database at `choice` in the file `target`."""
    from tracker.store.database import Database
    from tracker.store.problems import read_only
    from tracker.store.upkeep import APPLIED_MIGRATIONS

    path = _sqlite_file(choice, "backup")
    files.check_target(target, choice, "file name")
    if os.path.exists(target) and not force:
        raise InvalidInput(f"{target} already exists; add --force to overwrite it")
    source = _open_read_only(path)
    try:
        try:
            Database(source).rows(APPLIED_MIGRATIONS)
        except sqlite3.DatabaseError as error:
            raise read_only(path, error) or TrackerError(f"{path} is not a tracker database") from None
        copy_database(source, target, choice, "file name")
    finally:
        source.close()
    copy = sqlite3.connect(target)
    try:
        commitments, events = _counts(copy)
    finally:
        copy.close()
    return BackupResult(path, target, commitments, events, os.path.getsize(target))


def check_database(choice: DatabaseChoice) -> CheckReport:
    """Run integrity_check and foreign_key_check, and compare the state kept for fast reports with
    the histories; every problem found is in the report."""
    from tracker.migrations import MIGRATION_NAMES, schema_problem
    from tracker.store.database import Database
    from tracker.store.problems import read_only
    from tracker.store.upkeep import APPLIED_MIGRATIONS, out_of_step

    path = _sqlite_file(choice, "check")
    report = CheckReport(path)
    connection = _open_read_only(path)
    try:
        rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            report.problems.extend(f"integrity_check: {row}" for row in rows)
        for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
            report.problems.append(f"foreign_key_check: {table} row {rowid} refers to a missing {parent} row")
        database = Database(connection)
        applied = [row["name"] for row in database.rows(APPLIED_MIGRATIONS)]
        report.schema = len(applied)
        problem = schema_problem(applied, path)
        if problem:
            report.problems.append(problem)
        elif not report.problems and applied == list(MIGRATION_NAMES):
            # Only on a sound file of the current schema: damage elsewhere would show here again,
            # and an older schema has not all of the kept state yet.
            for row in database.rows(out_of_step()):
                report.problems.append(f"kept state: {row['ref']} ({row['part']}) differs from its history")
            report.problems.extend(_sources_out_of_step(database))
        report.commitments, report.events = _counts(connection)
    except sqlite3.DatabaseError as error:
        if unusable := read_only(path, error):  # not damage: the check could not even start
            raise unusable from None
        report.problems.append(f"sqlite: {error}")
    finally:
        connection.close()
    return report


def _sources_out_of_step(database: "Database") -> list[str]:
    """Sources whose lookup columns (url_key, title_key) are not made from their URL and title:
    written by something other than tracker, they would not be found by them."""
    from tracker.store.sources import LOOKUP_KEYS
    from tracker.text import match_key

    problems = []
    for row in database.rows(LOOKUP_KEYS):
        if (row["title_key"], row["url_key"]) != (match_key(row["title"]), match_key(row["url"] or "") or None):
            problems.append(f"kept state: source {row['key']} (lookup keys) differs from its title and URL")
    return problems


def damage_message(report: CheckReport) -> str:
    """The error for a check that found problems: a summary line, then each problem."""
    count = len(report.problems)
    shown = report.problems[:_MAX_REPORTED]
    more = [f"  … and {count - len(shown)} more"] if count > len(shown) else []
    lines = [
        f"{report.location} failed its check ({count} problem{'s' if count != 1 else ''}); "
        "restore it from a backup copy",
        *("  " + problem for problem in shown),
        *more,
    ]
    return "\n".join(lines)

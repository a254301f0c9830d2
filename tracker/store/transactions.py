"""Opening a tracker database: to read, or for one write transaction per command.

Reads see one consistent snapshot and cannot write. Each write command is one transaction that
takes the write lock at its start (BEGIN IMMEDIATE on SQLite), so concurrent commands queue
instead of failing half-way; it is committed whole at the end, or not at all. A command that
fails, or a dry run, leaves no new file behind. SQLite files go through the standard library's
sqlite3 for both, a new file's schema included (tracker.store.new_file); SQLAlchemy
(tracker.store.engine) is loaded for a server, and for a file only to apply a migration, after
the backup copy that an upgrade takes.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from tracker import files
from tracker.errors import TrackerError
from tracker.settings import DatabaseChoice
from tracker.store.database import Database, prepare_for_writes
from tracker.store.problems import explained_errors, folder, lock_timeout_seconds, missing, not_a_database

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection as ServerConnection


@contextmanager
def read_database(choice: DatabaseChoice) -> Iterator[Database]:
    """A database that sees one consistent snapshot and cannot write."""
    if choice.is_url:
        from tracker.store.engine import make_engine, upgrade

        engine = make_engine(choice)
        try:
            with explained_errors(choice.location), engine.connect() as server:
                if _check_server_schema(server, choice):
                    upgrade(choice)
                # One snapshot for every query of the command, as SQLite's read transaction gives.
                server.execution_options(isolation_level="REPEATABLE READ")
                with server.begin():
                    yield Database(server)
        finally:
            engine.dispose()
        return
    path = choice.location
    if os.path.isdir(path):
        raise folder(path)
    if not os.path.isfile(path):
        raise missing(path)
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=lock_timeout_seconds())
    except sqlite3.Error as error:
        raise TrackerError(f"cannot open {path}: {error}") from None
    try:
        with explained_errors(path):
            needs_upgrade = _check_schema(Database(connection), path)
        if needs_upgrade:
            from tracker.store.engine import upgrade

            connection.close()
            upgrade(choice)
            connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=lock_timeout_seconds())
        with explained_errors(path):
            connection.execute("BEGIN")
            yield Database(connection)
    finally:
        connection.close()


def _check_schema(database: Database, location: str) -> bool:
    """Refuse what is not a usable tracker database; True when it needs migrations."""
    from tracker.migrations import pending, schema_problem
    from tracker.store.upkeep import APPLIED_MIGRATIONS

    try:
        applied = [row["name"] for row in database.rows(APPLIED_MIGRATIONS)]
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            raise not_a_database(location) from None
        raise
    problem = schema_problem(applied, location)
    if problem:
        raise TrackerError(problem)
    return bool(pending(applied))


def _check_server_schema(connection: "ServerConnection", choice: DatabaseChoice) -> bool:
    """As _check_schema, for a server database: an empty one is a tracker not yet created."""
    from sqlalchemy import inspect

    tables = set(inspect(connection).get_table_names())
    if not tables:
        raise missing(choice.location)
    if "tracker_migration" not in tables:
        raise not_a_database(choice.location)
    needs_upgrade = _check_schema(Database(connection), choice.location)
    connection.rollback()
    return needs_upgrade


def new_batch_id() -> str:
    """An id for one command's events, so that `tracker undo` can find them all: what
    secrets.token_hex(8) returns, without the import of hmac and hashlib it brings (docs/speed.md)."""
    return os.urandom(8).hex()


def connect_sqlite(path: str) -> sqlite3.Connection:
    """A connection to write a SQLite file, with the pragmas this tool relies on; transactions
    are begun explicitly (BEGIN IMMEDIATE), never by the driver."""
    timeout = lock_timeout_seconds()
    connection = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    prepare_for_writes(connection, timeout)
    return connection


def _up_to_date(connection: sqlite3.Connection, location: str) -> bool:
    """Whether a SQLite file is a tracker database with every migration applied. A new or empty
    file, another kind of database and a pending migration all go to the migrations, which
    create the schema, refuse the file or upgrade it."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "tracker_migration" not in tables:
        return False
    return not _check_schema(Database(connection), location)


@contextmanager
def write_transaction(
    choice: DatabaseChoice, *, create: bool = False, dry_run: bool = False, bulk: bool = False
) -> Iterator[Database]:
    """One transaction for one command: committed whole at the end, or not at all. `bulk`: a load
    that looks nothing up by the indexes of commitments, tags, partners and events, which a new
    file then builds after the rows (tracker.store.new_file; docs/speed.md)."""
    path = None if choice.is_url else choice.location
    is_new = path is not None and not os.path.exists(path)
    if is_new and not create:
        raise missing(choice.location)
    if path is not None and os.path.isdir(path):
        raise folder(path)
    succeeded = False
    # A new file's missing folders are made for it, and removed with it if nothing is written.
    with files.made_folders(path, keep=not dry_run) if is_new and path else nullcontext():
        try:
            with explained_errors(choice.location):
                if path is None:
                    with _server_transaction(choice, dry_run=dry_run) as database:
                        yield database
                else:
                    with _sqlite_transaction(choice, path, is_new, dry_run=dry_run, bulk=bulk) as database:
                        yield database
            succeeded = True
        finally:
            if is_new and path is not None and (dry_run or not succeeded):
                _remove_database_files(path)


@contextmanager
def _sqlite_transaction(
    choice: DatabaseChoice, path: str, is_new: bool, *, dry_run: bool, bulk: bool
) -> Iterator[Database]:
    connection = connect_sqlite(path)
    deferred: list[str] = []  # a new file's indexes, built after a bulk load's rows
    try:
        created = False
        if is_new:  # without SQLAlchemy (tracker.store.new_file), unless another process created it meanwhile
            from tracker.store.new_file import create_if_empty

            # A new file's first transaction writes its pages once, into the file, under a rollback
            # journal: in WAL mode each page went to the log, then was copied into the file at the
            # checkpoint (a fifth of a 100k-row load; docs/speed.md). The file is in WAL mode after.
            connection.execute("PRAGMA journal_mode = DELETE")
            if bulk:  # its references are checked once, after the rows (_check_references)
                connection.execute("PRAGMA foreign_keys = OFF")
            created = create_if_empty(connection, deferred if bulk else None)  # its transaction left open
            if not created:  # another process made it meanwhile
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA foreign_keys = ON")
        if not created:
            if not _up_to_date(connection, path):
                from tracker.store.engine import upgrade

                connection.close()
                upgrade(choice)
                connection = connect_sqlite(path)
            connection.execute("BEGIN IMMEDIATE")
        try:
            yield Database(connection, batch=new_batch_id())
            for statement in deferred:
                connection.execute(statement)
            if created and bulk:
                _check_references(connection)
        except BaseException:
            if connection.in_transaction:  # SQLite may have rolled it back itself (a full disk)
                connection.execute("ROLLBACK")
            raise
        connection.execute("ROLLBACK" if dry_run else "COMMIT")
        if created:
            connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


def _check_references(connection: sqlite3.Connection) -> None:
    """A bulk load into a new file writes its rows with SQLite's foreign-key checks off and checks
    every reference here, once, before it commits: a check per inserted row was a fifteenth of a
    100k-row load, the whole check 0.13 s (docs/speed.md). Only a fault of tracker's own could
    trip it; the load is then refused whole, as any other problem refuses it."""
    broken = connection.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        table, row_id, parent, _ = broken
        raise TrackerError(
            f"internal error: the load left {table} row {row_id} referring to a missing {parent}; nothing was written"
        )


@contextmanager
def _server_transaction(choice: DatabaseChoice, *, dry_run: bool) -> Iterator[Database]:
    from tracker.maintenance import backup_before_upgrade
    from tracker.migrations import migrate
    from tracker.store.engine import make_engine

    engine = make_engine(choice)
    try:
        migrate(engine, choice.location, before_upgrade=backup_before_upgrade)
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                yield Database(connection, batch=new_batch_id())
            except BaseException:
                transaction.rollback()
                raise
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
    finally:
        engine.dispose()


def _remove_database_files(path: str) -> None:
    for suffix in ("", *files.SQLITE_SIDE_FILES):
        with suppress(OSError):  # absent, or a name too long to have been created
            os.remove(path + suffix)

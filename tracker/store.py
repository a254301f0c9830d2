"""Opening a tracker database: read connections, write sessions, and their guarantees.

Reads of SQLite files go through the standard library's sqlite3, read-only, inside one
snapshot. Writes go through SQLModel sessions; each command is one transaction that takes the
write lock at its start (BEGIN IMMEDIATE), so concurrent commands queue instead of failing
half-way. A command that fails leaves no new file behind.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from tracker import files
from tracker.errors import InvalidInput, NotFound, TrackerError
from tracker.settings import DatabaseChoice

DEFAULT_LOCK_TIMEOUT_SECONDS = 30.0


def lock_timeout_seconds() -> float:
    raw = os.environ.get("TRACKER_LOCK_TIMEOUT")
    if raw is None:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise TrackerError(f"TRACKER_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, not {raw!r}")
    return value


def _missing(path: str) -> NotFound:
    return NotFound(f"no tracker database at {path}; create one with 'tracker init' or 'tracker load FILE'")


def _folder(path: str) -> TrackerError:
    return TrackerError(f"{path} is a folder, not a tracker database")


def _not_a_database(path: str) -> TrackerError:
    return TrackerError(f"{path} is not a tracker database")


def _locked(location: str) -> TrackerError:
    return TrackerError(
        f"{location} is locked by another writer; gave up after {lock_timeout_seconds():g} s "
        "(set TRACKER_LOCK_TIMEOUT to wait longer)"
    )


@contextmanager
def read_connection(choice: DatabaseChoice) -> Iterator[Any]:
    """A connection that sees one consistent snapshot and cannot write."""
    if choice.is_url:
        engine = make_engine(choice)
        try:
            with _explained_errors(choice.location), engine.connect() as connection:
                if _check_server_schema(connection, choice):
                    _upgrade(choice)
                # One snapshot for every query of the command, as SQLite's read transaction gives.
                connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    yield connection
        finally:
            engine.dispose()
        return
    path = choice.location
    if os.path.isdir(path):
        raise _folder(path)
    if not os.path.isfile(path):
        raise _missing(path)
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=lock_timeout_seconds())
    except sqlite3.Error as error:
        raise TrackerError(f"cannot open {path}: {error}") from None
    try:
        with _explained_errors(path):
            needs_upgrade = _check_schema(connection, path)
        if needs_upgrade:
            connection.close()
            _upgrade(choice)
            connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=lock_timeout_seconds())
        with _explained_errors(path):
            connection.execute("BEGIN")
            yield connection
    finally:
        connection.close()


def _explanation(location: str, error: BaseException) -> TrackerError | None:
    """What a database failure means for the user, or None when it is not one of the known ones."""
    if type(error).__module__.startswith("psycopg"):
        return _server_explanation(location, error)
    message = str(error)
    if "locked" in message or "busy" in message:
        return _locked(location)
    if "not a database" in message:
        return _not_a_database(location)
    if "malformed" in message:
        return TrackerError(f"{location} is damaged ({message}); 'tracker db check' reports what is wrong")
    if "disk is full" in message:
        return TrackerError(f"cannot write {location}: {message}; nothing was written")
    if "unable to open" in message or "readonly" in message:
        return read_only(location, error) or TrackerError(f"cannot use {location}: {message}")
    if "disk I/O" in message:
        return TrackerError(f"cannot use {location}: {message}")
    return None


def read_only(path: str, error: BaseException) -> TrackerError | None:
    """The read-only folder or file that made SQLite fail with `error`, if that is what did."""
    if "unable to open" not in str(error) and "readonly" not in str(error):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK):
        name = os.path.basename(path)
        return TrackerError(
            f"cannot use {path}: its folder {folder} is read-only, and SQLite must write {name}-wal "
            f"and {name}-shm beside the database, even to read it"
        )
    if not os.access(path, os.W_OK):
        return TrackerError(f"cannot write {path}: the file is read-only")
    return None


# PostgreSQL's SQLSTATE codes for the failures a user can act on.
_SERVER_LOCKED = {"55P03"}  # lock_not_available: TRACKER_LOCK_TIMEOUT ran out
_SERVER_CONFLICT = {"23505", "40001", "40P01"}  # unique_violation, serialization_failure, deadlock
_SERVER_DENIED = {"42501"}  # insufficient_privilege


def _server_explanation(location: str, error: BaseException) -> TrackerError | None:
    state = getattr(error, "sqlstate", None)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if state in _SERVER_LOCKED:
        return _locked(location)
    if state in _SERVER_CONFLICT:
        return TrackerError(
            "another writer changed the same commitments at the same time; nothing was written, run the command again"
        )
    if "cannot contain NUL" in first_line:  # psycopg refuses to send one, in a value or a lookup
        return InvalidInput("text with a NUL character (U+0000) cannot be stored or looked up on a server database")
    if state in _SERVER_DENIED:
        return TrackerError(f"{location}: {first_line} (this role may not make this change)")
    if state is None and type(error).__name__ == "OperationalError":
        reason = first_line.rsplit("FATAL:", 1)[-1].rsplit("failed:", 1)[-1].strip()
        return TrackerError(f"cannot connect to {location}: {reason}")
    return None


@contextmanager
def _explained_errors(location: str) -> Iterator[None]:
    """Turn the database failures a user can act on (SQLite's, the server's) into one clear TrackerError."""
    try:
        yield
    except TrackerError:
        raise
    except Exception as error:
        original = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
        explained = _explanation(location, original) if isinstance(original, Exception) else None
        if explained is None:
            raise
        raise explained from None


def new_batch_id() -> str:
    """An id for one command's events, so that `tracker undo` can find them all."""
    import secrets

    return secrets.token_hex(8)


def _check_schema(connection: Any, location: str) -> bool:
    """Refuse what is not a usable tracker database; True when it needs migrations."""
    from tracker.migrations import pending, schema_problem
    from tracker.queries import APPLIED_MIGRATIONS, fetch_all

    try:
        applied = [row["name"] for row in fetch_all(connection, APPLIED_MIGRATIONS)]
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            raise _not_a_database(location) from None
        raise
    problem = schema_problem(applied, location)
    if problem:
        raise TrackerError(problem)
    return bool(pending(applied))


def _check_server_schema(connection: Any, choice: DatabaseChoice) -> bool:
    """As _check_schema, for a server database: an empty one is a tracker not yet created."""
    from sqlalchemy import inspect

    tables = set(inspect(connection).get_table_names())
    if not tables:
        raise _missing(choice.location)
    if "tracker_migration" not in tables:
        raise _not_a_database(choice.location)
    needs_upgrade = _check_schema(connection, choice.location)
    connection.rollback()
    return needs_upgrade


def _upgrade(choice: DatabaseChoice) -> None:
    from tracker.migrations import migrate

    engine = make_engine(choice)
    try:
        with _explained_errors(choice.location):
            migrate(engine, choice.location)
    finally:
        engine.dispose()


def server_url(choice: DatabaseChoice) -> str:
    """The SQLAlchemy URL for a server database; PostgreSQL through psycopg 3 is the one supported."""
    scheme, _, rest = choice.url_with_password().partition("://")
    name, _, driver = scheme.partition("+")
    if name not in ("postgresql", "postgres") or driver not in ("", "psycopg"):
        raise TrackerError(
            f"unsupported database URL {choice.location}; give a file path or postgresql+psycopg://user@host/dbname"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise TrackerError("a PostgreSQL database needs the psycopg driver: pip install 'psycopg[binary]'") from None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = f"postgresql+psycopg://{rest}"
    try:
        make_url(url)
    except (ArgumentError, ValueError):  # their messages may quote the URL, password and all
        raise TrackerError(
            f"cannot read the database URL {choice.location}; give postgresql+psycopg://user@host[:port]/dbname"
        ) from None
    return url


def make_engine(choice: DatabaseChoice) -> Any:
    """An engine whose every connection has the pragmas and locking this tool relies on."""
    from sqlalchemy import create_engine, event

    timeout = lock_timeout_seconds()
    if choice.is_url:
        engine = create_engine(server_url(choice), connect_args={"connect_timeout": 10})

        @event.listens_for(engine, "begin")
        def _bounded_waits(connection: Any) -> None:
            # Row locks wait at most TRACKER_LOCK_TIMEOUT, as SQLite's busy timeout does.
            # A plain cursor: the connection may be set to stream results through server cursors.
            cursor = connection.connection.cursor()
            cursor.execute(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'")
            cursor.close()

        return engine
    engine = create_engine(f"sqlite:///{choice.location}", connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, explicitly
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def write_session(choice: DatabaseChoice, *, create: bool = False, dry_run: bool = False) -> Iterator[Any]:
    """One transaction for one command: committed whole at the end, or not at all."""
    from sqlmodel import Session

    from tracker.migrations import migrate

    path = None if choice.is_url else choice.location
    is_new = path is not None and not os.path.exists(path)
    if is_new and not create:
        raise _missing(choice.location)
    if path is not None and os.path.isdir(path):
        raise _folder(path)
    succeeded = False
    # A new file's missing folders are made for it, and removed with it if nothing is written.
    with files.made_folders(path, keep=not dry_run) if is_new and path else nullcontext():
        engine = make_engine(choice)
        try:
            with _explained_errors(choice.location):
                migrate(engine, choice.location)
                with Session(engine, expire_on_commit=False) as session:
                    session.info["batch"] = new_batch_id()
                    transaction = session.begin()
                    try:
                        yield session
                    except BaseException:
                        transaction.rollback()
                        raise
                    if dry_run:
                        transaction.rollback()
                    else:
                        transaction.commit()
            succeeded = True
        finally:
            engine.dispose()
            if is_new and path is not None and (dry_run or not succeeded):
                _remove_database_files(path)


def _remove_database_files(path: str) -> None:
    for suffix in ("", *files.SQLITE_SIDE_FILES):
        with suppress(OSError):  # absent, or a name too long to have been created
            os.remove(path + suffix)

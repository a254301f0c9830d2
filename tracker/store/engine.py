"""SQLAlchemy engines: the PostgreSQL connection, and schema creation and migrations on either
backend. Everyday commands on a SQLite file never come here (tracker.store.transactions)."""

import sqlite3

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from tracker.errors import TrackerError
from tracker.settings import DatabaseChoice
from tracker.store.database import prepare_for_writes
from tracker.store.problems import explained_errors, lock_timeout_seconds


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
    url = f"postgresql+psycopg://{rest}"
    try:
        make_url(url)
    except (ArgumentError, ValueError):  # their messages may quote the URL, password and all
        raise TrackerError(
            f"cannot read the database URL {choice.location}; give postgresql+psycopg://user@host[:port]/dbname"
        ) from None
    return url


def make_engine(choice: DatabaseChoice) -> Engine:
    """An engine whose every connection has the pragmas and locking this tool relies on."""
    timeout = lock_timeout_seconds()
    if choice.is_url:
        engine = create_engine(server_url(choice), connect_args={"connect_timeout": 10})

        @event.listens_for(engine, "begin")
        def _bounded_waits(connection: Connection) -> None:
            # Row locks wait at most TRACKER_LOCK_TIMEOUT, as SQLite's busy timeout does.
            # A plain cursor: the connection may be set to stream results through server cursors.
            cursor = connection.connection.cursor()
            cursor.execute(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'")
            cursor.close()

        return engine
    # The file is opened by name, never through a URL, where a name such as `?` or `a#b` would
    # be read as a query string or a fragment (and `sqlite:///?` is a database in memory).
    path = choice.location
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(path, timeout=timeout), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, explicitly
        prepare_for_writes(dbapi_connection, timeout)

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(choice: DatabaseChoice) -> None:
    """Create the schema, or apply the migrations it lacks (a SQLite file is backed up first)."""
    from tracker.maintenance import backup_before_upgrade
    from tracker.migrations import migrate

    engine = make_engine(choice)
    try:
        with explained_errors(choice.location):
            migrate(engine, choice.location, before_upgrade=backup_before_upgrade)
    finally:
        engine.dispose()

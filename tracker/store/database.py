"""`Database`: one typed way to run SQL, on a SQLite file or a PostgreSQL server.

SQLite files go through the standard library's sqlite3, for reads and writes, so that a command
on a file never imports SQLAlchemy; PostgreSQL goes through a SQLAlchemy connection. The same SQL
text, with named parameters (`:name`), runs on both. Each query is declared as a `Query[R]`
next to its SQL, `R` being the TypedDict of the rows it returns.
"""

import datetime as dt
import itertools
import operator
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection as ServerConnection

R = TypeVar("R")
Params = Mapping[str, object]
Row = dict[str, Any]  # a row of a query built at run time, whose columns vary
# A stored day or timestamp as the driver hands it back: ISO text from SQLite, a date or a
# (naive, UTC) datetime from PostgreSQL. stored_date and stored_timestamp read either.
StoredDay = str | dt.date
StoredStamp = str | dt.datetime

# Rows a multi-row write sends to the driver at a time.
_ROWS_PER_STATEMENT = 10_000


# The page size of every file tracker creates: SQLite's default is 4 KiB; with 8 KiB a 100k-row
# load into a new file took a tenth less time, its B-trees a level shallower, and reads and single
# writes measured the same (docs/speed.md, "Third round"). A file keeps the page size it was made with.
PAGE_SIZE = 8192


def prepare_for_writes(connection: sqlite3.Connection, timeout: float) -> None:
    """What every connection that writes a SQLite file sets first: foreign keys enforced, a busy
    wait of `timeout` seconds, the page size of a file not yet written, and WAL. The page size
    comes before the journal mode, whose switch to WAL writes a new file's first page."""
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a file that has pages keeps its own
    connection.execute("PRAGMA journal_mode = WAL")


class Query(Generic[R]):
    """SQL text and the type of the rows it returns. (A plain class: a dataclass costs more to
    create at import, and every read command imports these.)"""

    __slots__ = ("sql",)

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def __repr__(self) -> str:
        return f"Query({self.sql!r})"


def _sqlite_timestamp(value: dt.datetime) -> str:
    # A zoned time is kept in UTC (tracker's are UTC already), written without its zone (the
    # 6 characters of `+00:00`); a naive one is taken to be UTC.
    if value.tzinfo is None:
        return value.isoformat(" ", "microseconds")
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ", "microseconds")[:-6]


# SQLite keeps dates and timestamps as text, in the forms SQLAlchemy's types wrote them:
# `2026-11-28` and `2026-11-28 09:44:45.000000`. The driver converts each date or time among a
# query's parameters through these (the stdlib's own default adapters are deprecated);
# insert_many converts its columns itself by the same rules (_stored_column), each distinct value
# once. They are the module's, so every sqlite3 connection of the process (SQLAlchemy's for
# migrations too) writes dates the same way.
sqlite3.register_adapter(dt.date, dt.date.isoformat)  # called from C, without a Python frame
sqlite3.register_adapter(dt.datetime, _sqlite_timestamp)


class Database:
    """A connection inside one transaction (or one read snapshot), and the batch id that the
    events written in it carry (`tracker undo` finds a command's events by it)."""

    def __init__(self, connection: "sqlite3.Connection | ServerConnection", *, batch: str | None = None) -> None:
        self.connection = connection
        self.batch = batch
        self._stored_forms: _StoredForms | None = None  # for insert_many
        self.is_sqlite = isinstance(connection, sqlite3.Connection) or connection.dialect.name == "sqlite"

    @property
    def is_server(self) -> bool:
        return not self.is_sqlite

    def _run(self, sql: str, params: Params | None) -> Any:
        connection = self.connection
        if isinstance(connection, sqlite3.Connection):
            return connection.execute(sql, params or {})
        from sqlalchemy import text

        return connection.execute(text(sql), dict(params or {}))

    def rows(self, query: Query[R], params: Params | None = None) -> list[R]:
        result = self._run(query.sql, params)
        if isinstance(self.connection, sqlite3.Connection):
            names = [column[0] for column in result.description]
            # map() builds the dicts without a Python frame per row (docs/speed.md).
            return cast(list[R], list(map(dict, map(zip, itertools.repeat(names), result.fetchall()))))
        return cast(list[R], [dict(row) for row in result.mappings()])

    def row(self, query: Query[R], params: Params | None = None) -> R | None:
        rows = self.rows(query, params)
        return rows[0] if rows else None

    def iterate(self, query: Query[R], params: Params | None = None) -> Iterator[R]:
        """The rows one at a time, for results too big to hold."""
        result = self._run(query.sql, params)
        if isinstance(self.connection, sqlite3.Connection):
            names = [column[0] for column in result.description]
            for values in result:
                yield cast(R, dict(zip(names, values, strict=False)))
            return
        for row in result.mappings():
            yield cast(R, dict(row))

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run a statement that returns no rows."""
        self._run(sql, params)

    def for_bulk_writes(self) -> None:
        """Give a SQLite connection 64 MB of page cache (its default is 2 MB) for the rest of its
        transaction: a load that touches 100,000 commitments' index entries otherwise spills and
        rereads pages, a quarter of its time (docs/speed.md). A server keeps its own cache."""
        if isinstance(self.connection, sqlite3.Connection):
            self.connection.execute("PRAGMA cache_size = -65536")

    def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement for each of `rows`, sent to the driver in large batches."""
        if not rows:
            return
        connection = self.connection
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            if isinstance(connection, sqlite3.Connection):
                connection.executemany(sql, chunk)
            else:
                from sqlalchemy import text

                connection.execute(text(sql), [dict(row) for row in chunk])

    def insert(self, table: str, values: Params) -> int:
        """Insert one row; its new id."""
        new_id = self._insert(table, values, "")
        assert new_id is not None, "an insert without ON CONFLICT inserts or raises"
        return new_id

    def insert_new(self, table: str, values: Params) -> int | None:
        """Insert one row unless it would repeat a unique value; its new id, or None if it would."""
        return self._insert(table, values, " ON CONFLICT DO NOTHING")

    def _insert(self, table: str, values: Params, on_conflict: str) -> int | None:
        names = list(values)
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)}){on_conflict}"
        if isinstance(self.connection, sqlite3.Connection):
            # The row id, not RETURNING: SQLite takes about three times as long over an insert with
            # RETURNING into a table with indexed text (docs/speed.md, "Data access").
            cursor = self.connection.execute(sql, values)
            return cursor.lastrowid if cursor.rowcount == 1 else None
        row = self.row(Query[dict[str, int]](sql + " RETURNING id"), values)
        return int(row["id"]) if row is not None else None

    def insert_many(self, table: str, rows: Sequence[Params]) -> None:
        """Insert rows that all name the same columns."""
        if not rows:
            return
        names = list(rows[0])
        columns = ", ".join(names)
        connection = self.connection
        if not isinstance(connection, sqlite3.Connection):
            self.execute_many(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + n for n in names)})", rows)
            return
        # Positional values, a column at a time, in C (map, itemgetter, zip): a column holding
        # dates goes through the transaction's _StoredForms, so each distinct date is written as
        # text once, where the adapters above ran for every value: a load repeats its timestamp
        # and its days down every row (docs/speed.md, "Data access").
        stored = self._stored_forms
        if stored is None or len(stored) > _FORMS_KEPT:
            stored = self._stored_forms = _StoredForms()
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            # A column that is NULL on every row of the chunk is written as the literal NULL: the
            # driver binds a None through its adaptation protocol, ~0.8 µs a value, and a load's
            # events leave five columns empty (docs/speed.md, "Data access").
            bound, placeholders = [], []
            for name in names:
                column = list(map(operator.itemgetter(name), chunk))
                if column.count(None) == len(column):
                    placeholders.append("NULL")
                else:
                    placeholders.append("?")
                    bound.append(_stored_column(column, stored))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(placeholders)})"
            connection.executemany(sql, zip(*bound, strict=True) if bound else [()] * len(chunk))


_DATE_TYPES = frozenset((dt.date, dt.datetime))
_ZONE = operator.attrgetter("tzinfo")
_ISO_TIME = operator.methodcaller("isoformat", " ", "microseconds")
_WITHOUT_ZONE = operator.itemgetter(slice(None, -6))  # `+00:00`


def _stored_column(column: list[object], stored: "_StoredForms") -> list[object]:
    """A column's values as SQLite stores them. A column of one value is converted once; a column
    of times all naive, or all in UTC (a file's record times: distinct, so no cache helps), is
    written by _sqlite_timestamp's rule through C calls alone; any other column holding dates goes
    through `stored`."""
    kinds = set(map(type, column))
    if _DATE_TYPES.isdisjoint(kinds):
        return column
    first = column[0]
    if column.count(first) == len(column):  # one value down the column (a load's record time)
        return [stored[first]] * len(column)
    if kinds == {dt.datetime}:
        zones = set(map(_ZONE, column))
        if zones == {None}:
            return list(map(_ISO_TIME, column))
        if zones == {dt.UTC}:
            return list(map(_WITHOUT_ZONE, map(_ISO_TIME, column)))
    return list(map(stored.__getitem__, column))


_FORMS_KEPT = 100_000  # distinct values a transaction keeps converted; then it starts afresh


class _StoredForms(dict[object, object]):
    """The values of date columns → what SQLite stores, each converted on first sight (by the
    adapters' own functions) and looked up in C after (None stays None)."""

    def __missing__(self, value: object) -> object:
        if type(value) is dt.date:
            stored: object = value.isoformat()
        elif isinstance(value, dt.datetime):
            stored = _sqlite_timestamp(value)
        else:
            stored = value
        self[value] = stored
        return stored


def stored_date(value: object) -> dt.date | None:
    """A stored date as a date: SQLite hands back ISO text, PostgreSQL a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def stored_timestamp(value: object) -> dt.datetime:
    """A stored (naive, UTC) timestamp as a datetime: SQLite hands back text, PostgreSQL a datetime."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))

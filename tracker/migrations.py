"""Named, ordered schema migrations, each applied in its own transaction and recorded.

A new database gets the current schema from the models in one step and is recorded as having
every migration. An older database gets the migrations it lacks, in order, after a backup copy
of it has been written next to it.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from tracker.errors import TrackerError

# The schema's version is the number of migrations; names never change once released.
MIGRATION_NAMES: tuple[str, ...] = ("m001_initial",)


def _m001_initial(connection: Any) -> None:
    # Version 1 is the first released schema: there is nothing older to upgrade from.
    raise TrackerError("m001_initial is only ever applied to a new database")


MIGRATIONS: dict[str, Callable[[Any], None]] = {"m001_initial": _m001_initial}


def schema_problem(applied: list[str], location: str) -> str | None:
    """Why a database with these migrations cannot be used as it is, or None."""
    unknown = [name for name in applied if name not in MIGRATION_NAMES]
    if unknown:
        return (
            f"{location} was written by a newer version of tracker (schema {len(applied)}, "
            f"this version knows {len(MIGRATION_NAMES)}); upgrade tracker to use it"
        )
    return None


def pending(applied: list[str]) -> list[str]:
    return [name for name in MIGRATION_NAMES if name not in applied]


def migrate(engine: Any, location: str) -> None:
    """Bring the database at `engine` to the current schema, creating it when empty."""
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    from tracker import models
    from tracker.queries import APPLIED_MIGRATIONS, fetch_all

    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables:
            SQLModel.metadata.create_all(connection)
            _record(connection, models, MIGRATION_NAMES)
            return
        if "tracker_migration" not in tables:
            raise TrackerError(f"{location} is not a tracker database (it holds other tables)")
        applied = [row["name"] for row in fetch_all(connection, APPLIED_MIGRATIONS)]
    problem = schema_problem(applied, location)
    if problem:
        raise TrackerError(problem)
    for name in pending(applied):
        with engine.begin() as connection:
            MIGRATIONS[name](connection)
            _record(connection, models, (name,))


def _record(connection: Any, models: Any, names: tuple[str, ...]) -> None:
    table = models.TrackerMigration.__table__
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    connection.execute(table.insert(), [{"name": name, "applied_at": now} for name in names])

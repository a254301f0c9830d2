"""Copy a whole tracker, history included, from one database to another (SQLite ⇄ PostgreSQL).

Every table is copied row for row with its ids, in dependency order, inside one transaction on
the target; a target that already holds a tracker's data is refused unless `force` is given,
in which case its contents are replaced. A new file is written by tracker.files, whole or not
at all; an existing one must be a tracker database, and never the source itself.
"""

import os
from dataclasses import dataclass
from typing import Any

from tracker import files
from tracker.errors import TrackerError
from tracker.settings import DatabaseChoice

_BATCH = 5_000
_CONTENT_TABLES = ("organisation", "source", "commitment", "event")


@dataclass
class CopySummary:
    rows: dict[str, int]

    def line(self, target: str) -> str:
        counts = ", ".join(f"{name}s: {self.rows.get(name, 0)}" for name in _CONTENT_TABLES)
        return f"copied to {target}: {counts}"


def copy_tracker(source: DatabaseChoice, target: DatabaseChoice, *, force: bool = False) -> CopySummary:
    from tracker.store.transactions import read_database

    with read_database(source):
        pass  # refuses what is not a tracker database, and upgrades an older one
    if target.is_url:
        if source.location == target.location:
            raise TrackerError("the source and the target are the same database")
        return _copy(source, target, force=force)
    files.check_target(target.location, source, "--to")
    if os.path.isfile(target.location):  # its contents are replaced in one transaction, or refused
        return _copy(source, target, force=force)
    # A new file is written whole or not at all, as every file tracker writes.
    with files.replacing(target.location, database=source, what="--to") as partial:
        return _copy(source, DatabaseChoice(partial, target.reason), force=force, shown=target.location)


def _copy(source: DatabaseChoice, target: DatabaseChoice, *, force: bool, shown: str | None = None) -> CopySummary:
    from sqlalchemy import func, select
    from sqlmodel import SQLModel

    from tracker import models  # noqa: F401  (registers the tables on SQLModel.metadata)
    from tracker.maintenance import backup_before_upgrade
    from tracker.migrations import migrate
    from tracker.store.engine import make_engine
    from tracker.store.problems import explained_errors

    tables = [t for t in SQLModel.metadata.sorted_tables if t.name != "tracker_migration"]
    shown = shown or target.location
    source_engine, target_engine = make_engine(source), make_engine(target)
    try:
        with explained_errors(shown):  # the source was opened above: a failure now is the target's
            migrate(target_engine, shown, before_upgrade=backup_before_upgrade)
            rows: dict[str, int] = {}
            with source_engine.connect() as reader, target_engine.begin() as writer:
                held = {name: writer.execute(select(func.count()).select_from(_table(tables, name))).scalar_one()
                        for name in _CONTENT_TABLES}  # fmt: skip
                if any(held.values()) and not force:
                    raise TrackerError(
                        f"{shown} already holds a tracker ({held['commitment']} commitments); "
                        "--force replaces its contents"
                    )
                for table in reversed(tables):
                    writer.execute(table.delete())
                for table in tables:
                    rows[table.name] = _copy_table(reader, writer, table)
                if writer.dialect.name == "postgresql":
                    _restart_sequences(writer, tables)
        return CopySummary(rows)
    finally:
        source_engine.dispose()
        target_engine.dispose()


def _table(tables: list[Any], name: str) -> Any:
    return next(table for table in tables if table.name == name)


def _copy_table(reader: Any, writer: Any, table: Any) -> int:
    order = list(table.primary_key.columns)
    result = reader.execution_options(stream_results=True).execute(table.select().order_by(*order))
    count = 0
    try:
        while batch := result.mappings().fetchmany(_BATCH):
            writer.execute(table.insert(), [dict(row) for row in batch])
            count += len(batch)
    finally:
        result.close()
    return count


def _restart_sequences(writer: Any, tables: list[Any]) -> None:
    """Ids were copied as they were: the next id each table hands out follows the largest."""
    from sqlalchemy import text

    for table in tables:
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            writer.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )

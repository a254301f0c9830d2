"""Named, ordered schema migrations, each applied in its own transaction and recorded.

A new database gets the current schema from the models in one step and is recorded as having
every migration. An older database gets the migrations it lacks, in order, after the caller's
`before_upgrade` has taken a backup copy of it (tracker.maintenance.backup_before_upgrade, passed
in by the store: this module imports nothing of upkeep).
"""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from tracker.errors import TrackerError

if TYPE_CHECKING:
    from types import ModuleType

    from sqlalchemy import Connection, Engine

# Writes a backup copy of the SQLite file at a path, at a schema version; returns its path.
BeforeUpgrade = Callable[[str, int], str]

# The schema's version is the number of migrations; names never change once released.
MIGRATION_NAMES: tuple[str, ...] = (
    "m001_initial",
    "m002_event_batch_and_undo",
    "m003_current_state_dates",
    "m004_report_indexes",
    "m005_event_keys",
    "m006_load_snapshots",
    "m007_source_lookup",
    "m008_withdrawals",
    "m009_evidence",
    "m010_verdicts",
)


def _m001_initial(connection: "Connection") -> None:
    # Version 1 is the first released schema: there is nothing older to upgrade from.
    raise TrackerError("m001_initial is only ever applied to a new database")


def _m002_event_batch_and_undo(connection: "Connection") -> None:
    """Group events by the command that recorded them, and link an undo to what it reverses.

    Explicit DDL, valid on SQLite and PostgreSQL; tracker.models declares the same columns and
    indexes, so a new database and an upgraded one have one schema (tests/test_migrations.py).
    """
    connection.exec_driver_sql("ALTER TABLE event ADD COLUMN batch VARCHAR")
    connection.exec_driver_sql("ALTER TABLE event ADD COLUMN undoes INTEGER REFERENCES event (id)")
    connection.exec_driver_sql("CREATE INDEX ix_event_batch ON event (batch)")
    connection.exec_driver_sql("CREATE INDEX ix_event_undoes ON event (undoes)")


def _m003_current_state_dates(connection: "Connection") -> None:
    """Keep the day the current status took effect and the day of the latest event on the
    commitment, filled here from each history, so that today's report need not rebuild them."""
    from tracker.store.timeline import BACKFILL_CURRENT_STATE_DATES

    connection.exec_driver_sql("ALTER TABLE commitment ADD COLUMN status_on DATE")
    connection.exec_driver_sql("ALTER TABLE commitment ADD COLUMN last_event_on DATE")
    connection.exec_driver_sql(BACKFILL_CURRENT_STATE_DATES)
    connection.exec_driver_sql("CREATE INDEX ix_commitment_status_last_event ON commitment (status, last_event_on)")


def _m004_report_indexes(connection: "Connection") -> None:
    """Let today's report count and list from indexes: wider commitment indexes, and tag rows
    that carry their commitment's status, due and status_on (filled here, kept by every write)."""
    from tracker.store.timeline import COPY_STATE_TO_ALL_TAGS

    for column, kind in (("status", "VARCHAR"), ("due", "DATE"), ("status_on", "DATE")):
        connection.exec_driver_sql(f"ALTER TABLE commitment_tag ADD COLUMN {column} {kind}")
    connection.exec_driver_sql(COPY_STATE_TO_ALL_TAGS)
    for dropped in (
        "ix_commitment_owner_status",
        "ix_commitment_status_due",
        "ix_commitment_status_last_event",
        "ix_commitment_tag_tag",
    ):
        connection.exec_driver_sql(f"DROP INDEX {dropped}")
    for created in (
        "ix_commitment_owner_report ON commitment (owner_id, status, due, status_on)",
        "ix_commitment_status_due ON commitment (status, due, ref)",
        "ix_commitment_status_last_event ON commitment (status, last_event_on, ref)",
        "ix_commitment_tag_report ON commitment_tag (tag, status, due, status_on, commitment_id)",
    ):
        connection.exec_driver_sql(f"CREATE INDEX {created}")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_WRITERS_KEEP_TAG_COPIES)


def _m005_event_keys(connection: "Connection") -> None:
    """Give every event a stable key (models.new_event_key), which exports carry and loads keep,
    so that an undo names the same event in every copy of the tracker."""
    from sqlalchemy import text

    from tracker.keys import new_event_key

    connection.exec_driver_sql("ALTER TABLE event ADD COLUMN key VARCHAR")
    ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM event ORDER BY id")]
    set_key = text("UPDATE event SET key = :key WHERE id = :id")
    for start in range(0, len(ids), 10_000):
        connection.execute(
            set_key, [{"key": new_event_key(), "id": event_id} for event_id in ids[start : start + 10_000]]
        )
    connection.exec_driver_sql("CREATE UNIQUE INDEX ix_event_key ON event (commitment_id, key)")


# Writers now update tag rows (db/roles.sql grants it to new set-ups); the owner, who upgrades,
# grants it here to a team already set up with the roles.
def _granted(*, reader: tuple[str, ...] = (), writer: tuple[str, ...] = ()) -> str:
    """SQL that grants db/roles.sql's roles what a migration's table needs, on a server whose team
    was set up with them (db/roles.sql grants the same to new set-ups); nothing where it was not."""
    blocks = "".join(
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        + " ".join(f"GRANT {grant} TO {role};" for grant in grants)
        + " END IF; "
        for role, grants in (("tracker_reader", reader), ("tracker_writer", writer))
        if grants
    )
    return f"DO $$ BEGIN {blocks}END $$"


_WRITERS_KEEP_TAG_COPIES = _granted(writer=("UPDATE ON commitment_tag",))


def _m006_load_snapshots(connection: "Connection") -> None:
    """Keep what each loaded file last said about each commitment (models.LoadSnapshot). A
    database upgraded to it has no record of the files loaded before: the first load of each
    compares with the commitments as they stand (tracker.interchange.snapshots)."""
    connection.exec_driver_sql(
        "CREATE TABLE load_snapshot ("
        " file_name VARCHAR NOT NULL,"
        " commitment_id INTEGER NOT NULL,"
        " stated VARCHAR NOT NULL,"
        " PRIMARY KEY (file_name, commitment_id),"
        " FOREIGN KEY(commitment_id) REFERENCES commitment (id))"
    )
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_TEAM_USES_LOAD_SNAPSHOTS)


# A table made after db/roles.sql ran is not in its grants (db/roles.sql grants these to new
# set-ups): readers export it, writers' loads keep it.
_TEAM_USES_LOAD_SNAPSHOTS = _granted(
    reader=("SELECT ON load_snapshot",), writer=("SELECT, INSERT, UPDATE ON load_snapshot",)
)


def _m007_source_lookup(connection: "Connection") -> None:
    """Find a source by its URL or title through an index, in any case (models.Source's url_key
    and title_key, filled here from each source and kept by every writer), find a source's
    commitments through one, and let a merged source name the one it was merged into."""
    from sqlalchemy import text

    from tracker.text import match_key

    for column in ("url_key VARCHAR", "title_key VARCHAR", "merged_into INTEGER REFERENCES source (id)"):
        connection.exec_driver_sql(f"ALTER TABLE source ADD COLUMN {column}")
    rows = connection.exec_driver_sql("SELECT id, title, url FROM source ORDER BY id").all()
    keys = [
        {"id": row[0], "title_key": match_key(row[1]), "url_key": match_key(row[2]) if row[2] else None} for row in rows
    ]
    if keys:
        connection.execute(text("UPDATE source SET title_key = :title_key, url_key = :url_key WHERE id = :id"), keys)
    for created in (
        "ix_source_url_key ON source (url_key)",
        "ix_source_title_key ON source (title_key)",
        "ix_commitment_source ON commitment (source_id)",
    ):
        connection.exec_driver_sql(f"CREATE INDEX {created}")


def _m008_withdrawals(connection: "Connection") -> None:
    """Keep the day a commitment was withdrawn (models.Commitment.withdrawn_on), indexed so that
    reads leave the few withdrawn ones out cheaply. Nothing to fill: no earlier schema could record
    a withdrawal (an older tracker refuses an export that has one)."""
    connection.exec_driver_sql("ALTER TABLE commitment ADD COLUMN withdrawn_on DATE")
    connection.exec_driver_sql("CREATE INDEX ix_commitment_withdrawn ON commitment (withdrawn_on)")


def _m009_evidence(connection: "Connection") -> None:
    """Keep each piece of evidence an event cites as a record of its own (models.Evidence). Nothing
    to fill: an event recorded before keeps its one `evidence` text, which reads as one piece
    (tracker.evidence)."""
    serial = "SERIAL" if connection.dialect.name == "postgresql" else "INTEGER"  # as create_all makes it
    connection.exec_driver_sql(
        "CREATE TABLE evidence ("
        f" id {serial} NOT NULL,"
        " event_id INTEGER NOT NULL,"
        " position INTEGER NOT NULL,"
        " url VARCHAR,"
        " citation VARCHAR,"
        " title VARCHAR,"
        " publisher VARCHAR,"
        " published DATE,"
        " accessed DATE,"
        " quote VARCHAR,"
        " archive_url VARCHAR,"
        " stance VARCHAR NOT NULL,"
        " source_id INTEGER,"
        " PRIMARY KEY (id),"
        " FOREIGN KEY(event_id) REFERENCES event (id),"
        " FOREIGN KEY(source_id) REFERENCES source (id))"
    )
    connection.exec_driver_sql("CREATE UNIQUE INDEX ix_evidence_event ON evidence (event_id, position)")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_TEAM_USES_EVIDENCE)


# db/roles.sql grants these to new set-ups: readers read evidence, writers record it.
_TEAM_USES_EVIDENCE = _granted(
    reader=("SELECT ON evidence",), writer=("INSERT ON evidence", "USAGE ON SEQUENCE evidence_id_seq")
)


def _m010_verdicts(connection: "Connection") -> None:
    """A verdict event's judgement and reason (tracker.verdicts). Nothing to fill: no earlier
    schema could record a verdict."""
    connection.exec_driver_sql("ALTER TABLE event ADD COLUMN verdict VARCHAR")
    connection.exec_driver_sql("ALTER TABLE event ADD COLUMN verdict_reason VARCHAR")
    connection.exec_driver_sql("CREATE INDEX ix_event_verdicts ON event (commitment_id) WHERE kind = 'verdict'")


MIGRATIONS: dict[str, Callable[["Connection"], None]] = {
    "m001_initial": _m001_initial,
    "m002_event_batch_and_undo": _m002_event_batch_and_undo,
    "m003_current_state_dates": _m003_current_state_dates,
    "m004_report_indexes": _m004_report_indexes,
    "m005_event_keys": _m005_event_keys,
    "m006_load_snapshots": _m006_load_snapshots,
    "m007_source_lookup": _m007_source_lookup,
    "m008_withdrawals": _m008_withdrawals,
    "m009_evidence": _m009_evidence,
    "m010_verdicts": _m010_verdicts,
}


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


def migrate(engine: "Engine", location: str, *, before_upgrade: BeforeUpgrade | None = None) -> str | None:
    """Bring the database at `engine` to the current schema, creating it when empty. A SQLite
    file is handed to `before_upgrade` before its first pending migration.

    Returns the path of the backup copy written before an upgrade, if there was one.
    """
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    from tracker import models

    backup = None
    with engine.begin() as connection:  # holds the write lock: nobody changes it meanwhile
        tables = set(inspect(connection).get_table_names())
        if not tables:
            SQLModel.metadata.create_all(connection)
            _record(connection, models, MIGRATION_NAMES)
            return None
        if "tracker_migration" not in tables:
            raise TrackerError(f"{location} is not a tracker database (it holds other tables)")
        applied = _applied(connection, location)
        if pending(applied) and connection.dialect.name == "sqlite" and before_upgrade is not None:
            backup = before_upgrade(location, len(applied))
    for name in pending(applied):
        with engine.begin() as connection:
            # Another process may have upgraded it since: each step is checked under the lock.
            if name in _applied(connection, location):
                continue
            MIGRATIONS[name](connection)
            _record(connection, models, (name,))
    return backup


def _applied(connection: "Connection", location: str) -> list[str]:
    from tracker.store.upkeep import APPLIED_MIGRATIONS

    applied = [str(row[0]) for row in connection.exec_driver_sql(APPLIED_MIGRATIONS.sql)]
    problem = schema_problem(applied, location)
    if problem:
        raise TrackerError(problem)
    return applied


def _record(connection: "Connection", models: "ModuleType", names: tuple[str, ...]) -> None:
    table = models.TrackerMigration.__table__
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    connection.execute(table.insert(), [{"name": name, "applied_at": now} for name in names])

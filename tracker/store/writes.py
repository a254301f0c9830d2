"""SQL that the write commands run (tracker.service, tracker.undo, tracker.creation): a
commitment as a record to change, its tags and partners, organisations and sources."""

import datetime as dt
from dataclasses import dataclass, fields
from typing import TypedDict

from tracker.store.database import Database, Query, Row, stored_date, stored_timestamp
from tracker.store.sources import SOURCE_COLUMNS, SourceRecordRow


@dataclass
class StoredCommitment:
    """A commitment's row, typed, as the write commands change it; `save` writes it back."""

    id: int
    ref: str
    title: str
    description: str
    owner_id: int
    status: str
    agreed: dt.date | None
    agreed_precision: str | None
    due: dt.date | None
    due_precision: str | None
    starts_on: dt.date
    source_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    status_on: dt.date | None
    last_event_on: dt.date | None
    withdrawn_on: dt.date | None

    @classmethod
    def from_row(cls, row: Row) -> "StoredCommitment":
        """The record from its row (RECORD_BY_*), dates and timestamps as the database gave them."""
        values = dict(row)
        for name in _DATES:
            values[name] = stored_date(values[name])
        for name in _TIMESTAMPS:
            values[name] = stored_timestamp(values[name])
        return cls(**values)

    def save(self, database: Database) -> None:
        database.execute(SAVE_COMMITMENT, {f.name: getattr(self, f.name) for f in fields(self)})


_DATES = ("agreed", "due", "starts_on", "status_on", "last_event_on", "withdrawn_on")
_TIMESTAMPS = ("created_at", "updated_at")
_RECORD_COLUMNS = [f.name for f in fields(StoredCommitment)]
_RECORD = f"SELECT {', '.join(_RECORD_COLUMNS)} FROM commitment"
# FOR UPDATE: on a server, writers to one commitment take turns, so each sees the others' events
# before it derives the status (SQLite's BEGIN IMMEDIATE already serialises them).
RECORD_BY_REF = Query[Row](f"{_RECORD} WHERE ref = :ref")
RECORD_BY_REF_LOCKED = Query[Row](f"{_RECORD} WHERE ref = :ref FOR UPDATE")
RECORD_BY_ID = Query[Row](f"{_RECORD} WHERE id = :id")
RECORD_BY_ID_LOCKED = Query[Row](f"{_RECORD} WHERE id = :id FOR UPDATE")
SAVE_COMMITMENT = "UPDATE commitment SET {} WHERE id = :id".format(
    ", ".join(f"{name} = :{name}" for name in _RECORD_COLUMNS if name != "id")
)


class IdRow(TypedDict):
    id: int


class NameRow(TypedDict):
    name: str


# Whether a value is taken in a column (a new ref, a new source key).
def value_taken(table: str, column: str) -> Query[IdRow]:
    return Query(f"SELECT id FROM {table} WHERE {column} = :value")


TAGS_OF = Query[NameRow]("SELECT tag AS name FROM commitment_tag WHERE commitment_id = :commitment_id ORDER BY tag")
PARTNERS_OF = Query[NameRow]("""
    SELECT o.short_name AS name
    FROM commitment_partner p JOIN organisation o ON o.id = p.organisation_id
    WHERE p.commitment_id = :commitment_id ORDER BY o.short_name
""")
DELETE_TAGS = "DELETE FROM commitment_tag WHERE commitment_id = :commitment_id"
DELETE_PARTNERS = "DELETE FROM commitment_partner WHERE commitment_id = :commitment_id"
SET_UPDATED_AT = "UPDATE commitment SET updated_at = :updated_at WHERE id = :id"

ORGANISATION_NAME = Query[NameRow]("SELECT short_name AS name FROM organisation WHERE id = :id")
SOURCE_KEY = Query[NameRow]("SELECT key AS name FROM source WHERE id = :id")


class OrganisationRecordRow(TypedDict):
    id: int
    name: str
    country: str | None
    aliases: str


ORGANISATION_BY_SHORT_NAME = Query[OrganisationRecordRow](
    "SELECT id, name, country, aliases FROM organisation WHERE short_name = :short_name"
)
UPDATE_ORGANISATION = "UPDATE organisation SET name = :name, country = :country, aliases = :aliases WHERE id = :id"


# A load names the sources it created: those after the last one before it (interchange.csv_load).
SOURCES_AFTER = Query[SourceRecordRow](f"SELECT {SOURCE_COLUMNS} FROM source WHERE id > :after ORDER BY id")
LAST_SOURCE_ID = Query[IdRow]("SELECT COALESCE(MAX(id), 0) AS id FROM source")

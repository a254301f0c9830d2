"""SQL that the write commands run (tracker.service, tracker.undo, tracker.creation): a
commitment as a record to change, its tags and partners, organisations and sources."""

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, TypedDict

from tracker.store.database import Database, Query, stored_date, stored_timestamp


@dataclass
class StoredCommitment:
    """A commitment's row as the write commands change it; `save` writes it back."""

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

    @classmethod
    def from_row(cls, row: "CommitmentRecordRow") -> "StoredCommitment":
        starts_on = stored_date(row["starts_on"])
        assert starts_on is not None, "every history has a start"
        return cls(
            id=row["id"],
            ref=row["ref"],
            title=row["title"],
            description=row["description"],
            owner_id=row["owner_id"],
            status=row["status"],
            agreed=stored_date(row["agreed"]),
            agreed_precision=row["agreed_precision"],
            due=stored_date(row["due"]),
            due_precision=row["due_precision"],
            starts_on=starts_on,
            source_id=row["source_id"],
            created_at=stored_timestamp(row["created_at"]),
            updated_at=stored_timestamp(row["updated_at"]),
            status_on=stored_date(row["status_on"]),
            last_event_on=stored_date(row["last_event_on"]),
        )

    def save(self, database: Database) -> None:
        database.execute(SAVE_COMMITMENT, {f.name: getattr(self, f.name) for f in fields(self)})


class CommitmentRecordRow(TypedDict):
    id: int
    ref: str
    title: str
    description: str
    owner_id: int
    status: str
    agreed: Any
    agreed_precision: str | None
    due: Any
    due_precision: str | None
    starts_on: Any
    source_id: int | None
    created_at: Any
    updated_at: Any
    status_on: Any
    last_event_on: Any


_RECORD_COLUMNS = [f.name for f in fields(StoredCommitment)]
_RECORD = f"SELECT {', '.join(_RECORD_COLUMNS)} FROM commitment"
# FOR UPDATE: on a server, writers to one commitment take turns, so each sees the others' events
# before it derives the status (SQLite's BEGIN IMMEDIATE already serialises them).
RECORD_BY_REF = Query[CommitmentRecordRow](f"{_RECORD} WHERE ref = :ref")
RECORD_BY_REF_LOCKED = Query[CommitmentRecordRow](f"{_RECORD} WHERE ref = :ref FOR UPDATE")
RECORD_BY_ID = Query[CommitmentRecordRow](f"{_RECORD} WHERE id = :id")
RECORD_BY_ID_LOCKED = Query[CommitmentRecordRow](f"{_RECORD} WHERE id = :id FOR UPDATE")
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


class SourceRecordRow(TypedDict):
    id: int
    key: str
    title: str
    publisher: str | None
    url: str | None
    published: Any
    published_precision: str | None
    note: str | None


_SOURCE = "SELECT id, key, title, publisher, url, published, published_precision, note FROM source"
SOURCES = Query[SourceRecordRow](f"{_SOURCE} ORDER BY id")
SOURCE_BY_KEY = Query[SourceRecordRow](f"{_SOURCE} WHERE key = :key")
UPDATE_SOURCE = """
    UPDATE source SET title = :title, publisher = :publisher, url = :url, published = :published,
                      published_precision = :published_precision, note = :note
    WHERE id = :id
"""

"""The schema, as SQLModel tables: what creates a new database and what migrations are checked
against. Reads and writes go through tracker.store's SQL.

Lists that belong to one row and are never filtered on (aliases, an edit's changes) are JSON
text; those that are filtered on (tags, partners) are tables of their own.
"""

import datetime as dt

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from tracker.keys import new_event_key


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    short_name: str = Field(unique=True)
    name: str
    country: str | None = None
    aliases: str = "[]"  # JSON list of other names


class Source(SQLModel, table=True):
    __table_args__ = (
        Index("ix_source_url_key", "url_key"),
        Index("ix_source_title_key", "title_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # a short slug that commitments and files refer to
    title: str
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_precision: str | None = None
    note: str | None = None
    # Added by m007 (so last, as ALTER TABLE puts them): the URL and the title as they are matched
    # (tracker.text.match_key), written with them by every writer, so that a source is found by
    # an index in any case on SQLite and PostgreSQL alike; and, for a source merged into another
    # (`tracker sources merge`), that source: its key, title and URL name the other from then on.
    url_key: str | None = None
    title_key: str | None = None
    merged_into: int | None = Field(default=None, foreign_key="source.id")


class Commitment(SQLModel, table=True):
    __table_args__ = (
        # Wide enough that today's report counts and lists from the indexes alone (tracker.store.reports).
        Index("ix_commitment_owner_report", "owner_id", "status", "due", "status_on"),
        Index("ix_commitment_status_due", "status", "due", "ref"),
        Index("ix_commitment_status_last_event", "status", "last_event_on", "ref"),
        Index("ix_commitment_source", "source_id"),  # a source's commitments (sources show, merge)
        Index("ix_commitment_withdrawn", "withdrawn_on"),  # the few withdrawn ones, left out of reads
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True)
    title: str
    description: str = ""
    owner_id: int = Field(foreign_key="organisation.id")
    status: str  # the status in effect at the latest date of the history, kept with each event
    agreed: dt.date | None = None
    agreed_precision: str | None = None
    due: dt.date | None = None
    due_precision: str | None = None
    # The day the history starts: the first day of `agreed`, else the day it was recorded.
    starts_on: dt.date
    source_id: int | None = Field(default=None, foreign_key="source.id")
    created_at: dt.datetime
    updated_at: dt.datetime
    # Kept with `status` from the timeline (service.refresh_current_state), so that a report on
    # today reads them instead of rebuilding every history: the day the current status took
    # effect, and the day of the latest event of any kind (the created one included). Last in
    # the table because migration m003 added them there.
    status_on: dt.date | None = None
    last_event_on: dt.date | None = None
    # Added by m008: the day it was withdrawn (`tracker withdraw`), kept from the timeline with
    # the rest (a withdrawal event that counts), NULL when it is not withdrawn. Lists, counts and
    # reports leave withdrawn commitments out unless asked (--withdrawn).
    withdrawn_on: dt.date | None = None


class CommitmentPartner(SQLModel, table=True):
    __tablename__ = "commitment_partner"
    commitment_id: int = Field(foreign_key="commitment.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)


class CommitmentTag(SQLModel, table=True):
    __tablename__ = "commitment_tag"
    __table_args__ = (Index("ix_commitment_tag_report", "tag", "status", "due", "status_on", "commitment_id"),)
    commitment_id: int = Field(foreign_key="commitment.id", primary_key=True)
    tag: str = Field(primary_key=True)
    # Copies of the commitment's status, due and status_on, kept with them by every write
    # (tracker.store.timeline.COPY_STATE_TO_TAGS), so that today's report counts per tag from one
    # index instead of looking up each tag's commitment (docs/speed.md). Null only in a row written
    # before its commitment's state, inside the same transaction.
    status: str | None = None
    due: dt.date | None = None
    status_on: dt.date | None = None


class Event(SQLModel, table=True):
    """One entry of a commitment's append-only history."""

    __table_args__ = (
        Index("ix_event_timeline", "commitment_id", "on_date", "id"),
        Index("ix_event_batch", "batch"),
        Index("ix_event_undoes", "undoes"),
        # Unique in its history, where undo links are resolved by key (a UUID, so unique anywhere in
        # practice); led by commitment_id, as a load writes events commitment by commitment, so
        # that its inserts append to the index instead of landing anywhere in it.
        Index("ix_event_key", "commitment_id", "key", unique=True),
        # The few verdict events (m010), so that a report finds the commitments rated without
        # reading every event.
        Index(
            "ix_event_verdicts",
            "commitment_id",
            sqlite_where=text("kind = 'verdict'"),
            postgresql_where=text("kind = 'verdict'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id")
    kind: str  # created, status, note, review, verdict, edit, withdrawal, undo
    to_status: str | None = None  # set on created and status events
    # The day it took effect. A created event takes effect on its commitment's starts_on.
    on_date: dt.date
    recorded_at: dt.datetime  # UTC
    recorded_by: str | None = None
    note: str | None = None
    evidence: str | None = None
    changes: str | None = None  # JSON {field: [before, after]} for edit events (and undone edits)
    # Added by m002 (so last, as ALTER TABLE puts them): the command that recorded the event, one
    # id per write command, and for an `undo` event the event it reverses.
    batch: str | None = None
    undoes: int | None = Field(default=None, foreign_key="event.id")
    # Added by m005: a stable key (a UUID) that exports carry and loads keep, so that an undo names
    # the event it reverses in every copy. Set on every event; nullable only as ALTER TABLE adds it.
    key: str | None = Field(default_factory=new_event_key)
    # Added by m010: a `verdict` event's judgement (tracker.verdicts) and, for `broken`, its reason.
    verdict: str | None = None
    verdict_reason: str | None = None


class Evidence(SQLModel, table=True):
    """One piece of evidence an event cites (tracker.evidence): the home of everything about it.
    The event's own `evidence` column keeps a copy of its first piece's URL or citation, which
    CSV exports, history files and older readers show."""

    __table_args__ = (Index("ix_evidence_event", "event_id", "position", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    position: int  # its place among the event's pieces, from 0
    url: str | None = None  # an http or https address; NULL for a citation without one
    citation: str | None = None  # the citation, when it has no URL
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    accessed: dt.date | None = None
    quote: str | None = None
    archive_url: str | None = None
    stance: str  # supports, contradicts or context
    source_id: int | None = Field(default=None, foreign_key="source.id")


class LoadSnapshot(SQLModel, table=True):
    """What a loaded file said about one commitment the last time it was loaded, so that loading
    it again applies only what the file changed since (tracker.interchange.snapshots)."""

    __tablename__ = "load_snapshot"
    file_name: str = Field(primary_key=True)  # the file's name without its folder
    commitment_id: int = Field(foreign_key="commitment.id", primary_key=True)
    stated: str  # JSON {field: value}, the fields the file gives, as the load read them


class TrackerMigration(SQLModel, table=True):
    __tablename__ = "tracker_migration"
    __table_args__ = (UniqueConstraint("name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str
    applied_at: dt.datetime

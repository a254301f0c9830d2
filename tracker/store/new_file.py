"""A new SQLite file's schema, created through the standard library's sqlite3, so that the first
write to a new file (`init`, `add`, a `load`) does not import SQLAlchemy and SQLModel: about 0.3 s
of a load into a new file (docs/speed.md, "A new file without SQLAlchemy").

The models (tracker/models.py, through `SQLModel.metadata.create_all` in tracker.migrations) are
where the schema is defined; SCRIPT is the text SQLite keeps for what create_all writes, with
SQLAlchemy's layout (a tab before each column, a space after each comma) put back by
`statements()`. tests/test_speed_tricks.py fails when a file created here differs from one created
there, and `UPDATE_SCHEMA=1 pytest tests/test_speed_tricks.py` rewrites SCRIPT.
"""

import datetime as dt
import sqlite3

from tracker.migrations import MIGRATION_NAMES
from tracker.store.database import Database

SCRIPT = """
CREATE TABLE organisation (
    id INTEGER NOT NULL,
    short_name VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    country VARCHAR,
    aliases VARCHAR NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (short_name)
);

CREATE TABLE source (
    id INTEGER NOT NULL,
    "key" VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    publisher VARCHAR,
    url VARCHAR,
    published DATE,
    published_precision VARCHAR,
    note VARCHAR,
    url_key VARCHAR,
    title_key VARCHAR,
    merged_into INTEGER,
    PRIMARY KEY (id),
    UNIQUE ("key"),
    FOREIGN KEY(merged_into) REFERENCES source (id)
);

CREATE INDEX ix_source_url_key ON source (url_key);

CREATE INDEX ix_source_title_key ON source (title_key);

CREATE TABLE tracker_migration (
    id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    applied_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);

CREATE TABLE commitment (
    id INTEGER NOT NULL,
    ref VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    owner_id INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    agreed DATE,
    agreed_precision VARCHAR,
    due DATE,
    due_precision VARCHAR,
    starts_on DATE NOT NULL,
    source_id INTEGER,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    status_on DATE,
    last_event_on DATE,
    withdrawn_on DATE,
    PRIMARY KEY (id),
    UNIQUE (ref),
    FOREIGN KEY(owner_id) REFERENCES organisation (id),
    FOREIGN KEY(source_id) REFERENCES source (id)
);

CREATE INDEX ix_commitment_owner_report ON commitment (owner_id, status, due, status_on);

CREATE INDEX ix_commitment_withdrawn ON commitment (withdrawn_on);

CREATE INDEX ix_commitment_status_last_event ON commitment (status, last_event_on, ref);

CREATE INDEX ix_commitment_status_due ON commitment (status, due, ref);

CREATE INDEX ix_commitment_source ON commitment (source_id);

CREATE TABLE commitment_partner (
    commitment_id INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL,
    PRIMARY KEY (commitment_id, organisation_id),
    FOREIGN KEY(commitment_id) REFERENCES commitment (id),
    FOREIGN KEY(organisation_id) REFERENCES organisation (id)
);

CREATE INDEX ix_commitment_partner_organisation_id ON commitment_partner (organisation_id);

CREATE TABLE commitment_tag (
    commitment_id INTEGER NOT NULL,
    tag VARCHAR NOT NULL,
    status VARCHAR,
    due DATE,
    status_on DATE,
    PRIMARY KEY (commitment_id, tag),
    FOREIGN KEY(commitment_id) REFERENCES commitment (id)
);

CREATE INDEX ix_commitment_tag_report ON commitment_tag (tag, status, due, status_on, commitment_id);

CREATE TABLE event (
    id INTEGER NOT NULL,
    commitment_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    to_status VARCHAR,
    on_date DATE NOT NULL,
    recorded_at DATETIME NOT NULL,
    recorded_by VARCHAR,
    note VARCHAR,
    evidence VARCHAR,
    changes VARCHAR,
    batch VARCHAR,
    undoes INTEGER,
    "key" VARCHAR,
    verdict VARCHAR,
    verdict_reason VARCHAR,
    PRIMARY KEY (id),
    FOREIGN KEY(commitment_id) REFERENCES commitment (id),
    FOREIGN KEY(undoes) REFERENCES event (id)
);

CREATE UNIQUE INDEX ix_event_key ON event (commitment_id, "key");

CREATE INDEX ix_event_undoes ON event (undoes);

CREATE INDEX ix_event_batch ON event (batch);

CREATE INDEX ix_event_verdicts ON event (commitment_id) WHERE kind = 'verdict';

CREATE INDEX ix_event_timeline ON event (commitment_id, on_date, id);

CREATE TABLE load_snapshot (
    file_name VARCHAR NOT NULL,
    commitment_id INTEGER NOT NULL,
    stated VARCHAR NOT NULL,
    PRIMARY KEY (file_name, commitment_id),
    FOREIGN KEY(commitment_id) REFERENCES commitment (id)
);

CREATE TABLE evidence (
    id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    url VARCHAR,
    citation VARCHAR,
    title VARCHAR,
    publisher VARCHAR,
    published DATE,
    accessed DATE,
    quote VARCHAR,
    archive_url VARCHAR,
    stance VARCHAR NOT NULL,
    source_id INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(event_id) REFERENCES event (id),
    FOREIGN KEY(source_id) REFERENCES source (id)
);

CREATE UNIQUE INDEX ix_evidence_event ON evidence (event_id, position)
"""


def statements() -> list[str]:
    """SCRIPT's statements, in the text create_all gives them."""
    return [text.replace("\n    ", "\n\t").replace(",\n", ", \n") for text in SCRIPT.strip().split(";\n\n")]


def deferrable(statement: str) -> bool:
    """An index that a bulk load into a new file builds after its rows (the source lookups stay:
    a load finds its sources through them)."""
    return statement.startswith("CREATE INDEX ") and " ON source " not in statement


def create_if_empty(connection: sqlite3.Connection, deferred: list[str] | None = None) -> bool:
    """Create the schema in a file without tables, and record every migration as applied, as
    tracker.migrations.migrate does, in a transaction left open for the caller's writes (the new
    file appears whole, or not at all); False (and nothing written or open) when the file has
    tables. With `deferred`, the indexes a bulk load builds after its rows (docs/speed.md) are
    added to it instead: the caller runs them before it commits."""
    connection.execute("BEGIN IMMEDIATE")  # as migrate: nobody creates it meanwhile
    try:
        if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone():
            connection.execute("ROLLBACK")
            return False
        for statement in statements():
            if deferred is not None and deferrable(statement):
                deferred.append(statement)
            else:
                connection.execute(statement)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        Database(connection).execute_many(
            "INSERT INTO tracker_migration (name, applied_at) VALUES (:name, :applied_at)",
            [{"name": name, "applied_at": now} for name in MIGRATION_NAMES],
        )
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return True

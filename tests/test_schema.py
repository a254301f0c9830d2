"""db/schema.sql is the readable schema: it must be exactly what a new database gets.

`UPDATE_SCHEMA=1 pytest tests/test_schema.py` rewrites it after a change to the models.
"""

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ROOT, ok
from tracker.migrations import MIGRATION_NAMES

pytestmark = pytest.mark.sqlite_only

SCHEMA = ROOT / "db" / "schema.sql"
HEADER = (
    "-- The schema of a new tracker database (SQLite), generated from tracker/models.py.\n"
    "-- Regenerate: UPDATE_SCHEMA=1 pytest tests/test_schema.py\n"
)


def test_schema_sql_matches_a_new_database(isolated: Path) -> None:
    ok("init")
    with sqlite3.connect(isolated) as connection:
        statements = [
            "\n".join(line.rstrip() for line in row[0].splitlines())
            for row in connection.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type DESC, tbl_name, name"
            )
        ]
    actual = HEADER + "".join(f"\n{statement};\n" for statement in statements)
    if os.environ.get("UPDATE_SCHEMA"):
        SCHEMA.write_text(actual, encoding="utf-8")
    assert SCHEMA.read_text(encoding="utf-8") == actual


def test_a_new_database_uses_wal_and_records_its_schema_version(isolated: Path) -> None:
    ok("init")
    with sqlite3.connect(isolated) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        recorded = [r[0] for r in connection.execute("SELECT name FROM tracker_migration")]
        assert recorded == list(MIGRATION_NAMES)

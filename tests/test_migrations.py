"""Schema versions: new databases, upgrades from the first release, and newer databases refused."""

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, fails, ok
from tracker.migrations import MIGRATION_NAMES

pytestmark = pytest.mark.sqlite_only  # SQLite files: their backups, checks and upgrades

SCHEMA_V1 = ROOT / "tests" / "data" / "schema-v1.db"


def schema(path: Path) -> dict[str, Any]:
    """Tables, columns, foreign keys and indexes as SQLite reports them, independent of DDL text."""
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        shape: dict[str, Any] = {}
        for table in sorted(tables):
            columns = [tuple(row[1:6]) for row in connection.execute(f"PRAGMA table_xinfo({table})")]
            keys = sorted(tuple(row[2:5]) for row in connection.execute(f"PRAGMA foreign_key_list({table})"))
            indexes = {}
            for row in connection.execute(f"PRAGMA index_list({table})"):
                name, unique = row[1], row[2]
                indexed = [info[2] for info in connection.execute(f"PRAGMA index_info({name})")]
                indexes[name] = (unique, indexed)
            shape[table] = {"columns": columns, "foreign_keys": keys, "indexes": indexes}
        return shape
    finally:
        connection.close()


def applied(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT name FROM tracker_migration ORDER BY id")]
    finally:
        connection.close()


def old_database(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copyfile(SCHEMA_V1, path)
    return path


def test_a_new_database_records_every_migration(isolated: Path) -> None:
    ok("init")
    assert applied(isolated) == list(MIGRATION_NAMES)
    assert MIGRATION_NAMES[:3] == ("m001_initial", "m002_event_batch_and_undo", "m003_current_state_dates")


def test_the_fixture_is_schema_1() -> None:
    assert applied(SCHEMA_V1) == ["m001_initial"]


def test_opening_a_schema_1_database_upgrades_it_and_keeps_a_backup(tmp_path: Path) -> None:
    path = old_database(tmp_path)
    before = ok("--db", str(path), "history", "ata-engagement")
    listing = ok("--db", str(path), "list")  # a read command upgrades too
    assert "ata-engagement" in listing
    assert applied(path) == list(MIGRATION_NAMES)
    backups = sorted(tmp_path.glob("old.db.backup-schema1-*"))
    assert len(backups) == 1
    assert backups[0].name.endswith("Z")
    assert applied(backups[0]) == ["m001_initial"]
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert copy.execute("SELECT COUNT(*) FROM event").fetchone() == (16,)
    copy.close()
    # The history written by schema 1 reads the same after the upgrade.
    assert ok("--db", str(path), "history", "ata-engagement") == before


def test_an_upgraded_database_has_the_same_schema_as_a_new_one(tmp_path: Path) -> None:
    path = old_database(tmp_path)
    ok("--db", str(path), "update", "fia-ct-wing", "--note", "after the upgrade")  # a write command upgrades
    ok("--db", str(tmp_path / "new.db"), "init")
    assert schema(path) == schema(tmp_path / "new.db")
    assert "ix_event_batch" in schema(path)["event"]["indexes"]


def test_the_upgrade_gives_every_event_a_key_of_its_own(tmp_path: Path) -> None:
    path = old_database(tmp_path)
    ok("--db", str(path), "list")
    connection = sqlite3.connect(path)
    try:
        keys = [row[0] for row in connection.execute("SELECT key FROM event")]
    finally:
        connection.close()
    assert len(keys) == 16 and len(set(keys)) == 16
    uuid4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(uuid4.fullmatch(key) for key in keys)


def test_an_upgrade_happens_once(tmp_path: Path) -> None:
    path = old_database(tmp_path)
    ok("--db", str(path), "list")
    ok("--db", str(path), "list")
    assert len(list(tmp_path.glob("old.db.backup-*"))) == 1
    assert applied(path) == list(MIGRATION_NAMES)


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    ok("--db", str(path), "init")
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("INSERT INTO tracker_migration (name, applied_at) VALUES ('m999_future', '2030-01-01')")
    connection.close()
    known = len(MIGRATION_NAMES)
    message = (
        f"error: {path} was written by a newer version of tracker (schema {known + 1}, this version knows {known}); "
        "upgrade tracker to use it"
    )
    assert fails("--db", str(path), "list") == message
    assert fails("--db", str(path), "update", "x", "--note", "n") == message
    assert applied(path)[-1] == "m999_future"
    assert not list(tmp_path.glob("future.db.backup-*"))


def test_the_upgrade_fills_the_source_lookup_columns(tmp_path: Path) -> None:
    """m007_source_lookup: a source written before it is found by its URL and title in any case."""
    path = old_database(tmp_path)
    ok("--db", str(path), "add", "By URL", "--owner", "MOI", "--source", "HTTPS://WENEWSENGLISH.COM/")
    ok("--db", str(path), "add", "By title", "--owner", "MOI", "--source", "pakistan, us agree to boost security "
       "and counterterrorism cooperation")  # fmt: skip
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT key, url_key, title_key, merged_into FROM source").fetchall()
        cited = connection.execute("SELECT DISTINCT source_id FROM commitment").fetchall()
    finally:
        connection.close()
    assert rows == [
        ("we-news-talks", "https://wenewsenglish.com/",
         "pakistan, us agree to boost security and counterterrorism cooperation", None),
    ]  # fmt: skip
    assert cited == [(1,)]


def test_the_upgrade_adds_the_withdrawal_day_unset(tmp_path: Path) -> None:
    """m008_withdrawals: no earlier schema could record a withdrawal, so none is withdrawn, and a
    commitment of the old database can be withdrawn and brought back after it."""
    path = old_database(tmp_path)
    ok("--db", str(path), "list")
    connection = sqlite3.connect(path)
    try:
        withdrawn = connection.execute("SELECT COUNT(*) FROM commitment WHERE withdrawn_on IS NOT NULL").fetchone()
        indexed = connection.execute("SELECT name FROM sqlite_master WHERE name = 'ix_commitment_withdrawn'").fetchall()
    finally:
        connection.close()
    assert withdrawn == (0,)
    assert indexed == [("ix_commitment_withdrawn",)]
    assert "m008_withdrawals" in applied(path)


def test_the_upgrade_adds_verdicts_and_an_upgraded_database_takes_one(tmp_path: Path) -> None:
    """m010_verdicts: the event's verdict and reason columns, empty in an upgraded database,
    which can then record a verdict."""
    path = old_database(tmp_path)
    ok("--db", str(path), "list")
    assert applied(path)[-1] == "m010_verdicts"
    ref = json.loads(ok("--db", str(path), "list", "-f", "json"))[0]["ref"]
    ok("--db", str(path), "update", ref, "--verdict", "kept", "--evidence", "https://example.org/kept")
    assert json.loads(ok("--db", str(path), "show", ref, "-f", "json"))["history"][-1]["verdict"] == "kept"


def test_the_upgrade_adds_evidence_records_and_old_evidence_reads_as_one_piece(tmp_path: Path) -> None:
    """m009_evidence: an empty `evidence` table; an event recorded before cites its evidence text,
    and events recorded after it cite any number of pieces."""
    import json

    path = old_database(tmp_path)
    connection = sqlite3.connect(path)
    try:
        connection.execute("UPDATE event SET evidence = 'Gazette 7' WHERE id = (SELECT MIN(id) FROM event)")
        connection.commit()
        ref = connection.execute(
            "SELECT c.ref FROM commitment c JOIN event e ON e.commitment_id = c.id ORDER BY e.id LIMIT 1"
        ).fetchone()[0]
    finally:
        connection.close()
    ok("--db", str(path), "update", ref, "--note", "n", "--evidence", "https://a.example", "--evidence", "B")
    events = json.loads(ok("--db", str(path), "history", ref, "--format", "json"))
    assert [p["citation"] for p in events[0]["cited"]] == ["Gazette 7"]
    assert [(p["url"], p["citation"]) for p in events[-1]["cited"]] == [("https://a.example", None), (None, "B")]
    assert "m009_evidence" in applied(path)

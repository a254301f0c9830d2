"""`tracker db backup` and `tracker db check`."""

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import fails, ok
from tracker.migrations import MIGRATION_NAMES

pytestmark = pytest.mark.sqlite_only  # SQLite files: their backups, checks and upgrades


def test_backup_writes_a_consistent_copy(isolated: Path, loaded: None, tmp_path: Path) -> None:
    output = ok("db", "backup", "copy.db")
    size = os.path.getsize(tmp_path / "copy.db")
    assert output == f"backed up {isolated} to copy.db (13 commitments, 13 events, {size / 1024:.0f} KiB)\n"
    assert ok("--db", "copy.db", "history", "ata-engagement") == ok("history", "ata-engagement")
    assert not [name for name in os.listdir(tmp_path) if "partial" in name]


def test_backup_refuses_to_overwrite_unless_forced(loaded: None, tmp_path: Path) -> None:
    (tmp_path / "copy.db").write_text("precious")
    assert fails("db", "backup", "copy.db") == "error: copy.db already exists; add --force to overwrite it"
    assert (tmp_path / "copy.db").read_text() == "precious"
    ok("db", "backup", "copy.db", "--force")
    assert "13 commitments" in ok("--db", "copy.db", "db", "check")


def test_backup_refuses_unusable_targets(isolated: Path, loaded: None, tmp_path: Path) -> None:
    assert fails("db", "backup", str(isolated)) == f"error: {isolated} is the database itself; give another file name"
    assert fails("db", "backup", str(tmp_path)) == f"error: {tmp_path} is a folder; give the name of the file to write"
    assert fails("--db", "missing.db", "db", "backup", "copy.db") == "error: no tracker database at missing.db"


def test_backup_is_safe_while_another_command_writes(isolated: Path, loaded: None) -> None:
    """A writer holding the lock mid-transaction neither blocks the copy nor leaks into it."""
    writer = sqlite3.connect(isolated, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM commitment_tag")
    try:
        ok("db", "backup", "copy.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect("copy.db")
    assert copy.execute("SELECT COUNT(*) FROM commitment_tag").fetchone()[0] > 0
    copy.close()


def test_check_passes_a_sound_database(isolated: Path, loaded: None) -> None:
    assert ok("db", "check") == (
        f"ok: {isolated} passed integrity_check, foreign_key_check and the kept-state check "
        f"(schema {len(MIGRATION_NAMES)}, 13 commitments, 13 events)\n"
    )


def test_check_reports_a_damaged_file(isolated: Path, loaded: None, tmp_path: Path) -> None:
    ok("db", "backup", "damaged.db")
    data = bytearray((tmp_path / "damaged.db").read_bytes())
    middle = len(data) // 2
    data[middle - 2048 : middle + 2048] = b"\xa5" * 4096  # one page's worth, in the middle
    (tmp_path / "damaged.db").write_bytes(bytes(data))
    message = fails("--db", "damaged.db", "db", "check")
    first, *details = message.splitlines()
    assert first.startswith("error: damaged.db failed its check (")
    assert first.endswith("); restore it from a backup copy")
    assert details and all(line.startswith("  ") for line in details)
    assert ok("db", "check").startswith("ok: ")  # the original is untouched


def test_check_reports_a_broken_foreign_key(isolated: Path, loaded: None) -> None:
    connection = sqlite3.connect(isolated)
    with connection:
        connection.execute("UPDATE event SET commitment_id = 9999 WHERE id = 1")
    connection.close()
    assert fails("db", "check") == (
        f"error: {isolated} failed its check (1 problem); restore it from a backup copy\n"
        "  foreign_key_check: event row 1 refers to a missing commitment row"
    )


def test_check_compares_the_kept_state_with_the_histories(isolated: Path, loaded: None) -> None:
    connection = sqlite3.connect(isolated)
    with connection:  # as an edit by hand, outside tracker, might leave them
        connection.execute("UPDATE commitment SET status = 'completed' WHERE ref = 'fia-academy'")
        connection.execute("UPDATE commitment_tag SET due = '2030-01-01' WHERE tag = 'counter-terrorism'")
    connection.close()
    assert fails("db", "check") == (
        f"error: {isolated} failed its check (7 problems); restore it from a backup copy\n"
        "  kept state: ata-engagement (tag counter-terrorism) differs from its history\n"
        "  kept state: fia-academy (status and dates) differs from its history\n"
        "  kept state: fia-academy (tag institutions) differs from its history\n"
        "  kept state: fia-academy (tag security-cooperation) differs from its history\n"
        "  kept state: fia-academy (tag training) differs from its history\n"
        "  kept state: fia-ct-wing (tag counter-terrorism) differs from its history\n"
        "  kept state: us-continued-cooperation (tag counter-terrorism) differs from its history"
    )


def test_check_compares_each_sources_lookup_keys_with_its_title_and_url(isolated: Path, loaded: None) -> None:
    connection = sqlite3.connect(isolated)
    with connection:  # a source written outside tracker, without the keys it is found by
        connection.execute("INSERT INTO source (key, title, url) VALUES ('by-hand', 'By hand', 'https://x.org/')")
        connection.execute("UPDATE source SET url_key = 'HTTPS://WENEWSENGLISH.COM/' WHERE key = 'we-news-talks'")
    connection.close()
    assert fails("db", "check") == (
        f"error: {isolated} failed its check (2 problems); restore it from a backup copy\n"
        "  kept state: source by-hand (lookup keys) differs from its title and URL\n"
        "  kept state: source we-news-talks (lookup keys) differs from its title and URL"
    )


@pytest.mark.parametrize("content", [b"not a database at all\n" * 200, b""])
def test_check_reports_a_file_that_is_not_a_database(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "other.db").write_bytes(content)
    message = fails("--db", "other.db", "db", "check")
    assert message.startswith("error: other.db failed its check (1 problem)")


def test_db_commands_need_a_file(tmp_path: Path) -> None:
    assert fails("--db", "postgresql://localhost/tracker", "db", "check") == (
        "error: 'tracker db check' works on SQLite files; for a server use its own tools (pg_dump, amcheck), "
        "or 'tracker db copy --to FILE' to take a copy as a file"
    )
    assert fails("db", "check") == f"error: no tracker database at {tmp_path / 'tracker.db'}"

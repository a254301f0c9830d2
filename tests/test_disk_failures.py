"""Failures of the disk under the database: a full disk, a read-only folder or file, a file that is
not a database. Each is one `error:` line naming the cause, and leaves nothing behind."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, fails, ok


@contextmanager
def pages_limited() -> Iterator[None]:
    """SQLite says "database or disk is full" when a write finds no room (ENOSPC). A page limit
    on every connection tracker opens (the store's own and SQLAlchemy's, which creates and
    migrates) makes it take that very path at the first new page."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    import tracker.store.transactions

    def limit(connection: object, _record: object = None) -> None:
        if isinstance(connection, sqlite3.Connection):
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {max(pages, 1)}")

    connect_sqlite = tracker.store.transactions.connect_sqlite

    def limited(path: str) -> sqlite3.Connection:
        connection = connect_sqlite(path)
        limit(connection)
        return connection

    event.listen(Engine, "connect", limit)
    tracker.store.transactions.connect_sqlite = limited
    try:
        yield
    finally:
        tracker.store.transactions.connect_sqlite = connect_sqlite
        event.remove(Engine, "connect", limit)


@pytest.mark.sqlite_only
def test_a_database_on_a_full_disk_is_one_error_line(isolated: Path, loaded: None, tmp_path: Path) -> None:
    before = ok("export")
    with pages_limited():
        message = fails("add", "A long one", "--owner", "FIA", "--description", "many words " * 1800)
        assert message == f"error: cannot write {isolated}: database or disk is full; nothing was written"
        assert ok("export") == before
        new = tmp_path / "new" / "deeper" / "tracker.db"
        assert fails("--db", str(new), "load", str(FIXTURE)) == (
            f"error: cannot write {new}: database or disk is full; nothing was written"
        )
        assert fails("db", "copy", "--to", "copies/copy.db") == (
            "error: cannot write copies/copy.db: database or disk is full; nothing was written"
        )
    assert not (tmp_path / "new").exists() and not (tmp_path / "copies").exists()
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".tracker-")]


def test_copy_refuses_a_file_that_is_not_a_tracker_database(loaded: None, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the meeting\n" * 100)
    assert fails("db", "copy", "--to", str(notes)) == f"error: {notes} is not a tracker database"
    assert fails("db", "copy", "--to", str(notes), "--force") == f"error: {notes} is not a tracker database"
    assert notes.read_text() == "minutes of the meeting\n" * 100
    assert fails("db", "copy", "--to", str(tmp_path)) == (
        f"error: {tmp_path} is a folder; give the name of the file to write"
    )


def run_without_overriding_permissions(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run tracker as a process that file permissions bind. Root ignores them (CAP_DAC_OVERRIDE),
    so as root the child gives up the capabilities that do so before it starts."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        preexec_fn=_drop_permission_overrides if os.geteuid() == 0 else None,
    )


def _drop_permission_overrides() -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    # Out of the bounding set, they are gone from what root gets when it starts a program; the
    # inheritable set would bring them back, so it is emptied first (capset, version 3).
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    data[2] = data[5] = 0
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    pr_capbset_drop = 24
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_database_in_a_read_only_folder_is_called_so(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    database = folder / "tracker.db"
    ok("--db", str(database), "load", str(FIXTURE))
    env = {**os.environ, "TRACKER_DB": str(database)}
    started = run_without_overriding_permissions("db", "path", env=env)
    assert started.returncode == 0, started.stderr
    assert sorted(path.name for path in folder.iterdir()) == ["tracker.db"]  # no -wal, no -shm to reuse
    folder.chmod(0o555)
    try:
        read_only = (
            f"error: cannot use {database}: its folder {folder} is read-only, and SQLite must write "
            "tracker.db-wal and tracker.db-shm beside the database, even to read it\n"
        )
        for command in (
            ["list"],
            ["report"],
            ["export", "--output", str(tmp_path / "all.json")],
            ["add", "x", "--owner", "FIA"],
            ["db", "check"],
            ["db", "backup", str(tmp_path / "copy.db")],
            ["db", "copy", "--to", str(tmp_path / "copy.db")],
        ):
            result = run_without_overriding_permissions(*command, env=env)
            assert (result.returncode, result.stdout, result.stderr) == (1, "", read_only), command
        output = run_without_overriding_permissions("report", "--output", str(folder / "report.txt"), env=env)
        assert output.returncode == 1 and output.stderr.startswith("error: "), output.stderr
    finally:
        folder.chmod(0o755)
    assert sorted(path.name for path in folder.iterdir()) == ["tracker.db"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["shared"]  # no output, no copy
    database.chmod(0o444)
    result = run_without_overriding_permissions("add", "x", "--owner", "FIA", env=env)
    assert (result.returncode, result.stderr) == (1, f"error: cannot write {database}: the file is read-only\n")


@pytest.mark.sqlite_only
def test_an_output_into_a_folder_one_may_write_but_not_read(isolated: Path, loaded: None, tmp_path: Path) -> None:
    drop_box = tmp_path / "drop-box"
    drop_box.mkdir(mode=0o300)  # as a shared drop box is: files go in, nobody lists them
    env = {**os.environ, "TRACKER_DB": str(isolated)}
    try:
        result = run_without_overriding_permissions("export", "--output", str(drop_box / "all.json"), env=env)
        assert (result.returncode, result.stderr) == (0, "")
    finally:
        drop_box.chmod(0o755)
    assert [path.name for path in drop_box.iterdir()] == ["all.json"]

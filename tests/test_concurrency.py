"""Concurrent writers: the write lock is taken at the start, waits are bounded, no update is lost."""

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import tracker.store.transactions
from tests.conftest import db_rows, fails, ok, run_process
from tracker.statuses import STATUSES


def lock_message(path: Path, seconds: str = "1") -> str:
    return (
        f"error: {path} is locked by another writer; gave up after {seconds} s "
        "(set TRACKER_LOCK_TIMEOUT to wait longer)"
    )


@pytest.fixture
def holder(isolated: Path, loaded: None) -> Any:
    """Another connection that holds the write lock until the test ends."""
    connection = sqlite3.connect(isolated, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    connection.execute("ROLLBACK")
    connection.close()


@pytest.mark.sqlite_only
def test_every_write_transaction_begins_immediate(
    isolated: Path, loaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pysqlite must not open its own (deferred) transaction: ours is the only BEGIN that runs."""
    statements: list[str] = []
    connect_sqlite = tracker.store.transactions.connect_sqlite

    def traced(path: str) -> sqlite3.Connection:
        connection = connect_sqlite(path)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(tracker.store.transactions, "connect_sqlite", traced)
    ok("update", "ata-engagement", "--status", "stalled", "--note", "traced")
    begins = [s for s in statements if s.split()[0].upper() in ("BEGIN", "SAVEPOINT")]
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}
    first_write = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO event"))
    assert "BEGIN IMMEDIATE" in statements[:first_write]
    assert statements[-1] == "COMMIT"


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_writer_gives_up_on_a_held_lock_with_a_clear_message(
    isolated: Path, holder: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ok("history", "ata-engagement")  # reads are not blocked by a writer
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", "1")
    assert fails("update", "ata-engagement", "--status", "stalled") == lock_message(isolated)
    assert fails("owners", "add", "NEW") == lock_message(isolated)
    assert ok("history", "ata-engagement") == before


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_writer_in_another_process_gives_up_and_changes_nothing(isolated: Path, holder: sqlite3.Connection) -> None:
    env = {**os.environ, "TRACKER_LOCK_TIMEOUT": "1"}
    result = run_process("update", "ata-engagement", "--status", "stalled", env=env)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", lock_message(isolated) + "\n")
    holder.execute("ROLLBACK")
    holder.execute("BEGIN IMMEDIATE")  # the fixture's teardown rolls this back
    assert holder.execute("SELECT COUNT(*) FROM event WHERE kind = 'status'").fetchone() == (0,)


@pytest.mark.sqlite_only
def test_an_unusable_lock_timeout_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", "soon")
    assert fails("init") == "error: TRACKER_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, not 'soon'"
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", "3600.5")
    assert fails("init") == "error: TRACKER_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, not '3600.5'"
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", "3600")  # the bounds themselves are allowed
    ok("init")


def _timeline_status(commitment_id: int) -> str:
    rows = db_rows(
        "SELECT to_status FROM event WHERE commitment_id = :commitment_id AND to_status IS NOT NULL "
        "ORDER BY CASE WHEN kind = 'created' THEN 0 ELSE 1 END, on_date, id",
        commitment_id=commitment_id,
    )
    return str(rows[-1][0])


@pytest.mark.slow
def test_concurrent_processes_lose_no_update(isolated: Path | str, loaded: None) -> None:
    """Workers in separate processes update the same two commitments at once, back-dated at random."""
    workers, updates = 4, 5
    generator = random.Random(5)
    jobs = [
        (
            generator.choice(["ata-engagement", "inl-engagement"]),
            generator.choice(STATUSES),
            dt.date(2025, generator.randint(2, 12), generator.randint(1, 28)).isoformat(),
            f"worker {worker} update {number}",
        )
        for worker in range(workers)
        for number in range(updates)
    ]

    def attempt(job: tuple[str, str, str, str]) -> tuple[str, Any]:
        ref, status, on, note = job
        args = ("update", ref, "--status", status, "--on", on, "--note", note, "--reopen")
        return note, run_process(*args)

    with ThreadPoolExecutor(workers) as pool:  # threads only start the processes and wait
        results = list(pool.map(attempt, jobs))
    for note, result in results:  # a status already in effect that day is recorded as a review
        assert result.returncode == 0, (note, result.stderr)
    recorded = [row[0] for row in db_rows("SELECT note FROM event WHERE kind IN ('status', 'review')")]
    assert sorted(recorded) == sorted(note for note, _ in results)  # every update is there, once
    for commitment_id, status in db_rows("SELECT id, status FROM commitment"):
        assert status == _timeline_status(commitment_id)
    if isinstance(isolated, Path):
        with sqlite3.connect(isolated) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.fixture
def server_holder(isolated: Path | str, loaded: None) -> Any:
    """On PostgreSQL: another writer, mid-transaction, holding ata-engagement's row and a new event."""
    if not isinstance(isolated, str):
        pytest.skip("row locks are how a server database serialises writers; SQLite locks the whole file")
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(isolated).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(url)
    (commitment_id,) = connection.execute(
        "SELECT id FROM commitment WHERE ref = 'ata-engagement' FOR UPDATE"
    ).fetchone() or (None,)
    connection.execute(
        "INSERT INTO event (commitment_id, kind, to_status, on_date, recorded_at, recorded_by, note) "
        "VALUES (%s, 'status', 'completed', '2026-01-03', now(), 'colleague', 'completed elsewhere')",
        (commitment_id,),
    )
    connection.execute("UPDATE commitment SET status = 'completed' WHERE id = %s", (commitment_id,))
    yield connection
    connection.close()


def test_a_server_writer_waits_its_turn_and_sees_what_the_other_committed(server_holder: Any) -> None:
    env = {**os.environ, "TRACKER_TODAY": "2026-06-30"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "update", "ata-engagement", "--status", "stalled", "--on", "2026-01-05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(2)
    assert process.poll() is None  # waiting for the row lock, not deciding on stale data
    server_holder.commit()
    stdout, stderr = process.communicate(timeout=60)
    # It judged its update against the completion committed while it waited.
    assert (process.returncode, stdout) == (1, "")
    assert stderr == (
        "error: ata-engagement is completed on 2026-01-05, a final status; add --reopen to change it to stalled\n"
    )
    assert db_rows("SELECT status FROM commitment WHERE ref = 'ata-engagement'") == [("completed",)]


def test_a_server_writer_gives_up_on_a_held_row_with_a_clear_message(server_holder: Any, isolated: str) -> None:
    env = {**os.environ, "TRACKER_TODAY": "2026-06-30", "TRACKER_LOCK_TIMEOUT": "1"}
    result = run_process("update", "ata-engagement", "--note", "waiting", env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {isolated} is locked by another writer; gave up after 1 s (set TRACKER_LOCK_TIMEOUT to wait longer)\n"
    )
    server_holder.rollback()
    assert db_rows("SELECT COUNT(*) FROM event WHERE note = 'waiting'") == [(0,)]

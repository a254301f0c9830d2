"""A shared tracker on PostgreSQL: moving a tracker between a file and a server, in both directions.

The rest of the suite runs on PostgreSQL too (see conftest); these tests need a file and a
server side by side, so they run in the SQLite pass and need TRACKER_TEST_POSTGRES.
"""

from pathlib import Path

import pytest

from tests.conftest import FIXTURE, NO_POSTGRES, POSTGRES_SERVER, fails, ok, postgres_database

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.skipif(POSTGRES_SERVER is None, reason=NO_POSTGRES),
]


@pytest.fixture
def history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("load", str(FIXTURE))
    ok("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-02-01", "--note", "قانونی رکاوٹ")
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-05-01", "--evidence", "https://example.org/a")
    ok("edit", "fia-academy", "--due", "Q3 2026", "--add-tag", "academy")


@pytest.mark.usefixtures("history")
def test_copy_to_a_server_and_back_is_identical_through_export(tmp_path: Path) -> None:
    original = ok("export", "--format", "json")
    with postgres_database() as server:
        assert ok("db", "copy", "--to", server) == (
            f"copied to {server}: organisations: 7, sources: 1, commitments: 13, events: 16\n"
        )
        assert ok("--db", server, "export", "--format", "json") == original
        back = tmp_path / "back.db"
        ok("--db", server, "db", "copy", "--to", str(back))
        assert ok("--db", str(back), "export", "--format", "json") == original
        # The server hands out new ids after the copied ones.
        assert ok("--db", server, "add", "Opened on the server", "--owner", "FIA") == "opened-on-the-server\n"


@pytest.mark.usefixtures("history")
def test_a_target_with_a_tracker_in_it_needs_force() -> None:
    with postgres_database() as server:
        ok("db", "copy", "--to", server)
        ok("--db", server, "update", "fia-academy", "--note", "only on the server")
        assert fails("db", "copy", "--to", server) == (
            f"error: {server} already holds a tracker (13 commitments); --force replaces its contents"
        )
        assert "only on the server" in ok("--db", server, "history", "fia-academy")
        ok("db", "copy", "--to", server, "--force")
        assert "only on the server" not in ok("--db", server, "history", "fia-academy")


def test_copying_onto_itself_is_refused(isolated: Path) -> None:
    ok("owners", "add", "FIA")
    assert fails("db", "copy", "--to", str(isolated)) == "error: the source and the target are the same database"

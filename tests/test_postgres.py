"""A shared tracker on PostgreSQL: moving a tracker between a file and a server, in both directions.

The rest of the suite runs on PostgreSQL too (see conftest); these tests need a file and a
server side by side, so they run in the SQLite pass and need TRACKER_TEST_POSTGRES.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, NO_POSTGRES, POSTGRES_SERVER, ROOT, fails, ok, postgres_database

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.postgresql,  # a server of its own, besides the test database
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


def test_copying_onto_itself_is_refused(isolated: Path | str) -> None:
    ok("owners", "add", "FIA")
    assert fails("db", "copy", "--to", str(isolated)) == (
        f"error: {isolated} is the database itself; give another file name"  # as every file written
        if isinstance(isolated, Path)
        else "error: the source and the target are the same database"
    )


@contextmanager
def _team(owner_url: str) -> Iterator[tuple[str, str, str]]:
    """db/roles.sql run as the owner, and a reader's and a writer's logins: (admin DSN, reader URL,
    writer URL); the logins are dropped afterwards."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    suffix = uuid.uuid4().hex[:8]
    reader, writer = f"reader_{suffix}", f"writer_{suffix}"
    owner = make_url(owner_url)
    admin = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute((ROOT / "db" / "roles.sql").read_text(encoding="utf-8"))
        connection.execute(f"CREATE ROLE {reader} LOGIN IN ROLE tracker_reader")
        connection.execute(f"CREATE ROLE {writer} LOGIN IN ROLE tracker_writer")
    try:
        yield (
            admin,
            owner.set(username=reader).render_as_string(hide_password=False),
            owner.set(username=writer).render_as_string(hide_password=False),
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for role in (reader, writer):
                connection.execute(f"DROP OWNED BY {role}")
                connection.execute(f"DROP ROLE {role}")


def test_a_team_gets_readers_and_writers_from_the_roles_script(history: None) -> None:
    """The README's shared-tracker set-up, done for real: db/roles.sql and two logins."""
    import psycopg
    from sqlalchemy.engine import make_url

    with postgres_database() as owner_url:
        ok("db", "copy", "--to", owner_url)
        with _team(owner_url) as (_, as_reader, as_writer):
            assert "fia-ct-wing" in ok("--db", as_reader, "list")
            assert "Progress report" in ok("--db", as_reader, "report", "--since", "2026-01-01")
            assert fails("--db", as_reader, "update", "fia-academy", "--note", "x") == (
                f"error: {as_reader}: permission denied for table commitment (this role may not make this change)"
            )
            ok("--db", as_writer, "update", "fia-academy", "--status", "in progress", "--note", "Site chosen")
            ok("--db", as_writer, "edit", "fia-academy", "--add-tag", "site", "--remove-tag", "academy")
            ok("--db", as_writer, "update", "fia-ct-wing", "--note", "A note to take back")
            ok("--db", as_writer, "undo", "--reason", "the note was premature")
            ok("--db", as_writer, "add", "Second academy", "--owner", "FIA")
            assert "Site chosen" in ok("--db", as_reader, "history", "fia-academy")
            # Sources: a writer adds, cites, merges and takes a merge back; a reader lists them.
            ok("--db", as_writer, "sources", "add", "site-visit", "--title", "Visit", "--url", "https://example.org/v")
            ok("--db", as_writer, "edit", "fia-academy", "--source", "HTTPS://EXAMPLE.ORG/V")
            ok("--db", as_writer, "sources", "merge", "site-visit", "we-news-talks")
            assert "site-visit" not in ok("--db", as_reader, "sources")
            ok("--db", as_writer, "undo", "--reason", "merged the wrong source")
            assert "site-visit" in ok("--db", as_reader, "sources")
            writer_dsn = make_url(as_writer).set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(writer_dsn) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("DELETE FROM event")  # history stays append-only, whoever connects


# Schema 3 as an older tracker left it on a server: no tag copies, the narrower indexes, no event
# keys, no load snapshots, no source lookup columns, and writers set up by the db/roles.sql of the time
# (no UPDATE on commitment_tag).
_BACK_TO_SCHEMA_3 = """
    DROP INDEX ix_commitment_owner_report, ix_commitment_status_due, ix_commitment_status_last_event,
               ix_commitment_tag_report;
    ALTER TABLE commitment_tag DROP COLUMN status, DROP COLUMN due, DROP COLUMN status_on;
    CREATE INDEX ix_commitment_owner_status ON commitment (owner_id, status);
    CREATE INDEX ix_commitment_status_due ON commitment (status, due);
    CREATE INDEX ix_commitment_status_last_event ON commitment (status, last_event_on);
    CREATE INDEX ix_commitment_tag_tag ON commitment_tag (tag, commitment_id);
    REVOKE UPDATE ON commitment_tag FROM tracker_writer;
    DELETE FROM tracker_migration WHERE name = 'm004_report_indexes';
    DROP INDEX ix_event_key;
    ALTER TABLE event DROP COLUMN key;
    DELETE FROM tracker_migration WHERE name = 'm005_event_keys';
    DROP TABLE load_snapshot;
    DELETE FROM tracker_migration WHERE name = 'm006_load_snapshots';
    DROP INDEX ix_source_url_key, ix_source_title_key, ix_commitment_source;
    ALTER TABLE source DROP COLUMN url_key, DROP COLUMN title_key, DROP COLUMN merged_into;
    DELETE FROM tracker_migration WHERE name = 'm007_source_lookup';
    DROP TABLE evidence;
    DELETE FROM tracker_migration WHERE name = 'm009_evidence';
"""


def test_writers_keep_writing_after_the_owner_upgrades_a_server_to_schema_4(history: None) -> None:
    import psycopg

    with postgres_database() as owner_url:
        ok("db", "copy", "--to", owner_url)
        with _team(owner_url) as (admin, as_reader, as_writer):
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(_BACK_TO_SCHEMA_3)
            ok("--db", owner_url, "list")  # the owner's first command upgrades it
            ok("--db", as_writer, "update", "fia-ct-wing", "--status", "in progress", "--reopen", "--note", "Again")
            ok("--db", as_writer, "edit", "fia-academy", "--add-tag", "site", "--due", "Q4 2026")
            report = json.loads(ok("--db", as_reader, "report", "--format", "json"))
            by_tag = {group["tag"]: group for group in report["by_tag"]}
            assert by_tag["counter-terrorism"]["by_status"]["in_progress"] >= 1  # the tags' copies followed
            assert by_tag["site"]["total"] == 1
            with psycopg.connect(admin) as connection:
                differing = connection.execute(
                    "SELECT COUNT(*) FROM commitment_tag t JOIN commitment c ON c.id = t.commitment_id"
                    " WHERE t.status IS DISTINCT FROM c.status OR t.due IS DISTINCT FROM c.due"
                    " OR t.status_on IS DISTINCT FROM c.status_on"
                ).fetchone()
            assert differing == (0,)  # filled by the upgrade, kept by the writer's commands
            with psycopg.connect(admin) as connection:
                keys = connection.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM event").fetchone()
            assert keys is not None and keys[0] == keys[1] > 0  # every event has a key of its own
            # m007 filled the lookup columns: the fixture's source is found by its URL in any case.
            ok("--db", as_writer, "edit", "fia-academy", "--source", "HTTPS://WENEWSENGLISH.COM/", "--title", "T")
            assert json.loads(ok("--db", as_reader, "show", "fia-academy", "-f", "json"))["source"] == "we-news-talks"
            # m009 made the evidence table and granted the team what recording and reading it needs.
            ok("--db", as_writer, "update", "fia-ct-wing", "--note", "Seen", "--evidence", "https://x.org/a",
               "--evidence", "Gazette, 2 June")  # fmt: skip
            cited = json.loads(ok("--db", as_reader, "evidence", "fia-ct-wing", "-f", "json"))["supports"]
            assert [piece["url"] or piece["citation"] for piece in cited][-2:] == ["https://x.org/a", "Gazette, 2 June"]


def test_a_password_in_a_server_url_is_never_printed() -> None:
    """Refusing a server database written by a newer tracker, reading or writing, names it
    without the URL's password."""
    import psycopg
    from sqlalchemy.engine import make_url

    with postgres_database() as server:
        ok("--db", server, "init")
        with psycopg.connect(make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)) as db:
            db.execute("INSERT INTO tracker_migration (name, applied_at) VALUES ('m999_future', '2030-01-01')")
        # The test server trusts local connections, so the password is carried but not checked.
        with_password = make_url(server).set(password="s3cret").render_as_string(hide_password=False)
        for command in (["list"], ["update", "x", "--note", "n"]):
            message = fails("--db", with_password, *command)
            assert "was written by a newer version of tracker" in message
            assert "s3cret" not in message and ":***@" in message


def test_writers_keep_and_readers_export_what_loaded_files_said_before_and_after_an_upgrade(
    history: None, tmp_path: Path
) -> None:
    import psycopg

    sheet = tmp_path / "sheet.csv"
    with postgres_database() as owner_url:
        ok("db", "copy", "--to", owner_url)
        with _team(owner_url) as (admin, as_reader, as_writer):
            for step in ("set up by db/roles.sql", "upgraded by the owner"):
                if step == "upgraded by the owner":  # a server from before schema 6, as its owner upgrades it
                    with psycopg.connect(admin, autocommit=True) as connection:
                        connection.execute("DROP TABLE load_snapshot")
                        connection.execute("DELETE FROM tracker_migration WHERE name = 'm006_load_snapshots'")
                    ok("--db", owner_url, "list")
                sheet.write_text(f"ref,title,owner\nfia-academy,Academy ({step}),FIA\nnew-{step[:2]},New,FIA\n")
                assert ok("--db", as_writer, "load", str(sheet)) == "commitments: 1 created, 1 updated, 0 unchanged\n"
                sheet.write_text(f"ref,title,owner\nfia-academy,Academy again ({step}),FIA\nnew-{step[:2]},New,FIA\n")
                assert ok("--db", as_writer, "load", str(sheet)) == "commitments: 0 created, 1 updated, 1 unchanged\n"
                said = json.loads(ok("--db", as_reader, "export"))["commitments"][5]["last_loaded"]
                assert said["sheet.csv"]["title"] == f"Academy again ({step})", step

"""A password in a database URL is never printed: not by any command, in no message, in no file."""

from pathlib import Path

import pytest

from tests.conftest import FIXTURE, every_command, fails, invocation, ok, run
from tracker.settings import DatabaseChoice, masked

PASSWORD = "s3cret"


def url_with_password(backend: str, isolated: Path | str) -> str:
    """This test's server database with a password (the test server trusts local connections, so
    it is carried but not checked); without a server, one nobody listens on: the failures are
    what is scanned then."""
    if backend == "sqlite":
        return f"postgresql+psycopg://tracker:{PASSWORD}@127.0.0.1:1/tracker"
    from sqlalchemy.engine import make_url

    return make_url(str(isolated)).set(password=PASSWORD).render_as_string(hide_password=False)


@pytest.mark.slow
def test_every_command_keeps_the_password_to_itself(
    backend: str, isolated: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = url_with_password(backend, isolated)
    values = {
        "title": "A commitment",
        "owner": "FIA",
        "ref": "fia-ct-wing",
        "files": str(FIXTURE),
        "short_name": "ORG",
        "file": str(tmp_path / "backup.db"),
        "to": str(tmp_path / "copy.db"),
    }
    monkeypatch.setenv("TRACKER_DB", url)
    if backend == "postgresql":
        ok("load", str(FIXTURE))  # so that the commands below have something to work on
    commands = every_command()
    runs = []
    for words, command in commands:
        arguments = invocation(words, command, values)
        if any(param.name == "output" for param in command.params):
            arguments += ["--output", str(tmp_path / f"{'-'.join(words)}.out")]
        runs += [arguments, ["--db", url, *arguments]]
    file_database = str(tmp_path / "file.db")
    ok("--db", file_database, "init")
    runs.append(["--db", file_database, "db", "copy", "--to", url, "--force"])  # the URL as the target
    for arguments in runs:
        result = run(*arguments)
        assert result.exit_code in (0, 1), (arguments, result.stderr)
        assert PASSWORD not in result.stdout + result.stderr, arguments
    for written in tmp_path.rglob("*"):
        assert not written.is_file() or PASSWORD.encode() not in written.read_bytes(), written
    assert {" ".join(words) for words, _ in commands} >= {"db path", "init", "load", "list", "db copy"}
    assert ok("db", "path") == f"{masked(url)} (from TRACKER_DB)\n"
    assert ":***@" in masked(url)


@pytest.mark.database_free
def test_a_database_location_prints_itself_masked() -> None:
    choice = DatabaseChoice("postgresql+psycopg://amina:s3cret@db.example.org/tracker", "from --db")
    shown = "postgresql+psycopg://amina:***@db.example.org/tracker"
    assert (str(choice), f"{choice}", f"{choice:>60}".strip(), format(choice), choice.location) == (shown,) * 5
    assert repr(choice) == f"DatabaseChoice({shown!r}, 'from --db')"
    assert PASSWORD not in repr([choice]) and PASSWORD not in repr({"db": choice})
    assert choice.url_with_password() == "postgresql+psycopg://amina:s3cret@db.example.org/tracker"


@pytest.mark.database_free
@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("postgresql+psycopg://u:s3cret@host/db", "postgresql+psycopg://u:***@host/db"),
        ("postgresql://u:p@ss/w@rd@host:5432/db", "postgresql://u:***@host:5432/db"),  # unescaped @ and /
        ("postgresql://u@x:s3cret@host/db", "postgresql://u@x:***@host/db"),
        (
            "postgresql://u@host/db?sslmode=require&password=s3cret",
            "postgresql://u@host/db?sslmode=require&password=***",
        ),
        ("postgresql://u@host/db?PASSWORD=s3cret&x=1", "postgresql://u@host/db?PASSWORD=***&x=1"),
        ("postgresql://u@/db?host=/run/postgresql", "postgresql://u@/db?host=/run/postgresql"),
        ("db/tracker.db", "db/tracker.db"),
        ("odd:name@file.db", "odd:name@file.db"),
    ],
)
def test_the_masking_rule(location: str, shown: str) -> None:
    assert masked(location) == shown


@pytest.mark.database_free
@pytest.mark.parametrize(
    "location", ["postgresql+psycopg://u:s3cret@host:notaport/db", "postgresql+psycopg://u:s3cret@[::1/db"]
)
def test_a_url_that_cannot_be_read_is_one_error_line(location: str) -> None:
    for command in (["list"], ["init"], ["db", "copy", "--to", "copy.db"]):
        assert fails("--db", location, *command) == (
            f"error: cannot read the database URL {masked(location)}; give postgresql+psycopg://user@host[:port]/dbname"
        )

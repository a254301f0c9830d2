"""Each speed trick that leans on a library's internals (docs/speed.md) is still in effect.

These tests probe what the trick does, never how long anything takes: if a new Python, Typer or
click stops the trick working, tracker still runs (each has a fallback or none is needed), and
only these tests say that it has become slower.
"""

import _json
import gc
import json
import json.encoder
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURE, fails, ok
from tracker import fastjson, gc_tuning
from tracker.cli.trimming import COMMAND_MODULES
from tracker.interchange import loading
from tracker.migrations import MIGRATION_NAMES
from tracker.store import new_file
from tracker.store.database import Query

AWKWARD_VALUES: list[Any] = [
    "",
    "plain",
    'quote " backslash \\ slash /',
    "control \x00 \x1f \x7f tab\t new line\n",
    "Urdu اردو, emoji 🙂, a lone surrogate \ud800, U+2028 \u2028",
    0,
    -0.0,
    1.5,
    1e300,
    -(2**70),
    float("nan"),
    float("inf"),
    True,
    None,
    [],
    {},
    [1, "a", None, [2, [3, {}]], {"k": []}],
    ("a", "tuple"),
    {"z": 1, "a": {"nested": ["x", 2.25]}, "": "empty key"},
    {3: "int key", 2.5: "float key", False: "bool key", None: "null key"},
]


@pytest.fixture
def fresh_encoders() -> Iterator[None]:
    """fastjson's encoders built anew, and again afterwards (they are cached per process)."""
    fastjson.c_encoder.cache_clear()
    fastjson.compact_encoder.cache_clear()
    yield
    fastjson.c_encoder.cache_clear()
    fastjson.compact_encoder.cache_clear()


@pytest.mark.database_free
@pytest.mark.usefixtures("fresh_encoders")
def test_json_is_encoded_by_the_standard_librarys_c_encoder_built_once() -> None:
    encoder = fastjson.c_encoder()
    assert isinstance(encoder, _json.make_encoder)  # json.encoder.c_make_encoder, else the fallback is in use
    assert fastjson.c_encoder() is encoder


@pytest.mark.database_free
@pytest.mark.usefixtures("fresh_encoders")
@pytest.mark.parametrize("value", AWKWARD_VALUES, ids=repr)
def test_fast_json_is_what_json_dumps_writes(value: Any) -> None:
    assert fastjson.compact_json(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.database_free
@pytest.mark.usefixtures("fresh_encoders")
@pytest.mark.parametrize("level", [0, 2])
def test_indented_json_is_what_json_dumps_writes_with_an_indent(level: int) -> None:
    values = [
        *AWKWARD_VALUES,
        {"nested": AWKWARD_VALUES, "empty": {}, "none": [], "deep": [[{"a": [{}]}]]},
        {f"value {index}": value for index, value in enumerate(AWKWARD_VALUES)},  # each kind as a record's value
    ]
    for value in values:
        expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
        assert fastjson.indented_json(value, level) == expected, value


@pytest.mark.database_free
@pytest.mark.usefixtures("fresh_encoders")
def test_without_the_c_encoder_the_text_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    assert fastjson.c_encoder() is None
    assert [fastjson.compact_json(value) for value in AWKWARD_VALUES] == [
        json.dumps(value, ensure_ascii=False) for value in AWKWARD_VALUES
    ]
    assert [fastjson.indented_json(value) for value in AWKWARD_VALUES] == [
        json.dumps(value, ensure_ascii=False, indent=2) for value in AWKWARD_VALUES
    ]


# Records every command Typer turns into click's form, then runs tracker as `python -m tracker` does.
_BUILT_COMMANDS_PROBE = """
import atexit, sys, typer.main
built = []
build = typer.main.get_command_from_info
def recording(command_info, **options):
    built.append(typer.main.get_command_name(command_info.name or command_info.callback.__name__))
    return build(command_info=command_info, **options)
typer.main.get_command_from_info = recording
atexit.register(lambda: print(" ".join(sorted(built)), file=sys.stderr))
sys.argv = ["tracker", *sys.argv[1:]]
from tracker.cli import main
main()
"""


def _built_commands(*arguments: str) -> list[str]:
    process = subprocess.run(
        [sys.executable, "-c", _BUILT_COMMANDS_PROBE, *arguments], capture_output=True, text=True, check=False
    )
    assert process.returncode in (0, 2), process.stderr
    return process.stderr.splitlines()[-1].split()


@pytest.mark.database_free
def test_a_process_builds_only_the_typer_command_it_runs() -> None:
    assert _built_commands("list", "--help") == ["list"]
    assert _built_commands("--db", "x.db", "report", "--help") == ["report"]
    everything = _built_commands("--help")
    assert set(COMMAND_MODULES) - {"db", "owners", "sources"} <= set(everything)  # the groups' own commands too
    assert _built_commands("lst") == everything  # to suggest a near name
    # What help and an unknown command then say: tests/test_commands.py.


@pytest.mark.database_free
def test_a_process_is_tuned_for_the_collector_to_its_end() -> None:
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_threshold(), gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "sys.argv = ['tracker', '--version']\n"
        "from tracker.cli import main\n"
        "main()\n"
    )
    process = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert (process.returncode, process.stdout) == (0, "tracker 0.1.0\n")
    assert process.stderr == f"{gc_tuning.THRESHOLD} True\n"


@pytest.fixture
def collector_as_python_starts() -> Iterator[tuple[int, int, int]]:
    """Nothing frozen and a threshold other than the tuned one; the collector as it was afterwards."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*threshold)


def test_a_load_tunes_the_collector_while_it_writes_and_then_puts_it_back(
    collector_as_python_starts: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[tuple[int, int, int], bool, bool]] = []
    check = loading._checked

    def probed(*arguments: Any) -> Callable[[Any, Any], None]:
        load = check(*arguments)

        def probe(session: Any, summary: Any) -> None:
            seen.append((gc.get_threshold(), gc.get_freeze_count() > 0, gc.isenabled()))
            load(session, summary)

        return probe

    monkeypatch.setattr(loading, "_checked", probed)
    ok("load", str(FIXTURE))
    assert seen == [(gc_tuning.THRESHOLD, True, True)]
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == (collector_as_python_starts, 0, True)


def _master(path: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(path) as connection:
        # By name: SQLAlchemy creates a table's indexes in no fixed order.
        return connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


@pytest.mark.sqlite_only
def test_a_new_file_gets_exactly_the_schema_the_models_create(tmp_path: Path) -> None:
    """tracker.store.new_file writes a new file's schema without SQLAlchemy: the same tables,
    indexes and text as SQLModel.metadata.create_all (tracker.migrations)."""
    from sqlalchemy import create_engine

    from tracker.migrations import migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    try:
        migrate(engine, "models.db")
    finally:
        engine.dispose()
    with sqlite3.connect(tmp_path / "models.db") as connection:
        query = "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        made = [row[0] for row in connection.execute(query)]  # tables before their indexes
    if os.environ.get("UPDATE_SCHEMA"):
        script = ";\n\n".join("\n".join(line.rstrip() for line in text.splitlines()) for text in made)
        module = Path(new_file.__file__)
        head, _, rest = module.read_text(encoding="utf-8").partition('SCRIPT = """\n')
        tail = rest.partition('\n"""\n')[2]
        module.write_text(f'{head}SCRIPT = """\n{script.replace(chr(9), "    ")}\n"""\n{tail}', encoding="utf-8")
    assert sorted(new_file.statements()) == sorted(made)
    with sqlite3.connect(tmp_path / "new.db", isolation_level=None) as connection:
        assert new_file.create_if_empty(connection)
        connection.execute("COMMIT")  # the caller's, after its own writes
        assert not new_file.create_if_empty(connection)  # a file with tables is left alone
        assert not connection.in_transaction
        recorded = [row[0] for row in connection.execute("SELECT name FROM tracker_migration ORDER BY id")]
    assert recorded == list(MIGRATION_NAMES)
    assert _master(tmp_path / "new.db") == _master(tmp_path / "models.db")


@pytest.mark.sqlite_only
def test_a_load_into_a_new_file_imports_neither_sqlalchemy_nor_sqlmodel(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from tracker.cli import main\n"
        "sys.argv = ['tracker', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(sorted({name.split('.')[0] for name in sys.modules} & {'sqlalchemy', 'sqlmodel'}))\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(tmp_path / "new.db"), "load", str(FIXTURE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (process.returncode, process.stdout.splitlines()[-1]) == (0, "[]"), process.stderr


def _indexes_during_load(monkeypatch: pytest.MonkeyPatch, *paths: str) -> set[str]:
    """The indexes a load's transaction sees as it starts writing."""
    seen: set[str] = set()

    def indexes(transaction: Any) -> None:
        if not seen:
            query = Query[dict[str, str]]("SELECT name FROM sqlite_master WHERE type = 'index'")
            seen.update(row["name"] for row in transaction.rows(query))

    _probe_loads(monkeypatch, indexes)
    ok("load", *paths)
    return seen


def _pragma(transaction: Any, name: str) -> object:
    return transaction.rows(Query[dict[str, object]](f"PRAGMA {name}"))[0][name]


def _probe_loads(
    monkeypatch: pytest.MonkeyPatch, before: Callable[[Any], None], after: Callable[[Any], None] | None = None
) -> None:
    """Have every file a load reads call `before` with the load's transaction as it starts
    writing the file, and `after` once it has written it."""
    check = loading._checked

    def probed(*arguments: Any) -> Callable[[Any, Any], None]:
        load = check(*arguments)

        def probe(transaction: Any, summary: Any) -> None:
            before(transaction)
            load(transaction, summary)
            if after is not None:
                after(transaction)

        return probe

    monkeypatch.setattr(loading, "_checked", probed)


@pytest.mark.sqlite_only
def test_a_csv_loaded_into_a_new_file_has_its_indexes_built_after_its_rows(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("c.csv").write_text("ref,title,owner,tags,agreed\na,A,MOI,x,2025-01-01\nb,B,MOI,y,\n", encoding="utf-8")
    later = {statement.split()[2] for statement in new_file.statements() if new_file.deferrable(statement)}
    assert {"ix_event_timeline", "ix_commitment_status_due", "ix_commitment_tag_report"} <= later
    during = _indexes_during_load(monkeypatch, "c.csv")
    assert not during & later
    assert {"ix_source_url_key", "ix_source_title_key", "ix_event_key"} <= during  # lookups and unique keys stay
    assert _master(isolated) == _master_of_models(isolated.parent)
    # A second load into the file, and a load that brings a history, find events by commitment.
    assert later <= _indexes_during_load(monkeypatch, "c.csv")
    isolated.unlink()
    Path("h.csv").write_text("ref,on,status\na,2026-01-05,in_progress\n", encoding="utf-8")
    assert later <= _indexes_during_load(monkeypatch, "c.csv", "h.csv")


def _master_of_models(folder: Path) -> list[tuple[str, str, str, str | None]]:
    from sqlalchemy import create_engine

    from tracker.migrations import migrate

    engine = create_engine(f"sqlite:///{folder / 'models.db'}")
    try:
        migrate(engine, "models.db")
    finally:
        engine.dispose()
    return _master(folder / "models.db")


def test_an_event_key_is_a_random_uuid_as_uuid4_writes_it() -> None:
    import uuid

    from tracker.keys import keyed, new_event_key, new_event_keys

    keys = [new_event_key() for _ in range(1_000)] + new_event_keys(1_000)
    assert len(set(keys)) == len(keys)
    for key in keys:
        parsed = uuid.UUID(key)
        assert (str(parsed), parsed.version, parsed.variant) == (key, 4, uuid.RFC_4122)
    # Every variant digit appears (8, 9, a, b), so none is fixed by mistake.
    assert {key[19] for key in keys} == set("89ab")
    # Rows without a key get one each; a key a row has (an export's) stays
    rows = keyed([{"key": None}, {"key": keys[0]}, {"key": ""}, {"key": None}])
    assert rows[1]["key"] == keys[0]
    assert len({row["key"] for row in rows}) == 4 and all(uuid.UUID(row["key"]).version == 4 for row in rows)


def test_dates_and_times_are_stored_as_the_models_store_them(tmp_path: Path) -> None:
    """Rows go to sqlite3 with their dates as they are: the adapters tracker.store.database
    registers write them in SQLAlchemy's forms, a zoned time in UTC."""
    import datetime as dt

    from tracker.store.database import Database

    connection = sqlite3.connect(tmp_path / "x.db")
    connection.execute("CREATE TABLE t (day DATE, stamp DATETIME)")
    database = Database(connection)
    karachi = dt.timezone(dt.timedelta(hours=5))
    rows: list[dict[str, object]] = [
        {"day": dt.date(2026, 3, 1), "stamp": dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC)},
        {"day": None, "stamp": dt.datetime(2026, 3, 1, 14, 5, 0, 7, tzinfo=karachi)},
        {"day": dt.date(2026, 3, 2), "stamp": dt.datetime(2026, 3, 1, 9, 5)},
    ]
    database.insert_many("t", rows)
    database.execute("INSERT INTO t (day, stamp) VALUES (:day, :stamp)", rows[0])
    assert connection.execute("SELECT day, stamp FROM t").fetchall() == [
        ("2026-03-01", "2026-03-01 09:05:00.000000"),
        (None, "2026-03-01 09:05:00.000007"),
        ("2026-03-02", "2026-03-01 09:05:00.000000"),
        ("2026-03-01", "2026-03-01 09:05:00.000000"),
    ]
    # Columns of times all in UTC, or all naive, are written by the same rule
    for stamps in (
        [dt.datetime(2026, 3, 1, 9, 5, 0, 7, tzinfo=dt.UTC), dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC)],
        [dt.datetime(2026, 3, 1, 9, 5, 0, 7), dt.datetime(1999, 12, 31, 23, 59)],
    ):
        connection.execute("DELETE FROM t")
        database.insert_many("t", [{"day": None, "stamp": stamp} for stamp in stamps])
        assert connection.execute("SELECT stamp FROM t").fetchall() == [
            ("2026-03-01 09:05:00.000007",),
            ("1999-12-31 23:59:00.000000",),
        ]
    # A column of one value (a load's record time) is converted once, and only when every row has it
    noon, one = dt.datetime(2026, 3, 1, 12, 0, tzinfo=karachi), dt.datetime(2026, 3, 1, 13, 0, tzinfo=karachi)
    for stamps, stored in (
        ([noon, noon, noon], ["2026-03-01 07:00:00.000000"] * 3),
        ([noon, noon, one], ["2026-03-01 07:00:00.000000"] * 2 + ["2026-03-01 08:00:00.000000"]),
    ):
        connection.execute("DELETE FROM t")
        database.insert_many("t", [{"day": dt.date(2026, 3, 1), "stamp": stamp} for stamp in stamps])
        assert connection.execute("SELECT day, stamp FROM t").fetchall() == [("2026-03-01", s) for s in stored]


def test_a_column_empty_on_every_row_is_written_as_null_not_left_to_its_default(tmp_path: Path) -> None:
    """insert_many writes such a column as the literal NULL (binding None is slow): it stays in the
    INSERT, so a column's default never stands in for a value the rows give as None."""
    from tracker.store.database import Database

    connection = sqlite3.connect(tmp_path / "x.db")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'unset', day DATE DEFAULT 'x')")
    database = Database(connection)
    database.insert_many("t", [{"note": None, "day": None}, {"note": "kept", "day": None}])
    database.insert_many("t", [{"note": None, "day": None}] * 3)  # every value NULL: three rows all the same
    assert connection.execute("SELECT id, note, day FROM t").fetchall() == [
        (1, None, None),
        (2, "kept", None),
        (3, None, None),
        (4, None, None),
        (5, None, None),
    ]


@pytest.mark.sqlite_only
def test_a_new_file_is_written_under_a_rollback_journal_and_left_in_wal_mode(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("c.csv").write_text("ref,title,owner\na,A,MOI\n", encoding="utf-8")
    modes: list[object] = []
    _probe_loads(monkeypatch, lambda transaction: modes.append(_pragma(transaction, "journal_mode")))
    ok("load", "c.csv")
    with sqlite3.connect(isolated) as connection:  # as the load left it
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert not Path(f"{isolated}-journal").exists()
    ok("load", "c.csv")  # into the file now there: WAL, as every later command
    assert modes == ["delete", "wal"]


@pytest.mark.sqlite_only
def test_a_new_file_has_8_kib_pages_and_an_older_file_keeps_its_own(isolated: Path, tmp_path: Path) -> None:
    from tracker.settings import DatabaseChoice
    from tracker.store.engine import upgrade

    def page_size(path: Path) -> int:
        with sqlite3.connect(path) as connection:
            return int(connection.execute("PRAGMA page_size").fetchone()[0])

    Path("c.csv").write_text("ref,title,owner\na,A,MOI\n", encoding="utf-8")
    ok("load", "c.csv")  # a new file, made without SQLAlchemy (tracker.store.new_file)
    migrated = tmp_path / "migrated.db"
    upgrade(DatabaseChoice(str(migrated), "test"))  # one made by the migrations
    assert (page_size(isolated), page_size(migrated)) == (8192, 8192)
    # A file made with SQLite's default pages (as tracker made them before) stays as it is
    with sqlite3.connect(isolated, isolation_level=None) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA page_size = 4096")
        connection.execute("VACUUM")
    ok("add", "Another", "--owner", "MOI")
    ok("load", "c.csv")
    assert page_size(isolated) == 4096
    assert "another" in ok("list")


@pytest.mark.sqlite_only
def test_a_bulk_load_into_a_new_file_checks_its_references_once_after_its_rows(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("c.csv").write_text("ref,title,owner,partners,tags\na,A,MOI,FIA,x\n", encoding="utf-8")
    checks: list[object] = []
    broken = {"on": False}

    def break_a_reference(transaction: Any) -> None:
        if broken["on"]:  # as a fault of tracker's own would: a partner that is no organisation
            transaction.execute("INSERT INTO commitment_partner (commitment_id, organisation_id) VALUES (1, 99)")

    _probe_loads(
        monkeypatch, lambda transaction: checks.append(_pragma(transaction, "foreign_keys")), break_a_reference
    )
    broken["on"] = True
    assert fails("load", "c.csv") == (
        "error: internal error: the load left commitment_partner row 2 referring to a missing organisation; "
        "nothing was written"
    )
    assert not isolated.exists()
    broken["on"] = False
    ok("load", "c.csv")
    ok("load", "c.csv")  # into the file now there: checked row by row, as every later command
    assert checks == [0, 0, 1]
    with sqlite3.connect(isolated) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

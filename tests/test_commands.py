"""add, list, show, edit, owners, db path: behaviour a user sees, on temporary databases."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURE, fails, ok, run, run_process
from tracker.cli import whole_app
from tracker.cli.trimming import COMMAND_MODULES, command_name
from tracker.errors import NotFound


@pytest.fixture(autouse=True)
def small_tracker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("owners", "add", "FIA", "--name", "Federal Investigation Agency", "--alias", "ایف آئی اے")
    ok("owners", "add", "NCCIA", "--name", "National Cyber Crime Investigation Agency")
    ok("owners", "add", "US-INL", "--country", "United States", "--alias", "INL")
    ok(
        "add",
        "Activate the CT Wing",
        "--owner",
        "FIA",
        "--due",
        "Q1 2026",
        "--tag",
        "counter-terrorism",
        "--agreed",
        "2025",
    )
    ok(
        "add",
        "Crack down on illegal call centres",
        "--owner",
        "nccia",
        "--status",
        "in-progress",
        "--due",
        "2026-12-31",
        "--tag",
        "Cybercrime",
        "--partner",
        "INL",
        "--description",
        "Nationwide, 100% of provinces",
    )
    ok(
        "add",
        "فیڈرل کانسٹیبلری کی تنظیم نو",
        "--owner",
        "ایف آئی اے",
        "--ref",
        "fc-urdu",
        "--status",
        "completed",
        "--due",
        "March 2026",
        "--tag",
        "institutions",
        "--tag",
        "counter-terrorism",
    )


def _refs(*args: str) -> list[str]:
    return [item["ref"] for item in json.loads(ok("list", "--format", "json", *args))]


def test_add_prints_a_ref_made_from_the_title() -> None:
    assert _refs() == ["activate-the-ct-wing", "crack-down-on-illegal-call-centres", "fc-urdu"]
    assert ok("add", "Activate the CT Wing", "--owner", "FIA") == "activate-the-ct-wing-2\n"


def test_list_item_json_fields() -> None:
    item = json.loads(ok("list", "--format", "json"))[1]
    assert set(item) == {
        "id", "ref", "title", "description", "owner", "partners", "status", "agreed", "agreed_precision",
        "due", "due_precision", "tags", "source", "created_at", "updated_at",
    }  # fmt: skip
    assert {k: item[k] for k in ("owner", "partners", "status", "due", "due_precision", "tags", "agreed")} == {
        "owner": "NCCIA",
        "partners": ["US-INL"],
        "status": "in_progress",
        "due": "2026-12-31",
        "due_precision": "day",
        "tags": ["cybercrime"],
        "agreed": None,
    }


@pytest.mark.parametrize(
    ("args", "refs"),
    [
        (("--status", "completed"), ["fc-urdu"]),
        (("--status", "completed", "--status", "In progress"), ["crack-down-on-illegal-call-centres", "fc-urdu"]),
        (("--owner", "fia"), ["activate-the-ct-wing", "fc-urdu"]),
        (("--owner", "ایف آئی اے"), ["activate-the-ct-wing", "fc-urdu"]),
        (("--tag", "counter-terrorism"), ["activate-the-ct-wing", "fc-urdu"]),
        (("--overdue",), ["activate-the-ct-wing"]),  # Q1 2026 is past; the completed one is not overdue
        (("--due-before", "Q2 2026"), ["activate-the-ct-wing", "fc-urdu"]),
        (("--due-after", "March 2026"), ["crack-down-on-illegal-call-centres"]),
        (("--search", "CALL"), ["crack-down-on-illegal-call-centres"]),
        (("--search", "100%"), ["crack-down-on-illegal-call-centres"]),
        (("--search", "%"), ["crack-down-on-illegal-call-centres"]),  # plain text, not a pattern
        (("--search", "_"), []),
        (("--search", "تنظیم"), ["fc-urdu"]),
        (("--sort", "due"), ["activate-the-ct-wing", "fc-urdu", "crack-down-on-illegal-call-centres"]),
        (("--sort", "status", "--limit", "2"), ["activate-the-ct-wing", "crack-down-on-illegal-call-centres"]),
    ],
)
def test_list_filters(args: tuple[str, ...], refs: list[str]) -> None:
    assert _refs(*args) == refs


def test_list_table_shows_vague_dates_as_given() -> None:
    lines = ok("list").splitlines()
    assert lines[0].split() == ["ref", "title", "owner", "status", "due", "tags"]
    assert "Q1 2026" in lines[2] and "March 2026" in ok("list", "--owner", "FIA")


def test_list_csv_and_markdown() -> None:
    rows = list(csv.DictReader(io.StringIO(ok("list", "--format", "csv"))))
    assert rows[2]["tags"] == "counter-terrorism;institutions"
    assert rows[2]["title"] == "فیڈرل کانسٹیبلری کی تنظیم نو"
    markdown = ok("list", "--format", "markdown").splitlines()
    assert markdown[0].startswith("| ref ") and set(markdown[1]) <= {"|", "-", ":"}


def test_list_of_nothing_says_so() -> None:
    assert ok("list", "--status", "abandoned") == "no commitments match\n"
    assert ok("list", "--status", "abandoned", "--format", "json") == "[]\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--status", "finished"),
            "error: unknown status 'finished'; expected one of: not_started, in_progress, "
            "stalled, completed, partial, abandoned",
        ),
        (
            ("--owner", "FBI"),
            "error: unknown organisation 'FBI'; known: FIA, NCCIA, US-INL (add one with 'tracker owners add')",
        ),
        (
            ("--due-before", "someday"),
            "error: cannot read --due-before 'someday'; use a form such as 2026-03-31, "
            "31 March 2026, March 2026, Q3 2026, 2026, today or +90d",
        ),
        (
            ("--sort", "colour"),
            "error: unknown sort 'colour'; expected one of: id, ref, title, owner, status, due, agreed, updated",
        ),
        (("--format", "xml"), "error: unknown format 'xml'; expected one of: table, json, csv, markdown"),
    ],
)
def test_list_refuses_bad_options(args: tuple[str, ...], message: str) -> None:
    assert fails("list", *args) == message


def test_text_is_data_quotes_and_sql_are_stored_and_matched_as_text() -> None:
    title = 'Robert\'); DROP TABLE commitment; -- "quoted"'
    ref = ok("add", title, "--owner", "FIA").strip()
    assert json.loads(ok("show", ref, "--format", "json"))["title"] == title
    assert _refs("--search", "DROP TABLE") == [ref]
    assert len(_refs()) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("x", "--owner", "FBI"),
            "error: unknown organisation 'FBI'; known: FIA, NCCIA, US-INL (add one with 'tracker owners add')",
        ),
        (("  ", "--owner", "FIA"), "error: title is empty"),
        (
            ("x", "--owner", "FIA", "--ref", "fc-urdu"),
            "error: ref 'fc-urdu' is already taken; choose another with --ref",
        ),
        (
            ("x", "--owner", "FIA", "--ref", "FC-Urdu"),  # refs are lower case: this is fc-urdu
            "error: ref 'fc-urdu' is already taken; choose another with --ref",
        ),
        (
            ("x", "--owner", "FIA", "--ref", "has space"),
            "error: ref 'has space' must be letters (with their marks), digits and hyphens, "
            "starting with a letter or digit",
        ),
        (
            ("x", "--owner", "FIA", "--agreed", "2027"),
            "error: agreed date 2027 is in the future; record a commitment once it is agreed",
        ),
        (
            ("x", "--owner", "FIA", "--agreed", "2026-05-01", "--due", "2026-04-30"),
            "error: due date 2026-04-30 is before the agreed date 2026-05-01",
        ),
        (
            ("x", "--owner", "FIA", "--status", "begun"),
            "error: unknown status 'begun'; expected one of: not_started, "
            "in_progress, stalled, completed, partial, abandoned",
        ),
        (("x" * 301, "--owner", "FIA"), "error: title is 301 characters long; the limit is 300"),
        (("bell\x07", "--owner", "FIA"), "error: title contains a control character (U+0007)"),
    ],
)
def test_add_refuses_bad_input_and_changes_nothing(args: tuple[str, ...], message: str) -> None:
    before = ok("list", "--format", "json")
    assert fails("add", *args) == message
    assert ok("list", "--format", "json") == before


def test_add_allows_an_agreed_date_of_today_and_a_deadline_on_the_agreed_day() -> None:
    # The boundaries of the refusals above (`>=` or `<=` in their place passed every other test).
    assert ok("add", "Agreed today", "--owner", "FIA", "--agreed", "today", "--due", "2026-06-30") == "agreed-today\n"


def test_a_ref_made_from_a_long_title_is_cut_at_a_word() -> None:
    sixty = "-".join(["a" * 10] + ["b" * 9] * 5)  # a slug of exactly 60 characters, the limit
    assert ok("add", sixty.replace("-", " "), "--owner", "FIA") == sixty + "\n"
    assert ok("add", "Establish " + "word " * 20, "--owner", "FIA") == "establish" + "-word" * 10 + "\n"
    assert ok("add", "x" * 70, "--owner", "FIA") == "x" * 60 + "\n"  # one long word: cut where it must be
    assert ok("add", "!!!", "--owner", "FIA") == "commitment\n"


def test_edit_records_an_edit_event() -> None:
    out = ok(
        "edit",
        "fc-urdu",
        "--title",
        "Reorganise the FC",
        "--due",
        "Q3 2026",
        "--add-tag",
        "reform",
        "--remove-tag",
        "counter-terrorism",
        "--add-partner",
        "US-INL",
        "--by",
        "Amina",
    )
    assert out == "fc-urdu: changed title, due, tags, partners\n"
    event = json.loads(ok("history", "fc-urdu", "--format", "json"))[-1]
    assert (event["kind"], event["by"], event["note"]) == ("edit", "Amina", "changed title, due, tags, partners")
    assert event["changes"] == {
        "title": ["فیڈرل کانسٹیبلری کی تنظیم نو", "Reorganise the FC"],
        "due": ["March 2026", "Q3 2026"],
        "tags": [["counter-terrorism", "institutions"], ["institutions", "reform"]],
        "partners": [[], ["US-INL"]],
    }
    shown = json.loads(ok("show", "fc-urdu", "--format", "json"))
    assert (shown["title"], shown["due"], shown["due_precision"]) == ("Reorganise the FC", "2026-09-30", "quarter")
    assert ok("edit", "fc-urdu", "--due", "none") == "fc-urdu: changed due\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--due", "March 2026"), "error: nothing to change: fc-urdu already has these values"),
        (("--remove-tag", "nope"), "error: fc-urdu has no tag 'nope'"),
        (("--remove-partner", "NCCIA"), "error: fc-urdu has no partner 'NCCIA'"),
        (
            ("--owner", "FBI"),
            "error: unknown organisation 'FBI'; known: FIA, NCCIA, US-INL (add one with 'tracker owners add')",
        ),
    ],
)
def test_edit_refusals(args: tuple[str, ...], message: str) -> None:
    assert fails("edit", "fc-urdu", *args) == message


def test_owners_counts() -> None:
    rows = {row["short_name"]: row for row in json.loads(ok("owners", "--format", "json"))}
    assert rows["FIA"] == {"short_name": "FIA", "name": "Federal Investigation Agency", "country": None,
                           "owned": 2, "open": 1, "overdue": 1, "partner_in": 0}  # fmt: skip
    assert (rows["US-INL"]["owned"], rows["US-INL"]["partner_in"]) == (0, 1)


def test_adding_an_organisation_twice_is_refused() -> None:
    assert fails("owners", "add", "FIA") == "error: organisation 'FIA' already exists (as FIA)"
    assert fails("owners", "add", "fia") == "error: organisation 'fia' already exists (as FIA)"
    assert fails("owners", "add", "inl") == "error: organisation 'inl' already exists (as US-INL)"


@pytest.mark.sqlite_only
def test_db_path_says_which_database_and_why(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ok("db", "path") == f"{isolated} (from TRACKER_DB)\n"
    assert (
        ok("--db", "other.db", "db", "path") == f"{isolated.parent / 'other.db'} (from --db; it does not exist yet)\n"
    )
    monkeypatch.delenv("TRACKER_DB")
    assert ok("db", "path") == (
        f"{isolated.parent / 'db' / 'tracker.db'} (the default; --db or TRACKER_DB choose another; "
        "it does not exist yet)\n"
    )


def test_db_flag_after_the_command_works_too(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    ok("owners", "add", "FIA", "--db", str(other))
    assert ok("list", "--db", str(other)) == "no commitments match\n"
    assert len(_refs()) == 3


def test_reads_never_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    for command in (["list"], ["show", "x"], ["history", "x"], ["owners"], ["update", "x", "--note", "y"]):
        assert fails("--db", str(missing), *command) == (
            f"error: no tracker database at {missing}; create one with 'tracker init' or 'tracker load FILE'"
        )
    assert not missing.exists()


def test_a_failed_write_leaves_no_new_file_nor_folder(tmp_path: Path) -> None:
    place = tmp_path / "place"
    place.mkdir()
    missing = place / "new" / "deeper" / "tracker.db"
    fails("--db", str(missing), "add", "x", "--owner", "FIA")
    ok("--db", str(missing), "load", str(FIXTURE), "--dry-run")
    assert sorted(p.name for p in place.iterdir()) == []  # the folders made for it are gone too
    (place / "new").mkdir()
    fails("--db", str(missing), "add", "x", "--owner", "FIA")
    assert [p.name for p in place.iterdir()] == ["new"]  # a folder that was there stays
    assert [p.name for p in (place / "new").iterdir()] == []


def test_a_file_that_is_not_a_tracker_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("minutes of the meeting\n")
    for command in (["list"], ["add", "x", "--owner", "FIA"], ["init"]):
        assert fails("--db", str(text_file), *command) == f"error: {text_file} is not a tracker database"
    assert text_file.read_text() == "minutes of the meeting\n"


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    assert fails("--db", str(tmp_path), "list") == f"error: {tmp_path} is a folder, not a tracker database"
    assert fails("--db", str(tmp_path), "init") == f"error: {tmp_path} is a folder, not a tracker database"


def test_init_creates_an_empty_tracker(tmp_path: Path) -> None:
    fresh = tmp_path / "a" / "b.db"
    assert ok("--db", str(fresh), "init") == f"database ready at {fresh}\n"
    assert ok("--db", str(fresh), "list") == "no commitments match\n"


def test_tracebacks_only_with_tracker_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("show", "nope")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    monkeypatch.setenv("TRACKER_DEBUG", "1")
    # The error reaches the caller instead of the one-line message (this assertion once read
    # `type(result.stderr) is str`, which no code could fail).
    assert isinstance(CliRunner().invoke(whole_app(), ["show", "nope"]).exception, NotFound)


def test_a_bug_is_one_line_that_says_so_with_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import reads

    def broken(*args: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(reads, "list_commitments", broken)
    result = run("list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        3,
        "",
        "error: unexpected ZeroDivisionError: division by zero (set TRACKER_DEBUG=1 to see the traceback)\n",
    )


def test_python_dash_m_and_debug_traceback(isolated: Path) -> None:
    env = {**os.environ, "TRACKER_DB": str(isolated)}
    assert run_process("--version", env=env).stdout == "tracker 0.1.0\n"
    quiet = run_process("show", "nope", env=env)
    assert (quiet.returncode, quiet.stdout) == (1, "")
    assert quiet.stderr == "error: no commitment with ref 'nope'; 'tracker list' shows the refs\n"
    loud = run_process("show", "nope", env={**env, "TRACKER_DEBUG": "1"})
    assert loud.returncode == 1 and "Traceback (most recent call last)" in loud.stderr
    assert "tracker.errors.NotFound" in loud.stderr


@pytest.mark.slow
def test_a_process_builds_only_the_command_it_runs_and_still_knows_every_command(isolated: Path) -> None:
    env = {**os.environ, "TRACKER_DB": str(isolated)}
    assert run_process("load", str(FIXTURE), env=env).returncode == 0
    listed = run_process("--db", str(isolated), "list", "--format", "json", env=env)
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == json.loads(ok("list", "--format", "json"))  # as the whole app gives
    assert run_process("--db", str(isolated), "db", "path", env=env).stdout == f"{isolated} (from --db)\n"
    assert "tracker list [OPTIONS]" in run_process("list", "--help", env=env).stdout
    for whole_help in (("--help",), ("--db", str(isolated), "--help"), ("--help", "list")):
        shown = run_process(*whole_help, env=env).stdout
        assert all(f" {name} " in shown for name in ("add", "list", "report", "export", "undo", "db", "owners"))
    unknown = run_process("lst", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.endswith("Error: No such command 'lst'. Did you mean 'list'?\n")  # said once


@pytest.mark.slow
@pytest.mark.database_free
def test_every_command_is_found_by_a_process_that_imports_only_its_module() -> None:
    app = whole_app()
    commands = {command_name(c) for c in app.registered_commands}
    groups = {str(g.name): g.typer_instance for g in app.registered_groups if g.typer_instance}
    assert set(COMMAND_MODULES) == commands | set(groups)  # a command missing here loads every module
    invocations = [[name] for name in sorted(commands)] + [
        [group, command_name(sub)] for group, typer_app in groups.items() for sub in typer_app.registered_commands
    ]
    for words in invocations:
        shown = run_process(*words, "--help")
        assert shown.returncode == 0 and f"tracker {' '.join(words)} [OPTIONS]" in shown.stdout, words


@pytest.mark.slow
def test_a_reader_that_stops_early_is_not_an_error(isolated: Path) -> None:
    for number in range(300):
        ok("add", f"Commitment number {number} with a long enough title to fill the pipe", "--owner", "FIA")
    env = {**os.environ, "TRACKER_DB": str(isolated)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "export", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # as `head` does
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""
    process.stderr.close()

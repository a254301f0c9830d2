"""`tracker export` and loading an export back: the lossless round trip and its guarantees."""

import contextlib
import csv
import datetime as dt
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURE, fails, ok, run
from tracker.creation import BATCH
from tracker.dates import FuzzyDate
from tracker.errors import InvalidInput
from tracker.evidence import Piece
from tracker.service.commitments import CommitmentSpec, UpdateRequest, add_commitment, record_update
from tracker.service.edits import CommitmentEdit, edit_commitment
from tracker.service.organisations import OrganisationSpec, upsert_organisation
from tracker.settings import DatabaseChoice
from tracker.store.transactions import write_transaction

PIECES = [
    "a", "Z", " ", "\n", "\r\n", "\t", '"', "'", ",", ";", "=", "+", "-", "@", ":", "#", "- ", "{", "[", "&", "*",
    "null", "yes", "on", "اردو", "پاکستان کا وعدہ", "😀", "👩🏽‍⚖️", "עברית", "\u200f", "\u2028", "\u00a0", "\\",
]  # fmt: skip
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=10).map("".join),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=15),
)
LINE = TEXT.filter(lambda t: "\n" not in t and "\r" not in t)
NAME = LINE.map(str.strip).filter(bool)
TITLE = TEXT.map(str.strip).filter(bool)
STATUS = st.sampled_from(["not_started", "in_progress", "stalled", "completed", "partial", "abandoned"])
UPDATE = st.tuples(st.one_of(st.none(), STATUS), TEXT, st.one_of(st.none(), NAME), st.integers(0, 400))
COMMITMENT = st.tuples(TITLE, TEXT, STATUS, st.lists(NAME, max_size=3), st.lists(UPDATE, max_size=4), st.booleans())


def _populate(location: str, owner: str, alias: str, commitments: list[tuple]) -> None:  # type: ignore[type-arg]
    with write_transaction(DatabaseChoice(location, "test"), create=True) as transaction:
        upsert_organisation(transaction, OrganisationSpec(owner, owner + " (full)", "پاکستان", [alias]))
        upsert_organisation(transaction, OrganisationSpec("X-PARTNER", 'Partner, "quoted"; plain'))
        for title, description, status, tags, updates, rename in commitments:
            spec = CommitmentSpec(
                title=title,
                owner=owner,
                status=status,
                agreed=FuzzyDate(dt.date(2024, 12, 31), "year"),
                due=FuzzyDate(dt.date(2027, 3, 31), "quarter"),
                tags=tags,
                partners=["X-PARTNER"],
                source=f"{alias} report",
                description=description,
                source_rule="create",
            )
            commitment = add_commitment(transaction, spec, note=description or None, by=alias)
            for to_status, note, evidence, days in updates:
                on = dt.date(2024, 1, 1) + dt.timedelta(days=days)
                cited = [Piece(evidence)] if evidence else []
                request = UpdateRequest(commitment.ref, to_status, on, note, cited, alias, reopen=True)
                # Refused updates (the same status again, nothing to record) are not what this tests.
                with contextlib.suppress(InvalidInput):
                    record_update(transaction, request)
            if rename:
                edit_commitment(transaction, commitment.ref, CommitmentEdit(title=title + " ✓", add_tags=["renamed"]))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fmt=st.sampled_from(["json", "yaml"]),
    owner=NAME.filter(lambda n: n.casefold() != "x-partner"),
    alias=NAME,
    commitments=st.lists(COMMITMENT, min_size=1, max_size=3),
)
def test_export_load_export_gives_the_same_document(
    fmt: str,
    owner: str,
    alias: str,
    commitments: list[tuple],  # type: ignore[type-arg]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        first_db, second_db = os.path.join(folder, "a.db"), os.path.join(folder, "b.db")
        _populate(first_db, owner, alias, commitments)
        document = os.path.join(folder, f"export.{fmt}")
        ok("--db", first_db, "export", "--format", fmt, "--output", document)
        ok("--db", second_db, "load", document)
        again = ok("--db", second_db, "export", "--format", fmt)
        assert again == Path(document).read_text(encoding="utf-8")
        # The history really came back, not just the document: the list output agrees too.
        assert ok("--db", second_db, "list", "-f", "json") == ok("--db", first_db, "list", "-f", "json")


def test_the_json_document_is_plain_json_dumps(loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-12-31", "--note", "done")
    text = ok("export")
    document = json.loads(text)
    assert text == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    assert document["format"] == "tracker-export/2"
    assert list(document) == ["format", "organisations", "sources", "corrections", "commitments"]
    first = document["commitments"][0]
    assert list(first) == [
        "ref", "title", "description", "owner", "partners", "status", "agreed", "agreed_precision", "due",
        "due_precision", "tags", "source", "created_at", "updated_at", "starts_on", "history", "last_loaded",
    ]  # fmt: skip
    assert [event["kind"] for event in first["history"]] == ["created", "status"]
    assert list(first["history"][1]) == [
        "key", "kind", "to_status", "on", "recorded_at", "by", "note", "evidence", "cited", "changes", "batch",
        "undoes",
    ]  # fmt: skip
    assert first["history"][1]["on"] == "2025-12-31"
    assert yaml.safe_load(ok("export", "--format", "yaml")) == document


def test_an_empty_database_exports_empty_lists() -> None:
    ok("init")
    empty = {"format": "tracker-export/2", "organisations": [], "sources": [], "corrections": [], "commitments": []}
    assert json.loads(ok("export")) == empty
    assert ok("export", "-f", "yaml") == (
        "format: tracker-export/2\norganisations: []\nsources: []\ncorrections: []\ncommitments: []\n"
    )


def test_csv_export_neutralises_formulas_and_excel_adds_a_bom() -> None:
    ok("owners", "add", "MOI")
    ok("add", '=HYPERLINK("http://x")', "--owner", "MOI", "--ref", "formula", "--description", "-1, +2; @3")
    text = ok("export", "--format", "csv")
    assert text.startswith("id,ref,title,description,owner,partners,status,")
    assert '\'=HYPERLINK(""http://x"")' in text
    assert '"\'-1, +2; @3"' in text
    assert not text.startswith("\ufeff")
    ok("export", "--format", "csv", "--excel", "--output", "sheet.csv")
    assert Path("sheet.csv").read_bytes().startswith(b"\xef\xbb\xbfid,ref,")
    # Loading it back undoes the apostrophes the export added.
    ok("--db", "other.db", "load", "sheet.csv")
    shown = json.loads(ok("--db", "other.db", "show", "formula", "-f", "json"))
    assert (shown["title"], shown["description"]) == ('=HYPERLINK("http://x")', "-1, +2; @3")


def test_export_refuses_what_it_cannot_do(loaded: None) -> None:
    assert fails("export", "--format", "xml") == "error: unknown format 'xml'; expected one of: json, yaml, csv, xlsx"
    assert fails("export", "--excel") == (
        "error: --excel is for --format csv (JSON and YAML are read by programs, not spreadsheets)"
    )
    assert fails("export", "--output", "") == "error: --output '' is empty"


def test_output_is_replaced_whole_or_left_alone(loaded: None) -> None:
    Path("out.json").write_text("old", encoding="utf-8")
    fails("export", "--format", "xml", "--output", "out.json")
    assert Path("out.json").read_text(encoding="utf-8") == "old"
    ok("export", "--output", "out.json")
    assert json.loads(Path("out.json").read_text(encoding="utf-8"))["format"] == "tracker-export/2"
    assert sorted(p.name for p in Path(".").iterdir() if p.name.startswith(".tracker-export-")) == []


def test_loading_the_same_export_again_changes_nothing(loaded: None) -> None:
    ok("export", "--output", "all.yaml", "--format", "yaml")
    assert ok("load", "all.yaml") == (
        "organisations: 0 created, 0 updated, 7 unchanged; sources: 0 created, 0 updated, 1 unchanged; "
        "commitments: 0 created, 0 updated, 13 unchanged\n"
    )


def test_an_export_adds_the_events_a_database_lacks(loaded: None) -> None:
    ok("export", "--output", "before.json")
    ok("--db", "copy.db", "load", "before.json")
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-12-31", "--note", "finished")
    ok("edit", "inl-engagement", "--title", "A new title")
    ok("export", "--output", "after.json")
    assert ok("--db", "copy.db", "load", "after.json").endswith("commitments: 0 created, 2 updated, 11 unchanged\n")
    assert ok("--db", "copy.db", "export") == ok("export")


def test_an_export_never_merges_two_different_commitments(loaded: None) -> None:
    ok("export", "--output", "all.json")
    ok("--db", "other.db", "owners", "add", "MOI")
    ok("--db", "other.db", "add", "Something else", "--owner", "MOI", "--ref", "ata-engagement")
    before = ok("--db", "other.db", "export")
    message = run("--db", "other.db", "load", "all.json").stderr
    assert message.splitlines() == [
        "error: all.json: 1 problem; nothing was loaded",
        "  commitments[0] (ata-engagement): ata-engagement exists here but was created separately (its created "
        "event is not in the file); load into an empty database, or change one of the refs",
    ]
    assert ok("--db", "other.db", "export") == before


def test_a_broken_export_lists_its_problems() -> None:
    document = {
        "format": "tracker-export/1",
        "organisations": [{"short_name": "MOI"}],
        "commitments": [
            {"ref": "a", "title": "A", "owner": "MOI", "status": "completed", "starts_on": "2025-01-01",
             "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
             "history": [{"kind": "created", "to_status": "in_progress", "on": "2025-01-01",
                          "recorded_at": "2025-01-01T00:00:00Z"}]},
            {"ref": "b", "title": "B", "owner": "MOI", "status": "done", "starts_on": "2025-13-01",
             "created_at": "yesterday", "updated_at": "2025-01-01T00:00:00Z", "history": []},
        ],
    }  # fmt: skip
    Path("broken.json").write_text(json.dumps(document), encoding="utf-8")
    assert run("load", "broken.json").stderr.splitlines() == [
        "error: broken.json: 5 problems; nothing was loaded",
        "  commitments[0] (a).status: is completed, but its history leaves it in_progress",
        "  commitments[1] (b).status: must be one of: not_started, in_progress, stalled, completed, partial, abandoned",
        "  commitments[1] (b).starts_on: '2025-13-01' is not a YYYY-MM-DD date",
        "  commitments[1] (b).created_at: 'yesterday' is not a timestamp (2026-03-31T12:00:00Z)",
        "  commitments[1] (b).history: must be a list of events, starting with the created one",
    ]
    assert not Path("tracker.db").exists()


def test_event_keys_and_the_undos_that_name_them_are_checked() -> None:
    def key(number: int) -> str:
        return f"0000000a-0000-4000-8000-{number:012d}"

    created = {"kind": "created", "to_status": "in_progress", "on": "2025-01-01", "recorded_at": "2025-01-01T00:00:00Z"}
    note = {"kind": "note", "on": "2025-02-01", "recorded_at": "2025-02-01T00:00:00Z", "note": "n"}
    undo = {"kind": "undo", "on": "2025-02-01", "recorded_at": "2025-02-02T00:00:00Z", "note": "note retracted"}
    histories = [
        [{**created, "key": key(1)}, {**note, "key": key(1)}],
        [{**created, "key": key(2)}, {**undo, "key": key(3), "undoes": key(4)}, {**note, "key": key(4)}],
        [{**created, "key": key(5)}, {**note, "key": key(6)}, {**undo, "key": key(7), "undoes": 1}],
        [{**created, "key": "K8"}, {**note, "key": key(8).upper()}],
    ]
    commitments = [{**_exported(number), "history": history} for number, history in enumerate(histories)]
    _export_file("keys.json", commitments, format="tracker-export/2")
    uuid_only = "must be a UUID in lower case, such as 0b6f5e1c-3d3a-4c52-9a0e-52f1d8f1b7a4"
    assert run("load", "keys.json").stderr.splitlines() == [
        "error: keys.json: 5 problems; nothing was loaded",
        "  commitments[0] (c-0).history[1].key: is also the key of history[0]",
        "  commitments[1] (c-1).history[1].undoes: must be the key of an earlier event in this history",
        "  commitments[2] (c-2).history[2].undoes: must be the key of an earlier event in this history",
        f"  commitments[3] (c-3).history[0].key: {uuid_only}",
        f"  commitments[3] (c-3).history[1].key: {uuid_only}",
    ]
    assert not Path("tracker.db").exists()


def _exported(number: int) -> dict:  # type: ignore[type-arg]
    """A commitment as an export holds it, with its created event alone."""
    stamp = "2025-01-01T00:00:00Z"
    return {
        "ref": f"c-{number}", "title": f"Commitment {number}", "description": "", "owner": "MOI",
        "partners": [], "status": "in_progress", "tags": ["bulk"], "source": None, "starts_on": "2025-01-01",
        "created_at": stamp, "updated_at": stamp,
        "history": [{"kind": "created", "to_status": "in_progress", "on": "2025-01-01", "recorded_at": stamp}],
    }  # fmt: skip


def _export_file(name: str, commitments: list, **head: object) -> str:  # type: ignore[type-arg]
    document = {
        "format": "tracker-export/1",
        "organisations": [{"short_name": "MOI", "name": "Ministry of Interior"}],
        "sources": [],
        **head,
        "commitments": commitments,
    }
    Path(name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return name


@pytest.mark.slow
def test_a_problem_late_in_a_big_export_leaves_the_database_as_it_was(loaded: None) -> None:
    # Commitments are written a batch at a time as they are read: by the last one, several
    # batches are in the transaction, and all of it must be rolled back.
    count = 2 * BATCH + 10
    commitments = [_exported(number) for number in range(count)]
    commitments[-1]["history"][0]["on"] = "someday"
    _export_file("big.json", commitments)
    before = ok("export")
    late = f"  commitments[{count - 1}] (c-{count - 1}).history[0].on: 'someday' is not a YYYY-MM-DD date"
    assert run("load", "big.json").stderr.splitlines() == ["error: big.json: 1 problem; nothing was loaded", late]
    assert ok("export") == before
    fails("--db", "new.db", "load", "big.json")
    assert not Path("new.db").exists()
    # Once writing stops, checking goes on: a problem in the first commitment and one in the last are both listed.
    commitments[0]["status"] = "finished"
    _export_file("big.json", commitments)
    assert run("load", "big.json").stderr.splitlines() == [
        "error: big.json: 2 problems; nothing was loaded",
        "  commitments[0] (c-0).status: must be one of: not_started, in_progress, stalled, completed, partial, "
        "abandoned",
        late,
    ]
    commitments[0]["status"] = "in_progress"
    commitments[-1]["history"][0]["on"] = "2025-01-01"
    _export_file("big.json", commitments)
    assert ok("--db", "new.db", "load", "big.json").endswith(f"commitments: {count} created, 0 updated, 0 unchanged\n")
    commitments.append(_exported(count))  # merged into a database that has all the others
    _export_file("big.json", commitments)
    assert ok("--db", "new.db", "load", "big.json").endswith(f"commitments: 1 created, 0 updated, {count} unchanged\n")


def test_a_truncated_export_is_refused_in_one_line_and_changes_nothing(loaded: None) -> None:
    ok("export", "--output", "all.json")
    text = Path("all.json").read_text(encoding="utf-8")
    before = ok("export")
    for cut in (len(text) // 2, 60, len(text) - 3):  # in the commitments, in the head, at the very end
        Path("cut.json").write_text(text[:cut], encoding="utf-8")
        message = "error: cut.json is not valid JSON: it ends too early (was the file cut short?)"
        assert fails("load", "cut.json") == message
        assert ok("export") == before
        assert fails("--db", "new.db", "load", "cut.json") == message
        assert not Path("new.db").exists()


def test_broken_json_is_refused_in_one_line_that_names_the_file() -> None:
    Path("bad.json").write_text('{"format": "tracker-export/1",\n  "organisations": [,]}', encoding="utf-8")
    assert fails("load", "bad.json") == "error: bad.json is not valid JSON at line 2: Expecting value"
    Path("latin1.json").write_bytes('{"format": "caf\xe9"}'.encode("latin-1"))
    assert fails("load", "latin1.json") == "error: latin1.json is not UTF-8 text; save it with the UTF-8 encoding"
    Path("list.json").write_text("[1, 2]", encoding="utf-8")
    assert fails("load", "list.json") == (
        "error: list.json is neither a fixture ('format: tracker-fixture/1') nor an export ('format: tracker-export/2')"
    )
    Path("types.json").write_text(
        json.dumps({"format": "tracker-export/1", "organisations": {"MOI": 1}, "commitments": "none"}),
        encoding="utf-8",
    )
    assert run("load", "types.json").stderr.splitlines() == [
        "error: types.json: 2 problems; nothing was loaded",
        "  organisations: must be a list",
        "  commitments: must be a list",
    ]
    _export_file("items.json", [5, _exported(1)])
    lines = run("load", "items.json").stderr.splitlines()
    assert lines[0].startswith("error: items.json: ") and lines[1] == "  commitments[0]: must be a mapping of fields"
    assert not Path("tracker.db").exists()


def test_an_export_with_its_keys_in_another_order_and_a_byte_order_mark_loads() -> None:
    document = {
        "commitments": [_exported(1)],
        "organisations": [{"short_name": "MOI", "name": "Ministry of Interior"}],
        "format": "tracker-export/1",
    }
    Path("odd.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode("utf-8"))
    assert ok("load", "odd.json") == (
        "organisations: 1 created, 0 updated, 0 unchanged; commitments: 1 created, 0 updated, 0 unchanged\n"
    )
    assert json.loads(ok("show", "c-1", "-f", "json"))["tags"] == ["bulk"]


def test_a_fixture_written_as_json_loads() -> None:
    fixture = {
        "format": "tracker-fixture/1",
        "organisations": [{"short_name": "MOI"}],
        "commitments": [{"ref": "one", "title": "One", "owner": "MOI", "status": "in_progress"}],
    }
    Path("fixture.json").write_text(json.dumps(fixture), encoding="utf-8")
    assert ok("load", "fixture.json").endswith("commitments: 1 created, 0 updated, 0 unchanged\n")


def test_load_tells_formats_apart(loaded: None) -> None:
    Path("other.yaml").write_text("format: something/2\n", encoding="utf-8")
    assert fails("load", "other.yaml") == (
        "error: other.yaml is neither a fixture ('format: tracker-fixture/1') nor an export "
        "('format: tracker-export/2')"
    )
    Path("notes.txt").write_text("x", encoding="utf-8")
    assert fails("load", "notes.txt") == (
        "error: cannot tell the format of notes.txt from its name; give --format fixture, export, csv or xlsx"
    )
    ok("export", "--output", "all.json")
    assert fails("load", "--format", "fixture", "all.json") == (
        "error: all.json is not a tracker fixture (expected 'format: tracker-fixture/1')"
    )
    assert fails("load", "--strict", "all.json") == (
        "error: --map, --status-map, --status-on and --strict are for CSV files and workbooks (.xlsx)"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_only_on_a_terminal_and_only_for_big_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.interchange.progress import progress

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress(6_000, "loading") as bar:
        for _ in range(6_000):
            bar.advance()
    assert terminal.getvalue().endswith("\rloading [##############################] 100% 6000/6000\n")
    small = _Terminal()
    monkeypatch.setattr(sys, "stderr", small)
    with progress(100, "loading") as bar:
        bar.advance(100)
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with progress(6_000, "loading") as bar:
        bar.advance(6_000)
    assert small.getvalue() == pipe.getvalue() == ""


def test_an_export_carries_what_loaded_files_said(loaded: None) -> None:
    ok("update", "fia-ct-wing", "--status", "completed")
    ok("edit", "fia-academy", "--due", "2027")
    ok("export", "--output", "all.json")
    said = json.loads(Path("all.json").read_text(encoding="utf-8"))["commitments"][9]["last_loaded"]
    assert said["pakistan-us-security-talks.yaml"]["status"] == "in_progress"
    ok("--db", "copy.db", "load", "all.json")
    # Restored elsewhere, the fixture loaded again still changes nothing that was recorded by hand.
    assert ok("--db", "copy.db", "load", str(FIXTURE)).endswith("commitments: 0 created, 0 updated, 13 unchanged\n")
    assert ok("--db", "copy.db", "export") == ok("export")


def test_an_exported_update_that_leaves_a_final_status_recorded_here_needs_reopen(
    loaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")
    ok("export", "--output", "before.json")
    ok("--db", "copy.db", "load", "before.json")
    ok("--db", "copy.db", "update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-14")
    ok("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-05-01")
    ok("export", "--output", "after.json")
    before = ok("--db", "copy.db", "export")
    assert run("--db", "copy.db", "load", "after.json").stderr.splitlines() == [
        "error: after.json: 1 problem; nothing was loaded",
        "  commitments[9] (fia-ct-wing): fia-ct-wing is completed on 2026-05-01, a final status; "
        "add --reopen to change it to stalled",
    ]
    assert ok("--db", "copy.db", "export") == before
    assert ok("--db", "copy.db", "load", "--reopen", "after.json").endswith("0 created, 1 updated, 12 unchanged\n")
    assert json.loads(ok("--db", "copy.db", "show", "fia-ct-wing", "-f", "json"))["status"] == "stalled"


def test_an_export_whose_own_history_reopens_a_final_status_needs_no_reopen(
    loaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-14")
    ok("export", "--output", "before.json")
    ok("--db", "copy.db", "load", "before.json")
    ok("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-05-01", "--reopen")
    ok("export", "--output", "after.json")
    assert ok("--db", "copy.db", "load", "after.json").endswith("0 created, 1 updated, 12 unchanged\n")
    assert ok("--db", "copy.db", "export") == ok("export")


@pytest.mark.parametrize("delimiter", [";", "tab"])
def test_a_csv_export_with_another_delimiter_loads_back_the_same(loaded: None, tmp_path: Path, delimiter: str) -> None:
    ok("export", "--format", "csv", "--delimiter", delimiter, "--output", "sheet.csv")
    header = Path("sheet.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id;ref;title;" if delimiter == ";" else "id\tref\ttitle\t")
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-02-01")  # a status with its own day
    ok("withdraw", "fia-academy", "--reason", "entered in error; see the 2026 list")
    ok("export", "--format", "csv", "--delimiter", delimiter, "--output", "sheet.csv")
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "sheet.csv")
    # Every list field comes back, the record's own times, the day each status took effect and
    # the withdrawals too (with the day and the reason, as the corrections log shows).
    assert ok("--db", copy, "list", "--withdrawn", "-f", "json") == ok("list", "--withdrawn", "-f", "json")
    assert ok("--db", copy, "list", "-f", "json") == ok("list", "-f", "json")
    log = json.loads(ok("report", "-f", "json"))["corrections"]
    assert [(c["ref"], c["reason"]) for c in log] == [("fia-academy", "entered in error; see the 2026 list")]
    assert json.loads(ok("--db", copy, "report", "-f", "json"))["corrections"] == log
    assert ok("--db", copy, "load", "sheet.csv") == "commitments: 0 created, 0 updated, 13 unchanged\n"
    shown = json.loads(ok("--db", copy, "show", "fia-ct-wing", "-f", "json"))
    assert [(e["on"], e["to_status"]) for e in shown["history"]][-1] == ("2026-02-01", "completed")


def test_a_delimiter_is_refused_where_it_means_nothing(loaded: None) -> None:
    assert fails("export", "--format", "json", "--delimiter", ";") == "error: --delimiter is for --format csv"
    assert fails("export", "--format", "csv", "--delimiter", "|") == "error: --delimiter '|' must be ',', ';' or tab"
    assert not Path("out.csv").exists()


def test_a_csv_export_says_where_each_source_is_and_since_when_the_status_holds(loaded: None, tmp_path: Path) -> None:
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-02-01")
    ok("update", "fia-ct-wing", "--note", "Wing inaugurated", "--on", "2026-02-03")
    ok("export", "--format", "csv", "--output", "sheet.csv")
    with Path("sheet.csv").open(encoding="utf-8", newline="") as sheet:
        rows = {row["ref"]: row for row in csv.DictReader(sheet)}
    assert rows["fia-ct-wing"]["status_on"] == "2026-02-01"
    assert rows["fia-academy"]["status_on"] == "2025-01-01"  # the start of its history
    url = json.loads(ok("export", "--format", "json"))["sources"][0]["url"]
    assert url and rows["fia-ct-wing"]["source_url"] == url
    # Loaded into an empty database, the source comes with its URL.
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "sheet.csv")
    assert json.loads(ok("--db", copy, "export", "--format", "json"))["sources"][0]["url"] == url


def test_a_csv_export_gives_each_commitments_latest_note_and_evidence_on_its_timeline(
    loaded: None, tmp_path: Path
) -> None:
    ok(
        "update",
        "fia-ct-wing",
        "--note",
        "Wing staffed",
        "--evidence",
        "https://example.org/staff",
        "--on",
        "2026-03-01",
    )
    ok("update", "fia-ct-wing", "--note", "Earlier: budget", "--on", "2026-02-01")  # back-dated: not the latest
    ok("update", "fia-academy", "--note", "Site chosen", "--evidence", "https://example.org/site")
    ok("update", "fia-academy", "--note", "Mistake", "--evidence", "https://example.org/wrong")
    ok("undo", "--reason", "entered in error")  # an undone note is not the latest: it never happened
    ok("export", "--format", "csv", "--output", str(tmp_path / "all.csv"))
    with (tmp_path / "all.csv").open(encoding="utf-8", newline="") as file:
        rows = {row["ref"]: row for row in csv.DictReader(file)}
    assert (rows["fia-ct-wing"]["last_note"], rows["fia-ct-wing"]["last_evidence"]) == (
        "Wing staffed",
        "https://example.org/staff",
    )
    assert (rows["fia-academy"]["last_note"], rows["fia-academy"]["last_evidence"]) == (
        "Site chosen",
        "https://example.org/site",
    )
    assert (rows["ata-engagement"]["last_note"], rows["ata-engagement"]["last_evidence"]) == ("", "")
    # A CSV load reads the list fields and leaves these to the history.
    assert ok("load", str(tmp_path / "all.csv")).startswith("commitments: 0 created, 0 updated, 13 unchanged")


def test_a_csv_row_without_an_agreed_date_starts_its_history_on_its_created_day(isolated: Path) -> None:
    """An exported commitment without an agreed date started its history the day it was added;
    loaded later, it starts on its created_at's day (UTC), so the day its status took effect
    fits, where it used to be refused as before a history starting on the day of the load."""
    Path("sheet.csv").write_text(
        "ref,title,owner,status,status_on,created_at,updated_at\n"
        "helpline,Open a helpline,MOI,stalled,2026-02-01,2026-01-05T10:00:00Z,2026-02-10T09:00:00Z\n"
        "hotline,Open a hotline,MOI,stalled,2025-12-01,2026-01-05T10:00:00Z,2026-02-10T09:00:00Z\n",
        encoding="utf-8",
    )
    assert (
        fails("load", "sheet.csv")
        .splitlines()[1]
        .startswith("  line 3, status_on: hotline's history starts on 2026-01-05")
    )
    Path("sheet.csv").write_text("\n".join(Path("sheet.csv").read_text(encoding="utf-8").splitlines()[:2]) + "\n")
    ok("load", "sheet.csv")
    shown = json.loads(ok("show", "helpline", "-f", "json"))
    assert [(e["on"], e["to_status"]) for e in shown["history"]] == [
        ("2026-01-05", "not_started"),
        ("2026-02-01", "stalled"),
    ]
    assert (shown["created_at"], shown["updated_at"]) == ("2026-01-05T10:00:00Z", "2026-02-10T09:00:00Z")

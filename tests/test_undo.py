"""`tracker undo`: corrections are appended, nothing is rewritten, the timeline ends up right."""

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURE, ROOT, db_rows, fails, ok


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-02-01")


def events(database: Path | str) -> list[tuple[Any, ...]]:
    return db_rows("SELECT * FROM event ORDER BY id")


def status_on(database: Path | str, ref: str, day: str) -> str:
    """The status at the end of `day`, computed from the events alone (timeline order)."""
    rows = db_rows(
        "SELECT e.kind, e.on_date, e.to_status FROM event e JOIN commitment c ON c.id = e.commitment_id "
        "WHERE c.ref = :ref AND e.to_status IS NOT NULL "
        "ORDER BY CASE WHEN e.kind = 'created' THEN 0 ELSE 1 END, e.on_date, e.id",
        ref=ref,
    )
    return str([status for kind, on, status in rows if kind == "created" or str(on) <= day][-1])


def current(ref: str) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(ok("show", ref, "--format", "json"))
    return item


def test_undoing_a_status_appends_a_correction(isolated: Path, loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01", "--note", "finished?")
    before = events(isolated)
    assert ok("undo", "--reason", "the cycle is not finished") == (
        "undid event 14 (status on ata-engagement): completed on 2025-06-01 withdrawn; "
        "ata-engagement is in_progress now [event 15]\n"
    )
    after = events(isolated)
    assert after[: len(before)] == before  # append-only: nothing rewritten or deleted
    history = current("ata-engagement")["history"]
    assert [(e["id"], e["kind"], e["from_status"], e["to_status"], e["on"]) for e in history[1:]] == [
        (14, "status", "in_progress", "completed", "2025-06-01"),
        (15, "undo", "completed", "in_progress", "2025-06-01"),
    ]
    assert history[2]["note"] == "undo of event 14: completed withdrawn; reason: the cycle is not finished"
    assert current("ata-engagement")["status"] == "in_progress"


def test_undoing_the_later_of_two_same_day_updates_restates_the_earlier(isolated: Path, loaded: None) -> None:
    # Same-day events take effect in the order they were recorded: the undo's restatement must
    # read the day's history in that order too.
    ok("update", "ata-engagement", "--status", "stalled", "--on", "2025-06-01")  # 14
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")  # 15
    assert ok("undo", "--reason", "entered in error") == (
        "undid event 15 (status on ata-engagement): completed on 2025-06-01 withdrawn; "
        "ata-engagement is stalled now [event 16]\n"
    )
    history = current("ata-engagement")["history"]
    assert (history[-1]["kind"], history[-1]["to_status"]) == ("undo", "stalled")


def test_a_back_dated_undo_keeps_later_updates_in_force(isolated: Path, loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "stalled", "--on", "2025-03-01")  # 14
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")  # 15
    ok("update", "ata-engagement", "--status", "in_progress", "--on", "2025-09-01", "--reopen")  # 16
    ok("undo", "--event", "15", "--reason", "entered in error")
    assert [status_on(isolated, "ata-engagement", day) for day in ("2025-05-31", "2025-06-01", "2025-09-01")] == [
        "stalled",
        "stalled",
        "in_progress",
    ]
    assert current("ata-engagement")["status"] == "in_progress"


def test_undoing_an_earlier_event_fixes_later_corrections_too(isolated: Path, loaded: None) -> None:
    """Undo B, then A: the restatement made for B rested on A, so it is restated again."""
    ok("update", "ata-engagement", "--status", "stalled", "--on", "2025-03-01")  # 14: A
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")  # 15: B
    ok("undo", "--reason", "entered in error")  # 16 restates stalled on 2025-06-01
    assert ok("undo", "--event", "14", "--reason", "entered in error").startswith(
        "undid event 14 (status on ata-engagement): stalled on 2025-03-01"
    )
    for day in ("2025-03-01", "2025-06-01", "2026-01-01"):
        assert status_on(isolated, "ata-engagement", day) == "in_progress"
    assert current("ata-engagement")["status"] == "in_progress"


def test_undo_without_an_event_reverses_the_whole_last_command(isolated: Path, loaded: None, tmp_path: Path) -> None:
    before = json.loads(ok("list", "--format", "json"))
    document = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    document["commitments"][0]["status"] = "completed"
    document["commitments"][0]["due"] = "Q4 2026"
    document["commitments"][1]["title"] = "A title changed by mistake"
    document["commitments"][2]["tags"] = ["only-this"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert "3 updated" in ok("load", str(changed))
    lines = ok("undo", "--reason", "entered in error").splitlines()
    assert len(lines) == 4  # ata-engagement's edit and status, one edit each for the other two
    after = json.loads(ok("list", "--format", "json"))
    unstable = ("updated_at",)
    assert [{k: v for k, v in item.items() if k not in unstable} for item in after] == [
        {k: v for k, v in item.items() if k not in unstable} for item in before
    ]
    assert fails("undo", "--reason", "entered in error") == (
        "error: tester's last command was itself an undo (of event 14, 15, 16, 17); an undo is not undone. "
        "To reverse an earlier change, name its event: 'tracker undo --event ID --reason \"…\"'"
    )


NEEDS_REASON = (
    "error: undo needs --reason: every correction carries one, for the corrections log "
    '(e.g. --reason "typed the wrong status")'
)


def test_undo_needs_a_reason_and_changes_nothing_without_one(loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "stalled")  # 14
    before = [ok("history", ref, "--format", "json") for ref in ("ata-engagement", "fia-academy")]
    everything = events("")
    for without in [(), ("--event", "14"), ("--reason", ""), ("--reason", " \t "), ("--event", "14", "--reason", " ")]:
        assert fails("undo", *without) == NEEDS_REASON, without
    assert fails("undo", "--reason", "two\nlines") == "error: reason must be one line"  # as withdraw's
    assert fails("undo", "--reason", "x" * 2001) == "error: reason is 2001 characters long; the limit is 2000"
    assert [ok("history", ref, "--format", "json") for ref in ("ata-engagement", "fia-academy")] == before
    assert events("") == everything


def test_the_reason_is_kept_in_the_history_and_the_corrections_log(loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "stalled", "--on", "2026-01-15")  # 14
    assert ok("undo", "--reason", "  typed the wrong status ") == (
        "undid event 14 (status on ata-engagement): stalled on 2026-01-15 withdrawn; "
        "ata-engagement is in_progress now [event 15]\n"
    )
    [correction] = [e for e in current("ata-engagement")["history"] if e["kind"] == "undo"]
    assert correction["note"] == "undo of event 14: stalled withdrawn; reason: typed the wrong status"
    assert ok("history", "ata-engagement").splitlines()[-2:] == [
        "15    2026-01-15  undo     stalled → in_progress  tester  undo of event 14: stalled withdrawn; reason:",
        "                                                          typed the wrong status",
    ]
    assert json.loads(ok("report", "--format", "json"))["corrections"] == [
        {"on": "2026-01-15", "ref": "ata-engagement", "kind": "undo",
         "corrected": "undid the status stalled of 2026-01-15", "reason": "typed the wrong status", "by": "tester"},
    ]  # fmt: skip
    assert ok("report").split("\nCorrections (1)\n\n")[1] == (
        "on          ref             correction                              reason                  by\n"
        "----------  --------------  --------------------------------------  ----------------------  ------\n"
        "2026-01-15  ata-engagement  undid the status stalled of 2026-01-15  typed the wrong status  tester\n"
    )


@pytest.mark.sqlite_only  # a file's bytes and the copy an upgrade writes beside it
def test_undo_without_a_reason_opens_no_database(tmp_path: Path) -> None:
    """Refused before the database is opened: an old file is not upgraded (nor copied first), a
    missing one is not made."""
    database = tmp_path / "old.db"
    shutil.copyfile(ROOT / "tests" / "data" / "schema-v1.db", database)
    for where in (database, tmp_path / "new" / "tracker.db"):
        assert fails("--db", str(where), "undo", "--event", "16") == NEEDS_REASON
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]
    assert database.read_bytes() == (ROOT / "tests" / "data" / "schema-v1.db").read_bytes()


def test_undo_refuses_what_it_cannot_or_must_not_reverse(isolated: Path, loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "stalled")  # 14
    ok("undo", "--reason", "entered in error")  # 15
    assert (
        fails("undo", "--event", "14", "--reason", "entered in error")
        == "error: event 14 was already undone by event 15"
    )
    assert fails("undo", "--event", "15", "--reason", "entered in error") == (
        "error: event 15 is itself an undo (of event 14); an undo is not undone. Record the change again instead"
    )
    assert fails("undo", "--event", "1", "--reason", "entered in error") == (
        "error: event 1 created ata-engagement; a commitment is not removed from the record. "
        "Record what became of it instead: 'tracker update ata-engagement --status abandoned --note …'"
    )
    assert (
        fails("undo", "--event", "99", "--reason", "entered in error")
        == "error: no event 99; 'tracker history REF' shows the event ids"
    )


def test_an_edit_changed_since_is_not_undone(isolated: Path, loaded: None) -> None:
    ok("edit", "ata-engagement", "--title", "First")  # 14
    ok("edit", "ata-engagement", "--title", "Second")  # 15
    before = events(isolated)
    assert fails("undo", "--event", "14", "--reason", "entered in error") == (
        "error: cannot undo event 14: ata-engagement's title has changed since (it is now 'Second'); "
        "change it with 'tracker edit' instead"
    )
    assert events(isolated) == before
    ok("undo", "--reason", "entered in error")
    ok("undo", "--event", "14", "--reason", "entered in error")
    assert current("ata-engagement")["title"].startswith("Strengthen engagement")
    history = current("ata-engagement")["history"]
    assert history[-1]["changes"] == {"title": ["First", history[-1]["changes"]["title"][1]]}


def test_undo_of_a_date_edit_restores_vague_dates(isolated: Path, loaded: None) -> None:
    ok("edit", "ata-engagement", "--due", "Q4 2026", "--agreed", "March 2025")
    ok("undo", "--reason", "entered in error")
    item = current("ata-engagement")
    assert (item["agreed"], item["agreed_precision"], item["due"]) == ("2025-12-31", "year", None)


def test_undo_reverses_the_callers_own_last_command(loaded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ok("update", "ata-engagement", "--status", "stalled", "--on", "2025-03-01")  # 14, by tester
    ok("update", "fia-ct-wing", "--note", "Site visit", "--by", "A. Khan")  # 15
    assert ok("undo", "--reason", "entered in error") == (
        "undid event 14 (status on ata-engagement): stalled on 2025-03-01 withdrawn; "
        "ata-engagement is in_progress now [event 16]\n"
        "not undone: the latest command, A. Khan's (event 15); "
        "to undo someone else's change, name its event: 'tracker undo --event 15 --reason \"…\"'\n"
    )
    assert current("ata-engagement")["history"][-1]["by"] == "tester"  # the correction is the caller's
    assert current("fia-ct-wing")["history"][-1]["kind"] == "note"  # A. Khan's note stands
    assert fails("undo", "--reason", "entered in error") == (
        "error: tester's last command was itself an undo (of event 14); an undo is not undone. "
        "To reverse an earlier change, name its event: 'tracker undo --event ID --reason \"…\"'"
    )
    before = events("")
    assert fails("undo", "--by", "B. Shah", "--reason", "entered in error") == (
        "error: nothing of B. Shah's to undo: B. Shah has recorded no change. The last change, event 16, "
        "is tester's; to undo someone else's change, name its event: 'tracker undo --event 16 --reason \"…\"'"
    )
    assert events("") == before
    assert ok("undo", "--event", "15", "--by", "C. Ali", "--reason", "entered in error") == (
        "undid event 15 (note on fia-ct-wing, recorded by A. Khan): note retracted [event 17]\n"
    )
    assert current("fia-ct-wing")["history"][-1]["by"] == "C. Ali"
    ok("edit", "fia-academy", "--due", "2026-12-31", "--by", "A. Khan")  # 18
    ok("update", "fia-academy", "--status", "in_progress", "--on", "2026-01-15", "--by", "A. Khan")  # 19
    assert ok("undo", "--by", "A. Khan", "--reason", "entered in error").startswith(
        "undid event 19 (status on fia-academy): "
    )  # 20
    assert ok("undo", "--by", "A. Khan", "--event", "18", "--reason", "entered in error").startswith(
        "undid event 18 (edit on fia-academy): "
    )  # 21
    corrections = [(e["id"], e["by"]) for e in current("fia-academy")["history"] if e["kind"] == "undo"]
    assert corrections == [(20, "A. Khan"), (21, "A. Khan")]  # recorded by the caller, not TRACKER_USER
    monkeypatch.setenv("TRACKER_USER", "A. Khan")
    ok("update", "fia-academy", "--note", "Khan again")  # 22
    assert (
        ok("undo", "--reason", "entered in error")
        == "undid event 22 (note on fia-academy): note retracted [event 23]\n"
    )


def test_nothing_to_undo(isolated: Path) -> None:
    ok("init")
    assert fails("undo", "--reason", "entered in error") == "error: nothing to undo: no change has been recorded yet"


def test_events_from_schema_1_are_undone_one_at_a_time(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    shutil.copyfile(ROOT / "tests" / "data" / "schema-v1.db", database)
    assert fails("--db", str(database), "undo", "--by", "fixture-maker", "--reason", "entered in error") == (
        "error: fixture-maker's last change (event 16) was recorded before commands were grouped; "
        "undo it with 'tracker undo --event 16 --reason \"…\"'"
    )
    assert ok("--db", str(database), "undo", "--event", "16", "--reason", "entered in error") == (
        "undid event 16 (edit on inl-engagement, recorded by fixture-maker): restored due, tags [event 17]\n"
    )


def test_an_export_keeps_corrections_and_what_they_undo(isolated: Path | str, loaded: None, tmp_path: Path) -> None:
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")
    ok("undo", "--reason", "entered in error")
    ok("update", "ata-engagement", "--note", "later note")
    exported = ok("export", "--format", "json")
    history = next(c for c in json.loads(exported)["commitments"] if c["ref"] == "ata-engagement")["history"]
    assert [(e["kind"], e["undoes"]) for e in history] == [
        ("created", None),
        ("status", None),
        ("undo", history[1]["key"]),  # events are named by their keys, the same in every copy
        ("note", None),
    ]
    assert history[1]["batch"] and history[1]["batch"] != history[2]["batch"]
    copy = tmp_path / "copy.db"
    (tmp_path / "export.json").write_text(exported, encoding="utf-8")
    ok("--db", str(copy), "load", str(tmp_path / "export.json"))
    assert ok("--db", str(copy), "export", "--format", "json") == exported
    undone = db_rows("SELECT id FROM event WHERE kind = 'status' AND to_status = 'completed'")[0][0]
    assert fails("undo", "--event", str(undone), "--reason", "entered in error").startswith(
        f"error: event {undone} was already undone by event"
    )


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_undo_names_the_same_event_after_a_round_trip(loaded: None, tmp_path: Path, fmt: str) -> None:
    """A copy numbers its events afresh; the undo still names the event it reverses, by the
    copy's own id, in JSON and in text."""
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")  # 14
    ok("update", "fia-ct-wing", "--note", "in between")  # 15
    assert ok("undo", "--event", "14", "--reason", "a slip").startswith("undid event 14 ")  # 16
    original = json.loads(ok("history", "ata-engagement", "--format", "json"))
    undone_key = original[1]["key"]
    exported = tmp_path / f"export.{fmt}"
    ok("export", "--format", fmt, "--output", str(exported))
    copy = tmp_path / "copy.db"
    ok("--db", str(copy), "load", str(exported))
    undone_ids = []
    for database in (os.environ["TRACKER_DB"], str(copy)):
        events = json.loads(ok("--db", database, "history", "ata-engagement", "--format", "json"))
        undone, correction = events[1], events[2]
        assert (undone["key"], correction["undoes"]) == (undone_key, undone["id"])
        shown = f"undo of event {undone['id']}: completed withdrawn"
        assert correction["note"] == f"{shown}; reason: a slip"
        assert f" {shown}; reason: " in ok("--db", database, "history", "ata-engagement")  # the reason wraps
        undone_ids.append(undone["id"])
    assert undone_ids[0] == 14 and undone_ids[1] != 14  # the copy numbered its events afresh
    assert ok("--db", str(copy), "export", "--format", fmt) == exported.read_text(encoding="utf-8")


def test_an_export_from_before_event_keys_still_loads_its_undos(tmp_path: Path) -> None:
    document = {
        "format": "tracker-export/1",
        "organisations": [{"short_name": "MOI", "name": "MOI", "country": None, "aliases": []}],
        "sources": [],
        "commitments": [
            {"ref": "a", "title": "A", "description": "", "owner": "MOI", "partners": [], "status": "in_progress",
             "agreed": None, "agreed_precision": None, "due": None, "due_precision": None, "tags": [],
             "source": None, "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-02T10:00:00Z",
             "starts_on": "2026-01-01",
             "history": [
                 {"kind": "created", "to_status": "in_progress", "on": "2026-01-01",
                  "recorded_at": "2026-01-01T10:00:00Z", "by": "x", "note": None, "evidence": None,
                  "changes": None, "batch": "b1", "undoes": None},
                 {"kind": "status", "to_status": "completed", "on": "2026-01-02",
                  "recorded_at": "2026-01-02T10:00:00Z", "by": "x", "note": None, "evidence": None,
                  "changes": None, "batch": "b2", "undoes": None},
                 {"kind": "undo", "to_status": "in_progress", "on": "2026-01-02",
                  "recorded_at": "2026-01-02T10:00:00Z", "by": "x", "note": "undo of event 25: completed withdrawn",
                  "evidence": None, "changes": None, "batch": "b3", "undoes": 1},
             ]},
        ],
    }  # fmt: skip
    old = tmp_path / "old-export.json"
    old.write_text(json.dumps(document), encoding="utf-8")
    assert "1 created" in ok("load", str(old))
    events = json.loads(ok("history", "a", "--format", "json"))
    assert [(e["id"], e["undoes"], e["note"]) for e in events] == [
        (1, None, None),
        (2, None, None),
        (3, 2, "undo of event 2: completed withdrawn"),  # the old note's id was the other database's
    ]
    assert json.loads(ok("show", "a", "--format", "json"))["status"] == "in_progress"
    exported = json.loads(ok("export", "--format", "json"))
    history = exported["commitments"][0]["history"]
    assert exported["format"] == "tracker-export/2" and history[2]["undoes"] == history[1]["key"]
    assert ok("load", str(old)).endswith("commitments: 0 created, 0 updated, 1 unchanged\n")  # matched without keys
    # An undo recorded before the reason was required is logged without one.
    [logged] = json.loads(ok("report", "--format", "json"))["corrections"]
    assert (logged["kind"], logged["corrected"], logged["reason"]) == (
        "undo",
        "undid the status completed of 2026-01-02",
        None,
    )


def test_history_names_the_event_an_undo_reverses(loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")
    ok("undo", "--reason", "entered in error")
    events = json.loads(ok("history", "ata-engagement", "--format", "json"))
    status, correction = events[-2], events[-1]
    assert (correction["kind"], correction["undoes"], status["undoes"]) == ("undo", status["id"], None)

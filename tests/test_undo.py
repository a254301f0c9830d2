"""`tracker undo`: corrections are appended, nothing is rewritten, the timeline ends up right."""

import json
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
    assert ok("undo") == (
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
    assert history[2]["note"] == "undo of event 14: completed withdrawn"
    assert current("ata-engagement")["status"] == "in_progress"


def test_a_back_dated_undo_keeps_later_updates_in_force(isolated: Path, loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "stalled", "--on", "2025-03-01")  # 14
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")  # 15
    ok("update", "ata-engagement", "--status", "in_progress", "--on", "2025-09-01", "--reopen")  # 16
    ok("undo", "--event", "15")
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
    ok("undo")  # 16 restates stalled on 2025-06-01
    assert ok("undo", "--event", "14").startswith("undid event 14 (status on ata-engagement): stalled on 2025-03-01")
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
    lines = ok("undo").splitlines()
    assert len(lines) == 4  # ata-engagement's edit and status, one edit each for the other two
    after = json.loads(ok("list", "--format", "json"))
    unstable = ("updated_at",)
    assert [{k: v for k, v in item.items() if k not in unstable} for item in after] == [
        {k: v for k, v in item.items() if k not in unstable} for item in before
    ]
    assert fails("undo") == (
        "error: the last command was itself an undo (of event 14, 15, 16, 17); an undo is not undone. "
        "To reverse an earlier change, name its event: 'tracker undo --event ID'"
    )


def test_undo_refuses_what_it_cannot_or_must_not_reverse(isolated: Path, loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "stalled")  # 14
    ok("undo")  # 15
    assert fails("undo", "--event", "14") == "error: event 14 was already undone by event 15"
    assert fails("undo", "--event", "15") == (
        "error: event 15 is itself an undo (of event 14); an undo is not undone. Record the change again instead"
    )
    assert fails("undo", "--event", "1") == (
        "error: event 1 created ata-engagement; a commitment is not removed from the record. "
        "Record what became of it instead: 'tracker update ata-engagement --status abandoned --note …'"
    )
    assert fails("undo", "--event", "99") == "error: no event 99; 'tracker history REF' shows the event ids"


def test_an_edit_changed_since_is_not_undone(isolated: Path, loaded: None) -> None:
    ok("edit", "ata-engagement", "--title", "First")  # 14
    ok("edit", "ata-engagement", "--title", "Second")  # 15
    before = events(isolated)
    assert fails("undo", "--event", "14") == (
        "error: cannot undo event 14: ata-engagement's title has changed since (it is now 'Second'); "
        "change it with 'tracker edit' instead"
    )
    assert events(isolated) == before
    ok("undo")
    ok("undo", "--event", "14")
    assert current("ata-engagement")["title"].startswith("Strengthen engagement")
    history = current("ata-engagement")["history"]
    assert history[-1]["changes"] == {"title": ["First", history[-1]["changes"]["title"][1]]}


def test_undo_of_a_date_edit_restores_vague_dates(isolated: Path, loaded: None) -> None:
    ok("edit", "ata-engagement", "--due", "Q4 2026", "--agreed", "March 2025")
    ok("undo")
    item = current("ata-engagement")
    assert (item["agreed"], item["agreed_precision"], item["due"]) == ("2025-12-31", "year", None)


def test_nothing_to_undo(isolated: Path) -> None:
    ok("init")
    assert fails("undo") == "error: nothing to undo: no change has been recorded yet"


def test_events_from_schema_1_are_undone_one_at_a_time(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    shutil.copyfile(ROOT / "tests" / "data" / "schema-v1.db", database)
    assert fails("--db", str(database), "undo") == (
        "error: the last change (event 16) was recorded before commands were grouped; "
        "undo it with 'tracker undo --event 16'"
    )
    assert ok("--db", str(database), "undo", "--event", "16") == (
        "undid event 16 (edit on inl-engagement): restored due, tags [event 17]\n"
    )


def test_an_export_keeps_corrections_and_what_they_undo(isolated: Path | str, loaded: None, tmp_path: Path) -> None:
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")
    ok("undo")
    ok("update", "ata-engagement", "--note", "later note")
    exported = ok("export", "--format", "json")
    history = next(c for c in json.loads(exported)["commitments"] if c["ref"] == "ata-engagement")["history"]
    assert [(e["kind"], e["undoes"]) for e in history] == [
        ("created", None),
        ("status", None),
        ("undo", 1),
        ("note", None),
    ]
    assert history[1]["batch"] and history[1]["batch"] != history[2]["batch"]
    copy = tmp_path / "copy.db"
    (tmp_path / "export.json").write_text(exported, encoding="utf-8")
    ok("--db", str(copy), "load", str(tmp_path / "export.json"))
    assert ok("--db", str(copy), "export", "--format", "json") == exported
    undone = db_rows("SELECT id FROM event WHERE kind = 'status' AND to_status = 'completed'")[0][0]
    assert fails("undo", "--event", str(undone)).startswith(f"error: event {undone} was already undone by event")


def test_history_names_the_event_an_undo_reverses(loaded: None) -> None:
    ok("update", "ata-engagement", "--status", "completed", "--on", "2025-06-01")
    ok("undo")
    events = json.loads(ok("history", "ata-engagement", "--format", "json"))
    status, correction = events[-2], events[-1]
    assert (correction["kind"], correction["undoes"], status["undoes"]) == ("undo", status["id"], None)

"""Updates on a timeline: back-dating, final statuses, evidence, and what history shows."""

import json
from pathlib import Path

import pytest

from tests.conftest import fails, ok


@pytest.fixture(autouse=True)
def one_commitment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("owners", "add", "FIA", "--name", "Federal Investigation Agency", "--country", "Pakistan")
    assert ok("add", "Activate the CT Wing", "--owner", "fia", "--ref", "ct-wing", "--agreed", "March 2026") == (
        "ct-wing\n"
    )


def _events() -> list[dict[str, object]]:
    events: list[dict[str, object]] = json.loads(ok("history", "ct-wing", "--format", "json"))
    return events


def _status() -> str:
    return str(json.loads(ok("show", "ct-wing", "--format", "json"))["status"])


def test_an_update_with_evidence_is_in_the_history() -> None:
    out = ok(
        "update", "ct-wing", "--status", "In progress", "--on", "2026-04-10",
        "--note", "Wing notified", "--evidence", "https://example.org/notice", "--by", "Amina",
    )  # fmt: skip
    assert out == "ct-wing: not_started → in_progress on 2026-04-10\n"
    created, update = _events()
    assert created["kind"] == "created" and created["on"] == "2026-03-01" and created["to_status"] == "not_started"
    assert {k: update[k] for k in ("kind", "from_status", "to_status", "on", "by", "note", "evidence")} == {
        "kind": "status",
        "from_status": "not_started",
        "to_status": "in_progress",
        "on": "2026-04-10",
        "by": "Amina",
        "note": "Wing notified",
        "evidence": "https://example.org/notice",
    }
    assert str(update["recorded_at"]).endswith("Z")
    assert _status() == "in_progress"


def test_a_back_dated_update_lands_in_place_and_does_not_overwrite_a_later_one() -> None:
    ok("update", "ct-wing", "--status", "completed", "--on", "2026-06-01")
    out = ok("update", "ct-wing", "--status", "stalled", "--on", "2026-05-01", "--note", "found late")
    assert out == "ct-wing: not_started → stalled on 2026-05-01; a later update keeps it completed\n"
    assert _status() == "completed"
    events = _events()
    assert [(e["on"], e["from_status"], e["to_status"]) for e in events] == [
        ("2026-03-01", None, "not_started"),
        ("2026-05-01", "not_started", "stalled"),
        ("2026-06-01", "stalled", "completed"),  # from_status is what was in effect just before it
    ]


def test_same_day_updates_keep_recording_order() -> None:
    ok("update", "ct-wing", "--status", "in_progress", "--on", "2026-04-01")
    ok("update", "ct-wing", "--status", "stalled", "--on", "2026-04-01")
    assert _status() == "stalled"
    assert [e["to_status"] for e in _events()] == ["not_started", "in_progress", "stalled"]


def test_leaving_a_final_status_needs_reopen_judged_at_the_updates_date() -> None:
    ok("update", "ct-wing", "--status", "completed", "--on", "2026-05-01")
    assert fails("update", "ct-wing", "--status", "in_progress", "--on", "2026-05-20") == (
        "error: ct-wing is completed on 2026-05-20, a final status; add --reopen to change it to in_progress"
    )
    # Before the completion it was not final, so a back-dated update needs no --reopen.
    ok("update", "ct-wing", "--status", "in_progress", "--on", "2026-04-01")
    assert ok("update", "ct-wing", "--status", "in_progress", "--on", "2026-05-20", "--reopen") == (
        "ct-wing: completed → in_progress on 2026-05-20\n"
    )
    assert _status() == "in_progress"


def test_a_note_alone_is_an_update() -> None:
    assert ok("update", "ct-wing", "--note", "Cabinet discussed it") == (
        "ct-wing: note recorded on 2026-06-30 (status not_started)\n"
    )
    note = _events()[-1]
    assert (note["kind"], note["to_status"], note["note"]) == ("note", None, "Cabinet discussed it")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: nothing to record: give --status, --note or both"),
        (("--evidence", "https://x.org"), "error: nothing to record: give --status, --note or both"),
        (
            ("--status", "done"),
            "error: unknown status 'done'; expected one of: not_started, in_progress, "
            "stalled, completed, partial, abandoned",
        ),
        (
            ("--note", "x", "--on", "2026-07-01"),
            "error: --on 2026-07-01 is after today (2026-06-30); record what has already happened",
        ),
        (
            ("--note", "x", "--on", "2026-02-28"),
            "error: ct-wing's history starts on 2026-03-01 (it was agreed "
            "March 2026); an update cannot be dated before that. Give an earlier agreed date with "
            "'tracker edit ct-wing --agreed DATE'",
        ),
        (
            ("--note", "x", "--on", "April 2026"),
            "error: --on needs a day, not April 2026; an update takes effect on one day",
        ),
        (
            ("--note", "x", "--on", "2026-02-31"),
            "error: --on '2026-02-31' is not a real date (day is out of range for month)",
        ),
    ],
)
def test_refused_updates_change_nothing(args: tuple[str, ...], message: str) -> None:
    before = ok("history", "ct-wing", "--format", "json")
    assert fails("update", "ct-wing", *args) == message
    assert ok("history", "ct-wing", "--format", "json") == before


def test_an_update_may_be_dated_on_the_first_day_of_the_history() -> None:
    # The boundary of the refusal above: `on <= starts_on` in its place passed every other test.
    assert ok("update", "ct-wing", "--note", "x", "--on", "2026-03-01") == (
        "ct-wing: note recorded on 2026-03-01 (status not_started)\n"
    )


def test_the_agreed_date_cannot_start_the_history_after_an_update() -> None:
    # No test failed with this refusal removed (found by breaking it on purpose).
    ok("update", "ct-wing", "--note", "x", "--on", "2026-04-01")
    before = ok("history", "ct-wing", "--format", "json")
    assert fails("edit", "ct-wing", "--agreed", "2026-05-15") == (
        "error: ct-wing has updates from 2026-04-01; its history cannot start later, on 2026-05-15"
    )
    assert ok("history", "ct-wing", "--format", "json") == before


def test_without_an_agreed_date_history_starts_the_day_it_was_recorded() -> None:
    ok("add", "Open an academy", "--owner", "FIA", "--ref", "academy")
    assert fails("update", "academy", "--note", "x", "--on", "2026-06-01") == (
        "error: academy's history starts on 2026-06-30 (it has no agreed date, so its history starts the day it "
        "was recorded); an update cannot be dated before that. Give an earlier agreed date with "
        "'tracker edit academy --agreed DATE'"
    )
    ok("edit", "academy", "--agreed", "2026-05-15")
    assert ok("update", "academy", "--note", "x", "--on", "2026-06-01").startswith("academy: note recorded")
    history = json.loads(ok("history", "academy", "--format", "json"))
    assert [(e["kind"], e["on"]) for e in history] == [
        ("created", "2026-06-30"),  # the day it was recorded with; its status is in effect from the start
        ("note", "2026-06-01"),  # timeline order, though the edit was recorded first
        ("edit", "2026-06-30"),
    ]
    assert json.loads(ok("show", "academy", "--format", "json"))["starts_on"] == "2026-05-15"


def _shown_events() -> dict[object, dict[str, object]]:
    return {event["id"]: event for event in _events()}


def test_no_command_changes_how_a_recorded_event_shows(tmp_path: Path) -> None:
    """Moving the agreed date is an edit event of its own: the created event keeps its day, and
    the start of the history (show's `starts`) follows the agreed changes, undone ones included."""
    ok("update", "ct-wing", "--status", "in_progress", "--on", "2026-04-01", "--note", "begun")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("ref,title,owner,status,agreed\nct-wing,Activate the CT Wing now,FIA,in_progress,2019\n")
    steps: list[tuple[tuple[str, ...], str]] = [
        (("edit", "ct-wing", "--agreed", "2020"), "2020-01-01"),
        (("update", "ct-wing", "--note", "early talks", "--on", "2021-05-01"), "2020-01-01"),
        (("edit", "ct-wing", "--due", "2026-12-31", "--title", "Activate the Wing"), "2020-01-01"),
        (("undo", "--reason", "entered in error"), "2020-01-01"),
        (("load", str(sheet)), "2019-01-01"),
        (("undo", "--reason", "entered in error"), "2020-01-01"),
    ]
    for step, starts_on in steps:
        before = _shown_events()
        ok(*step)
        after = _shown_events()
        assert {key: after[key] for key in before} == before, step
        assert json.loads(ok("show", "ct-wing", "--format", "json"))["starts_on"] == starts_on, step
    history = _events()
    assert [(e["kind"], e["on"]) for e in history[:3]] == [
        ("created", "2026-03-01"),
        ("note", "2021-05-01"),  # dated before the created event's day, but after the start then
        ("status", "2026-04-01"),
    ]
    assert "\nstarts       2020-01-01\n" in ok("show", "ct-wing")


def test_an_unknown_ref_is_refused() -> None:
    assert (
        fails("update", "ct-wang", "--note", "x")
        == "error: no commitment with ref 'ct-wang'; 'tracker list' shows the refs"
    )
    assert fails("history", "ct-wang") == "error: no commitment with ref 'ct-wang'; 'tracker list' shows the refs"
    assert fails("show", "ct-wang") == "error: no commitment with ref 'ct-wang'; 'tracker list' shows the refs"


def test_history_table_shows_transitions_in_timeline_order() -> None:
    ok("update", "ct-wing", "--status", "in_progress", "--on", "2026-04-01", "--note", "begun", "--by", "Amina")
    lines = ok("history", "ct-wing").splitlines()
    assert lines[0].split() == ["id", "on", "kind", "status", "by", "note", "evidence"]
    assert lines[2].split()[1:4] == ["2026-03-01", "created", "not_started"]
    assert lines[3].split()[1:8] == ["2026-04-01", "status", "not_started", "→", "in_progress", "Amina", "begun"]

"""Reviews: a status checked and still in effect is recorded, staleness counts from it, and the
review queue says what to check next."""

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, fails, ok


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")


def _last_event(ref: str) -> dict:  # type: ignore[type-arg]
    return json.loads(ok("history", ref, "-f", "json"))[-1]  # type: ignore[no-any-return]


def test_restating_the_status_in_effect_records_a_review_with_its_evidence() -> None:
    ok("load", str(FIXTURE))
    assert ok(
        "update", "fia-ct-wing", "--status", "in progress", "--note", "Visited", "--evidence", "https://x.org/1"
    ) == ("fia-ct-wing: reviewed on 2026-06-30, still in_progress\n")
    event = _last_event("fia-ct-wing")
    assert (event["kind"], event["from_status"], event["to_status"], event["note"], event["evidence"]) == (
        "review", "in_progress", None, "Visited", "https://x.org/1",
    )  # fmt: skip
    assert (
        ok("review", "fia-academy", "--on", "2026-05-01") == "fia-academy: reviewed on 2026-05-01, still not_started\n"
    )
    assert "2026-05-01  review   still not_started" in ok("history", "fia-academy")
    assert json.loads(ok("show", "fia-academy", "-f", "json"))["status"] == "not_started"  # no status changed


def test_a_review_is_undone_like_a_note() -> None:
    ok("load", str(FIXTURE))
    ok("review", "fia-academy", "--note", "Site visit")
    assert (
        ok("undo", "--reason", "entered in error")
        == "undid event 14 (review on fia-academy): review retracted [event 15]\n"
    )


def test_staleness_counts_from_the_last_review() -> None:
    ok("load", str(FIXTURE))
    stale = {item["ref"] for item in json.loads(ok("report", "-f", "json"))["stale"]}
    assert "fia-academy" in stale
    ok("review", "fia-academy")
    assert "fia-academy" not in {item["ref"] for item in json.loads(ok("report", "-f", "json"))["stale"]}


def test_the_queue_puts_overdue_first_then_the_nearest_deadline_then_the_longest_unchecked(tmp_path: Path) -> None:
    ok("owners", "add", "MOI")
    for ref, agreed, due in [
        ("no-deadline-checked", "2026-01-01", None),
        ("no-deadline-never", "2026-02-01", None),
        ("due-later", "2026-01-01", "2026-12-31"),
        ("due-soon", "2026-01-01", "2026-07-15"),
        ("overdue-long", "2026-01-01", "2026-03-31"),
        ("overdue-short", "2026-01-01", "2026-06-01"),
        ("done", "2026-01-01", "2026-02-01"),
    ]:
        ok("add", ref, "--ref", ref, "--owner", "MOI", "--agreed", agreed, *(["--due", due] if due else []))
    ok("update", "no-deadline-checked", "--note", "looked", "--on", "2026-03-01")
    ok("update", "done", "--status", "completed")
    queue = json.loads(ok("review", "--queue", "-f", "json"))
    assert [(row["ref"], row["why"]) for row in queue] == [
        ("overdue-long", "overdue by 91 days"),
        ("overdue-short", "overdue by 29 days"),
        ("due-soon", "due in 15 days"),
        ("due-later", "due in 184 days"),
        ("no-deadline-never", "not checked for 149 days"),  # never checked: since its history began
        ("no-deadline-checked", "not checked for 121 days"),
    ]
    assert [row["ref"] for row in json.loads(ok("review", "--queue", "--limit", "2", "-f", "json"))] == [
        "overdue-long",
        "overdue-short",
    ]
    assert ok("review", "--queue", "--owner", "MOI", "-f", "csv").splitlines()[0] == (
        "ref,title,owner,status,due,due_precision,last_checked,days_unchecked,why"
    )


def test_review_refuses_what_it_cannot_mean() -> None:
    ok("load", str(FIXTURE))
    assert fails("review") == "error: give the REF of the commitment checked, or --queue for what to check next"
    assert fails("review", "fia-academy", "--queue") == (
        "error: --queue lists what to review; give a REF (with --on, --note …) to record a review"
    )
    assert (
        fails("review", "fia-academy", "--limit", "3")
        == "error: --owner, --limit, --format and --withdrawn are for --queue"
    )
    assert fails("review", "fia-academy", "--on", "2027-01-01") == (
        "error: --on 2027-01-01 is after today (2026-06-30); record what has already happened"
    )


def test_an_export_carries_reviews(tmp_path: Path) -> None:
    ok("load", str(FIXTURE))
    ok("review", "fia-academy", "--note", "Site visit", "--evidence", "https://x.org/site")
    ok("export", "--output", str(tmp_path / "all.json"))
    ok("--db", str(tmp_path / "copy.db"), "load", str(tmp_path / "all.json"))
    assert ok("--db", str(tmp_path / "copy.db"), "export") == ok("export")


def test_a_period_report_lists_every_event_of_the_period_in_every_format() -> None:
    ok("load", str(FIXTURE))
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-06-01", "--evidence", "https://x.org/done")
    ok("review", "fia-academy", "--on", "2026-06-02", "--note", "Site visit")
    ok("update", "ata-engagement", "--note", "Embassy meeting", "--on", "2026-06-03")
    ok("edit", "fia-academy", "--due", "Q3 2026", "--add-tag", "academy")
    ok("update", "ata-engagement", "--note", "Before the period", "--on", "2026-04-01")
    report = json.loads(ok("report", "--since", "2026-05-31", "-f", "json"))
    assert [(e["on"], e["ref"], e["kind"], e["what"], e["note"], e["evidence"]) for e in report["events"]] == [
        ("2026-06-01", "fia-ct-wing", "status", "in_progress → completed", None, "https://x.org/done"),
        ("2026-06-02", "fia-academy", "review", "still not_started", "Site visit", None),
        ("2026-06-03", "ata-engagement", "note", "", "Embassy meeting", None),
        ("2026-06-30", "fia-academy", "edit", "due: none → Q3 2026; tags: +academy", "changed due, tags", None),
    ]
    assert report["events"][3]["changes"]["due"] == [None, "Q3 2026"]
    assert len(report["changes"]) == 1  # the status changes, and their count and matrix, are as they were
    assert report["transitions"]["in_progress"]["completed"] == 1
    text = ok("report", "--since", "2026-05-31", "--limit", "2")
    assert "Events after 2026-05-31 (4)" in text and "… and 2 more" in text
    html = ok("report", "--since", "2026-05-31", "-f", "html")
    assert '<a href="https://x.org/done">https://x.org/done</a>' in html and "Site visit" in html


def test_search_finds_notes_and_evidence_but_not_retracted_ones() -> None:
    ok("load", str(FIXTURE))
    ok("update", "ata-engagement", "--note", "Met the EMBASSY team", "--evidence", "https://example.org/ata-calendar")
    ok("review", "fia-academy", "--note", "Wrong commitment: embassy")
    ok("undo", "--reason", "entered in error")
    assert [i["ref"] for i in json.loads(ok("list", "--search", "embassy", "-f", "json"))] == ["ata-engagement"]
    assert [i["ref"] for i in json.loads(ok("list", "--search", "ata-calendar", "-f", "json"))] == ["ata-engagement"]

"""Verdicts: a judgement of the promise apart from the work's status, cited, dated and undone like one."""

import json
import re

import pytest

from tests.conftest import FIXTURE, fails, ok


@pytest.fixture(autouse=True)
def _fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("load", str(FIXTURE))


def _report(*args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(ok("report", "-f", "json", *args))  # type: ignore[no-any-return]


def test_a_verdict_is_an_event_with_its_evidence_and_reason() -> None:
    assert ok(
        "update", "fia-academy", "--verdict", "broken", "--reason", "not funded", "--evidence", "https://x.org/budget",
        "--on", "2026-05-01",
    ) == "fia-academy: rated broken on 2026-05-01 (was not_rated)\n"  # fmt: skip
    event = json.loads(ok("history", "fia-academy", "-f", "json"))[-1]
    assert (event["kind"], event["verdict"], event["verdict_reason"], event["evidence"], event["to_status"]) == (
        "verdict", "broken", "not_funded", "https://x.org/budget", None,
    )  # fmt: skip
    assert "verdict broken (not_funded)" in ok("history", "fia-academy")
    assert json.loads(ok("show", "fia-academy", "-f", "json"))["status"] == "not_started"  # the status is apart


_REASONS = (
    "not_funded, deadline_missed, abandoned_by_government, reversed, superseded, blocked_by_others "
    "(TRACKER_BROKEN_REASONS adds more)"
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--verdict", "kept"),
            "error: a verdict cites its evidence: give --evidence URL, or --no-evidence to record it without",
        ),
        (("--verdict", "broken", "--no-evidence"), f"error: a broken verdict takes --reason: one of {_REASONS}"),
        (
            ("--verdict", "broken", "--reason", "bad luck", "--no-evidence"),
            f"error: unknown reason 'bad luck'; expected one of: {_REASONS}",
        ),
        (("--verdict", "kept", "--reason", "reversed", "--no-evidence"), "error: --reason is for a broken verdict"),
        (
            ("--verdict", "kept", "--no-evidence", "--evidence", "https://x.org"),
            "error: --no-evidence and --evidence contradict each other; give one",
        ),
        (
            ("--verdict", "kept", "--status", "completed", "--no-evidence"),
            "error: a verdict is recorded on its own; give --status in another update",
        ),
        (
            ("--verdict", "done"),
            "error: unknown verdict 'done'; expected one of: not_rated, kept, partly_kept, broken, not_assessable",
        ),
        (("--reason", "reversed", "--note", "x"), "error: --reason and --no-evidence go with --verdict"),
    ],
)
def test_refused_verdicts_change_nothing(args: tuple[str, ...], message: str) -> None:
    before = ok("history", "fia-academy", "-f", "json")
    assert fails("update", "fia-academy", *args) == message
    assert ok("history", "fia-academy", "-f", "json") == before


def test_the_reason_vocabulary_can_be_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_BROKEN_REASONS", "court ruling, vetoed")
    ok("update", "fia-academy", "--verdict", "broken", "--reason", "Court ruling", "--no-evidence")
    assert json.loads(ok("history", "fia-academy", "-f", "json"))[-1]["verdict_reason"] == "court_ruling"


def test_a_revised_verdict_says_why_and_a_verdict_is_not_restated() -> None:
    ok("update", "fia-academy", "--verdict", "kept", "--evidence", "https://x.org/1", "--on", "2026-04-01")
    assert fails("update", "fia-academy", "--verdict", "kept", "--evidence", "https://x.org/2", "--note", "again") == (
        "error: fia-academy is already rated kept on 2026-06-30"
    )
    assert fails("update", "fia-academy", "--verdict", "broken", "--reason", "reversed", "--no-evidence") == (
        "error: fia-academy is rated kept on 2026-06-30; a revised verdict takes a --note saying why"
    )
    ok("update", "fia-academy", "--verdict", "broken", "--reason", "reversed", "--no-evidence", "--note", "Closed")


def test_verdicts_follow_the_timeline_in_reports_and_undo() -> None:
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-01")
    ok(
        "update",
        "fia-ct-wing",
        "--verdict",
        "broken",
        "--reason",
        "deadline missed",
        "--no-evidence",
        "--on",
        "2026-04-01",
    )
    ok("update", "fia-academy", "--verdict", "kept", "--evidence", "https://x.org/k", "--on", "2026-05-01")
    today = _report()
    assert today["by_verdict"] == {"not_rated": 11, "kept": 1, "partly_kept": 0, "broken": 1, "not_assessable": 0}
    assert [(d["ref"], d["status"], d["verdict"]) for d in today["disagreements"]] == [
        ("fia-academy", "not_started", "kept"),  # rated kept while not started
        ("fia-ct-wing", "completed", "broken"),
    ]
    assert [(u["ref"], u["verdict_reason"], u["verdict_on"]) for u in today["unsupported_verdicts"]] == [
        ("fia-ct-wing", "deadline_missed", "2026-04-01")
    ]
    earlier = _report("--as-of", "2026-04-15")  # the academy's verdict came later
    assert earlier["by_verdict"]["kept"] == 0 and earlier["by_verdict"]["broken"] == 1
    text = ok("report")
    assert "Status and verdict disagree (2)" in text and "Verdicts without evidence (1)" in text
    ok("undo", "--reason", "entered in error")  # the academy's verdict
    assert _report()["by_verdict"]["kept"] == 0


def test_a_report_without_verdicts_has_no_verdict_sections() -> None:
    assert "Verdicts" not in ok("report") and "Verdicts" not in ok("report", "-f", "html")
    assert _report()["by_verdict"]["not_rated"] == 13


def test_an_export_carries_verdicts(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    ok("update", "fia-academy", "--verdict", "broken", "--reason", "not funded", "--evidence", "https://x.org/b")
    ok("export", "--output", str(folder / "all.json"))
    ok("--db", str(folder / "copy.db"), "load", str(folder / "all.json"))
    assert ok("--db", str(folder / "copy.db"), "export") == ok("export")
    # The same report, but for the event ids its pieces name: each copy numbers its events afresh.
    event_ids = re.compile(r'"event": \d+')
    copied = ok("--db", str(folder / "copy.db"), "report", "-f", "json")
    assert event_ids.sub('"event": N', copied) == event_ids.sub('"event": N', ok("report", "-f", "json"))


def test_a_report_csv_gives_each_status_and_verdict_its_evidence() -> None:
    import csv
    import io

    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-01", "--evidence", "https://x.org/done")
    ok("review", "fia-ct-wing", "--on", "2026-05-01", "--evidence", "https://x.org/still-done")
    ok("update", "fia-ct-wing", "--verdict", "kept", "--evidence", "https://x.org/verdict", "--on", "2026-05-02")
    rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(ok("report", "-f", "csv")))}
    wing = rows["fia-ct-wing"]
    assert (wing["status_evidence"], wing["verdict"], wing["verdict_on"], wing["verdict_evidence"]) == (
        "https://x.org/done (+1 more)", "kept", "2026-05-02", "https://x.org/verdict",
    )  # fmt: skip
    assert (rows["fia-academy"]["status_evidence"], rows["fia-academy"]["verdict"]) == ("", "not_rated")
    earlier = {
        row["ref"]: row for row in csv.DictReader(io.StringIO(ok("report", "-f", "csv", "--as-of", "2026-04-01")))
    }
    assert (earlier["fia-ct-wing"]["status_evidence"], earlier["fia-ct-wing"]["verdict"]) == (
        "https://x.org/done", "not_rated",
    )  # fmt: skip


def test_a_withdrawn_commitment_takes_no_verdict() -> None:
    ok("withdraw", "fia-academy", "--reason", "entered in error")
    message = fails("update", "fia-academy", "--verdict", "kept", "--no-evidence")
    assert message.startswith(
        "error: fia-academy was withdrawn on 2026-06-30; bring it back with 'tracker undo --event"
    )


def test_a_verdict_counts_from_the_end_of_its_own_day() -> None:
    ok("update", "fia-academy", "--verdict", "kept", "--evidence", "https://x.org/k", "--on", "2026-05-01")
    assert _report("--as-of", "2026-05-01")["by_verdict"]["kept"] == 1
    assert _report("--as-of", "2026-04-30")["by_verdict"]["kept"] == 0
    assert fails(
        "update", "fia-academy", "--verdict", "kept", "--evidence", "https://x.org/k", "--on", "2026-05-01"
    ) == ("error: fia-academy is already rated kept on 2026-05-01")

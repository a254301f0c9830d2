"""What each status and verdict rests on, in every report format: the rule `tracker evidence` reads,
at the report's as-of day, with the day each commitment was last checked."""

import csv
import io
import json
from typing import Any

import pytest

from tests.conftest import FIXTURE, ok
from tracker.evidence import REPORTED_FIELDS, STANCES

REF = "fia-ct-wing"  # in_progress since 2025-01-01 in the fixture, owned by FIA with fia-academy
HEADING = "Evidence behind each status and verdict"


@pytest.fixture(autouse=True)
def _fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("load", str(FIXTURE))


def backing(*args: str) -> dict[str, dict[str, Any]]:
    """The report's JSON `commitments`, by ref."""
    found = json.loads(ok("report", "-f", "json", *args))["commitments"]
    return {item["ref"]: item for item in found}


def section(report: str) -> list[str]:
    """The lines of the text report's evidence section, heading included, up to the next blank line
    after its table."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADING))
    end = next((i for i in range(start + 2, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def urls(pieces: list[dict[str, Any]]) -> list[str | None]:
    return [piece["url"] or piece["citation"] for piece in pieces]


def test_a_status_with_two_pieces_and_one_that_contradicts_it() -> None:
    ok("update", REF, "--status", "completed", "--on", "2026-03-01", "--evidence", "https://x.org/done",
       "--evidence", "Gazette 12")  # fmt: skip
    ok("cite", REF, "https://x.org/doubt", "--title", "Not quite", "--publisher", "Dawn", "--stance", "contradicts",
       "--on", "2026-04-01")  # fmt: skip
    # A cell leads with a piece that supports, whatever came first.
    ok("cite", "fia-academy", "https://x.org/no", "--stance", "contradicts", "--on", "2026-02-01")
    ok("review", "fia-academy", "--on", "2026-02-02", "--evidence", "https://x.org/yes")
    assert section(ok("report", "--owner", "FIA")) == [
        f"{HEADING} (2)",
        "",
        "ref          status       status since    status evidence                              "
        "verdict    verdict since    verdict evidence    last checked",
        "-----------  -----------  --------------  -------------------------------------------  "
        "---------  ---------------  ------------------  --------------",
        "fia-academy  not_started  2025-01-01      https://x.org/yes (+1 more, 1 contradicts)   "
        "not_rated                                       2026-02-02",
        "fia-ct-wing  completed    2026-03-01      https://x.org/done (+2 more, 1 contradicts)  "
        "not_rated                                       2026-04-01",
    ]  # fmt: skip
    wing = backing()[REF]
    assert (wing["status"], wing["status_on"], wing["last_checked"]) == ("completed", "2026-03-01", "2026-04-01")
    assert wing["status_evidence"] == [
        {"event": 14, "on": "2026-03-01", "url": "https://x.org/done", "citation": None, "title": None,
         "publisher": None, "stance": "supports"},
        {"event": 14, "on": "2026-03-01", "url": None, "citation": "Gazette 12", "title": None, "publisher": None,
         "stance": "supports"},
        {"event": 15, "on": "2026-04-01", "url": "https://x.org/doubt", "citation": None, "title": "Not quite",
         "publisher": "Dawn", "stance": "contradicts"},
    ]  # fmt: skip
    row = next(r for r in csv.DictReader(io.StringIO(ok("report", "-f", "csv"))) if r["ref"] == REF)
    assert row["status_evidence"] == "https://x.org/done (+2 more, 1 contradicts)"  # as the text report's cell
    page = ok("report", "-f", "html")
    assert (
        '<ul class="pieces"><li><a href="https://x.org/done">https://x.org/done</a> <span class="on">2026-03-01</span>'
        '</li><li>Gazette 12 <span class="on">2026-03-01</span></li><li><a href="https://x.org/doubt">Not quite</a> '
        '<span class="stance contradicts">contradicts</span> <span class="on">2026-04-01</span></li></ul>'
    ) in page


def test_the_report_gives_each_status_the_pieces_tracker_evidence_gives() -> None:
    ok("update", REF, "--note", "before", "--on", "2026-01-10", "--evidence", "https://early.example")
    ok("update", REF, "--status", "completed", "--on", "2026-02-01", "--evidence", "https://done.example")
    ok("cite", REF, "https://doubt.example", "--title", "T", "--quote", "q", "--stance", "contradicts",
       "--on", "2026-03-01", "--source", "we-news-talks")  # fmt: skip
    ok("cite", REF, "https://aside.example", "--stance", "context", "--on", "2026-03-02")
    ok("review", REF, "--on", "2026-04-01", "--evidence", "Gazette 3", "--evidence", "https://checked.example")
    ok("update", REF, "--verdict", "kept", "--on", "2026-04-02", "--evidence", "https://kept.example")
    ok("review", "fia-academy", "--evidence", "https://academy.example")
    reported = backing("--withdrawn")
    for ref in (REF, "fia-academy", "ata-engagement"):
        found = json.loads(ok("evidence", ref, "--format", "json"))
        item = reported[ref]
        assert (item["status"], item["status_on"]) == (found["status"], found["status_on"])
        by_stance = {stance: [p for p in item["status_evidence"] if p["stance"] == stance] for stance in STANCES}
        assert by_stance == {
            stance: [{field: piece[field] for field in REPORTED_FIELDS} for piece in found[stance]]
            for stance in STANCES
        }
    assert urls(reported[REF]["status_evidence"]) == [
        "https://done.example", "https://doubt.example", "https://aside.example", "Gazette 3",
        "https://checked.example",
    ]  # fmt: skip


def test_a_verdict_with_two_pieces_beside_the_status() -> None:
    ok("update", REF, "--status", "completed", "--on", "2026-03-01", "--evidence", "https://x.org/done")
    ok("update", REF, "--verdict", "broken", "--reason", "not funded", "--on", "2026-05-02", "--evidence",
       "https://x.org/budget", "--evidence", "Budget statement 2026", "--note", "No allocation")  # fmt: skip
    wing = backing()[REF]
    assert (wing["verdict"], wing["verdict_on"], wing["verdict_reason"]) == ("broken", "2026-05-02", "not_funded")
    assert urls(wing["verdict_evidence"]) == ["https://x.org/budget", "Budget statement 2026"]
    assert urls(wing["status_evidence"]) == ["https://x.org/done"]  # the verdict's pieces are its own
    assert section(ok("report", "--owner", "FIA"))[-1] == (
        "fia-ct-wing  completed    2026-03-01      https://x.org/done  broken (not_funded)  2026-05-02       "
        "https://x.org/budget (+1 more)  2026-05-02"
    )
    row = next(r for r in csv.DictReader(io.StringIO(ok("report", "-f", "csv"))) if r["ref"] == REF)
    assert (row["verdict"], row["verdict_on"], row["verdict_evidence"]) == (
        "broken", "2026-05-02", "https://x.org/budget (+1 more)",
    )  # fmt: skip
    earlier = backing("--as-of", "2026-05-01")[REF]  # before the verdict
    assert (earlier["verdict"], earlier["verdict_on"], earlier["verdict_evidence"]) == ("not_rated", None, [])
    ok("update", REF, "--verdict", "kept", "--on", "2026-06-01", "--evidence", "https://x.org/funded",
       "--note", "Funded in the supplementary budget")  # fmt: skip
    revised = backing()[REF]
    assert (revised["verdict"], urls(revised["verdict_evidence"])) == ("kept", ["https://x.org/funded"])
    between = backing("--as-of", "2026-05-15")[REF]  # the verdict then, with its own pieces
    assert (between["verdict"], urls(between["verdict_evidence"])) == (
        "broken", ["https://x.org/budget", "Budget statement 2026"],
    )  # fmt: skip


def test_a_back_dated_event_counts_only_from_its_own_day() -> None:
    ok("update", REF, "--status", "stalled", "--on", "2026-03-01", "--evidence", "https://x.org/stalled")
    ok("review", REF, "--on", "2026-05-01", "--evidence", "https://x.org/checked")
    # Recorded last, dated between them: it takes effect on 15 April, and only from then.
    ok("update", REF, "--status", "in_progress", "--on", "2026-04-15", "--evidence", "https://x.org/resumed")
    before = backing("--as-of", "2026-04-10")[REF]
    assert (before["status"], urls(before["status_evidence"]), before["last_checked"]) == (
        "stalled", ["https://x.org/stalled"], "2026-03-01",
    )  # fmt: skip
    after = backing("--as-of", "2026-04-20")[REF]
    assert (after["status"], urls(after["status_evidence"]), after["last_checked"]) == (
        "in_progress", ["https://x.org/resumed"], "2026-04-15",
    )  # fmt: skip
    now = backing()[REF]
    assert (now["status"], urls(now["status_evidence"]), now["last_checked"]) == (
        "in_progress", ["https://x.org/resumed", "https://x.org/checked"], "2026-05-01",
    )  # fmt: skip


def test_an_undone_events_pieces_are_not_shown() -> None:
    ok("update", REF, "--status", "completed", "--on", "2026-03-01", "--evidence", "https://x.org/done")
    ok("cite", REF, "https://x.org/wrong", "--stance", "contradicts", "--on", "2026-04-01")
    ok("undo", "--reason", "cited the wrong report")
    wing = backing()[REF]
    assert (urls(wing["status_evidence"]), wing["last_checked"]) == (["https://x.org/done"], "2026-03-01")
    assert "https://x.org/done  " in section(ok("report", "--owner", "FIA"))[-1]
    assert "contradicts" not in "\n".join(section(ok("report", "--owner", "FIA")))


def test_last_checked_moves_with_a_review_as_the_stale_list_does() -> None:
    assert backing()[REF]["last_checked"] == "2025-01-01"
    ok("review", REF, "--on", "2026-05-01", "--note", "still under way")
    assert backing()[REF]["last_checked"] == "2026-05-01"
    assert backing("--as-of", "2026-04-30")[REF]["last_checked"] == "2025-01-01"
    report = json.loads(ok("report", "-f", "json", "--stale-days", "30"))
    (stale,) = [item for item in report["stale"] if item["ref"] == REF]
    row = next(r for r in csv.DictReader(io.StringIO(ok("report", "-f", "csv"))) if r["ref"] == REF)
    assert stale["last_event"] == row["last_event"] == "2026-05-01"


def test_the_section_obeys_limit_and_json_holds_every_commitment() -> None:
    limited = section(ok("report", "--limit", "2"))
    assert limited[0] == f"{HEADING} (13)"
    assert [line.split()[0] for line in limited[4:6]] == ["ata-engagement", "border-coastal-equipment"]
    report = ok("report", "--limit", "2")
    after = report.split(f"{HEADING} (13)", 1)[1]
    assert "\n… and 11 more (--limit 0 shows every row; JSON and CSV always hold them all)\n" in after
    assert len(section(ok("report", "--limit", "0"))) == 4 + 13
    assert len(json.loads(ok("report", "-f", "json", "--limit", "2"))["commitments"]) == 13
    page = ok("report", "-f", "html", "--limit", "2")
    assert f"<h2>{HEADING} (13)</h2>" in page and "… and 11 more (--limit 0 shows every row).</p>" in page


def test_a_withdrawn_commitment_is_in_the_section_only_with_withdrawn() -> None:
    ok("withdraw", "fia-academy", "--reason", "entered in error")
    assert "fia-academy" not in backing()
    assert section(ok("report", "--owner", "FIA"))[0] == f"{HEADING} (1)"
    assert "fia-academy" in backing("--withdrawn")

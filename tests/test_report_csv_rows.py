"""`report --format csv --rows events|corrections`: the period's events and the corrections log as
CSV rows, the same events in the same order as the text report lists them, every piece cited."""

import csv
import io
import json

import pytest

from tests.conftest import FIXTURE, fails, ok
from tests.test_evidence import forget_records

PERIOD = ("--since", "2026-05-31", "--withdrawn")


@pytest.fixture(autouse=True)
def month(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("load", str(FIXTURE))
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-06-01", "--evidence", "https://x.org/done",
       "--evidence", "Gazette, 2 June; page 3")  # fmt: skip
    ok("cite", "fia-ct-wing", "https://x.org/doubt", "--stance", "contradicts")
    ok("review", "fia-academy", "--on", "2026-06-02", "--note", "Site visit")
    ok("edit", "fia-academy", "--due", "Q3 2026", "--add-tag", "academy")
    ok("update", "fia-academy", "--verdict", "broken", "--reason", "not-funded", "--evidence", "https://x.org/budget",
       "--note", 'No "allocation", sadly')  # fmt: skip
    ok("add", "Set up an FIA academy", "--owner", "FIA", "--ref", "dup")
    ok("withdraw", "dup", "--duplicate-of", "fia-academy")
    ok("update", "ata-engagement", "--note", "Meeting held")
    ok("undo", "--reason", "wrong commitment")
    ok("update", "ata-engagement", "--note", "Before the period", "--on", "2026-04-01")


# The text report's events, and the same events as CSV rows: line for line, the same order.
TEXT_EVENTS = """\
on          ref          title                          kind        what                         by      note                      evidence
----------  -----------  -----------------------------  ----------  ---------------------------  ------  ------------------------  ----------------------------
2026-06-01  fia-ct-wing  Activate the FIA's             status      in_progress → completed      tester                            https://x.org/done (+1 more)
                         Counter-Terrorism Wing
2026-06-02  fia-academy  Establish an FIA academy with  review      still not_started            tester  Site visit
                         US support
2026-06-30  fia-ct-wing  Activate the FIA's             note                                     tester                            https://x.org/doubt
                         Counter-Terrorism Wing
2026-06-30  fia-academy  Establish an FIA academy with  edit        due: none → Q3 2026; tags:   tester  changed due, tags
                         US support                                 +academy
2026-06-30  fia-academy  Establish an FIA academy with  verdict     verdict broken (not_funded)  tester  No "allocation", sadly    https://x.org/budget
                         US support
2026-06-30  dup          Set up an FIA academy          withdrawal                               tester  duplicate of fia-academy"""  # noqa: E501
CSV_EVENTS = """\
on,ref,title,owner,kind,what,from_status,to_status,verdict,verdict_reason,note,evidence,evidence_stances,by,event
2026-06-01,fia-ct-wing,Activate the FIA's Counter-Terrorism Wing,FIA,status,in_progress → completed,in_progress,completed,,,,"https://x.org/done
Gazette, 2 June; page 3","supports
supports",tester,14
2026-06-02,fia-academy,Establish an FIA academy with US support,FIA,review,still not_started,not_started,,,,Site visit,,,tester,16
2026-06-30,fia-ct-wing,Activate the FIA's Counter-Terrorism Wing,FIA,note,,completed,,,,,https://x.org/doubt,contradicts,tester,15
2026-06-30,fia-academy,Establish an FIA academy with US support,FIA,edit,due: none → Q3 2026; tags: +academy,not_started,,,,"changed due, tags",,,tester,17
2026-06-30,fia-academy,Establish an FIA academy with US support,FIA,verdict,verdict broken (not_funded),not_started,,broken,not_funded,"No ""allocation"", sadly",https://x.org/budget,supports,tester,18
2026-06-30,dup,Set up an FIA academy,FIA,withdrawal,,not_started,,,,duplicate of fia-academy,,,tester,20
"""  # noqa: E501


def test_the_events_rows_are_the_text_reports_events_with_every_piece() -> None:
    assert ok("report", *PERIOD).split("\nEvents after 2026-05-31 (6)\n\n")[1].split("\n\n")[0] == TEXT_EVENTS
    assert ok("report", *PERIOD, "--format", "csv", "--rows", "events") == CSV_EVENTS
    # a piece on a line of its own: a spreadsheet's reader gets each back whole
    [status_row] = [r for r in csv.DictReader(io.StringIO(CSV_EVENTS)) if r["kind"] == "status"]
    assert status_row["evidence"].split("\n") == ["https://x.org/done", "Gazette, 2 June; page 3"]
    # the same events as JSON's, in the same order, whatever the filters and however short the lists
    for args in (PERIOD, ("--since", "2026-05-31"), ("--since", "2026-06-01", "--owner", "FIA", "--limit", "1")):
        rows = list(csv.DictReader(io.StringIO(ok("report", *args, "-f", "csv", "--rows", "events"))))
        events = json.loads(ok("report", *args, "-f", "json"))["events"]
        assert [(r["on"], r["ref"], r["kind"], r["what"], r["note"] or None) for r in rows] == [
            (e["on"], e["ref"], e["kind"], e["what"], e["note"]) for e in events
        ]
        # JSON cites every piece too, with its details and stance, and gives a verdict's fields
        assert [(r["evidence"], r["evidence_stances"], r["verdict"] or None) for r in rows] == [
            (
                "\n".join(p["url"] or p["citation"] for p in e["cited"]),
                "\n".join(p["stance"] for p in e["cited"]),
                e["verdict"],
            )
            for e in events
        ]
    assert [r["event"] for r in rows] == ["16", "15", "17", "18"]  # each names its event as `history` does


def test_the_corrections_rows_are_the_corrections_log() -> None:
    assert ok("report", *PERIOD).split("\nCorrections (2)\n\n")[1] == (
        "on          ref             correction                        reason                    by\n"
        "----------  --------------  --------------------------------  ------------------------  ------\n"
        "2026-06-30  dup             withdrawn from lists and reports  duplicate of fia-academy  tester\n"
        "2026-06-30  ata-engagement  undid the note of 2026-06-30      wrong commitment          tester\n"
    )
    expected = (
        "on,ref,kind,corrected,reason,by,event\n"
        "2026-06-30,dup,withdrawal,withdrawn from lists and reports,duplicate of fia-academy,tester,20\n"
        "2026-06-30,ata-engagement,undo,undid the note of 2026-06-30,wrong commitment,tester,22\n"
    )
    assert ok("report", *PERIOD, "-f", "csv", "--rows", "corrections") == expected
    # the log needs no period: without --since it runs from the start to --as-of, as the text's does
    assert ok("report", "-f", "csv", "--rows", "corrections") == expected
    assert ok("report", "--as-of", "2026-06-29", "-f", "csv", "--rows", "corrections") == (
        "on,ref,kind,corrected,reason,by,event\n"
    )


def test_the_commitments_rows_are_the_default() -> None:
    assert ok("report", "-f", "csv", "--rows", "commitments") == ok("report", "-f", "csv")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-f", "csv", "--rows", "events"),
         "error: --rows events lists the events of a period: give --since DATE (they run to --as-of)"),
        (("--since", "2026-05-31", "--rows", "events"),
         "error: --rows is for --format csv; the other formats hold the period's events and the corrections log "
         "already"),
        (("-f", "json", "--rows", "commitments"),
         "error: --rows is for --format csv; the other formats hold the period's events and the corrections log "
         "already"),
        (("-f", "csv", "--rows", "changes"),
         "error: unknown --rows 'changes'; expected one of: commitments, events, corrections"),
    ],
)  # fmt: skip
def test_rows_it_cannot_give_are_refused(args: tuple[str, ...], message: str) -> None:
    assert fails("report", *args) == message


def test_an_event_recorded_without_records_cites_its_evidence_text() -> None:
    forget_records()  # as recorded before m009, or loaded from a history file
    rows = list(csv.DictReader(io.StringIO(ok("report", *PERIOD, "-f", "csv", "--rows", "events"))))
    assert [(r["kind"], r["evidence"], r["evidence_stances"]) for r in rows if r["evidence"]] == [
        ("status", "https://x.org/done", "supports"),
        ("note", "https://x.org/doubt", "supports"),  # its stance was in the records
        ("verdict", "https://x.org/budget", "supports"),
    ]


def test_a_json_report_cites_each_events_every_piece() -> None:
    ok("cite", "fia-ct-wing", "https://x.org/gazette", "--title", "Gazette notice", "--publisher", "GoP",
       "--on", "2026-06-03", "--stance", "context")  # fmt: skip
    events = {(e["ref"], e["kind"], e["on"]): e for e in json.loads(ok("report", *PERIOD, "-f", "json"))["events"]}
    status = events["fia-ct-wing", "status", "2026-06-01"]
    assert status["evidence"] == "https://x.org/done (+1 more)"  # the listing's cell, as before
    assert status["cited"] == [
        {"url": "https://x.org/done", "citation": None, "title": None, "publisher": None, "stance": "supports"},
        {"url": None, "citation": "Gazette, 2 June; page 3", "title": None, "publisher": None, "stance": "supports"},
    ]
    assert events["fia-ct-wing", "note", "2026-06-03"]["cited"] == [
        {"url": "https://x.org/gazette", "citation": None, "title": "Gazette notice", "publisher": "GoP",
         "stance": "context"},
    ]  # fmt: skip
    verdict = events["fia-academy", "verdict", "2026-06-30"]
    assert (verdict["verdict"], verdict["verdict_reason"], [p["url"] for p in verdict["cited"]]) == (
        "broken", "not_funded", ["https://x.org/budget"],
    )  # fmt: skip
    assert events["fia-academy", "review", "2026-06-02"]["cited"] == []
    forget_records()  # an event recorded without records cites its evidence text, supporting
    events = {(e["ref"], e["kind"], e["on"]): e for e in json.loads(ok("report", *PERIOD, "-f", "json"))["events"]}
    assert events["fia-ct-wing", "status", "2026-06-01"]["cited"] == [
        {"url": "https://x.org/done", "citation": None, "title": None, "publisher": None, "stance": "supports"},
    ]

"""`tracker report` over a hand-built history; every expected figure below is worked out by hand.

The history (today is pinned to 2026-06-30 except where a step says otherwise):

    alpha    MOI  agreed 2026-01-15, due 2026-03-31, tags x
             not_started; in_progress on 02-01; completed on 03-15 (on time)
    bravo    MOI  agreed Q1 2026 (starts 01-01), due Q2 2026 (its last day: 06-30), tags x, y
             not_started; in_progress on 05-01; then, recorded later but dated 03-01, stalled
    charlie  FIA  no agreed date, recorded on 2026-04-10 (so it starts then), due 2026 (12-31)
             not_started
    delta    FIA  agreed March 2026 (starts 03-01), due 2026-04-15, tags y
             not_started; in_progress on 03-10; completed on 05-20 (late)
    echo     FIA  agreed 2025-06-01, no deadline; in_progress; a note dated 03-25
"""

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURE, fails, ok, postgres_database
from tracker.statuses import STATUSES


def _zero(**counts: int) -> dict[str, int]:
    return {status: counts.get(status, 0) for status in STATUSES}


@pytest.fixture
def history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-04-10")
    ok("owners", "add", "MOI")
    ok("owners", "add", "FIA")
    ok("add", "Charlie", "--ref", "charlie", "--owner", "FIA", "--due", "2026")
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok(
        "add",
        "Alpha",
        "--ref",
        "alpha",
        "--owner",
        "MOI",
        "--agreed",
        "2026-01-15",
        "--due",
        "2026-03-31",
        "--tag",
        "x",
    )
    ok("update", "alpha", "--status", "in_progress", "--on", "2026-02-01")
    ok("update", "alpha", "--status", "completed", "--on", "2026-03-15", "--note", "done", "--by", "ana")
    ok("add", "Bravo", "--ref", "bravo", "--owner", "MOI", "--agreed", "Q1 2026", "--due", "Q2 2026",
       "--tag", "x", "--tag", "y")  # fmt: skip
    ok("update", "bravo", "--status", "in_progress", "--on", "2026-05-01")
    assert "a later update keeps it in_progress" in ok("update", "bravo", "--status", "stalled", "--on", "2026-03-01")
    ok(
        "add",
        "Delta",
        "--ref",
        "delta",
        "--owner",
        "FIA",
        "--agreed",
        "March 2026",
        "--due",
        "2026-04-15",
        "--tag",
        "y",
    )
    ok("update", "delta", "--status", "in_progress", "--on", "2026-03-10")
    ok("update", "delta", "--status", "completed", "--on", "2026-05-20")
    ok("add", "Echo", "--ref", "echo", "--owner", "FIA", "--agreed", "2025-06-01", "--status", "in_progress")
    ok("update", "echo", "--note", "still going", "--on", "2026-03-25")


def report(*args: str) -> Any:
    return json.loads(ok("report", "--format", "json", *args))


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-01-14", _zero(not_started=1, in_progress=1)),  # alpha starts the next day
        ("2026-01-15", _zero(not_started=2, in_progress=1)),
        ("2026-02-15", _zero(not_started=1, in_progress=2)),  # bravo's stalled (03-01) is not seen yet
        ("2026-03-20", _zero(in_progress=2, stalled=1, completed=1)),  # the back-dated stalled is seen
        ("2026-04-09", _zero(in_progress=2, stalled=1, completed=1)),  # charlie starts on 04-10
        ("2026-04-10", _zero(not_started=1, in_progress=2, stalled=1, completed=1)),
        ("2026-06-30", _zero(not_started=1, in_progress=2, completed=2)),
    ],
)
def test_counts_at_each_date_are_rebuilt_from_the_history(as_of: str, expected: dict[str, int]) -> None:
    result = report("--as-of", as_of)
    assert result["as_of"] == as_of
    assert result["by_status"] == expected
    assert result["total"] == sum(expected.values())


@pytest.mark.usefixtures("history")
def test_the_default_date_is_today_with_owners_tags_and_on_time_shares() -> None:
    result = report()
    assert result["as_of"] == "2026-06-30"
    assert result["since"] is None and result["changes"] is None and result["transitions"] is None
    assert (result["final"], result["final_share"]) == (2, 0.4)
    assert result["shares"]["in_progress"] == 0.4
    owners = {row["owner"]: row for row in result["by_owner"]}
    assert owners["FIA"]["by_status"] == _zero(not_started=1, in_progress=1, completed=1)
    assert (owners["FIA"]["completed_with_due"], owners["FIA"]["on_time"], owners["FIA"]["on_time_share"]) == (
        1,
        0,
        0.0,
    )
    assert (owners["MOI"]["total"], owners["MOI"]["on_time"], owners["MOI"]["on_time_share"]) == (2, 1, 1.0)
    tags = {row["tag"]: row["by_status"] for row in result["by_tag"]}
    assert tags == {"x": _zero(in_progress=1, completed=1), "y": _zero(in_progress=1, completed=1)}


@pytest.mark.usefixtures("history")
def test_deadlines_count_from_the_last_day_of_a_vague_date() -> None:
    on_the_day = report()
    assert on_the_day["overdue"] == []
    assert [(i["ref"], i["due"], i["days_left"]) for i in on_the_day["upcoming"]] == [("bravo", "2026-06-30", 0)]
    later = report("--as-of", "2026-07-10")
    assert later["overdue"] == [
        {"ref": "bravo", "title": "Bravo", "owner": "MOI", "status": "in_progress",
         "due": "2026-06-30", "due_precision": "quarter", "days_overdue": 10}
    ]  # fmt: skip
    assert later["by_owner"][1]["overdue"] == 1
    wide = report("--upcoming-days", "184")
    assert [(i["ref"], i["days_left"]) for i in wide["upcoming"]] == [("bravo", 0), ("charlie", 184)]
    # delta was overdue from 04-16 until it was completed on 05-20.
    assert [(i["ref"], i["days_overdue"]) for i in report("--as-of", "2026-05-19")["overdue"]] == [("delta", 34)]


@pytest.mark.usefixtures("history")
def test_stale_counts_every_kind_of_event_up_to_the_as_of_date() -> None:
    stale = report()["stale"]
    assert stale == [
        {"ref": "echo", "title": "Echo", "owner": "FIA", "status": "in_progress", "due": None,
         "due_precision": None, "last_event": "2026-03-25", "days_since": 97}
    ]  # fmt: skip
    assert [i["ref"] for i in report("--stale-days", "96")["stale"]] == ["echo"]
    assert report("--stale-days", "97")["stale"] == []
    # Before the note, echo's latest event is its created event on 2025-06-01.
    assert [(i["ref"], i["last_event"], i["days_since"]) for i in report("--as-of", "2026-03-20")["stale"]] == [
        ("echo", "2025-06-01", 292)
    ]


@pytest.mark.usefixtures("history")
def test_changes_and_transitions_in_the_period() -> None:
    result = report("--since", "February 2026", "--as-of", "May 2026")
    assert (result["since"], result["as_of"]) == ("2026-02-28", "2026-05-31")
    assert [(c["ref"], c["from_status"], c["to_status"], c["on"]) for c in result["changes"]] == [
        ("bravo", "not_started", "stalled", "2026-03-01"),
        ("delta", "not_started", "in_progress", "2026-03-10"),
        ("alpha", "in_progress", "completed", "2026-03-15"),
        ("bravo", "stalled", "in_progress", "2026-05-01"),
        ("delta", "in_progress", "completed", "2026-05-20"),
    ]
    assert result["changes"][2] == {
        "ref": "alpha", "title": "Alpha", "owner": "MOI", "from_status": "in_progress",
        "to_status": "completed", "on": "2026-03-15", "note": "done", "by": "ana",
    }  # fmt: skip
    moved = {(a, b): n for a, row in result["transitions"].items() for b, n in row.items() if n}
    assert moved == {
        ("not_started", "stalled"): 1,
        ("not_started", "in_progress"): 1,
        ("in_progress", "completed"): 2,
        ("stalled", "in_progress"): 1,
    }
    assert sorted(result["transitions"]) == sorted(STATUSES)
    # The period is (since, as-of]: a change on the since day is left out, one on the as-of day kept.
    edges = report("--since", "2026-02-01", "--as-of", "2026-03-10")["changes"]
    assert [(c["ref"], c["on"]) for c in edges] == [("bravo", "2026-03-01"), ("delta", "2026-03-10")]


@pytest.mark.usefixtures("history")
def test_filters_apply_to_the_status_at_the_as_of_date() -> None:
    in_progress = report("--as-of", "2026-03-20", "--status", "in-progress")
    assert (in_progress["total"], in_progress["by_status"]) == (2, _zero(in_progress=2))  # delta, echo; not bravo
    assert in_progress["filters"] == {"owner": None, "tag": None, "statuses": ["in_progress"]}
    fia = report("--owner", "Fia")
    assert fia["total"] == 3 and [row["owner"] for row in fia["by_owner"]] == ["FIA"]
    tagged = report("--as-of", "2026-03-20", "--tag", "Y", "--since", "2026-02-28")
    assert tagged["by_status"] == _zero(in_progress=1, stalled=1)
    assert [c["ref"] for c in tagged["changes"]] == ["bravo", "delta"]


@pytest.mark.usefixtures("history")
def test_csv_has_one_row_per_commitment_in_scope() -> None:
    rows = list(csv.DictReader(io.StringIO(ok("report", "--format", "csv", "--as-of", "2026-05-19"))))
    assert [(r["ref"], r["status"], r["overdue"], r["days_overdue"], r["last_event"]) for r in rows] == [
        ("alpha", "completed", "no", "", "2026-03-15"),
        ("bravo", "in_progress", "no", "", "2026-05-01"),
        ("charlie", "not_started", "no", "", "2026-04-10"),
        ("delta", "in_progress", "yes", "34", "2026-03-10"),
        ("echo", "in_progress", "no", "", "2026-03-25"),
    ]


def test_csv_neutralises_formulas() -> None:
    ok("owners", "add", "MOI")
    ok("add", "=HYPERLINK(1)", "--ref", "f", "--owner", "MOI")
    assert "\nf,'=HYPERLINK(1),MOI," in ok("report", "--format", "csv")


@pytest.mark.usefixtures("history")
def test_text_report_shows_every_section() -> None:
    text = ok("report", "--as-of", "2026-07-10", "--since", "2026-06-30")
    assert text.startswith("Progress report as of 2026-07-10, changes after 2026-06-30\n\n5 commitments; ")
    assert "2 reached a final status (40.0%)." in text
    assert "in_progress  2        40.0%    ████████\n" in text
    headings = (
        "By owner", "By tag", "Overdue (1)", "Upcoming deadlines, next 30 days (0)",
        "Stale: open, no event for more than 90 days (2)", "Events after 2026-06-30 (0)",
        "Transitions (rows: from, columns: to)",
    )  # fmt: skip
    for heading in headings:
        assert f"\n{heading}\n" in text
    assert "50.0% (1/2)" not in text and "0.0% (0/1)" in text and "100.0% (1/1)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--since", "2026-06-30"),
            "error: --since 2026-06-30 is not before --as-of 2026-06-30; nothing can fall between",
        ),
        (("--format", "pdf"), "error: unknown format 'pdf'; expected one of: text, markdown, html, json, csv"),
        (
            ("--as-of", "soon"),
            "error: cannot read --as-of 'soon'; use a form such as 2026-03-31, 31 March 2026, "
            "March 2026, Q3 2026, 2026, today or +90d",
        ),
        (("--stale-days", "-1"), "error: --stale-days must be a number of days from 0 to 36500, not -1"),
        (("--status", "done"), "error: unknown status 'done'; expected one of: " + ", ".join(STATUSES)),
        (
            ("--owner", "NOBODY"),
            "error: unknown organisation 'NOBODY'; known: FIA, MOI (add one with 'tracker owners add')",
        ),
    ],
)
@pytest.mark.usefixtures("history")
def test_expected_failures_are_one_line(args: tuple[str, ...], message: str) -> None:
    assert fails("report", *args) == message


@pytest.mark.usefixtures("history")
def test_output_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.md"
    fails("report", "--owner", "NOBODY", "--output", str(target))
    assert not target.parent.exists()  # a failed report leaves no folder behind
    assert ok("report", "--format", "markdown", "--output", str(target)) == ""  # its folder made
    assert target.read_text(encoding="utf-8") == ok("report", "--format", "markdown")
    before = target.read_bytes()
    fails("report", "--owner", "NOBODY", "--output", str(target))
    assert target.read_bytes() == before
    assert fails("report", "--output", str(tmp_path / "out")) == (
        f"error: {tmp_path / 'out'} is a folder; give the name of the file to write"
    )
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]  # no temporary file left behind


@pytest.mark.sqlite_only
def test_a_missing_database_is_one_error_line(tmp_path: Path) -> None:
    assert fails("report").startswith("error: no tracker database at ")


@pytest.mark.usefixtures("history")
@pytest.mark.sqlite_only
def test_report_on_a_sqlite_file_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys\nfrom tracker.cli import whole_app\n"
        "whole_app()(['report', '--format', 'html', '--since', '2026-01-01'], standalone_mode=False)\n"
        "assert 'sqlalchemy' not in sys.modules and 'sqlmodel' not in sys.modules, 'heavy import'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Stale: open, no event" in result.stdout


def test_long_lists_are_cut_in_tables_but_counted_and_complete_in_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("owners", "add", "ORG")
    for number in range(1, 5):
        ok("add", f"Late commitment {number}", "--owner", "ORG", "--agreed", "2025", "--due", f"2026-0{number}-15")
    text = ok("report", "--limit", "3")
    assert "Overdue (4)" in text
    assert "… and 1 more (--limit 0 shows every row; JSON and CSV always hold them all)" in text
    assert "late-commitment-3" in text and "late-commitment-4" not in text  # earliest deadlines first
    assert "late-commitment-4" in ok("report", "--limit", "0")
    assert "Overdue (4)" in ok("report", "--limit", "3", "--format", "html")
    assert "… and 1 more" in ok("report", "--limit", "3", "--format", "html")
    assert len(json.loads(ok("report", "--limit", "3", "--format", "json"))["overdue"]) == 4


@pytest.mark.parametrize(
    ("filters", "as_of"),
    [
        ({}, "2026-06-30"),
        ({"owner_id": 1}, "2026-06-30"),
        ({"statuses": ("stalled", "completed")}, "2026-07-15"),
        ({"tag": "law-enforcement"}, "2026-07-01"),
        # Days with events after them: the rebuilt source rebuilds only those commitments.
        ({}, "2026-02-15"),
        ({}, "2026-03-01"),
        ({"statuses": ("stalled", "in_progress", "not_started")}, "2026-05-01"),
        ({"tag": "law-enforcement"}, "2026-05-31"),
    ],
)
def test_every_report_source_gives_what_rebuilding_every_history_gives(
    monkeypatch: pytest.MonkeyPatch, filters: dict[str, Any], as_of: str
) -> None:
    """A report reuses the state each commitment keeps: wholly on a day after every event (the
    kept source), else for each commitment with no event after the day (the rebuilt source). Both
    must be exactly what rebuilding every history gives."""
    import datetime as dt

    from tracker.settings import resolve_database
    from tracker.store import reports as queries
    from tracker.store.database import Query, Row
    from tracker.store.reports import ReportScope
    from tracker.store.transactions import read_database

    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("load", str(FIXTURE))
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-01")
    ok("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-02-01", "--note", "back-dated")
    ok("update", "ata-engagement", "--note", "still going", "--on", "2026-05-05")
    ok("update", "fia-academy", "--status", "stalled", "--on", "2026-06-01")
    ok("add", "Agreed in spring", "--owner", "FIA", "--agreed", "April 2026", "--tag", "law-enforcement")
    ok("edit", "fia-academy", "--due", "2026-05-31", "--add-tag", "law-enforcement")
    ok("update", "fia-ct-wing", "--status", "in_progress", "--on", "2026-04-01", "--reopen")
    ok("undo", "--reason", "entered in error")  # neither the undone update nor its undo counts, in either source
    ok("update", "ata-engagement", "--note", "on the wrong commitment", "--on", "2026-06-20")
    ok("undo", "--reason", "entered in error")
    scope = ReportScope(as_of=dt.date.fromisoformat(as_of), **filters)
    with read_database(resolve_database(None)) as snapshot:
        latest = snapshot.rows(queries.LATEST_EVENT_DAY)[0]["latest"]
        kept = str(latest)[:10] <= as_of  # as tracker.report decides
        sources = [
            queries.report_source(scope, kept=False, rebuild_every_history=True),
            queries.report_source(scope, kept=kept),
        ]
        scopes = []
        for source in sources:
            if source.prepare:
                snapshot.execute(*source.prepare)
            commitments = snapshot.rows(Query[Row](f"SELECT * FROM {source.commitments} ORDER BY s.id"), source.params)
            tags = snapshot.rows(
                Query[Row](f"SELECT * FROM {source.tags} ORDER BY s.tag, s.status, s.due, s.status_on"), source.params
            )
            scopes.append([tuple(map(str, row.values())) for row in [*commitments, *tags]])
            if source.prepare:
                snapshot.execute(queries.DROP_REPORT_SCOPE)
    assert scopes[0] == scopes[1]
    assert len(scopes[0]) >= 2


def _record_history(*, with_mistakes: bool) -> None:
    """One history; with_mistakes adds changes of every kind, each undone straight away."""

    def mistake(*args: str) -> None:
        if with_mistakes:
            ok(*args)
            ok("undo", "--reason", "entered in error")

    ok("load", str(FIXTURE))
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-01", "--note", "done")
    mistake("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-04-15", "--reopen")
    # Dated before the undo's restatement (04-15), recorded after it: counted where it lands.
    ok("update", "fia-ct-wing", "--status", "in_progress", "--on", "2026-04-01", "--reopen")
    ok("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-05-01")
    mistake("update", "fia-academy", "--status", "stalled", "--on", "2026-01-20")
    ok("update", "fia-academy", "--status", "in_progress", "--on", "2026-02-10")
    mistake("update", "fia-academy", "--status", "abandoned", "--on", "2026-01-25", "--note", "back-dated, wrong")
    mistake("update", "ata-engagement", "--note", "wrong commitment", "--on", "2026-05-01")
    mistake("edit", "fia-academy", "--due", "2026-03-31", "--add-tag", "wrong")
    mistake("edit", "nccia-call-centre-crackdown", "--agreed", "March 2024")
    ok("update", "nccia-call-centre-crackdown", "--status", "stalled", "--on", "2026-05-20")
    mistake("update", "inl-engagement", "--status", "completed")  # on the last day: the kept source
    mistake("update", "fia-ct-wing", "--status", "in_progress", "--on", "2026-06-01", "--reopen")


@contextmanager
def _another_database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "another.db")
        return
    with postgres_database() as url:
        yield url


_REPORT_ARGS = [
    (),
    ("--since", "2025-12-31"),
    ("--as-of", "2026-04-30", "--since", "2026-01-31"),
    ("--as-of", "2026-02-15", "--since", "2026-01-01", "--stale-days", "30"),
    ("--as-of", "2026-05-31", "--status", "stalled", "--since", "2025-12-31"),
    ("--since", "2026-05-31", "--stale-days", "30", "--tag", "institutions"),
]


def _every_report() -> dict[str, str]:
    return {
        f"{' '.join(args)} --format {fmt}": ok("report", *args, "--format", fmt)
        for args in _REPORT_ARGS
        for fmt in ("text", "markdown", "html", "json", "csv")
    }


@pytest.mark.slow
def test_undone_changes_and_their_undos_are_left_out_of_every_report(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report on a history with undone changes reads exactly as one on the history without them,
    in every section and format, on today (the kept state) and earlier days (the rebuilt one),
    but for its corrections log, which lists the undos (README, "Corrections")."""
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    _record_history(with_mistakes=True)
    history = json.loads(ok("history", "fia-academy", "--format", "json"))
    assert [event["kind"] for event in history].count("undo") == 3  # history still shows them all
    with_undos = _every_report()
    with _another_database(backend, tmp_path) as location:
        monkeypatch.setenv("TRACKER_DB", location)
        _record_history(with_mistakes=False)
        never_happened = _every_report()
    assert "in_progress → stalled" in never_happened["--since 2025-12-31 --format text"]  # changes are listed
    logged = json.loads(with_undos[" --format json"])["corrections"]
    assert logged and {correction["kind"] for correction in logged} == {"undo"}
    assert json.loads(never_happened[" --format json"])["corrections"] == []
    for name, report in with_undos.items():
        assert _without_corrections(report) == _without_corrections(never_happened[name]), name


def _without_corrections(report: str) -> str:
    """A report without its corrections log (the last section of every form but CSV's)."""
    if report.startswith("{"):
        document = json.loads(report)
        document["corrections"] = []
        return json.dumps(document, sort_keys=True)
    if "<h2>Corrections (" in report:
        before, after = report.split("<h2>Corrections (", 1)
        return before + after[after.index("<footer>") :]
    for start in ("\n## Corrections (", "\nCorrections ("):
        if start in report:
            return report.split(start, 1)[0]
    return report

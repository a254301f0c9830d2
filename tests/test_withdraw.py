"""`tracker withdraw`: a commitment recorded in error leaves lists, counts and reports, keeps its
history, and comes back with `tracker undo`; every correction says why."""

import csv
import datetime as dt
import json
from typing import Any

import pytest

from tests.conftest import db_rows, fails, ok


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")


def refs(*args: str) -> list[str]:
    return [item["ref"] for item in json.loads(ok("list", "--format", "json", *args))]


def everything() -> list[tuple[Any, ...]]:
    """The whole state a refused command must leave alone."""
    return db_rows("SELECT id, kind, note FROM event ORDER BY id") + db_rows(
        "SELECT ref, status, withdrawn_on FROM commitment ORDER BY ref"
    )


def report(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok("report", "--format", "json", *args))
    return document


def test_a_withdrawn_commitment_leaves_lists_and_reports(loaded: None) -> None:
    assert "fia-ct-wing" in refs()
    total = report()["total"]
    said = ok("withdraw", "fia-ct-wing", "--reason", "entered in error")
    assert said == (
        "fia-ct-wing: withdrawn on 2026-06-30 (entered in error) [event 14]; "
        "lists and reports leave it out, 'tracker undo --reason \"…\"' brings it back\n"
    )
    assert "fia-ct-wing" not in refs()
    assert "fia-ct-wing" not in refs("--tag", "counter-terrorism")
    assert "fia-ct-wing" in refs("--withdrawn")
    assert report()["total"] == total - 1
    assert report("--withdrawn")["total"] == total
    assert report("--as-of", "2025-06-30")["total"] == report("--as-of", "2025-06-30", "--withdrawn")["total"] - 1
    tags = {group["tag"]: group["total"] for group in report()["by_tag"]}
    tags_with = {group["tag"]: group["total"] for group in report("--withdrawn")["by_tag"]}
    assert tags["counter-terrorism"] == tags_with["counter-terrorism"] - 1
    # show and history still work, and say so
    shown = json.loads(ok("show", "fia-ct-wing", "--format", "json"))
    assert shown["withdrawn_on"] == "2026-06-30"
    assert "status       in_progress (withdrawn 2026-06-30)" in ok("show", "fia-ct-wing")
    assert [event["kind"] for event in json.loads(ok("history", "fia-ct-wing", "--format", "json"))][-1] == (
        "withdrawal"
    )


def test_a_withdrawn_commitment_counts_against_nobody(loaded: None) -> None:
    def owned(*args: str) -> dict[str, int]:
        return {row["short_name"]: row["owned"] for row in json.loads(ok("owners", "--format", "json", *args))}

    before = owned()
    ok("withdraw", "fia-ct-wing", "--reason", "entered in error")
    assert owned()["FIA"] == before["FIA"] - 1
    assert owned("--withdrawn") == before
    queue = [row["ref"] for row in json.loads(ok("review", "--queue", "--format", "json"))]
    assert "fia-ct-wing" not in queue
    assert "fia-ct-wing" in [row["ref"] for row in json.loads(ok("review", "--queue", "--withdrawn", "-f", "json"))]


def test_undo_brings_it_back(loaded: None) -> None:
    before = refs()
    ok("withdraw", "fia-ct-wing", "--duplicate-of", "fia-academy")
    assert ok("undo", "--reason", "not a duplicate after all") == (
        "undid event 14 (withdrawal on fia-ct-wing): withdrawal retracted; "
        "fia-ct-wing is back in lists and reports [event 15]\n"
    )
    assert refs() == before
    assert db_rows("SELECT withdrawn_on FROM commitment WHERE ref = 'fia-ct-wing'") == [(None,)]
    assert db_rows("SELECT kind, note FROM event WHERE id >= 14 ORDER BY id") == [
        ("withdrawal", "duplicate of fia-academy"),
        ("undo", "withdrawal retracted; reason: not a duplicate after all"),
    ]
    # withdrawn again, and brought back again, by naming the event
    ok("withdraw", "fia-ct-wing", "--reason", "entered twice")
    assert "fia-ct-wing" not in refs()
    ok("undo", "--event", "16", "--reason", "entered in error")
    assert refs() == before


NO_REASON = "error: say why fia-ct-wing is withdrawn: give --reason TEXT, or --duplicate-of REF"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fia-ct-wing"], NO_REASON),
        (["fia-ct-wing", "--reason", "  "], NO_REASON),
        (["fia-ct-wing", "--reason", "two\nlines"], "error: reason must be one line"),
        (["nope", "--reason", "x"], "error: no commitment with ref 'nope'; 'tracker list' shows the refs"),
        (
            ["fia-ct-wing", "--duplicate-of", "nope"],
            "error: --duplicate-of: no commitment with ref 'nope'; 'tracker list' shows the refs",
        ),
        (
            ["fia-ct-wing", "--duplicate-of", "FIA-CT-WING"],
            "error: fia-ct-wing cannot be a duplicate of itself; --duplicate-of names the one kept",
        ),
    ],
)  # fmt: skip
def test_a_withdrawal_is_refused_when_it_cannot_be_meant(loaded: None, args: list[str], message: str) -> None:
    before = everything()
    assert fails("withdraw", *args) == message
    assert everything() == before


def test_what_is_withdrawn_is_not_withdrawn_again_nor_updated(loaded: None) -> None:
    ok("withdraw", "fia-academy", "--reason", "entered in error")
    before = everything()
    assert fails("withdraw", "fia-academy", "--reason", "again") == (
        "error: fia-academy was already withdrawn on 2026-06-30 (event 14); "
        "'tracker undo --event 14 --reason \"…\"' brings it back"
    )
    assert fails("withdraw", "fia-ct-wing", "--duplicate-of", "fia-academy") == (
        "error: fia-academy is withdrawn too; --duplicate-of names the commitment that stands"
    )
    assert fails("update", "fia-academy", "--status", "stalled") == (
        "error: fia-academy was withdrawn on 2026-06-30; bring it back with 'tracker undo --event 14 --reason \"…\"' "
        "before recording anything on it"
    )
    assert fails("review", "fia-academy") == (
        "error: fia-academy was withdrawn on 2026-06-30; bring it back with 'tracker undo --event 14 --reason \"…\"' "
        "before recording anything on it"
    )
    assert fails("undo", "--reason", "").startswith("error: undo needs --reason: ")  # tests/test_undo.py has it whole
    assert everything() == before


def test_the_withdrawal_survives_an_export_and_a_load(loaded: None, tmp_path: Any, monkeypatch: Any) -> None:
    ok("withdraw", "fia-ct-wing", "--reason", "entered in error")
    exported = tmp_path / "all.json"
    ok("export", "--format", "json", "--output", str(exported))
    document = json.loads(exported.read_text(encoding="utf-8"))
    [item] = [c for c in document["commitments"] if c["ref"] == "fia-ct-wing"]
    assert item["withdrawn_on"] == "2026-06-30"
    assert document["corrections"] == [
        {"on": "2026-06-30", "ref": "fia-ct-wing", "kind": "withdrawal",
         "corrected": "withdrawn from lists and reports", "reason": "entered in error", "by": "tester"},
    ]  # fmt: skip
    del document["corrections"]  # as an export from before the log, which loads the same
    exported.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "copy.db"))
    ok("load", str(exported))
    assert "fia-ct-wing" not in refs()
    assert db_rows("SELECT withdrawn_on FROM commitment WHERE ref = 'fia-ct-wing'") != [(None,)]
    ok(
        "undo",
        "--event",
        str(db_rows("SELECT id FROM event WHERE kind = 'withdrawal'")[0][0]),
        "--reason",
        "entered in error",
    )
    assert "fia-ct-wing" in refs()


def test_reports_carry_a_corrections_log(loaded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-05-01")
    ok("update", "fia-academy", "--status", "in_progress", "--on", "2026-03-01")
    ok("undo", "--reason", "the wrong academy")
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("withdraw", "fia-ct-wing", "--duplicate-of", "fia-academy")
    ok("edit", "fia-academy", "--due", "2027-01-01")
    ok("undo", "--reason", "a slip")
    log = report()["corrections"]
    assert log == [
        {"on": "2026-03-01", "ref": "fia-academy", "kind": "undo", "corrected": "undid the status in_progress of "
         "2026-03-01", "reason": "the wrong academy", "by": "tester"},
        {"on": "2026-06-30", "ref": "fia-ct-wing", "kind": "withdrawal", "corrected": "withdrawn from lists and "
         "reports", "reason": "duplicate of fia-academy", "by": "tester"},
        {"on": "2026-06-30", "ref": "fia-academy", "kind": "undo", "corrected": "undid the edit of 2026-06-30 "
         "(restored due)", "reason": "a slip", "by": "tester"},
    ]  # fmt: skip
    assert report("--since", "2026-04-01")["corrections"] == log[1:]  # the period's
    assert report("--as-of", "2026-04-01")["corrections"] == log[:1]
    assert report("--owner", "FIA")["corrections"] == log
    assert report("--owner", "MOI")["corrections"] == []
    assert ok("report").split("\nCorrections (3)\n\n")[1] == (
        "on          ref          correction                              reason                    by\n"
        "----------  -----------  --------------------------------------  ------------------------  ------\n"
        "2026-03-01  fia-academy  undid the status in_progress of         the wrong academy         tester\n"
        "                         2026-03-01\n"
        "2026-06-30  fia-ct-wing  withdrawn from lists and reports        duplicate of fia-academy  tester\n"
        "2026-06-30  fia-academy  undid the edit of 2026-06-30 (restored  a slip                    tester\n"
        "                         due)\n"
    )
    assert "## Corrections (3)" in ok("report", "--format", "markdown")
    assert "<h2>Corrections (3)</h2>" in ok("report", "--format", "html")
    # undoing the withdrawal is logged too, and the withdrawal stays in the log
    ok("undo", "--event", "16", "--reason", "not a duplicate")
    assert [(c["kind"], c["reason"]) for c in report()["corrections"]][1:] == [
        ("withdrawal", "duplicate of fia-academy"),
        ("undo", "a slip"),
        ("undo", "not a duplicate"),
    ]


@pytest.mark.sqlite_only  # db check's kept-state check is SQLite's
def test_db_check_compares_the_withdrawal_day_with_the_history(isolated: Any, loaded: None) -> None:
    import sqlite3

    ok("withdraw", "fia-ct-wing", "--reason", "entered in error")
    assert ok("db", "check").startswith("ok: ")
    connection = sqlite3.connect(isolated)
    with connection:  # as an edit by hand might leave them: one brought back, one withdrawn, without events
        connection.execute("UPDATE commitment SET withdrawn_on = NULL WHERE ref = 'fia-ct-wing'")
        connection.execute("UPDATE commitment SET withdrawn_on = '2026-06-01' WHERE ref = 'fia-academy'")
    connection.close()
    assert fails("db", "check") == (
        f"error: {isolated} failed its check (2 problems); restore it from a backup copy\n"
        "  kept state: fia-academy (withdrawn_on) differs from its history\n"
        "  kept state: fia-ct-wing (withdrawn_on) differs from its history"
    )


def test_the_log_has_one_entry_per_change_undone(loaded: None) -> None:
    """An undone status may take more than one undo event (a restatement on a later day): the log
    names the change once."""
    ok("update", "fia-academy", "--status", "stalled", "--on", "2026-03-01")
    ok("update", "fia-academy", "--status", "completed", "--on", "2026-04-01")
    ok("undo", "--event", "15", "--reason", "not yet completed")
    undoing = ok("undo", "--event", "14", "--reason", "never stalled")
    assert undoing.endswith("[event 17, 18]\n")  # two corrections for the one change
    assert [(c["on"], c["corrected"], c["reason"]) for c in report()["corrections"]] == [
        ("2026-03-01", "undid the status stalled of 2026-03-01", "never stalled"),
        ("2026-04-01", "undid the status completed of 2026-04-01", "not yet completed"),
    ]


def _sheet(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _write_sheet(path: str, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_spreadsheet_export_says_which_are_withdrawn_and_a_load_withdraws_them(
    loaded: None, tmp_path: Any, fmt: str
) -> None:
    ok("withdraw", "fia-ct-wing", "--duplicate-of", "fia-academy", "--reason", "entered twice")
    ok("export", "--format", "csv", "--output", "all.csv")
    [row] = [row for row in _sheet("all.csv") if row["withdrawn_on"]]
    assert (row["ref"], row["withdrawn_on"], row["withdrawn_reason"]) == (
        "fia-ct-wing", "2026-06-30", "duplicate of fia-academy: entered twice",
    )  # fmt: skip
    assert list(_sheet("all.csv")[0])[-2:] == ["withdrawn_on", "withdrawn_reason"]
    ok("export", "--format", fmt, "--output", f"sheet.{fmt}")
    copy = str(tmp_path / "copy.db")
    assert ok("--db", copy, "load", f"sheet.{fmt}").startswith(
        "organisations: 7 created, 0 updated, 0 unchanged (new: MOI, US-ATA, US-INL, FC, FIA, NCCIA, US-GOV); "
        "commitments: 13 created, 0 updated, 0 unchanged; withdrawals: 1 recorded (fia-ct-wing); "
    )
    # recorded as `tracker withdraw` records it, on the file's day, with its reason
    assert db_rows("SELECT e.on_date, e.note FROM event e WHERE e.kind = 'withdrawal'") in (
        [("2026-06-30", "duplicate of fia-academy: entered twice")],
        [(dt.date(2026, 6, 30), "duplicate of fia-academy: entered twice")],
    )
    withdrawn = ("list", "--withdrawn", "--format", "json")
    if fmt == "csv":  # a workbook's load sets the record times (docs/interchange.md)
        assert ok("--db", copy, *withdrawn) == ok(*withdrawn)
    else:
        assert [{k: v for k, v in item.items() if not k.endswith("_at")} for item in json.loads(ok(*withdrawn))] == [
            {k: v for k, v in item.items() if not k.endswith("_at")}
            for item in json.loads(ok("--db", copy, *withdrawn))
        ]
    assert ok("--db", copy, "report", "--format", "json") == ok("report", "--format", "json")
    assert ok("--db", copy, "load", f"sheet.{fmt}") == "commitments: 0 created, 0 updated, 13 unchanged\n"


def test_a_withdrawal_loaded_keeps_the_files_day_and_a_new_commitment_its_record_time(
    loaded: None, tmp_path: Any
) -> None:
    ok("withdraw", "fia-ct-wing", "--reason", "entered in error")
    ok("export", "--format", "csv", "--output", "all.csv")
    rows = _sheet("all.csv")
    for row in rows:
        row["updated_at"] = "2026-01-02T03:04:05Z"
        if row["withdrawn_on"]:
            row["withdrawn_on"] = "2026-05-01"
    _write_sheet("all.csv", rows)
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "all.csv")
    [item] = [i for i in json.loads(ok("--db", copy, "list", "--withdrawn", "-f", "json")) if i["ref"] == "fia-ct-wing"]
    assert (item["withdrawn_on"], item["updated_at"]) == ("2026-05-01", "2026-01-02T03:04:05Z")
    log = json.loads(ok("--db", copy, "report", "-f", "json"))["corrections"]
    assert [(c["on"], c["ref"], c["reason"]) for c in log] == [("2026-05-01", "fia-ct-wing", "entered in error")]


def test_a_load_withdraws_a_commitment_here_once_and_never_brings_one_back(loaded: None, tmp_path: Any) -> None:
    ok("export", "--format", "csv", "--output", "before.csv")
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "before.csv")
    ok("withdraw", "fia-ct-wing", "--reason", "entered in error")
    ok("export", "--format", "csv", "--output", "after.csv")
    assert ok("--db", copy, "load", "after.csv") == (
        "commitments: 0 created, 1 updated, 12 unchanged; withdrawals: 1 recorded (fia-ct-wing)\n"
    )
    assert "fia-ct-wing" not in refs("--db", copy)
    assert ok("--db", copy, "load", "after.csv") == "commitments: 0 created, 0 updated, 13 unchanged\n"
    # a file that does not say it is withdrawn leaves it withdrawn: only `tracker undo` brings it back
    assert ok("--db", copy, "load", "before.csv") == "commitments: 0 created, 0 updated, 13 unchanged\n"
    assert "fia-ct-wing" not in refs("--db", copy)
    ok("--db", copy, "undo", "--reason", "not in error after all")
    # brought back, it stays back: the file says nothing it did not say before
    assert ok("--db", copy, "load", "after.csv") == "commitments: 0 created, 0 updated, 13 unchanged\n"
    assert "fia-ct-wing" in refs("--db", copy)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"withdrawn_on": "2026-06-01"}, "line 2, withdrawn_on: say why it is withdrawn: give a withdrawn_reason"),
        ({"withdrawn_reason": "in error"}, "line 2, withdrawn_reason: a withdrawn_reason needs the withdrawn_on day "
         "it goes with"),
        ({"withdrawn_on": "June 2026", "withdrawn_reason": "in error"},
         "line 2, withdrawn_on: withdrawn_on needs a day, not June 2026: the day it took effect"),
        ({"withdrawn_on": "2026-07-01", "withdrawn_reason": "in error"},
         "line 2, withdrawn_on: withdrawn_on 2026-07-01 is after today (2026-06-30); record what has already "
         "happened"),
        ({"withdrawn_on": "2024-12-31", "withdrawn_reason": "in error"},
         "line 2, withdrawn_on: ata-engagement's history starts on 2025-01-01 (it was agreed 2025); an update "
         "cannot be dated before that. Give an earlier agreed date with 'tracker edit ata-engagement --agreed DATE'"),
    ],
)  # fmt: skip
def test_a_withdrawal_a_file_cannot_mean_loads_nothing(
    loaded: None, tmp_path: Any, cells: dict[str, str], message: str
) -> None:
    ok("export", "--format", "csv", "--output", "all.csv")
    rows = _sheet("all.csv")
    rows[0].update(cells)
    _write_sheet("all.csv", rows)
    for database in ("--db", str(tmp_path / "copy.db")), ():  # a new commitment, and one here
        before = everything() if not database else None
        assert fails(*database, "load", "all.csv") == f"error: all.csv: 1 problem; nothing was loaded\n  {message}"
        if before is not None:
            assert everything() == before

"""Deadlines as agreements word them: `end of 2026`, `H1 2026`, `FY2025-26`, `within 6 months`
(of the agreed date), through every path that takes a date, and kept through export and load."""

import json
from pathlib import Path

import pytest

from tests.conftest import fails, ok, run

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")
    monkeypatch.setenv("TRACKER_FISCAL_YEAR_START", "July")


def _due(ref: str) -> tuple[str, str]:
    item = json.loads(ok("show", ref, "-f", "json"))
    return item["due"], item["due_precision"]


def test_within_counts_from_the_agreed_date_given_with_it() -> None:
    ok("add", "Open a lab", "--owner", "FIA", "--agreed", "2026-03-01", "--due", "within 6 months")
    assert _due("open-a-lab") == ("2026-09-01", "day")
    assert "open-a-lab" in ok("list", "--overdue")


def test_edit_counts_within_from_the_kept_agreed_date_or_the_new_one() -> None:
    ok("add", "Open a lab", "--owner", "FIA", "--agreed", "2026-03-01")
    ok("edit", "open-a-lab", "--due", "within 6 months")
    assert _due("open-a-lab") == ("2026-09-01", "day")
    ok("edit", "open-a-lab", "--agreed", "April 2026", "--due", "within 1 year")
    assert _due("open-a-lab") == ("2027-04-30", "day")
    ok("add", "No agreement", "--owner", "FIA")
    assert fails("edit", "no-agreement", "--due", "within 6 months") == (
        "error: --due 'within 6 months' counts from the agreed date, and there is none; "
        "give the agreed date, or write 'in 6 months' to count from today"
    )


def test_within_without_an_agreed_date_is_refused_and_nothing_is_added() -> None:
    assert fails("add", "Open a lab", "--owner", "FIA", "--due", "within 6 months") == (
        "error: --due 'within 6 months' counts from the agreed date, and there is none; "
        "give the agreed date, or write 'in 6 months' to count from today"
    )
    assert "open-a-lab" not in ok("list")


def test_halves_and_fiscal_years_in_lists_filters_and_reports() -> None:
    ok("add", "First half", "--owner", "FIA", "--agreed", "2025-01-01", "--due", "H1 2026")
    ok("add", "Fiscal", "--owner", "FIA", "--agreed", "2025-01-01", "--due", "FY2026-27")
    assert _due("first-half") == ("2026-06-30", "half")
    assert _due("fiscal") == ("2027-06-30", "fiscal_year")
    assert "H1 2026" in ok("list", "--due-before", "2027")
    assert "FY2026-27" in ok("list", "--due-after", "H2 2026")
    assert "first-half" not in ok("list", "--due-after", "H2 2026")
    overdue = [item["ref"] for item in json.loads(ok("report", "-f", "json"))["overdue"]]
    assert "first-half" in overdue and "fiscal" not in overdue


def test_a_csv_reads_wordings_within_from_its_own_rows_agreed_date(tmp_path: Path) -> None:
    Path("wordings.csv").write_text(
        "ref,title,owner,agreed,due\n"
        "a-half,A half,FIA,2025-07-01,by end of H2 2026\n"
        "a-fiscal,A fiscal year,FIA,2025-07-01,FY2025-26\n"
        "a-within,Within,FIA,2026-02-10,within 90 days\n",
        encoding="utf-8",
    )
    ok("load", "wordings.csv")
    assert [_due(ref) for ref in ("a-half", "a-fiscal", "a-within")] == [
        ("2026-12-31", "half"),
        ("2026-06-30", "fiscal_year"),
        ("2026-05-11", "day"),
    ]


def test_a_csv_row_with_within_and_no_agreed_date_is_a_numbered_problem() -> None:
    Path("within.csv").write_text("ref,title,owner,due\nlate,Late,FIA,within 3 months\n", encoding="utf-8")
    assert run("load", "within.csv").stderr.splitlines() == [
        "error: within.csv: 1 problem; nothing was loaded",
        "  line 2, due: due 'within 3 months' counts from the agreed date, and there is none; "
        "give the agreed date, or write 'in 3 months' to count from today",
    ]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_new_precisions_survive_export_and_load(fmt: str, tmp_path: Path) -> None:
    ok("add", "First half", "--owner", "FIA", "--agreed", "2025-01-01", "--due", "H1 2026")
    ok("add", "Fiscal", "--owner", "FIA", "--agreed", "2025-01-01", "--due", "FY2025-26")
    ok("export", "--format", fmt, "--output", f"out.{fmt}")
    ok("--db", str(tmp_path / "copy.db"), "load", f"out.{fmt}")
    for ref, due in (("first-half", ("2026-06-30", "half")), ("fiscal", ("2026-06-30", "fiscal_year"))):
        item = json.loads(ok("--db", str(tmp_path / "copy.db"), "show", ref, "-f", "json"))
        assert (item["due"], item["due_precision"]) == due


def test_an_export_whose_day_is_not_the_end_of_its_period_is_refused(tmp_path: Path) -> None:
    ok("export", "--format", "json", "--output", "out.json")
    document = json.loads(Path("out.json").read_text(encoding="utf-8"))
    document["commitments"][0]["due"], document["commitments"][0]["due_precision"] = "2026-03-15", "half"
    Path("bad.json").write_text(json.dumps(document), encoding="utf-8")
    message = fails("--db", str(tmp_path / "copy.db"), "load", "bad.json")
    assert message.endswith("commitments[0] (ata-engagement).due: 2026-03-15 is not the last day of a half")
    assert not (tmp_path / "copy.db").exists()

"""`--status-map`: another tracker's status words read as ours, the original word kept in the
history, and an unknown word refused with a hint to map it."""

import json
from pathlib import Path

import pytest

from tests.conftest import fails, ok, run

pytestmark = pytest.mark.usefixtures("loaded")

EXPECTED = "not_started, in_progress, stalled, completed, partial, abandoned"


def _status(ref: str) -> str:
    return str(json.loads(ok("show", ref, "-f", "json"))["status"])


def _notes(ref: str) -> list[str]:
    return [str(event["note"]) for event in json.loads(ok("history", ref, "-f", "json"))]


def _politifact_sheet() -> None:
    Path("meter.csv").write_text(
        "ref,title,owner,status\n"
        "p-1,Cut red tape,FIA,Promise Kept\n"
        "p-2,Build a lab,FIA,compromise\n"
        "p-3,Hire staff,FIA,  In  the Works \n"
        "p-4,Open an office,FIA,not_started\n",
        encoding="utf-8",
    )


def test_a_shipped_map_reads_politifacts_meter_and_keeps_the_word_in_the_history() -> None:
    _politifact_sheet()
    ok("load", "meter.csv", "--status-map", "politifact")
    assert [_status(f"p-{n}") for n in (1, 2, 3, 4)] == ["completed", "partial", "in_progress", "not_started"]
    assert _notes("p-1") == ["loaded from meter.csv (status given as 'Promise Kept')"]
    assert _notes("p-4") == ["loaded from meter.csv"]  # our own word needs no note


def test_a_reload_with_a_changed_label_records_an_update_with_the_label() -> None:
    _politifact_sheet()
    ok("load", "meter.csv", "--status-map", "politifact")
    text = Path("meter.csv").read_text(encoding="utf-8").replace("In  the Works", "Promise Broken")
    Path("meter.csv").write_text(text, encoding="utf-8")
    ok("load", "meter.csv", "--status-map", "politifact")
    assert _status("p-3") == "abandoned"
    assert _notes("p-3")[-1] == "set in meter.csv (given as 'Promise Broken')"


def test_pairs_and_a_map_file_override_in_order() -> None:
    Path("ogp.csv").write_text("ref,title,owner,status\no-1,Publish budgets,FIA,Substantial\n", encoding="utf-8")
    Path("mine.map").write_text("# our reading of OGP's levels\nSubstantial = partial\n", encoding="utf-8")
    ok("load", "ogp.csv", "--status-map", "ogp", "--status-map", "mine.map", "--status-map", "Limited=stalled")
    assert _status("o-1") == "partial"


def test_an_unknown_word_is_one_grouped_problem_with_a_hint() -> None:
    Path("dump.csv").write_text(
        "title,owner,status\n" + "x,FIA,nodata\n" * 3 + "y,FIA,Promise Kept\n", encoding="utf-8"
    )
    assert run("load", "dump.csv", "--status-map", "Promise Kept=completed").stderr.splitlines() == [
        "error: dump.csv: 3 problems; nothing was loaded",
        f"  line 2, 3, 4 (3 rows), status: unknown status 'nodata'; expected one of: {EXPECTED}; "
        "or map it with --status-map 'nodata=STATUS'",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "Done=finished",
            f"error: --status-map 'Done=finished': 'finished' is not a status; expected one of: {EXPECTED}",
        ),
        ("=completed", "error: --status-map '=completed': '=completed' must be 'LABEL=status'"),
        ("nowhere", "error: --status-map 'nowhere' is neither LABEL=status, a file, nor one of: politifact, ogp"),
    ],
)
def test_a_bad_map_is_refused_before_anything_is_read(value: str, message: str) -> None:
    _politifact_sheet()
    assert fails("load", "meter.csv", "--status-map", value) == message
    assert fails("show", "p-1").startswith("error: no commitment with ref 'p-1'")


def test_status_map_is_for_csv_files(tmp_path: Path) -> None:
    ok("export", "--format", "json", "--output", "all.json")
    assert fails("--db", str(tmp_path / "other.db"), "load", "all.json", "--status-map", "ogp") == (
        "error: --map, --status-map, --status-on and --strict are for CSV files and workbooks (.xlsx)"
    )

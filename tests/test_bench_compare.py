"""`make bench` sets today's medians beside the 28 November table and checks the write targets."""

import pytest

from bench import compare

pytestmark = pytest.mark.database_free


def test_the_baseline_is_the_readme_table_before_the_renovation() -> None:
    baseline = compare.read_table(compare.BASELINE.read_text(encoding="utf-8"))
    assert compare.median(baseline[("update --status", "10k")][2]) == 315
    assert compare.median(baseline[("export --format json", "100k")][2]) == 12_522
    assert compare.median(baseline[("update --status", "10k")][-1]) == 69  # Taskwarrior's modify


def test_rows_gain_the_baseline_median_and_the_ratio() -> None:
    baseline = {("report", "10k"): ["report", "10k", "73 (72–90)", "", "", "", ""]}
    rows = [["report", "10k", "146 (140–150)", "36 (35–37)", "", "", ""], ["new thing", "", "5 (5–5)", "", "", "", ""]]
    assert compare.beside_baseline(rows, baseline) == [
        ["report", "10k", "146 (140–150)", "73", "2.00×", "36 (35–37)", "", "", ""],
        ["new thing", "", "5 (5–5)", "", "", "", "", "", ""],
    ]


def test_writes_are_held_to_one_and_a_half_typer_floors_and_taskwarriors_modify() -> None:
    rows = [
        ["typer do-nothing command", "", "56 (54–56)", "", "", "", ""],
        ["update --status", "10k", "84 (80–90)", "", "56 (50–60)", "318", "69 (68–72)"],
        ["add", "10k", "60 (58–61)", "", "", "318", ""],  # no floors of its own: the table's
        ["edit", "1k", "85 (80–90)", "", "80 (75–81)", "318", "90 (80–95)"],
    ]
    update, add, edit = compare.write_targets(rows)
    assert update == (
        "update --status at 10k: 1.50× the do-nothing Typer command (holds, ≤ 1.5×); "
        "NOT faster than Taskwarrior's modify (84 against 69 ms)"
    )
    assert add == (
        "add at 10k: 1.07× the do-nothing Typer command (holds, ≤ 1.5×); "
        "faster than Taskwarrior's modify (60 against 69 ms)"
    )
    assert edit == (
        "edit at 1k: 1.06× the do-nothing Typer command (holds, ≤ 1.5×); "
        "faster than Taskwarrior's modify (85 against 90 ms)"
    )
    rows[1][4] = "55 (50–60)"
    assert compare.write_targets(rows)[0].startswith(
        "update --status at 10k: 1.53× the do-nothing Typer command (MISSED"
    )


def test_loads_are_held_to_their_rates_and_taskwarriors_import() -> None:
    rows = [
        ["load csv into an empty database", "10k", "1,250 (1,200–1,300, 68 MB)", "", "", "", ""],
        ["load csv into an empty database", "100k", "9,000 (8,800–9,500, 83 MB)", "", "", "", "8,500 (8,000–9,000)"],
        ["load a 100k-row history file", "100k", "9,500 (9,000–9,900, 260 MB)", "", "", "", ""],
        ["load a 100k-row history file", "10k", "8,000 (7,000–9,000, 120 MB)", "", "", "", ""],
    ]
    assert compare.load_targets(rows) == [
        "load csv at 10k: 8,000 rows/s (MISSED, ≥ 10,000)",
        "load csv at 100k: 11,111 rows/s (holds, ≥ 10,000); "
        "NOT faster than Taskwarrior's import (9,000 against 8,500 ms)",
        "load a 100k-row history file at 100k: 9.5 s, 260 MB (MISSED, ≤ 10 s within 250 MB)",
        "load a 100k-row history file at 10k: 8.0 s, 120 MB (holds, ≤ 10 s within 250 MB)",
    ]

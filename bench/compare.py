"""Today's benchmark beside an earlier one, and the write targets of issue 13 checked.

`make bench` prints its table with two more columns: the median of the same row in
bench/baseline-2026-11-28.md (the README's table before the renovation) and today's median as a
multiple of it. Then it checks the write targets: `update`, `add` and `edit` at most 1.5 × the
do-nothing Typer command, and faster than Taskwarrior's `modify` from 10k commitments up, each
against the floors timed in the same rounds (bench.run.side_by_side).
"""

import re
from collections.abc import Sequence
from pathlib import Path

BASELINE = Path(__file__).resolve().parent / "baseline-2026-11-28.md"
WRITES = ("update --status", "add", "edit")
WRITE_LIMIT = 1.5  # × the do-nothing Typer command
_MEDIAN = re.compile(r"^([\d,]+)")
_MEMORY = re.compile(r"([\d,]+) MB\)$")
CSV_ROWS_PER_SECOND = 10_000  # issue 15: a 10k-row CSV in ≤ 1 s, start-up included
HISTORY_SECONDS, HISTORY_MB = 10, 250  # issue 15: a 100k-row history file


def median(cell: str) -> float | None:
    """The median of a cell such as `1,318 (1,302–1,325, 22 MB)`."""
    match = _MEDIAN.match(cell.strip())
    return float(match.group(1).replace(",", "")) if match else None


def memory(cell: str) -> float | None:
    """The peak memory of a cell such as `1,318 (1,302–1,325, 22 MB)`."""
    match = _MEMORY.search(cell.strip())
    return float(match.group(1).replace(",", "")) if match else None


def read_table(text: str) -> dict[tuple[str, str], list[str]]:
    """The rows of a Markdown table printed by bench.run, by (operation, size)."""
    rows: dict[tuple[str, str], list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith("| operation "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[(cells[0], cells[1])] = cells
    return rows


def beside_baseline(rows: Sequence[list[str]], baseline: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """Each row with the baseline's median for the same operation and size, and the ratio."""
    result = []
    for cells in rows:
        now = median(cells[2])
        before_row = baseline.get((cells[0], cells[1]))
        before = median(before_row[2]) if before_row else None
        ratio = f"{now / before:.2f}×" if now is not None and before else ""
        result.append([*cells[:3], f"{before:,.0f}" if before is not None else "", ratio, *cells[3:]])
    return result


def write_targets(rows: Sequence[list[str]]) -> list[str]:
    """One line per write and size: its multiple of the do-nothing Typer command and Taskwarrior's
    modify, each taken from the write's own row (timed in the same rounds) where it has them."""
    by_key = {(cells[0], cells[1]): cells for cells in rows}
    floor_row = by_key.get(("typer do-nothing command", ""))
    lines = []
    for (operation, size), cells in by_key.items():
        floor = median(cells[4]) or (median(floor_row[2]) if floor_row else None)
        if operation not in WRITES or floor is None:
            continue
        ours = median(cells[2])
        assert ours is not None
        verdict = "holds" if ours <= WRITE_LIMIT * floor else "MISSED"
        line = f"{operation} at {size}: {ours / floor:.2f}× the do-nothing Typer command ({verdict}, ≤ {WRITE_LIMIT}×)"
        modify = by_key.get(("update --status", size))
        taskwarrior = median(cells[6]) or (median(modify[6]) if modify else None)
        if taskwarrior is not None:
            faster = "faster" if ours < taskwarrior else "NOT faster"
            line += f"; {faster} than Taskwarrior's modify ({ours:,.0f} against {taskwarrior:,.0f} ms)"
        lines.append(line)
    return lines


def load_targets(rows: Sequence[list[str]]) -> list[str]:
    """Issue 15's load targets: a CSV's rows per second at 10k, the 100k CSV load against
    Taskwarrior's import of the same tasks (timed in the same rounds), a 100k-row history file."""
    lines = []
    for operation, size, ours_cell, *floors in rows:
        ours = median(ours_cell)
        if ours is None:
            continue
        if operation == "load csv into an empty database":
            count = {"10k": 10_000, "100k": 100_000}.get(size)
            if count is None:
                continue
            rate = count / (ours / 1000)
            verdict = "holds" if rate >= CSV_ROWS_PER_SECOND else "MISSED"
            line = f"load csv at {size}: {rate:,.0f} rows/s ({verdict}, ≥ {CSV_ROWS_PER_SECOND:,})"
            taskwarrior = median(floors[3]) if len(floors) > 3 else None
            if taskwarrior is not None:
                faster = "faster" if ours < taskwarrior else "NOT faster"
                line += f"; {faster} than Taskwarrior's import ({ours:,.0f} against {taskwarrior:,.0f} ms)"
            lines.append(line)
        elif operation.startswith("load a ") and operation.endswith("-row history file"):
            peak = memory(ours_cell)
            holds = ours <= HISTORY_SECONDS * 1000 and (peak is None or peak <= HISTORY_MB)
            lines.append(
                f"{operation} at {size}: {ours / 1000:.1f} s, {peak or 0:,.0f} MB "
                f"({'holds' if holds else 'MISSED'}, ≤ {HISTORY_SECONDS} s within {HISTORY_MB} MB)"
            )
    return lines

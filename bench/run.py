"""`make bench`: time tracker's commands at 1k, 10k and 100k commitments beside their floors.

    python -m bench.run [--sizes 1k,10k,100k] [--runs N]

Every figure is a whole cold process (start-up included) unless the operation says "in-process";
each is the median of N runs, with min and max. Beside tracker's time stand the floors:
- `sqlite3 floor`: a Python process running the same SQL through the standard library alone;
- `typer floor`: a minimal Typer app (bench/minimal_typer.py) on the same Typer version;
- `import sqlmodel`: `python -c "import sqlmodel"`;
- Taskwarrior, when `task` is installed, fed the same data through `task import`.
The databases are generated once into bench/data/ (git-ignored) and reused.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PY = sys.executable
# The command people type: the installed `tracker` script (python -m tracker when there is none).
_SCRIPT = Path(PY).with_name("tracker")
TRACKER = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "tracker"]
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
TODAY = "2026-11-28"


@dataclass
class Timing:
    median: float
    low: float
    high: float
    peak_mb: float | None = None  # the largest resident memory of the process, when asked for

    def __str__(self) -> str:
        memory = f", {self.peak_mb:,.0f} MB" if self.peak_mb is not None else ""
        return f"{self.median:,.0f} ({self.low:,.0f}–{self.high:,.0f}{memory})"


def timed(
    argv: Sequence[str],
    env: dict[str, str],
    runs: int,
    prepare: Callable[[], None] | None = None,
    *,
    memory: bool = False,
) -> Timing:
    samples, peaks = [], []
    for _ in range(runs):
        if prepare:
            prepare()
        with tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
            _, status, usage = os.wait4(process.pid, 0)  # the child's own peak memory, not ours
            samples.append((time.perf_counter() - start) * 1000)
            peaks.append(usage.ru_maxrss / 1024)
            if os.waitstatus_to_exitcode(status) != 0:
                errors.seek(0)
                raise SystemExit(f"bench: {' '.join(argv)} failed: {errors.read().decode()[:300]}")
    peak = max(peaks) if memory else None
    return Timing(statistics.median(samples), min(samples), max(samples), peak)


def ensure_data(label: str, count: int) -> tuple[Path, Path | None]:
    DATA.mkdir(parents=True, exist_ok=True)
    database = DATA / f"{label}.db"
    tasks = DATA / f"{label}.tasks.json"
    if not database.exists():
        print(f"generating {label} ({count:,} commitments)…", file=sys.stderr)
        subprocess.run(
            [
                PY,
                "-m",
                "bench.generate",
                "--commitments",
                str(count),
                "--out",
                str(database),
                "--taskwarrior",
                str(tasks),
            ],
            check=True,
            cwd=ROOT,
        )
    if shutil.which("task") is None:
        return database, None
    taskdata = DATA / f"tw-{label}"
    if not (taskdata / "pending.data").exists():
        print(f"importing {label} into Taskwarrior…", file=sys.stderr)
        taskdata.mkdir(exist_ok=True)
        subprocess.run(["task", *_task_rc(taskdata), "import", str(tasks)], check=True, stdout=subprocess.DEVNULL)
    return database, taskdata


def _task_rc(taskdata: Path) -> list[str]:
    return [f"rc.data.location={taskdata}", "rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off"]


def interchange_rows(label: str, database: Path, env: dict[str, str], scratch: Path, runs: int, row: Any) -> None:
    """Loading and exporting, with peak memory: the whole database out, and back into an empty one."""
    tracker = TRACKER
    source_env = {**env, "TRACKER_DB": str(database)}
    target = scratch / f"{label}-loaded.db"
    target_env = {**env, "TRACKER_DB": str(target)}

    def empty_target() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)

    documents = {fmt: scratch / f"{label}.{fmt}" for fmt in ("json", "csv", "yaml")}
    for fmt in ("json", "csv"):
        row(
            f"export --format {fmt}",
            label,
            timed(
                [*tracker, "export", "--format", fmt, "--output", str(documents[fmt])], source_env, runs, memory=True
            ),
        )
    if label != "100k":  # PyYAML's representer is pure Python: about a minute at 100k (README)
        export_yaml = [*tracker, "export", "--format", "yaml", "--output", str(documents["yaml"])]
        row("export --format yaml", label, timed(export_yaml, source_env, runs, memory=True))
    for fmt in ("csv", "json"):
        load = [*tracker, "load", str(documents[fmt])]
        row(f"load {fmt} into an empty database", label, timed(load, target_env, runs, empty_target, memory=True))


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark tracker against its floors and Taskwarrior.")
    parser.add_argument("--sizes", default="1k,10k,100k")
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    env = {**os.environ, "TRACKER_TODAY": TODAY, "TRACKER_USER": "bench", "TASKRC": "/dev/null"}
    tracker = TRACKER
    rows: list[list[str]] = []
    scratch = Path(tempfile.mkdtemp(prefix="tracker-bench-"))

    def row(operation: str, size: str, ours: Timing, **floors: Timing | str | None) -> None:
        cells = [operation, size, str(ours)]
        for key in ("sqlite3", "typer", "sqlmodel", "taskwarrior"):
            value = floors.get(key)
            cells.append(str(value) if value is not None else "")
        rows.append(cells)
        print(" | ".join(cells), file=sys.stderr)

    runs = arguments.runs
    # Time tracker as installed, with its bytecode compiled: an editable install under
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run (~12 ms).
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "tracker")], check=True)
    typer_noop = timed([PY, str(ROOT / "bench" / "minimal_typer.py"), "noop"], env, runs)
    sqlmodel = timed([PY, "-c", "import sqlmodel"], env, runs)
    row(
        "--help",
        "",
        timed([*tracker, "--help"], env, runs),
        typer=timed([PY, "bench/minimal_typer.py", "--help"], env, runs),
    )
    row(
        "--version",
        "",
        timed([*tracker, "--version"], env, runs),
        typer=timed([PY, "bench/minimal_typer.py", "--version"], env, runs),
    )
    row("typer do-nothing command", "", typer_noop)
    row("import sqlmodel", "", sqlmodel)
    fixture_db = scratch / "fixture.db"
    subprocess.run(
        [*tracker, "--db", str(fixture_db), "load", "fixtures/pakistan-us-security-talks.yaml"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    fixture_env = {**env, "TRACKER_DB": str(fixture_db)}
    for name, argv in (
        ("list", ["list"]),
        ("show", ["show", "fia-ct-wing"]),
        ("history", ["history", "fia-ct-wing"]),
        ("report", ["report"]),
    ):
        row(f"{name} (fixture)", "13", timed([*tracker, *argv], fixture_env, runs), typer=typer_noop, sqlmodel=sqlmodel)

    for label in arguments.sizes.split(","):
        count = SIZES[label]
        database, taskdata = ensure_data(label, count)
        size_runs = runs if count < 100_000 else max(3, runs // 2)
        db_env = {**env, "TRACKER_DB": str(database)}
        tw = ["task", *_task_rc(taskdata)] if taskdata else None

        row(
            "list --owner --status",
            label,
            timed(
                [*tracker, "list", "--owner", "ORG-07", "--status", "in_progress", "--format", "json"],
                db_env,
                size_runs,
            ),
            sqlite3=timed([PY, "bench/floor.py", "list", str(database)], env, size_runs),
            taskwarrior=timed([*tw, "project:ORG-07", "status:pending", "list"], env, size_runs) if tw else None,
        )
        summary = timed([*tw, "summary"], env, size_runs) if tw else None
        row(
            "report",
            label,
            timed([*tracker, "report"], db_env, size_runs),
            sqlite3=timed([PY, "bench/floor.py", "report", str(database)], env, size_runs),
            taskwarrior=summary,
        )
        row("report --as-of 2024-06-30", label, timed([*tracker, "report", "--as-of", "2024-06-30"], db_env, size_runs))
        row("report --format json", label, timed([*tracker, "report", "--format", "json"], db_env, size_runs))
        row("show", label, timed([*tracker, "show", "c-42"], db_env, size_runs))
        row("history", label, timed([*tracker, "history", "c-42"], db_env, size_runs))

        copy = scratch / f"{label}-copy.db"
        write_env = {**env, "TRACKER_DB": str(copy)}

        def fresh_copy(source: Path = database, target: Path = copy) -> None:
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(source, target)

        twcopy = scratch / f"tw-{label}"

        def fresh_tasks(source: Path | None = taskdata, target: Path = twcopy) -> None:
            shutil.rmtree(target, ignore_errors=True)
            if source:
                shutil.copytree(source, target)

        row(
            "update --status",
            label,
            timed([*tracker, "update", "c-42", "--note", "benchmark note"], write_env, size_runs, fresh_copy),
            sqlmodel=sqlmodel,
            taskwarrior=timed(["task", *_task_rc(twcopy), "1", "modify", "+bench"], env, size_runs, fresh_tasks)
            if tw
            else None,
        )
        row(
            "add",
            label,
            timed(
                [*tracker, "add", "Benchmark commitment", "--owner", "ORG-03", "--due", "Q3 2027", "--tag", "bench"],
                write_env,
                size_runs,
                fresh_copy,
            ),
            sqlmodel=sqlmodel,
        )
        row(
            "edit",
            label,
            timed([*tracker, "edit", "c-42", "--add-tag", "bench"], write_env, size_runs, fresh_copy),
            sqlmodel=sqlmodel,
        )
        if count >= 10_000:
            interchange_rows(label, database, env, scratch, max(3, size_runs // 2), row)
        inprocess = subprocess.run(
            [PY, "-m", "bench.inprocess", str(database)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        for line in inprocess.stdout.splitlines():
            operation, ours_ms, floor_ms = line.split("\t")
            row(
                f"{operation} (in-process)",
                label,
                Timing(float(ours_ms), float(ours_ms), float(ours_ms)),
                sqlite3=Timing(float(floor_ms), float(floor_ms), float(floor_ms)),
            )
    shutil.rmtree(scratch, ignore_errors=True)
    header = ["operation", "size", "tracker ms", "sqlite3 floor", "typer floor", "import sqlmodel", "Taskwarrior"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print(
        f"\nmedian (min–max) of {runs} cold runs ({max(3, runs // 2)} at 100k), ms; "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    main()

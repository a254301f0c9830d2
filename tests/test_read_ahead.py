"""A big CSV is read and checked in a forked process while this one writes its rows
(tracker.interchange.read_ahead): the same commitments, the same problems in the same order and the
same failures as reading it in this process, and no process left behind.

Every test of the suite reads through the child (conftest sets FORK_FROM to 0); these compare the
two ways, and pin what only the child can do wrong."""

import io
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import fails, normalise, ok, run
from tracker.cli import whole_app
from tracker.errors import TrackerError
from tracker.interchange import csv_file, csv_load, read_ahead

HEADER = (
    "ref,title,description,owner,partners,status,agreed,agreed_precision,due,due_precision,tags,source,"
    "source_url,status_on,created_at,withdrawn_on,withdrawn_reason"
)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The children read_ahead forks, as they are made."""
    made: list[int] = []
    real_fork = os.fork

    def counted() -> int:
        pid = real_fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return made


def _every_column(rows: int) -> str:
    """Rows that use every column a commitments CSV has, in the shapes files give them."""
    lines = [HEADER]
    for n in range(1, rows + 1):
        withdrawn = ("2025-09-01", "merged into another") if n % 97 == 0 else ("", "")
        lines.append(
            ",".join(
                (
                    f"c-{n}" if n % 5 else "",  # every fifth row without a ref: made from its title
                    f"Commitment {n} ਪੰਜਾਬ",
                    f'"Line one of {n}\nline two, ""quoted"""',
                    f"ORG-{n % 7}",
                    f"ORG-{n % 3};ORG-{n % 11}" if n % 4 else "",
                    ("not_started", "in_progress", "partial", "completed", "Stalled")[n % 5],
                    f"2024-{n % 12 + 1:02d}-15",
                    ("day", "month", "quarter")[n % 3],
                    "end of 2026" if n % 2 else "within 6 months",
                    "",
                    f"t{n % 4};shared",
                    f"src-{n % 9}" if n % 3 else "",
                    f"https://example.org/{n % 9}" if n % 3 else "",
                    f"2025-0{n % 9 + 1}-02" if n % 6 == 1 else "",
                    "2024-01-02T03:04:05Z",
                    *withdrawn,
                )
            )
        )
    return "\n".join(lines) + "\n"


def _loaded_as(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, *args: str) -> str:
    """Load `text` into a database of its own; what `export --format json` then says, normalised."""
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / f"{name}.db"))
    (tmp_path / "rows.csv").write_text(text, encoding="utf-8")
    ok("load", "rows.csv", "--status-map", "Stalled=partial", *args)
    return re.sub(r'"batch": "[0-9a-f]+"', '"batch": <batch>', normalise(ok("export", "--format", "json")))


@pytest.mark.sqlite_only  # two databases of its own; on a server every other CSV test reads through the child
def test_a_file_read_in_a_second_process_loads_as_it_does_in_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    text = _every_column(1_500)
    monkeypatch.setattr(read_ahead, "FORK_FROM", sys.maxsize)  # in this process
    here = _loaded_as(tmp_path, monkeypatch, "here", text)
    assert forks == []
    monkeypatch.setattr(read_ahead, "FORK_FROM", 0)  # in a second one
    there = _loaded_as(tmp_path, monkeypatch, "there", text)
    assert len(forks) == 1
    assert there == here
    assert there.count('"ref": "commitment-5-ਪੰਜਾਬ"') == 1  # a ref made from a title, in the parent
    assert there.count('"withdrawn_on": "2025-09-01"') == 15  # rows 97, 194 … 1455


def _problem_file() -> str:
    """Problems found in the child (a bad status, a duplicate ref, a bad date, an extra cell)
    between problems found in the parent (two rows whose titles make the same ref; an unknown
    owner under --strict), so that their order shows if either way reorders them."""
    rows = [HEADER]
    for n in range(1, 2_400):
        owner = "NOBODY" if n % 400 == 7 else "MOI"
        ref = "" if n % 500 in (3, 4) else f"r-{n}"
        title = "Same title" if n % 500 in (3, 4) else f"Title {n}"
        status = "nodata" if n % 300 == 11 else "in_progress"
        due = "someday" if n == 1_999 else ""
        rows.append(f"{ref},{title},,{owner},,{status},2025-01-01,day,{due},,,,,,,,")
    rows.insert(1_234, "r-5,Again,,MOI,,in_progress,,,,,,,,,,,")
    rows.insert(1_800, "r-x,Wide,,MOI,,in_progress,,,,,,,,,,,,,,extra")
    rows.append('r-end,"A quote never closed,,MOI')  # found after the last row: the reading stops there
    return "\n".join(rows) + "\n"


def test_problems_found_in_either_process_come_in_the_order_of_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    ok("owners", "add", "MOI")
    Path("problems.csv").write_text(_problem_file(), encoding="utf-8")
    monkeypatch.setattr(read_ahead, "FORK_FROM", sys.maxsize)  # in this process
    here = fails("load", "problems.csv", "--strict")
    monkeypatch.setattr(read_ahead, "FORK_FROM", 0)  # in a second one
    there = fails("load", "problems.csv", "--strict")
    assert len(forks) == 1
    assert there == here
    assert there.splitlines() == [
        "error: problems.csv: 27 problems; nothing was loaded",
        "  line 5, 504, 505 … (9 rows), title: line 4 has a title that makes the same ref ('same-title') and "
        "neither row has a ref; give each a ref, or --map 'COLUMN=ref' to read them from a column",
        "  line 8, 408, 808 … (6 rows), owner: unknown organisation 'NOBODY' (--strict creates none; add it with "
        "'tracker owners add')",
        "  line 12, 312, 612 … (8 rows), status: unknown status 'nodata'; expected one of: not_started, "
        "in_progress, stalled, completed, partial, abandoned; or map it with --status-map 'nodata=STATUS'",
        "  line 1235, ref: ref 'r-5' is also on line 6",
        "  line 1801: 20 cells, but the header has 17 columns",
        "  line 2002, due: cannot read due 'someday'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
        "Q3 2026, 2026, today or +90d",
        "  line 2403: cannot read this record: unexpected end of data",
    ]
    assert ok("list", "--format", "json") == "[]\n"


def _rows(count: int) -> str:
    return "ref,title,owner\n" + "".join(f"r-{n},Title {n},MOI\n" for n in range(count))


def _reading_fails_on_line(monkeypatch: pytest.MonkeyPatch, line: int, fail: Callable[[], Any]) -> None:
    """Reading a row fails at `line` (in whichever process reads it)."""
    real_checked_row = csv_file.checked_row

    def failing(at: int, *args: Any) -> Any:
        if at == line:
            fail()
        return real_checked_row(at, *args)

    monkeypatch.setattr(csv_file, "checked_row", failing)


def test_a_byte_that_is_not_utf8_late_in_a_big_file_is_the_one_line_it_is_in_this_process(
    monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    ok("owners", "add", "MOI")
    Path("late.csv").write_bytes(_rows(3_000).encode() + b"r-x,Caf\xe9,MOI\n")
    monkeypatch.setattr(read_ahead, "FORK_FROM", sys.maxsize)  # in this process
    here = fails("load", "late.csv")
    monkeypatch.setattr(read_ahead, "FORK_FROM", 0)  # in a second one
    assert (
        fails("load", "late.csv")
        == here
        == (
            "error: late.csv is not UTF-8 text; save it with the UTF-8 encoding, or give its encoding with "
            "--encoding (for example cp1252, as Excel on Windows saves 'CSV')"
        )
    )
    assert len(forks) == 1
    assert ok("list", "--format", "json") == "[]\n"


def test_a_reading_process_that_dies_is_one_line_and_nothing_is_loaded(
    monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    ok("owners", "add", "MOI")
    Path("rows.csv").write_text(_rows(3_000), encoding="utf-8")
    _reading_fails_on_line(monkeypatch, 2_500, lambda: os.kill(os.getpid(), signal.SIGKILL))  # as out of memory
    assert fails("load", "rows.csv") == (
        "error: rows.csv: the process reading it stopped before the end; nothing was loaded"
    )
    assert len(forks) == 1
    assert ok("list", "--format", "json") == "[]\n"


def test_a_fault_in_the_reading_process_is_named_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("owners", "add", "MOI")
    Path("rows.csv").write_text(_rows(3_000), encoding="utf-8")

    def fault() -> None:
        raise ValueError("a fault of tracker's own")

    _reading_fails_on_line(monkeypatch, 2_500, fault)
    result = run("load", "rows.csv")
    assert (result.exit_code, result.stderr) == (
        3,
        "error: unexpected RuntimeError: ValueError: a fault of tracker's own (in the process reading the file) "
        "(set TRACKER_DEBUG=1 to see the traceback)\n",
    )
    monkeypatch.setenv("TRACKER_DEBUG", "1")  # the child's traceback, for whoever mends it
    raised = CliRunner().invoke(whole_app(), ["load", "rows.csv"]).exception
    assert isinstance(raised, RuntimeError)
    assert "ValueError: a fault of tracker's own\n" in str(raised) and ", in fault\n" in str(raised)
    assert ok("list", "--format", "json") == "[]\n"


def test_a_row_that_cannot_be_sent_is_a_fault_named_not_a_reader_that_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ok("owners", "add", "MOI")
    Path("rows.csv").write_text(_rows(3_000), encoding="utf-8")
    real_checked_row = csv_file.checked_row

    def unpicklable(line: int, *args: Any) -> Any:
        row = real_checked_row(line, *args)
        if row is not None and line == 2_500:
            row.values["title"] = lambda: "a value no pipe carries"
        return row

    monkeypatch.setattr(csv_file, "checked_row", unpicklable)
    result = run("load", "rows.csv")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: unexpected RuntimeError: AttributeError: Can't pickle local object ")
    assert ok("list", "--format", "json") == "[]\n"


def test_a_load_that_stops_early_leaves_no_reading_process_behind(
    monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    Path("rows.csv").write_text(_rows(5_000), encoding="utf-8")

    def disk_full(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv_load._Writer, "write", disk_full)
    assert run("load", "rows.csv").exit_code != 0
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):  # reaped: no child of this process is left, not even a zombie
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize(("rows", "forked"), [(10, 0), (1_500, 1)])
def test_only_a_file_big_enough_to_gain_is_read_in_a_second_process(
    monkeypatch: pytest.MonkeyPatch, forks: list[int], rows: int, forked: int
) -> None:
    monkeypatch.setattr(read_ahead, "FORK_FROM", 1_000)  # as shipped (conftest sets it to 0)
    Path("rows.csv").write_text(_rows(rows), encoding="utf-8")
    ok("load", "rows.csv")
    assert len(forks) == forked


def _loading_with_its_reader(rows: int) -> tuple[subprocess.Popen[str], int]:
    """`tracker load` of a big file in a process group of its own, as a terminal runs it, once its
    reading process is there; both pids."""
    Path("big.csv").write_text(_rows(rows), encoding="utf-8")
    load = subprocess.Popen(
        [sys.executable, "-m", "tracker", "load", "big.csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell leaves it
    )
    children = Path(f"/proc/{load.pid}/task/{load.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split():
        assert load.poll() is None and time.monotonic() < deadline, load.communicate()
        time.sleep(0.005)
    return load, int(children.read_text().split()[0])


@pytest.mark.slow
@pytest.mark.sqlite_only  # about processes and signals
def test_ctrl_c_during_a_big_load_is_one_line_and_leaves_nothing(isolated: Path) -> None:
    load, reader = _loading_with_its_reader(40_000)
    os.killpg(load.pid, signal.SIGINT)  # what Ctrl-C at a terminal does: the whole group
    _, errors = load.communicate(timeout=60)
    assert (load.returncode, errors) == (130, "error: interrupted; nothing was changed\n")
    assert not isolated.exists()  # the new file it was making is gone
    assert not Path(f"/proc/{reader}").exists() or "zombie" in Path(f"/proc/{reader}/status").read_text()


@pytest.mark.slow
@pytest.mark.sqlite_only  # about processes and signals
def test_the_reading_process_leaves_an_interrupt_to_the_load(isolated: Path) -> None:
    load, reader = _loading_with_its_reader(40_000)
    os.kill(reader, signal.SIGINT)  # the child alone: the parent decides what Ctrl-C does
    output, errors = load.communicate(timeout=120)
    assert (load.returncode, errors) == (0, ""), errors
    assert "commitments: 40000 created" in output


@pytest.mark.database_free
def test_a_batch_cut_short_by_a_reader_that_died_is_the_same_one_line() -> None:
    # A reader killed while writing leaves half a batch in the pipe (the test above kills it between batches).
    sent = pickle.dumps(("items", [([], n) for n in range(1_000)]), pickle.HIGHEST_PROTOCOL)
    with pytest.raises(TrackerError) as raised:
        read_ahead._next_message(io.BytesIO(sent[: len(sent) // 2]), "big.csv")
    assert str(raised.value) == "big.csv: the process reading it stopped before the end; nothing was loaded"

"""`tracker load -` and pipes: input that can be read only once loads like a file, in every format,
and its messages name it as given."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, ok


def _load(*args: str, stdin: bytes = b"", db: str | None = None) -> subprocess.CompletedProcess[bytes]:
    chosen = ["--db", db] if db else []
    return subprocess.run(
        [sys.executable, "-m", "tracker", *chosen, "load", *args], input=stdin, capture_output=True, timeout=60
    )


def _titles() -> list[str]:
    return [item["title"] for item in json.loads(ok("list", "-f", "json"))]


def test_a_csv_on_standard_input_loads_without_format() -> None:
    result = _load("-", stdin=b"title,owner\nPiped in,FIA\n")
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode().endswith("commitments: 1 created, 0 updated, 0 unchanged\n")
    assert _titles() == ["Piped in"]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_export_on_standard_input_loads_whole(fmt: str, tmp_path: Path) -> None:
    ok("load", str(FIXTURE))
    exported = ok("export", "--format", fmt)
    copy = str(tmp_path / "copy.db")
    result = _load("-", stdin=exported.encode(), db=copy)
    assert result.returncode == 0, result.stderr
    assert ok("--db", copy, "export", "--format", fmt) == exported


def test_a_fixture_on_standard_input_is_told_by_its_format_key() -> None:
    result = _load("-", stdin=FIXTURE.read_bytes())
    assert result.returncode == 0, result.stderr
    assert len(_titles()) == 13


def test_a_problem_names_standard_input_and_nothing_is_loaded() -> None:
    ok("load", str(FIXTURE))
    result = _load("-", stdin=b"title,owner\nFine,FIA\nBad,\n")
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "error: standard input: 1 problem; nothing was loaded\n  line 3, owner: owner is empty\n"
    )
    assert len(_titles()) == 13


def test_a_named_pipe_loads_and_is_named_in_messages(tmp_path: Path) -> None:
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)

    def feed(data: bytes) -> threading.Thread:
        def write() -> None:
            with open(fifo, "wb") as pipe:
                pipe.write(data)

        thread = threading.Thread(target=write, daemon=True)  # never left blocking the test run
        thread.start()
        return thread

    writer = feed(b"title,owner\nFrom a pipe,FIA\n")
    result = _load(str(fifo))
    writer.join(timeout=10)
    assert result.returncode == 0, result.stderr  # a pipe ended in an internal error (exit 3)
    assert _titles() == ["From a pipe"]
    writer = feed(b"title,owner\nNo owner,\n")
    result = _load(str(fifo))
    writer.join(timeout=10)
    assert result.stderr.decode() == f"error: {fifo}: 1 problem; nothing was loaded\n  line 2, owner: owner is empty\n"


def test_standard_input_on_a_terminal_is_refused_rather_than_waited_on() -> None:
    import pty

    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tracker", "load", "-"], stdin=terminal, capture_output=True, timeout=60
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert (result.returncode, result.stderr.decode()) == (
        1,
        "error: '-' reads standard input, and nothing is piped in; e.g. 'curl URL | tracker load -'\n",
    )

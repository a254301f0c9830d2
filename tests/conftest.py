"""Every test runs in its own folder with its own database; none can touch real data."""

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "pakistan-us-security-talks.yaml"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "tracker.db"
    monkeypatch.setenv("TRACKER_DB", str(database))
    monkeypatch.setenv("TRACKER_USER", "tester")
    for name in ("TRACKER_DEBUG", "TRACKER_TODAY", "TRACKER_LOCK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the default db/tracker.db would land here, never in the repo
    return database


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(*args: str) -> Result:
    """Run the CLI in-process, as a user would type it."""
    result = CliRunner().invoke(app, list(args))
    return Result(result.exit_code, result.stdout, result.stderr)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def fails(*args: str) -> str:
    """Run a command that must fail with one `error:` line and no traceback; return that line."""
    result = run(*args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.rstrip("\n")


def run_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m tracker` as a separate process, the way a shell does."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=env, check=False
    )


def normalise(text: str) -> str:
    """Blank out what changes between runs (timestamps) before comparing whole outputs."""
    return re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "<timestamp>", text)


@pytest.fixture
def loaded() -> None:
    ok("load", str(FIXTURE))

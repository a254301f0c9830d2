"""The manual's examples are real: every `$ tracker …` line in a ```console block of README.md and
docs/*.md is run, in order, on a fresh database per file, and its output must match what is shown.

`UPDATE_DOCS=1 pytest tests/test_docs.py` rewrites the shown output from the real CLI.
"""

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, normalise
from tracker.cli import whole_app

pytestmark = pytest.mark.sqlite_only

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(```console\n)(.*?)(```)", re.DOTALL)
SHOWN_HOME = "/home/analyst/tracker"


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of one console block."""
    pairs: list[tuple[str, str]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ "):
            pairs.append((line[2:].rstrip("\n"), ""))
        elif pairs:
            command, output = pairs[-1]
            pairs[-1] = (command, output + line)
    return pairs


def _run(command: str, workdir: Path) -> str:
    words = shlex.split(command)
    assert words[0] == "tracker", f"README examples run tracker only: {command}"
    output = CliRunner().invoke(whole_app(), words[1:]).output
    return output.replace(str(workdir), SHOWN_HOME)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_examples_are_real_output(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "tracker"
    shutil.copytree(ROOT / "fixtures", workdir / "fixtures")
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("TRACKER_DB")
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")
    monkeypatch.setenv("TRACKER_USER", "analyst")
    text = document.read_text(encoding="utf-8")
    mismatches: list[str] = []

    def check(match: re.Match[str]) -> str:
        rendered = []
        for command, expected in _commands(match.group(2)):
            actual = _run(command, workdir)
            if normalise(actual) != normalise(expected):
                mismatches.append(f"$ {command}\n--- {document.name}\n{expected}--- actual\n{actual}")
                rendered.append(f"$ {command}\n{actual}")
            else:  # unchanged but for timestamps: keep the text, so rewriting churns nothing
                rendered.append(f"$ {command}\n{expected}")
        return match.group(1) + "".join(rendered) + match.group(3)

    updated = BLOCK.sub(check, text)
    if os.environ.get("UPDATE_DOCS"):
        document.write_text(updated, encoding="utf-8")
        return
    assert not mismatches, f"{document.name} drifted (UPDATE_DOCS=1 rewrites it):\n" + "\n".join(mismatches)

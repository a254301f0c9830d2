"""A load killed with SIGKILL at any moment leaves all of it or none of it, and a sound file."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE, ok

BULK = 2000  # about a second to load: a fixture load no longer pays for the ORM


def bulk_fixture(path: Path, count: int) -> Path:
    document = {
        "format": "tracker-fixture/1",
        "organisations": [{"short_name": "BULK", "name": "Bulk Organisation"}],
        "commitments": [
            {
                "ref": f"bulk-{number:05d}",
                "title": f"Bulk commitment number {number}",
                "owner": "BULK",
                "status": "in_progress",
                "agreed": "2025-03-01",
                "due": "Q4 2026",
                "tags": ["bulk", f"group-{number % 7}"],
            }
            for number in range(count)
        ],
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def commitment_count(database: Path) -> int:
    return len(json.loads(ok("--db", str(database), "list", "--format", "json")))


@pytest.mark.slow
def test_a_load_killed_at_any_moment_is_all_or_nothing(tmp_path: Path) -> None:
    big = bulk_fixture(tmp_path / "bulk.yaml", BULK)
    killed = 0
    for number, delay in enumerate((0.2, 0.5, 1.0)):
        database = tmp_path / f"crash-{number}.db"
        ok("--db", str(database), "load", str(FIXTURE))
        before = commitment_count(database)
        env = {**os.environ, "TRACKER_DB": str(database)}
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "load", str(big)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed += 1
        assert "passed integrity_check, foreign_key_check and the kept-state check" in ok(
            "--db", str(database), "db", "check"
        )
        assert commitment_count(database) in (before, before + BULK)
    assert killed >= 1  # the load takes about a second, so the early kills land in the middle of it

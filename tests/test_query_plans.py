"""The queries that must stay fast as trackers grow use indexes: checked with EXPLAIN QUERY PLAN
on a generated tracker (bench/generate.py), so a change that makes them scan is caught here,
not in a benchmark weeks later.
"""

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from tracker import queries
from tracker.queries import CommitmentFilter, ReportScope

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "generated.db"
    generate(400, path, None)
    return path


def _plan(path: Path, sql: str, params: dict[str, Any]) -> list[str]:
    with sqlite3.connect(path) as connection:
        values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
        return [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, values)]


def _scans(plan: list[str], table: str) -> bool:
    return any(step.startswith(f"SCAN {table} ") or step == f"SCAN {table}" for step in plan)


@pytest.mark.parametrize(
    "filters",
    [
        CommitmentFilter(statuses=["in_progress"], owner_id=7),
        CommitmentFilter(owner_id=7),
        CommitmentFilter(statuses=["stalled", "in_progress"]),
        CommitmentFilter(tag="training"),
        CommitmentFilter(overdue_on=dt.date(2026, 11, 28)),
    ],
    ids=["owner+status", "owner", "statuses", "tag", "overdue"],
)
def test_filtered_lists_use_an_index(tracker_db: Path, filters: CommitmentFilter) -> None:
    plan = _plan(tracker_db, *queries.list_commitments(filters))
    assert not _scans(plan, "event"), plan
    assert not _scans(plan, "c"), plan  # the commitments are found through an index, not read whole


def test_owner_and_status_use_their_composite_index(tracker_db: Path) -> None:
    plan = _plan(tracker_db, *queries.list_commitments(CommitmentFilter(statuses=["in_progress"], owner_id=7)))
    assert any("ix_commitment_owner_status (owner_id=? AND status=?)" in step for step in plan), plan


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 28), dt.date(2023, 6, 30)])
def test_the_report_seeks_each_commitments_events_through_the_timeline_index(tracker_db: Path, as_of: dt.date) -> None:
    plan = _plan(tracker_db, *queries.create_report_scope(ReportScope(as_of=as_of)))
    assert not _scans(plan, "e"), plan
    assert not _scans(plan, "event"), plan
    assert any("USING INDEX ix_event_timeline" in step for step in plan), plan


def test_history_reads_one_commitments_events_only(tracker_db: Path) -> None:
    plan = _plan(tracker_db, queries.HISTORY, {"commitment_id": 42})
    assert not _scans(plan, "e"), plan

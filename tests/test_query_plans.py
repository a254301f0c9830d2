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
from tracker.store import commitments, reports, sources, timeline
from tracker.store.commitments import CommitmentFilter
from tracker.store.database import Query
from tracker.store.reports import ReportScope

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "generated.db"
    generate(400, path, None)
    return path


def _plan(path: Path, query: Query[Any] | str, params: dict[str, Any]) -> list[str]:
    sql = query.sql if isinstance(query, Query) else query
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
    plan = _plan(tracker_db, *commitments.list_commitments(filters))
    assert not _scans(plan, "event"), plan
    assert not _scans(plan, "c"), plan  # the commitments are found through an index, not read whole


def test_owner_and_status_use_their_composite_index(tracker_db: Path) -> None:
    plan = _plan(tracker_db, *commitments.list_commitments(CommitmentFilter(statuses=["in_progress"], owner_id=7)))
    assert any("ix_commitment_owner_report (owner_id=? AND status=?)" in step for step in plan), plan


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 28), dt.date(2023, 6, 30)])
def test_a_rebuilt_report_seeks_each_commitments_events_through_the_timeline_index(
    tracker_db: Path, as_of: dt.date
) -> None:
    prepare = reports.report_source(ReportScope(as_of=as_of), kept=False).prepare
    assert prepare is not None
    plan = _plan(tracker_db, *prepare)
    assert not _scans(plan, "e"), plan
    assert not _scans(plan, "event"), plan
    assert any("USING INDEX ix_event_timeline" in step for step in plan), plan


_KEPT = reports.report_source(ReportScope(as_of=dt.date(2026, 11, 28)), kept=True)
_LIST_PARAMS = {"as_of": dt.date(2026, 11, 28), "until": dt.date(2026, 12, 28), "touched_before": dt.date(2026, 8, 30)}


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (reports.report_by_owner(_KEPT, dt.date(2026, 11, 28)), "ix_commitment_owner_report"),
        (reports.report_by_tag(_KEPT, dt.date(2026, 11, 28)), "ix_commitment_tag_report"),
    ],
    ids=["by owner", "by tag"],
)
def test_todays_report_counts_from_one_index_read_in_order(
    tracker_db: Path, query: tuple[str, dict[str, Any]], index: str
) -> None:
    plan = _plan(tracker_db, *query)
    assert any(f"USING COVERING INDEX {index}" in step for step in plan), plan
    assert "USE TEMP B-TREE FOR GROUP BY" not in plan, plan  # grouped as the index is ordered, not sorted
    assert not _scans(plan, "event"), plan


@pytest.mark.parametrize("name", ["overdue", "upcoming", "stale"])
def test_todays_report_lists_choose_their_rows_from_an_index(tracker_db: Path, name: str) -> None:
    for query in (
        reports.report_list(_KEPT, name, _LIST_PARAMS, 50),
        reports.report_list_count(_KEPT, name, _LIST_PARAMS),
    ):
        plan = _plan(tracker_db, *query)
        assert not _scans(plan, "c"), plan
        assert any("USING COVERING INDEX ix_commitment_status_" in step for step in plan), plan


@pytest.mark.parametrize("limit", [None, 50])
@pytest.mark.parametrize("of_verdicts", [False, True])
def test_a_reports_evidence_seeks_each_commitments_events(
    tracker_db: Path, limit: int | None, of_verdicts: bool
) -> None:
    """What each status rests on is read commitment by commitment down ix_event_timeline, in
    timeline order (store.evidence.PIECES_ORDER): never a scan of the whole event table, nor a
    sort of every piece."""
    plan = _plan(tracker_db, *reports.report_pieces(_KEPT, dt.date(2026, 11, 28), limit, of_verdicts=of_verdicts))
    assert not _scans(plan, "e"), plan
    assert any("ix_evidence_event (event_id=?)" in step for step in plan), plan
    if not of_verdicts:
        assert any("SEARCH e USING INDEX ix_event_timeline (commitment_id=? AND on_date>? AND on_date<?)" in step
                   for step in plan), plan  # fmt: skip
        if limit is None:
            assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_history_reads_one_commitments_events_only(tracker_db: Path) -> None:
    plan = _plan(tracker_db, timeline.HISTORY, {"commitment_id": 42})
    assert not _scans(plan, "e"), plan


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        (
            sources.SOURCE_NAMED,
            ["sqlite_autoindex_source_1 (key=?)", "ix_source_url_key (url_key=?)", "ix_source_title_key (title_key=?)"],
        ),
        (sources.SOURCE_BY_KEY, ["sqlite_autoindex_source_1 (key=?)"]),
        (sources.SOURCE_BY_URL, ["ix_source_url_key (url_key=?)"]),
        (sources.OTHER_SOURCE_WITH_URL, ["ix_source_url_key (url_key=?)"]),
    ],
    ids=["key-url-or-title", "key", "url", "url-of-another"],
)
def test_a_source_is_found_through_an_index(tracker_db: Path, query: Query[Any], indexes: list[str]) -> None:
    """`--source` and every load row look a source up by key, URL and title: one probe of an index
    each, never a read of every source (a load of 2,632 rows with a URL each took 65 s that way)."""
    plan = _plan(tracker_db, query, {"key": "x", "match": "x", "id": 1})
    assert all(any(index in step for step in plan) for index in indexes), plan
    assert not _scans(plan, "source"), plan


def test_a_sources_commitments_are_found_through_an_index(tracker_db: Path) -> None:
    plan = _plan(tracker_db, sources.CITING, {"source_id": 1})
    assert any("ix_commitment_source (source_id=?)" in step for step in plan), plan
    # `tracker sources` counts them from that index alone, never reading the commitments' rows.
    listed = _plan(tracker_db, sources.LISTED_SOURCES, {})
    assert any("COVERING INDEX ix_commitment_source" in step for step in listed), listed


@pytest.mark.parametrize("since", [False, True])
def test_the_corrections_log_starts_from_withdrawn_commitments_and_undo_events(tracker_db: Path, since: bool) -> None:
    log, params = reports.corrections_log(None, None, since=since)
    plan = _plan(tracker_db, log, {**params, "as_of": dt.date(2026, 11, 28), "since": dt.date(2026, 1, 1)})
    assert not _scans(plan, "event") and not _scans(plan, "w") and not _scans(plan, "x"), plan
    assert any("ix_commitment_withdrawn" in step for step in plan), plan

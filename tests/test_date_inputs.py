"""A year-first date is read year first by every path that takes one: options, CSV cells, fixtures."""

import json
from pathlib import Path

import pytest

from tests.conftest import fails, ok

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")


def _item(ref: str) -> dict:  # type: ignore[type-arg]
    return json.loads(ok("show", ref, "-f", "json"))  # type: ignore[no-any-return]


def test_edit_due_with_a_time_keeps_the_day_written() -> None:
    assert ok("edit", "fia-academy", "--due", "2026-03-01 10:00") == "fia-academy: changed due\n"
    assert (_item("fia-academy")["due"], _item("fia-academy")["due_precision"]) == ("2026-03-01", "day")


@pytest.mark.parametrize("on", ["2026-03-01 10:00", "2026-03-01T23:30:00-08:00", "2026/03/01", "2026.03.01"])
def test_update_on_with_a_time_or_another_separator_keeps_the_day_written(on: str) -> None:
    assert ok("update", "fia-ct-wing", "--note", "seen", "--on", on) == (
        "fia-ct-wing: note recorded on 2026-03-01 (status in_progress)\n"
    )


def test_a_day_first_date_with_a_zone_dateutil_does_not_know_is_read_without_a_warning() -> None:
    # dateutil warned on stderr ("UnknownTimezoneWarning … will raise an exception") for PKT.
    assert ok("update", "fia-ct-wing", "--note", "seen", "--on", "01/03/2026 10:00 PKT") == (
        "fia-ct-wing: note recorded on 2026-03-01 (status in_progress)\n"
    )


def test_a_csv_with_pandas_timestamps_loads_the_days_written() -> None:
    # What DataFrame.to_csv writes for a column of dates, and an ISO time with an offset.
    Path("pandas.csv").write_text(
        "ref,title,owner,status,agreed,due\n"
        "new-lab,Open a forensic lab,FIA,not_started,2025-12-01 00:00:00,2026-03-01 00:00:00\n"
        "new-desk,Open a help desk,FIA,not_started,2025-02-03T00:30:00+05:00,2026-01-02T23:30:00-08:00\n",
        encoding="utf-8",
    )
    ok("load", "pandas.csv")
    assert [(_item(ref)["agreed"], _item(ref)["due"]) for ref in ("new-lab", "new-desk")] == [
        ("2025-12-01", "2026-03-01"),
        ("2025-02-03", "2026-01-02"),
    ]


def test_a_fixture_with_yaml_timestamps_loads_the_days_written() -> None:
    # YAML reads a timestamp as a datetime (it used to end in "unexpected TypeError", exit 3), a
    # plain day as a date.
    Path("times.yaml").write_text(
        "format: tracker-fixture/1\n"
        "commitments:\n"
        "  - {ref: timed, title: Timed, owner: FIA, status: not_started,\n"
        "     agreed: 2025-06-01, due: 2026-03-01T23:30:00-08:00}\n",
        encoding="utf-8",
    )
    ok("load", "times.yaml")
    item = _item("timed")
    assert (item["agreed"], item["due"], item["history"][0]["on"]) == ("2025-06-01", "2026-03-01", "2025-06-01")


def test_a_malformed_tracker_today_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "28/11/2026")
    assert fails("report") == "error: TRACKER_TODAY must be a YYYY-MM-DD date, not '28/11/2026'"

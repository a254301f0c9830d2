"""History files and dated statuses: a tracker's timeline comes in with one `load`, by `update`'s rules."""

import json
import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import db_exists, fails, ok, run

COMMITMENTS = (
    "ref,title,owner,status,agreed\n"
    "ctc,Centre for Transnational Crime,MOI,completed,2023-03-01\n"
    "academy,FIA academy,FIA,in_progress,2023\n"
    "calls,Crackdown on call centres,FIA,not_started,2024-01-01\n"
)
HISTORY = (
    "ref,on,status,note,evidence,by\n"
    "ctc,2024-02-10,completed,Opened,,ana\n"  # out of date order: placed by its day
    "ctc,2023-06-01,in_progress,Building leased,https://example.org/lease,ana\n"
    "academy,2023-09-15,in_progress,,,\n"
    "ctc,2024-05-01,,Staff hired,,\n"
)


def _write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def _history(ref: str) -> list[tuple[str, str, str | None, str | None, str | None, str | None]]:
    shown = json.loads(ok("history", ref, "-f", "json"))
    return [(e["on"], e["kind"], e["to_status"], e["note"], e["evidence"], e["by"]) for e in shown]


def _statuses(as_of: str) -> dict[str, int]:
    report = json.loads(ok("report", "--as-of", as_of, "-f", "json"))
    return {status: count for status, count in report["by_status"].items() if count}


def test_a_commitments_file_and_its_history_load_in_one_command() -> None:
    _write("commitments.csv", COMMITMENTS)
    _write("history.csv", HISTORY)
    assert ok("load", "commitments.csv", "history.csv") == (
        "organisations: 2 created, 0 updated, 0 unchanged (new: MOI, FIA); "
        "commitments: 3 created, 0 updated, 0 unchanged; events: 4 recorded, 0 already there\n"
    )
    assert _history("ctc") == [
        ("2023-03-01", "created", "not_started", "loaded from commitments.csv", None, "tester"),
        ("2023-06-01", "status", "in_progress", "Building leased", "https://example.org/lease", "ana"),
        ("2024-02-10", "status", "completed", "Opened", None, "ana"),
        ("2024-05-01", "note", None, "Staff hired", None, "tester"),
    ]
    # Its status came in with its history, so a report for a past day agrees with the timeline.
    assert _statuses("2023-05-31") == {"not_started": 2}  # calls was agreed later
    assert _statuses("2023-12-31") == {"in_progress": 2}
    assert _statuses("2024-12-31") == {"completed": 1, "in_progress": 1, "not_started": 1}
    shown = json.loads(ok("show", "academy", "-f", "json"))
    assert shown["status"] == "in_progress"
    assert [(e["on"], e["to_status"]) for e in shown["history"]] == [
        ("2023-01-01", "not_started"),
        ("2023-09-15", "in_progress"),
    ]


def test_every_event_a_history_brings_has_a_key_of_its_own() -> None:
    """Exports name each event by its key, and reloads and restores match events by it: the
    events a history file records get keys as every new event does."""
    _write("commitments.csv", COMMITMENTS)
    _write("history.csv", HISTORY)
    ok("load", "commitments.csv", "history.csv")
    exported = json.loads(ok("export", "-f", "json"))
    keys = [event["key"] for item in exported["commitments"] for event in item["history"]]
    assert len(keys) == 3 + 4  # three created events, four from the history
    assert len(set(keys)) == len(keys)
    assert all(uuid.UUID(key).version == 4 for key in keys)


def test_loading_the_same_history_twice_adds_nothing_in_any_order() -> None:
    _write("commitments.csv", COMMITMENTS)
    _write("history.csv", HISTORY)
    ok("load", "history.csv", "commitments.csv")  # the history may come first on the command line
    before = ok("export", "-f", "json")
    assert ok("load", "commitments.csv", "history.csv") == (
        "commitments: 0 created, 0 updated, 3 unchanged; events: 0 recorded, 4 already there\n"
    )
    _write("again.csv", "ref,on,status,note,evidence,by\n" + "\n".join(reversed(HISTORY.splitlines()[1:])) + "\n")
    assert ok("load", "again.csv") == "events: 0 recorded, 4 already there\n"
    assert ok("export", "-f", "json") == before


def test_a_history_follows_updates_rules_and_every_problem_is_numbered_by_file_and_line() -> None:
    ok("owners", "add", "MOI")
    ok("add", "Open the centre", "--ref", "ctc", "--owner", "MOI", "--agreed", "2023-03-01")
    ok("update", "ctc", "--status", "completed", "--on", "2024-02-10")
    before = ok("export", "-f", "json")
    _write(
        "commitments.csv",
        "ref,title,owner,status,agreed\nacademy,FIA academy,MOI,in_progress,2023\n",
    )
    _write(
        "history.csv",
        "ref,on,status,note\n"
        "ctc,2024-06-01,in_progress,reopened without saying so\n"  # line 2: leaves a final status
        "nowhere,2024-01-01,stalled,\n"  # line 3: no such commitment
        "ctc,2022-12-31,,before the history starts\n"  # line 4
        "academy,2099-01-01,stalled,\n"  # line 5: after today
        "ctc,2024-01-01,,\n"  # line 6: nothing to record
        "ctc,2024-01,stalled,\n"  # line 7: not a day
        "ctc,2024-01-02,nodata,\n",  # line 8: not a status
    )
    assert fails("load", "commitments.csv", "history.csv") == (
        "error: history.csv: 3 problems; nothing was loaded\n"
        "  line 6: nothing to record: give a status, a note or both\n"
        "  line 7, on: on needs a day, not January 2024: the day it took effect\n"
        "  line 8, status: unknown status 'nodata'; expected one of: not_started, in_progress, stalled, "
        "completed, partial, abandoned; or map it with --status-map 'nodata=STATUS'"
    )
    _write("history.csv", "\n".join(line for line in Path("history.csv").read_text().splitlines()[:5]) + "\n")
    today = ok("report", "-f", "json")
    assert fails("load", "commitments.csv", "history.csv") == (
        "error: history.csv: 4 problems; nothing was loaded\n"
        "  line 2, status: ctc is completed on 2024-06-01, a final status; add --reopen to change it to in_progress\n"
        "  line 3, ref: no commitment 'nowhere' here or in the files of this load\n"
        "  line 4, on: ctc's history starts on 2023-03-01 (it was agreed 2023-03-01); an update cannot be dated "
        "before that. Give an earlier agreed date with 'tracker edit ctc --agreed DATE'\n"
        f"  line 5, on: on 2099-01-01 is after today ({json.loads(today)['as_of']}); record what has already happened"
    )
    assert ok("export", "-f", "json") == before


def test_reopen_lets_a_history_leave_a_final_status() -> None:
    ok("owners", "add", "MOI")
    ok("add", "Open the centre", "--ref", "ctc", "--owner", "MOI", "--agreed", "2023-03-01")
    ok("update", "ctc", "--status", "completed", "--on", "2024-02-10")
    _write("history.csv", "ref,on,status,note\nctc,2024-06-01,in_progress,closed again for repairs\n")
    assert "--reopen" in fails("load", "history.csv")
    assert ok("load", "history.csv", "--reopen") == "events: 1 recorded, 0 already there\n"
    assert json.loads(ok("show", "ctc", "-f", "json"))["status"] == "in_progress"


def test_a_status_already_in_effect_is_a_review() -> None:
    ok("owners", "add", "MOI")
    ok("add", "Open the centre", "--ref", "ctc", "--owner", "MOI", "--agreed", "2023-03-01")
    ok("update", "ctc", "--status", "in_progress", "--on", "2023-06-01")
    _write(
        "history.csv",
        "ref,on,status,note,evidence\n"
        "ctc,2023-09-01,in_progress,Still building,https://example.org/photo\n"
        "ctc,2023-10-01,in_progress,,\n",
    )
    assert ok("load", "history.csv") == "events: 2 recorded, 0 already there\n"
    assert _history("ctc")[-2:] == [
        ("2023-09-01", "review", None, "Still building", "https://example.org/photo", "tester"),
        ("2023-10-01", "review", None, None, None, "tester"),
    ]
    assert ok("load", "history.csv") == "events: 0 recorded, 2 already there\n"


def test_status_on_dates_a_rows_status_and_an_undated_one_is_counted() -> None:
    _write(
        "commitments.csv",
        "ref,title,owner,status,agreed,status_on\n"
        "ctc,Centre for Transnational Crime,MOI,completed,2023-03-01,2024-02-10\n"
        "academy,FIA academy,MOI,in_progress,2023,\n"
        "calls,Crackdown on call centres,MOI,stalled,2024-01-01,2024-01-01\n"
        "boats,Patrol boats,MOI,not_started,2024,\n",
    )
    assert ok("load", "commitments.csv") == (
        "organisations: 1 created, 0 updated, 0 unchanged (new: MOI); commitments: 4 created, 0 updated, 0 unchanged\n"
        "1 status dated at its agreed date; give status_on to date them\n"
    )
    assert _history("ctc") == [
        ("2023-03-01", "created", "not_started", "loaded from commitments.csv", None, "tester"),
        ("2024-02-10", "status", "completed", "set in commitments.csv", None, "tester"),
    ]
    assert [e[2] for e in _history("calls")] == ["stalled"]  # in effect from the day it was agreed
    assert _statuses("2023-12-31") == {"in_progress": 1, "not_started": 1}


def test_status_on_for_a_whole_file_and_its_problems() -> None:
    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,completed,2023-03-01\n")
    assert ok("load", "commitments.csv", "--status-on", "2024-02-10").endswith(
        "commitments: 1 created, 0 updated, 0 unchanged\n"
    )
    assert _history("ctc")[-1][:3] == ("2024-02-10", "status", "completed")
    _write("early.csv", "ref,title,owner,status,agreed,Since\nboats,Boats,MOI,completed,2024-03-01,2024-02-01\n")
    assert fails("load", "early.csv", "--map", "Since=status_on") == (
        "error: early.csv: 1 problem; nothing was loaded\n"
        "  line 2, Since: boats's history starts on 2024-03-01 (it was agreed 2024-03-01); an update cannot be "
        "dated before that. Give an earlier agreed date with 'tracker edit boats --agreed DATE'"
    )
    assert fails("load", "commitments.csv", "--status-on", "March 2024") == (
        "error: --status-on needs a day, not March 2024: the day it took effect"
    )
    _write("history.csv", "ref,on,note\nctc,2024-03-01,hello\n")
    assert fails("load", "history.csv", "--status-on", "2024-02-10") == (
        "error: --status-on dates a commitments file's statuses; a history file dates its own"
    )


def test_a_commitments_status_must_be_where_its_history_ends() -> None:
    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,completed,2023-03-01\n")
    _write("history.csv", "ref,on,status\nctc,2023-06-01,in_progress\n")
    assert fails("load", "commitments.csv", "history.csv") == (
        "error: commitments.csv: 1 problem; nothing was loaded\n"
        "  line 2, status: completed, but the history in this load leaves ctc in_progress; give the day it became "
        "completed in status_on, or end its history there"
    )
    _write("dated.csv", "ref,title,owner,status,agreed,status_on\nctc,Centre,MOI,completed,2023-03-01,2024-02-10\n")
    ok("load", "dated.csv", "history.csv")
    assert [e[:3] for e in _history("ctc")] == [
        ("2023-03-01", "created", "not_started"),
        ("2023-06-01", "status", "in_progress"),
        ("2024-02-10", "status", "completed"),
    ]


def test_a_reloaded_status_is_dated_by_the_history_and_else_today() -> None:
    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,in_progress,2023-03-01\n")
    ok("load", "commitments.csv")
    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,completed,2023-03-01\n")
    _write("history.csv", "ref,on,status\nctc,2024-02-10,completed\n")
    assert ok("load", "commitments.csv", "history.csv") == (
        "commitments: 0 created, 1 updated, 0 unchanged; events: 1 recorded, 0 already there\n"
    )
    assert [e[:3] for e in _history("ctc")][-1] == ("2024-02-10", "status", "completed")  # not today too
    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,stalled,2023-03-01\n")
    _write("history.csv", "ref,on,note\nctc,2024-03-01,a note\n")
    assert "add --reopen" in fails("load", "commitments.csv", "history.csv")
    ok("load", "commitments.csv", "history.csv", "--reopen")
    today = json.loads(ok("report", "-f", "json"))["as_of"]
    assert [e[:4] for e in _history("ctc")][-2:] == [
        ("2024-03-01", "note", None, "a note"),
        (today, "status", "stalled", "set in commitments.csv"),
    ]


def test_maps_apply_to_every_file_that_has_the_column() -> None:
    _write("commitments.csv", "ID,title,owner,Progress,agreed\nctc,Centre,MOI,Promise Kept,2023-03-01\n")
    _write("timeline.csv", "ID,Date,Progress,Comment\nctc,2023-06-01,In the Works,Funds released\n")
    _write("timeline2.csv", "ID,Date,Progress,Comment\nctc,2024-02-10,Promise Kept,\n")
    maps = ["--map", "ID=ref", "--map", "Progress=status", "--map", "Date=on", "--map", "Comment=note"]
    assert ok("load", "commitments.csv", "timeline.csv", "timeline2.csv", *maps, "--status-map", "politifact").endswith(
        "events: 2 recorded, 0 already there\n"
    )
    assert [e[:4] for e in _history("ctc")] == [
        ("2023-03-01", "created", "not_started", "loaded from commitments.csv"),
        ("2023-06-01", "status", "in_progress", "Funds released (status given as 'In the Works')"),
        ("2024-02-10", "status", "completed", "status given as 'Promise Kept'"),
    ]
    maps += ["--status-map", "politifact"]
    assert fails("load", "timeline.csv", *maps, "--map", "Nowhere=note") == (
        "error: timeline.csv: 1 problem; nothing was loaded\n"
        "  line 1: --map names a column 'nowhere' that the file does not have"
    )
    assert fails("load", "timeline.csv", "timeline2.csv", *maps, "--map", "Nowhere=note") == (
        "error: --map names a column 'nowhere' that none of the files has (timeline.csv, timeline2.csv)"
    )


def test_a_history_files_header_is_checked_before_anything_is_written() -> None:
    _write("history.csv", "ref,on,colour\nctc,2024-01-01,red\n")
    assert fails("load", "history.csv") == (
        "error: history.csv: 2 problems; nothing was loaded\n"
        "  line 1: column 'colour' is not an event field (ref, on, status, note, evidence, by); map it with "
        "--map 'colour=FIELD' or skip it with --map 'colour='\n"
        "  line 1: a history file needs a status or a note column, or both"
    )
    assert "://" in os.environ["TRACKER_DB"] or not db_exists()  # on SQLite, not even a file was made


# --- a load follows update's rules: the same events, replayed by `update --on`, agree ----------------

_DAYS = [f"2024-0{m}-{d:02d}" for m in range(1, 4) for d in (1, 15)]
_STATUSES = ["in_progress", "stalled", "completed", "partial", None]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(st.tuples(st.sampled_from(_DAYS), st.sampled_from(_STATUSES)), min_size=1, max_size=6))
def test_a_loaded_history_reads_as_the_same_updates_typed_by_hand(
    events: list[tuple[str, str | None]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("history")
    hand, loaded = f"hand-{folder.name}", f"file-{folder.name}"  # examples share the test's database
    run("owners", "add", "MOI")
    for ref in (hand, loaded):
        ok("add", ref, "--ref", ref, "--owner", "MOI", "--agreed", "2024-01-01")
    lines = ["ref,on,status,note"]
    for number, (day, status) in enumerate(sorted(events, key=lambda e: e[0])):
        note = f"event {number}"
        lines.append(f"{loaded},{day},{status or ''},{note}")
        given = ["--status", status] if status else []
        ok("update", hand, *given, "--on", day, "--note", note, "--reopen")  # a status in effect: a review
    # The file lists the latest day first (a day's events in order): placed by day, they read the same.
    rows = sorted(lines[1:], key=lambda line: line.split(",")[1], reverse=True)
    (folder / "history.csv").write_text("\n".join(lines[:1] + rows) + "\n", encoding="utf-8")
    ok("load", str(folder / "history.csv"), "--reopen")

    def timeline(ref: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
        shown = json.loads(ok("show", ref, "-f", "json"))
        return [(e["on"], e["kind"], e["from_status"], e["to_status"], e["note"]) for e in shown["history"]][1:]

    assert timeline(loaded) == timeline(hand)
    assert (
        json.loads(ok("show", loaded, "-f", "json"))["status"] == json.loads(ok("show", hand, "-f", "json"))["status"]
    )


def test_a_history_can_come_as_a_workbook_with_date_cells() -> None:
    import datetime as dt

    from openpyxl import Workbook

    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,completed,2023-03-01\n")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Date", "Status", "Note"])
    sheet.append(["ctc", dt.datetime(2023, 6, 1), "In progress", "Building leased"])
    sheet.append(["ctc", dt.date(2024, 2, 10), "completed", None])
    book.save("history.xlsx")
    assert ok("load", "commitments.csv", "history.xlsx", "--map", "Date=on").endswith(
        "events: 2 recorded, 0 already there\n"
    )
    assert [e[:3] for e in _history("ctc")] == [
        ("2023-03-01", "created", "not_started"),
        ("2023-06-01", "status", "in_progress"),
        ("2024-02-10", "status", "completed"),
    ]


def test_a_reload_with_a_dated_status_applies_its_other_changes_and_a_new_sources_url() -> None:
    _write("c.csv", "ref,title,owner,status,agreed,source,source_url\nctc,Centre,MOI,in_progress,2023-03-01,,\n")
    ok("load", "c.csv")
    _write(
        "c.csv",
        "ref,title,owner,status,agreed,source,source_url,status_on\n"
        "ctc,Centre for Transnational Crime,MOI,completed,2023-03-01,Cabinet decision,https://example.org/cabinet,"
        "2024-02-10\n",
    )
    assert ok("load", "c.csv").startswith("commitments: 0 created, 1 updated, 0 unchanged")
    shown = json.loads(ok("show", "ctc", "-f", "json"))
    assert (shown["title"], shown["status"]) == ("Centre for Transnational Crime", "completed")
    assert shown["source_detail"]["url"] == "https://example.org/cabinet"
    assert ("2024-02-10", "status", "completed") in [(e["on"], e["kind"], e["to_status"]) for e in shown["history"]]


def test_problems_in_several_files_of_a_load_are_all_shown_by_file_and_line() -> None:
    _write("commitments.csv", "ref,title,owner,status,agreed\nctc,Centre,MOI,completed,2023-03-01\n")
    _write("history.csv", "ref,on,status\nctc,2023-06-01,in_progress\nnope,2023-06-01,stalled\n")
    assert fails("load", "commitments.csv", "history.csv") == (
        "error: 2 problems in 2 files; nothing was loaded\n"
        "  commitments.csv:\n"
        "    line 2, status: completed, but the history in this load leaves ctc in_progress; give the day it became "
        "completed in status_on, or end its history there\n"
        "  history.csv:\n"
        "    line 3, ref: no commitment 'nope' here or in the files of this load"
    )

"""A commitment's current status, the day it took effect and the day of its latest event are kept
on the commitment for fast reports; whatever a user does, they agree with the history."""

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURE, ROOT, db_rows, ok
from tracker.timeline import TimelineEvent, kept_state


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _derived() -> dict[str, tuple[str, str, str, str | None]]:
    """(status, status_on, last_event_on, withdrawn_on) per ref, worked out from the events alone by the
    timeline rule (tracker/timeline.py)."""
    starts = {
        ref: dt.date.fromisoformat(_day(starts_on))
        for ref, starts_on in db_rows("SELECT ref, starts_on FROM commitment")
    }
    events = db_rows(
        "SELECT c.ref, e.kind, e.to_status, e.on_date, e.id, e.undoes"
        " FROM event e JOIN commitment c ON c.id = e.commitment_id ORDER BY e.id"
    )
    derived = {}
    for ref, starts_on in starts.items():
        history = [
            TimelineEvent(kind, dt.date.fromisoformat(_day(on)), status, event_id, undoes)
            for r, kind, status, on, event_id, undoes in events
            if r == ref
        ]
        status, status_on, last_event_on, withdrawn_on = kept_state(history, starts_on)
        assert status is not None
        withdrawn = withdrawn_on.isoformat() if withdrawn_on else None
        derived[ref] = (status, status_on.isoformat(), last_event_on.isoformat(), withdrawn)
    return derived


def _stored() -> dict[str, tuple[str, str, str, str | None]]:
    """The kept state of each commitment, once its tags' copies of it are checked against it."""
    differing = db_rows(
        "SELECT c.ref, t.tag FROM commitment_tag t JOIN commitment c ON c.id = t.commitment_id"
        " WHERE t.status IS DISTINCT FROM c.status OR t.due IS DISTINCT FROM c.due"
        " OR t.status_on IS DISTINCT FROM c.status_on"
    )
    assert differing == [], "tags whose copies of their commitment's state differ from it"
    rows = db_rows("SELECT ref, status, status_on, last_event_on, withdrawn_on FROM commitment")
    return {
        ref: (status, _day(status_on), _day(last), _day(withdrawn) if withdrawn else None)
        for ref, status, status_on, last, withdrawn in rows
    }


def test_the_kept_state_follows_every_kind_of_change(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("load", str(FIXTURE))
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-01")
    ok("update", "fia-ct-wing", "--status", "stalled", "--on", "2026-02-01")  # back-dated, before the completion
    ok("update", "fia-academy", "--note", "Site visit", "--on", "2026-05-05")
    ok("update", "fia-academy", "--status", "in progress", "--on", "2026-01-10")
    ok("add", "Late starter", "--owner", "FIA", "--ref", "late")
    ok("edit", "late", "--agreed", "2026-04-01")  # the history now starts earlier
    ok("edit", "fia-academy", "--due", "2026-09-30", "--add-tag", "site-work")
    ok("edit", "fia-ct-wing", "--due", "2026-01-31", "--add-tag", "site-work")
    ok("undo", "--reason", "entered in error")  # the deadline and tag come back off, through the undo's own edit
    ok("update", "ata-engagement", "--status", "abandoned", "--on", "2026-04-04")
    ok("undo", "--reason", "entered in error")
    ok("load", str(ROOT / "fixtures" / "examples" / "ministry-sheet.csv"), "--map", "Commitment=title",
       "--map", "Lead agency=owner", "--map", "Progress=status", "--map", "Deadline=due", "--map", "Theme=tags",
       "--map", "Comments=description")  # fmt: skip
    history = tmp_path / "history.csv"  # back-dated, same-day and restated events; tags copy the state
    history.write_text(
        "ref,on,status,note\n"
        "fia-academy,2026-06-01,stalled,\n"
        "fia-academy,2026-06-01,,a note on the same day\n"
        "fia-ct-wing,2026-01-15,in_progress,before the stall\n"
        "late,2026-05-01,,a note only\n"
        "border-coastal-equipment,2026-06-15,,checked on site\n",  # its last event's day alone moves
        encoding="utf-8",
    )
    ok("load", str(history))
    dated = tmp_path / "dated.csv"
    dated.write_text(
        "ref,title,owner,status,agreed,status_on,tags\nnew-one,New one,FIA,completed,2025-01-01,2025-06-30,site-work\n",
        encoding="utf-8",
    )
    ok("load", str(dated))
    ok("withdraw", "inl-engagement", "--reason", "entered in error")  # kept withdrawn, through the export
    ok("withdraw", "fia-academy", "--duplicate-of", "fia-ct-wing")
    ok("undo", "--reason", "entered in error")  # and brought back
    assert _stored() == _derived()
    assert _stored()["inl-engagement"][3] == "2026-06-30"
    assert _stored()["fia-academy"][3] is None
    assert _stored()["new-one"] == ("completed", "2025-06-30", "2025-06-30", None)
    assert _derived()["ata-engagement"] == ("in_progress", "2025-01-01", "2025-01-01", None)  # as if never abandoned
    exported = tmp_path / "all.json"
    ok("export", "--format", "json", "--output", str(exported))
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "restored.db"))
    ok("load", str(exported))
    assert _stored() == _derived()
    assert ok("db", "check").startswith("ok: ")  # its kept-state check agrees with the load's


@pytest.mark.sqlite_only
def test_an_upgraded_database_gets_the_state_from_its_histories(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(ROOT / "tests" / "data" / "schema-v1.db", old)
    monkeypatch.setenv("TRACKER_DB", str(old))
    ok("list")  # opening it upgrades it (migration m003 fills the new columns)
    assert _stored() == _derived()
    assert len(_stored()) > 0


@pytest.mark.sqlite_only
def test_the_benchmark_generator_keeps_the_state_as_tracker_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.generate import generate

    generated = tmp_path / "generated.db"
    generate(200, generated, None)
    monkeypatch.setenv("TRACKER_DB", str(generated))
    assert _stored() == _derived()

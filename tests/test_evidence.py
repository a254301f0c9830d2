"""Evidence as records: `--evidence` repeatable on update and review, `tracker cite` with details,
`tracker evidence REF` by stance, searched by `list --search`, in JSON and exports."""

import json
import os
import sqlite3
from typing import Any

import pytest

from tests.conftest import db_rows, fails, ok

REF = "ata-engagement"  # in_progress since 2025-01-01 in the fixture


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")


def everything() -> list[tuple[Any, ...]]:
    """The whole state a refused command must leave alone."""
    return db_rows("SELECT id, kind, note, evidence FROM event ORDER BY id") + db_rows(
        "SELECT event_id, position, url, citation, stance FROM evidence ORDER BY id"
    )


def forget_records() -> None:
    from sqlalchemy import create_engine, text

    location = os.environ["TRACKER_DB"]
    engine = create_engine(location if "://" in location else f"sqlite:///{location}")
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM evidence"))
    finally:
        engine.dispose()


def history(ref: str = REF) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(ok("history", ref, "--format", "json"))
    return events


def test_update_and_review_cite_any_number_of_pieces(loaded: None) -> None:
    said = ok("update", REF, "--note", "Checked", "--evidence", "https://a.example/1", "--evidence", "Dawn, 3 May")
    assert said == f"{REF}: note recorded on 2026-06-30 (status in_progress)\n"
    ok("review", REF, "--evidence", "https://a.example/2")
    noted, reviewed = history()[-2:]
    assert noted["evidence"] == "https://a.example/1"  # the first piece, for one-line readers
    assert [(p["url"], p["citation"], p["stance"], p["accessed"]) for p in noted["cited"]] == [
        ("https://a.example/1", None, "supports", "2026-06-30"),
        (None, "Dawn, 3 May", "supports", "2026-06-30"),
    ]
    assert [p["url"] for p in reviewed["cited"]] == ["https://a.example/2"]
    shown = json.loads(ok("show", REF, "--format", "json"))
    assert shown["history"][-2]["cited"] == noted["cited"]
    assert "https://a.example/1\n" in ok("history", REF) and "Dawn, 3 May" in ok("history", REF)


def test_an_event_recorded_without_records_cites_its_evidence_text(loaded: None) -> None:
    ok("update", REF, "--note", "old style", "--evidence", "https://old.example")
    forget_records()  # as recorded before m009, or loaded from a history file
    assert history()[-1]["cited"] == [
        {
            "url": "https://old.example", "citation": None, "title": None, "publisher": None, "published": None,
            "accessed": None, "quote": None, "archive_url": None, "stance": "supports", "source": None,
        }
    ]  # fmt: skip
    assert json.loads(ok("evidence", REF, "--format", "json"))["supports"][0]["url"] == "https://old.example"


def test_the_event_keeps_its_first_piece_and_the_records_hold_them_all(loaded: None) -> None:
    ok("update", REF, "--status", "completed", "--evidence", "Gazette 12", "--evidence", "https://b.example")
    ok("cite", REF, "https://c.example", "--title", "T", "--stance", "context")
    ok("review", REF, "--note", "fine")
    # One home: the event's text is its first record's URL or citation, for every event with records.
    pairs = db_rows(
        "SELECT e.evidence, COALESCE(ev.url, ev.citation) FROM event e JOIN evidence ev ON ev.event_id = e.id"
        " WHERE ev.position = 0"
    )
    assert len(pairs) == 2 and all(event == first for event, first in pairs)
    assert db_rows("SELECT COUNT(*) FROM event e WHERE e.evidence IS NULL AND EXISTS "
                   "(SELECT 1 FROM evidence ev WHERE ev.event_id = e.id)") == [(0,)]  # fmt: skip


def test_cite_records_a_piece_with_its_details(loaded: None) -> None:
    said = ok(
        "cite", REF, "https://news.example/talks", "--title", "Talks stall", "--publisher", "Dawn",
        "--published", "2026-06-01", "--accessed", "2026-06-02", "--quote", "no progress since March",
        "--archive", "https://archive.example/talks", "--stance", "contradicts", "--on", "2026-06-03",
        "--source", "we-news-talks",
    )  # fmt: skip
    assert said == f"{REF}: evidence recorded on 2026-06-03 (event 14, contradicts)\n"
    event = history()[-1]
    assert (event["kind"], event["note"], event["evidence"]) == ("note", None, "https://news.example/talks")
    assert event["cited"] == [
        {
            "url": "https://news.example/talks", "citation": None, "title": "Talks stall", "publisher": "Dawn",
            "published": "2026-06-01", "accessed": "2026-06-02", "quote": "no progress since March",
            "archive_url": "https://archive.example/talks", "stance": "contradicts",
            "source": "we-news-talks",
        }
    ]  # fmt: skip


def test_evidence_lists_what_the_current_status_rests_on_by_stance(loaded: None) -> None:
    ok("update", REF, "--note", "before", "--on", "2026-01-10", "--evidence", "https://early.example")
    ok("update", REF, "--status", "completed", "--on", "2026-02-01", "--evidence", "https://done.example")
    ok("cite", REF, "https://doubt.example", "--title", "Not quite", "--publisher", "Dawn", "--quote", "half done",
       "--stance", "contradicts", "--on", "2026-03-01")  # fmt: skip
    ok("review", REF, "--on", "2026-04-01", "--evidence", "https://checked.example")
    ok("cite", REF, "https://wrong.example", "--on", "2026-04-02")
    ok("undo", "--reason", "entered in error")  # retracted: it no longer counts
    assert ok("evidence", REF) == (
        f"{REF}: completed since 2026-02-01\n"
        "\n"
        "supports:\n"
        "on          event    evidence                 publisher    quote\n"
        "----------  -------  -----------------------  -----------  -------\n"
        "2026-02-01  15       https://done.example\n"
        "2026-04-01  17       https://checked.example\n"
        "\n"
        "contradicts:\n"
        "on          event    evidence    publisher    quote\n"
        "----------  -------  ----------  -----------  ---------\n"
        "2026-03-01  16       Not quite   Dawn         half done\n"
        "\n"
        "context: nothing cited\n"
    )
    found = json.loads(ok("evidence", REF, "--format", "json"))
    assert (found["ref"], found["status"], found["status_on"]) == (REF, "completed", "2026-02-01")
    assert [p["url"] for p in found["supports"]] == ["https://done.example", "https://checked.example"]
    assert [(p["event"], p["on"], p["title"]) for p in found["contradicts"]] == [(16, "2026-03-01", "Not quite")]
    assert found["context"] == []


def test_a_verdicts_evidence_is_not_what_the_status_rests_on(loaded: None) -> None:
    ok("review", REF, "--on", "2026-03-01", "--evidence", "https://checked.example")
    ok("update", REF, "--verdict", "kept", "--on", "2026-03-02", "--evidence", "https://kept.example")
    found = json.loads(ok("evidence", REF, "--format", "json"))
    assert [p["url"] for p in found["supports"]] == ["https://checked.example"]


def test_list_search_finds_evidence_titles_quotes_and_every_piece(loaded: None) -> None:
    ok("cite", REF, "https://x.example", "--title", "Zebra crossing", "--quote", "a quiet okapi")
    ok("update", REF, "--note", "n", "--evidence", "https://first.example", "--evidence", "Gazette of narwhals")

    def found(text: str) -> list[str]:
        return [item["ref"] for item in json.loads(ok("list", "--search", text, "--format", "json"))]

    assert found("zebra") == [REF]
    assert found("OKAPI") == [REF]
    assert found("narwhal") == [REF]
    ok("undo", "--reason", "entered in error")  # the update: its pieces no longer count
    assert found("narwhal") == []


NOT_AN_ADDRESS = "is not a web address (http:// or https:// and a host)"
NO_REF = "error: no commitment with ref 'nope'; 'tracker list' shows the refs"
X = "https://x.example"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cite", REF, "ftp://x.example"), f"error: evidence 'ftp://x.example' {NOT_AN_ADDRESS}"),
        (("cite", REF, "https://"), f"error: evidence 'https://' {NOT_AN_ADDRESS}"),
        (
            ("cite", REF, X, "--stance", "maybe"),
            "error: unknown stance 'maybe'; expected one of: supports, contradicts, context",
        ),
        (("cite", REF, X, "--archive", "archive.example"), f"error: --archive 'archive.example' {NOT_AN_ADDRESS}"),
        (("cite", "nope", X), NO_REF),
        (("cite", REF, X, "--source", "nope"), "error: no source with key or URL 'nope'; 'tracker sources' lists them"),
        (("cite", REF, X, "--quote", "q" * 2001), "error: quote is 2001 characters long; the limit is 2000"),
        (("cite", REF, X, "--title", "t" * 301), "error: title is 301 characters long; the limit is 300"),
        (("cite", REF, X, "--published", "2026-07-01"), "error: --published 2026-07-01 is after today (2026-06-30)"),
        (("cite", REF, X, "--published", "May 2026"), "error: --published needs a day, not May 2026"),
        (("cite", REF, " "), "error: evidence is empty"),
        (
            ("update", REF, "--note", "n", "--evidence", "https://ok.example", "--evidence", "mailto://x y"),
            f"error: evidence 'mailto://x y' {NOT_AN_ADDRESS}",
        ),
        (("review", REF, "--evidence", "e" * 2001), "error: evidence is 2001 characters long; the limit is 2000"),
        (("evidence", "nope"), NO_REF),
        (("evidence", REF, "--format", "csv"), None),
    ],
)
def test_refused_evidence_changes_nothing(loaded: None, args: tuple[str, ...], message: str | None) -> None:
    before = everything()
    said = fails(*args)
    if message is not None:
        assert said == message
    assert everything() == before


def test_exports_carry_every_piece_and_older_exports_still_load(loaded: None, tmp_path: Any) -> None:
    ok("cite", REF, "https://news.example/a", "--title", "A", "--quote", "q", "--stance", "context",
       "--source", "we-news-talks")  # fmt: skip
    ok("update", REF, "--note", "n", "--evidence", "Gazette 1", "--evidence", "https://b.example")
    document = tmp_path / "export.json"
    ok("export", "--format", "json", "--output", str(document))
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", str(document))
    assert ok("--db", copy, "export", "--format", "json") == document.read_text(encoding="utf-8")
    theirs = json.loads(ok("--db", copy, "history", REF, "--format", "json"))
    assert [e["cited"] for e in theirs] == [e["cited"] for e in history()]
    # An export written before evidence records: no `cited`; each event's text is its one piece.
    older = json.loads(document.read_text(encoding="utf-8"))
    for item in older["commitments"]:
        for event in item["history"]:
            del event["cited"]
    document.write_text(json.dumps(older), encoding="utf-8")
    old_copy = str(tmp_path / "old.db")
    ok("--db", old_copy, "load", str(document))
    events = json.loads(ok("--db", old_copy, "history", REF, "--format", "json"))
    assert [p["citation"] for p in events[-1]["cited"]] == ["Gazette 1"]
    connection = sqlite3.connect(old_copy)
    try:
        assert connection.execute("SELECT COUNT(*) FROM evidence").fetchall() == [(0,)]
    finally:
        connection.close()


# A piece that does not support its event says so (tracker.render.history); JSON gives every stance.
HISTORY_TABLE = """\
id    on          kind     status       by      note                                         evidence
----  ----------  -------  -----------  ------  -------------------------------------------  -------------------------------------
1     2025-01-01  created  in_progress  tester  loaded from pakistan-us-security-talks.yaml
14    2026-06-30  note                  tester  Checked                                      https://a.example/1
                                                                                             Dawn, 3 May
15    2026-06-30  note                  tester                                               https://a.example/doubt (contradicts)
16    2026-06-30  note                  tester                                               Budget statement 2026-27 (context)
"""  # noqa: E501


def test_the_history_table_lists_every_piece_and_says_which_do_not_support(loaded: None) -> None:
    ok("update", REF, "--note", "Checked", "--evidence", "https://a.example/1", "--evidence", "Dawn, 3 May")
    ok("cite", REF, "https://a.example/doubt", "--stance", "contradicts")
    ok("cite", REF, "Budget statement 2026-27", "--stance", "context")
    assert ok("history", REF) == HISTORY_TABLE

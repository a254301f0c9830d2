"""`tracker load FILE.csv`: spreadsheets' CSV in, checked whole, line by line, all or nothing."""

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import fails, ok, run
from tracker.creation import BATCH

HEADER = "ref,title,description,owner,partners,status,agreed,due,tags"


def _write(name: str, text: str, *, bom: bool = False, crlf: bool = False) -> str:
    data = text.replace("\n", "\r\n") if crlf else text
    Path(name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return name


def _problems(name: str, text: str) -> list[str]:
    """The lines a load of this CSV says on stderr, MOI being known."""
    ok("owners", "add", "MOI")
    return run("load", _write(name, text)).stderr.splitlines()


def _show(ref: str) -> dict:  # type: ignore[type-arg]
    return json.loads(ok("show", ref, "-f", "json"))  # type: ignore[no-any-return]


def test_excel_csv_utf8_with_bom_crlf_and_a_cell_on_two_lines() -> None:
    ok("owners", "add", "MOI", "--name", "Ministry of Interior")
    _write(
        "excel.csv",
        f"{HEADER}\n"
        'train-police,Train the police,"Two lines:\nفیڈرل ""quoted"", with; punctuation",Ministry of Interior,'
        "US-ATA;NACTA,In progress,March 2025,Q4 2026,Training; CT\n"
        ",Open a helpline 😀,,MOI,,,2025,,\n",
        bom=True,
        crlf=True,
    )
    assert ok("load", "excel.csv") == (
        "organisations: 2 created, 0 updated, 0 unchanged (new: US-ATA, NACTA); "
        "commitments: 2 created, 0 updated, 0 unchanged\n"
        "1 status dated at its agreed date; give status_on to date them\n"
    )
    item = _show("train-police")
    assert item["description"] == 'Two lines:\nفیڈرل "quoted", with; punctuation'  # line ends become \n
    assert (item["owner"], item["partners"], item["status"]) == ("MOI", ["NACTA", "US-ATA"], "in_progress")
    assert (item["agreed"], item["agreed_precision"], item["due"], item["due_precision"]) == (
        "2025-03-31", "month", "2026-12-31", "quarter",
    )  # fmt: skip
    assert item["tags"] == ["ct", "training"]
    assert [e["note"] for e in item["history"]] == ["loaded from excel.csv"]
    assert _show("open-a-helpline")["title"] == "Open a helpline 😀"


def test_libreoffice_style_csv_with_its_own_headers_mapped() -> None:
    _write(
        "sheet.csv",
        "Commitment,Lead agency,Deadline,Progress,Comments\n"
        "Publish the audit,Auditor General,31/12/2026,not started,ignore me\n"
        '"Share data, monthly",Auditor General,2026-06,stalled,\n',
    )
    maps = ["--map", "Commitment=title", "--map", "Lead agency=owner", "--map", "Deadline=due"]
    maps += ["--map", "Progress=status", "--map", "Comments="]
    assert ok("load", "sheet.csv", *maps).endswith("commitments: 2 created, 0 updated, 0 unchanged\n")
    listed = json.loads(ok("list", "-f", "json"))
    assert [(i["ref"], i["owner"], i["due"], i["status"]) for i in listed] == [
        ("publish-the-audit", "Auditor General", "2026-12-31", "not_started"),
        ("share-data-monthly", "Auditor General", "2026-06-30", "stalled"),
    ]


def test_semicolon_separated_csv_from_a_european_locale() -> None:
    ok("owners", "add", "MOI")
    _write("eu.csv", 'title;owner;tags\nCount the votes;MOI;"a;b"\n')
    ok("load", "eu.csv")
    assert _show("count-the-votes")["tags"] == ["a", "b"]


def test_every_bad_row_is_listed_by_the_line_it_starts_on() -> None:
    ok("owners", "add", "MOI")
    _write(
        "bad.csv",
        f"{HEADER}\n"
        'ok-1,Fine,"a description\nover\nthree lines",MOI,,,,,\n'
        "bad-status,Bad status,,MOI,,finished,,,\n"
        ',,"no title\nhere",MOI,,,,,\n'
        "bad-dates,Bad dates,,MOI,,,2026-02-30,soon,\n"
        "ok-1,Same ref again,,MOI,,,,,\n"
        "late,Due before agreed,,MOI,,,2025-06,2025-01-01,\n"
        "Bad Ref!,x,,MOI,,,,,\n",
        crlf=True,
    )
    assert run("load", "bad.csv").stderr.splitlines() == [
        "error: bad.csv: 7 problems; nothing was loaded",
        "  line 5, status: unknown status 'finished'; expected one of: "
        "not_started, in_progress, stalled, completed, partial, abandoned; "
        "or map it with --status-map 'finished=STATUS'",
        "  line 6, title: title is empty",
        "  line 8, agreed: agreed '2026-02-30' is not a real date (day is out of range for month)",
        "  line 8, due: cannot read due 'soon'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
        "Q3 2026, 2026, today or +90d",
        "  line 9, ref: ref 'ok-1' is also on line 2",
        "  line 10, due: due date 2025-01-01 is before the agreed date June 2025",
        "  line 11, ref: ref 'Bad Ref!' must be letters (with their marks), digits and hyphens, "
        "starting with a letter or digit",
    ]
    assert not Path("tracker.db").exists() or json.loads(ok("list", "-f", "json")) == []


def test_a_row_longer_than_its_header_and_an_unknown_precision_are_problems() -> None:
    assert _problems(
        "odd.csv", "ref,title,owner,due,due_precision\na,A,MOI,2026-03-31,week\nb,B,MOI,,,extra\nc,C,MOI,,,\n"
    ) == [
        "error: odd.csv: 2 problems; nothing was loaded",
        "  line 2, due_precision: unknown precision 'week'; "
        "expected one of: day, month, quarter, half, fiscal_year, year",
        "  line 3: 6 cells, but the header has 5 columns",
    ]


def test_a_long_list_of_problems_stops_at_fifty() -> None:
    _write("many.csv", "ref,title,owner\n" + "".join(f"r-{n},x,MOI\nr-{n},x,MOI\n" for n in range(60)))
    lines = run("load", "many.csv").stderr.splitlines()
    assert lines[0] == "error: many.csv: 60 problems; nothing was loaded"
    assert lines[1] == "  line 3, ref: ref 'r-0' is also on line 2"
    assert lines[50] == "  line 101, ref: ref 'r-49' is also on line 100"
    assert lines[51:] == ["  … and 10 more"]


def test_one_problem_on_many_rows_is_one_line_and_every_other_problem_shows() -> None:
    ok("owners", "add", "MOI")
    _write("many.csv", "title,owner,status\n" + "x,MOI,nodata\n" * 238 + "y,,not_started\nz,MOI,done\n")
    assert run("load", "many.csv").stderr.splitlines() == [
        "error: many.csv: 240 problems; nothing was loaded",
        "  line 2, 3, 4 … (238 rows), status: unknown status 'nodata'; "
        "expected one of: not_started, in_progress, stalled, completed, partial, abandoned; "
        "or map it with --status-map 'nodata=STATUS'",
        "  line 240, owner: owner is empty",
        "  line 241, status: unknown status 'done'; "
        "expected one of: not_started, in_progress, stalled, completed, partial, abandoned; "
        "or map it with --status-map 'done=STATUS'",
    ]
    _write("two.csv", "title,owner\nx,\ny,\n")
    assert run("load", "two.csv").stderr.splitlines()[1:] == ["  line 2, 3 (2 rows), owner: owner is empty"]


def test_a_broken_file_or_header_loads_nothing() -> None:
    _write("broken.csv", 'title,owner\n"fine",MOI\n"open quote,MOI\n')
    assert run("load", "broken.csv").stderr.splitlines() == [
        "error: broken.csv: 1 problem; nothing was loaded",
        "  line 3: cannot read this record: unexpected end of data",
    ]
    _write("header.csv", "name,owner,owner\nx,MOI,MOI\n")
    assert run("load", "header.csv").stderr.splitlines() == [
        "error: header.csv: 3 problems; nothing was loaded",
        "  line 1: column 'name' is not a commitment field; map it with --map 'name=FIELD' or skip it with "
        "--map 'name='",
        "  line 1: columns 'owner' and 'owner' both give owner",
        "  line 1: no title column (name one 'title', or use --map 'COLUMN=title')",
    ]
    _write("empty.csv", "")
    assert fails("load", "empty.csv") == (
        "error: empty.csv is empty; a CSV needs a header line "
        "(ref,title,description,owner,partners,status,agreed,due,tags)"
    )
    Path("latin1.csv").write_bytes("title,owner\ncaf\xe9,MOI\n".encode("latin-1"))
    assert fails("load", "latin1.csv") == (
        "error: latin1.csv is not UTF-8 text; save it with the UTF-8 encoding, or give its encoding with --encoding "
        "(for example cp1252, as Excel on Windows saves 'CSV')"
    )
    assert fails("load", "--map", "nonsense", "header.csv") == "error: --map 'nonsense' must be 'Sheet column=field'"
    assert fails("load", "--map", "name=colour", "header.csv") == (
        "error: --map 'name=colour': 'colour' is not a field; fields: "
        "ref, title, description, owner, partners, status, agreed, due, tags, source, source_url, status_on, "
        "withdrawn_on, withdrawn_reason"
    )
    assert not Path("tracker.db").exists()


def test_strict_refuses_unknown_organisations_on_every_row(loaded: None) -> None:
    before = ok("export")
    _write("new.csv", "title,owner,partners\nOne,MOI,Nowhere\nTwo,Elsewhere,FIA\nThree,Elsewhere,\n")
    assert run("load", "--strict", "new.csv").stderr.splitlines() == [
        "error: new.csv: 3 problems; nothing was loaded",
        "  line 2, partners: unknown organisation 'Nowhere' (--strict creates none; add it with 'tracker owners add')",
        "  line 3, 4 (2 rows), owner: unknown organisation 'Elsewhere' "
        "(--strict creates none; add it with 'tracker owners add')",
    ]
    assert ok("export") == before


def test_one_bad_row_among_good_ones_changes_nothing(loaded: None) -> None:
    before = ok("export")
    _write("mixed.csv", "ref,title,owner,status\nata-engagement,Changed,MOI,completed\nnew-one,New,MOI,\nx,,MOI,\n")
    assert run("load", "mixed.csv").stderr.splitlines()[1:] == ["  line 4, title: title is empty"]
    assert ok("export") == before


def test_load_is_an_upsert_with_changes_in_history(loaded: None) -> None:
    ok("export", "--format", "csv", "--output", "all.csv")
    assert ok("load", "all.csv") == "commitments: 0 created, 0 updated, 13 unchanged\n"
    _write(
        "changes.csv",
        "ref,title,owner,status\n"
        "ata-engagement,Strengthen engagement under the US Anti-Terrorism Assistance programme,MOI,completed\n"
        "inl-engagement,A better title,MOI,\n"
        "brand-new,Something new,MOI,stalled\n",
    )
    assert ok("load", "changes.csv") == "commitments: 1 created, 2 updated, 0 unchanged\n"
    history = json.loads(ok("history", "ata-engagement", "-f", "json"))
    assert [(e["kind"], e["to_status"], e["note"]) for e in history][-1] == (
        "status", "completed", "set in changes.csv",
    )  # fmt: skip
    inl = _show("inl-engagement")
    assert (inl["title"], inl["status"], inl["history"][-1]["changes"]) == (
        "A better title",
        "in_progress",
        {"title": ["Strengthen engagement with the US INL bureau", "A better title"]},
    )
    # Columns the file lacks (tags, dates, partners) were left as they were.
    assert inl["tags"] == ["counter-narcotics", "law-enforcement", "security-cooperation"]
    assert ok("load", "changes.csv") == "commitments: 0 created, 0 updated, 3 unchanged\n"


def test_dry_run_checks_and_writes_nothing() -> None:
    _write("one.csv", "title,owner\nA thing,MOI\n")
    assert ok("load", "--dry-run", "one.csv") == (
        "dry run, nothing written: organisations: 1 created, 0 updated, 0 unchanged (new: MOI); "
        "commitments: 1 created, 0 updated, 0 unchanged\n"
    )
    assert not Path("tracker.db").exists()
    ok("init")
    before = ok("export")
    ok("load", "--dry-run", "one.csv")
    assert ok("export") == before


def test_an_exported_csv_loads_into_an_empty_database_with_the_same_rows(loaded: None) -> None:
    ok("export", "--format", "csv", "--excel", "--output", "all.csv")
    ok("--db", "copy.db", "load", "all.csv")
    fields = ("ref", "title", "description", "owner", "partners", "status", "agreed", "agreed_precision", "due",
              "due_precision", "tags", "source")  # fmt: skip
    original = [{k: i[k] for k in fields} for i in json.loads(ok("list", "-f", "json"))]
    copied = [{k: i[k] for k in fields} for i in json.loads(ok("--db", "copy.db", "list", "-f", "json"))]
    assert copied == original


@pytest.mark.slow
def test_a_problem_late_in_a_big_csv_leaves_the_database_as_it_was(loaded: None) -> None:
    # Rows are written a batch at a time as they are read: by the last one, several batches
    # are in the transaction, and all of it must be rolled back.
    count = 2 * BATCH + 10
    rows = "".join(f"bulk-{number},Bulk commitment {number},MOI,in progress\n" for number in range(count))
    _write("big.csv", "ref,title,owner,status\n" + rows + "last,,MOI,\n")
    before = ok("export")
    assert run("load", "big.csv").stderr.splitlines() == [
        "error: big.csv: 1 problem; nothing was loaded",
        f"  line {count + 2}, title: title is empty",
    ]
    assert ok("export") == before
    fails("--db", "new.db", "load", "big.csv")
    assert not Path("new.db").exists()
    # Once writing stops, checking goes on: a problem in the first row and one in the last are both listed.
    _write("big.csv", "ref,title,owner,status\nfirst,First,MOI,someday\n" + rows + "last,,MOI,\n")
    assert run("load", "big.csv").stderr.splitlines() == [
        "error: big.csv: 2 problems; nothing was loaded",
        "  line 2, status: unknown status 'someday'; expected one of: "
        "not_started, in_progress, stalled, completed, partial, abandoned; "
        "or map it with --status-map 'someday=STATUS'",
        f"  line {count + 3}, title: title is empty",
    ]
    _write("big.csv", "ref,title,owner,status\n" + rows)
    assert ok("load", "big.csv").endswith(f"commitments: {count} created, 0 updated, 0 unchanged\n")


def test_a_byte_that_is_not_utf8_far_into_a_csv_changes_nothing(loaded: None) -> None:
    rows = "".join(f"Commitment number {number},MOI\n" for number in range(2 * BATCH))
    Path("late.csv").write_bytes(("title,owner\n" + rows).encode("utf-8") + "caf\xe9,MOI\n".encode("latin-1"))
    before = ok("export")
    assert fails("load", "late.csv") == (
        "error: late.csv is not UTF-8 text; save it with the UTF-8 encoding, or give its encoding with --encoding "
        "(for example cp1252, as Excel on Windows saves 'CSV')"
    )
    assert ok("export") == before


def test_a_made_ref_avoids_refs_that_later_rows_give() -> None:
    _write("refs.csv", "ref,title,owner\n,Open a helpline,MOI\nopen-a-helpline,Another,MOI\n")
    ok("load", "refs.csv")
    listed = json.loads(ok("list", "-f", "json"))
    assert [(i["ref"], i["title"]) for i in listed] == [
        ("open-a-helpline-2", "Open a helpline"),
        ("open-a-helpline", "Another"),
    ]


def test_a_sheet_loaded_again_applies_only_what_it_changed_and_obeys_update(
    loaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")
    wing, academy = "Activate the FIA's Counter-Terrorism Wing", "Establish an FIA academy with US support"
    _write(
        "sheet.csv", f"ref,title,owner,status,due\nfia-ct-wing,{wing},FIA,in progress,\nfia-academy,{academy},FIA,,\n"
    )
    assert ok("load", "sheet.csv") == "commitments: 0 created, 0 updated, 2 unchanged\n"
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-14")
    ok("edit", "fia-academy", "--due", "2027")
    before = ok("export")
    assert ok("load", "sheet.csv") == "commitments: 0 created, 0 updated, 2 unchanged\n"
    assert ok("export") == before
    _write("sheet.csv", f"ref,title,owner,status,due\nfia-ct-wing,{wing},FIA,stalled,\nfia-academy,An academy,FIA,,\n")
    assert run("load", "sheet.csv").stderr.splitlines() == [
        "error: sheet.csv: 1 problem; nothing was loaded",
        "  line 2: fia-ct-wing is completed on 2026-11-28, a final status; add --reopen to change it to stalled",
    ]
    assert ok("export") == before
    assert ok("load", "--reopen", "sheet.csv") == "commitments: 0 created, 2 updated, 0 unchanged\n"
    wing_history = _show("fia-ct-wing")["history"]
    assert [(e["on"], e["to_status"], e["note"]) for e in wing_history[-2:]] == [
        ("2026-03-14", "completed", None),
        ("2026-11-28", "stalled", "set in sheet.csv"),
    ]
    shown = _show("fia-academy")
    assert (shown["title"], shown["due"]) == ("An academy", "2027-12-31")  # the deadline set by hand stays


@pytest.mark.slow
def test_a_big_sheet_loaded_again_after_updates_by_hand_is_unchanged(loaded: None) -> None:
    # Several batches: what the file said is read and kept a batch at a time.
    count = 2 * BATCH + 10
    rows = "".join(f"bulk-{number},Bulk commitment {number},MOI,in progress\n" for number in range(count))
    _write("big.csv", "ref,title,owner,status\n" + rows)
    ok("load", "big.csv")
    ok("update", f"bulk-{BATCH - 1}", "--status", "completed")  # late in a batch, as in the last one
    ok("update", f"bulk-{count - 1}", "--status", "completed")
    ok("edit", f"bulk-{BATCH + 600}", "--title", "Renamed by hand")
    before = ok("export")
    assert ok("load", "big.csv") == f"commitments: 0 created, 0 updated, {count} unchanged\n"
    assert ok("export") == before


# Texts that start as a spreadsheet formula would, or with apostrophes before such a start.
_STARTS = ["=", "+", "-", "@", "'", "''", "'=", "''+", "'-", "'@", "'\t", "' =", "a'", "=\t", "-'"]
# Line breaks in a cell are read as \n (the file is read with universal newlines): no \r here.
_PIECES = ["a", " ", "=", "+", "-", "@", "'", "\t", '"', ",", ";", "اردو", "😀", "\u2028"]
_CELL = st.tuples(st.sampled_from(_STARTS), st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)).map("".join)


@pytest.mark.slow
@pytest.mark.sqlite_only  # about the CSV text, not where it is stored
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_CELL, description=st.tuples(_CELL, st.sampled_from(["", "\nsecond line"])).map("".join), owner=_CELL)
def test_a_csv_export_loads_back_byte_for_byte(title: str, description: str, owner: str) -> None:
    assume(title.strip() and owner.strip())
    fields = ("ref", "title", "description", "owner", "status")
    with tempfile.TemporaryDirectory() as folder:
        first, second, sheet = (os.path.join(folder, name) for name in ("a.db", "b.db", "all.csv"))
        ok("--db", first, "owners", "add", "--", owner)
        ok("--db", first, "add", "--owner", owner, "--ref", "x", "--description", description, "--", title)
        ok("--db", first, "export", "--format", "csv", "--output", sheet)
        ok("--db", second, "load", sheet)
        original = [{k: i[k] for k in fields} for i in json.loads(ok("--db", first, "list", "-f", "json"))]
        assert [{k: i[k] for k in fields} for i in json.loads(ok("--db", second, "list", "-f", "json"))] == original
        assert original[0]["title"] == title.strip()


def test_a_hand_made_sheet_is_read_as_a_spreadsheet_user_means_it() -> None:
    # In a spreadsheet an apostrophe before = only marks the rest as text; before other text it is text.
    _write("hand.csv", "ref,title,owner\na,'=SUM(B1:B3),MOI\nb,''=x,MOI\nc,'plain,MOI\nd,'',MOI\n")
    ok("load", "hand.csv")
    titles = [(i["ref"], i["title"]) for i in json.loads(ok("list", "-f", "json"))]
    assert titles == [("a", "=SUM(B1:B3)"), ("b", "'=x"), ("c", "'plain"), ("d", "''")]
    # Written out, the guard adds an apostrophe only where one would be taken off.
    exported = ok("export", "--format", "csv").splitlines()[1:]
    assert [line.split(",")[2] for line in exported] == ["'=SUM(B1:B3)", "''=x", "'plain", "''"]


def test_rows_without_refs_whose_titles_make_the_same_ref_are_a_problem_not_numbered() -> None:
    assert _problems("same.csv", "title,owner,status\nTrain staff,MOI,in_progress\nTrain  Staff,MOI,stalled\n") == [
        "error: same.csv: 1 problem; nothing was loaded",
        "  line 3, title: line 2 has a title that makes the same ref ('train-staff') and neither row has a ref; "
        "give each a ref, or --map 'COLUMN=ref' to read them from a column",
    ]


def test_a_reload_in_another_row_order_changes_nothing() -> None:
    ok("owners", "add", "MOI")
    rows = ["Train staff,MOI,in_progress,First", "Open a lab,MOI,stalled,Second", "fia-x,MOI,completed,Third"]
    _write("order.csv", "title,owner,status,description\n" + "\n".join(rows) + "\n")
    ok("load", "order.csv")
    before = ok("list", "-f", "json")
    _write("order.csv", "title,owner,status,description\n" + "\n".join(reversed(rows)) + "\n")
    assert ok("load", "order.csv").endswith("commitments: 0 created, 0 updated, 3 unchanged\n")
    assert ok("list", "-f", "json") == before


def test_the_summary_names_the_sources_a_load_creates() -> None:
    ok("owners", "add", "MOI")
    _write("sourced.csv", "title,owner,source\nOne,MOI,https://example.org/a\nTwo,MOI,Joint statment\nThree,MOI,\n")
    assert ok("load", "sourced.csv") == (
        "commitments: 3 created, 0 updated, 0 unchanged; "
        "sources: 2 created, 0 updated, 0 unchanged (new: example-org-a, joint-statment)\n"
    )
    assert ok("load", "sourced.csv") == "commitments: 0 created, 0 updated, 3 unchanged\n"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("UTF-16 with its byte-order mark (Excel's 'Unicode text')", "title,owner\ncafé ☕,MOI\n".encode("utf-16")),
        ("UTF-16 big-endian", b"\xfe\xff" + "title,owner\ncafé ☕,MOI\n".encode("utf-16-be")),
        ("UTF-8 with its byte-order mark", "\ufefftitle,owner\ncafé ☕,MOI\n".encode("utf-8")),
        # Without a mark, UTF-16's zero bytes say it: nothing else a spreadsheet saves has them.
        ("UTF-16 little-endian without a mark", "title,owner\ncafé ☕,MOI\n".encode("utf-16-le")),
        ("UTF-16 big-endian without a mark", "title,owner\ncafé ☕,MOI\n".encode("utf-16-be")),
    ],
)
def test_a_byte_order_mark_says_the_encoding(encoding: str, data: bytes) -> None:
    ok("owners", "add", "MOI")
    Path("marked.csv").write_bytes(data)
    ok("load", "marked.csv")
    assert [item["title"] for item in json.loads(ok("list", "-f", "json"))] == ["café ☕"], encoding


def test_encoding_reads_a_file_without_a_mark(tmp_path: Path) -> None:
    ok("owners", "add", "MOI")
    Path("windows.csv").write_bytes("title,owner\n“Café” – 5 €,MOI\n".encode("cp1252"))
    ok("load", "windows.csv", "--encoding", "cp1252")
    assert [item["title"] for item in json.loads(ok("list", "-f", "json"))] == ["“Café” – 5 €"]
    Path("greek.csv").write_bytes("title,owner\nκαλημέρα,MOI\n".encode())
    assert fails("load", "greek.csv", "--encoding", "ascii") == (
        "error: greek.csv cannot be read as ascii text; give its encoding with --encoding"
    )
    assert fails("load", "windows.csv", "--encoding", "klingon") == (
        "error: unknown encoding 'klingon'; give one such as utf-8, utf-16 or cp1252"
    )
    assert fails("load", "windows.csv", "--encoding", "rot13") == (
        "error: 'rot13' is not a text encoding; give one such as utf-8, utf-16 or cp1252"
    )
    ok("export", "--format", "json", "--output", "all.json")
    assert fails("--db", str(tmp_path / "other.db"), "load", "all.json", "--encoding", "cp1252") == (
        "error: --encoding is for CSV files"
    )

"""Excel workbooks: `tracker export --format xlsx` and `tracker load FILE.xlsx`.

Workbooks are built here as spreadsheet programs write them (openpyxl's normal mode: date cells,
numbers in text columns, blank rows left at the end), and exported ones are read back with
openpyxl to check what a spreadsheet user gets: date cells, a frozen header, an autofilter, no
formula anywhere.
"""

import csv
import datetime as dt
import io
import json
import os
import pty
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURE, fails, ok
from tracker.errors import TrackerError
from tracker.render import EXPORT_CSV_FIELDS, spreadsheet_text
from tracker.text import clean_text


def _book(name: str, *rows: list[Any], sheet: str = "Sheet1", others: tuple[str, ...] = ()) -> str:
    """A workbook as a spreadsheet program saves it: `rows` on its first sheet, then empty `others`."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = sheet
    for row in rows:
        first.append(row)
    for other in others:
        workbook.create_sheet(other)
    workbook.save(name)
    return name


def _patched(name: str, old: str, new: str) -> None:
    """Replace `old` (a regular expression, found once) in the first sheet's XML: what another
    program writes where openpyxl writes otherwise."""
    with zipfile.ZipFile(name) as book:
        parts = {part: book.read(part) for part in book.namelist()}
    sheet, count = re.subn(old, new, parts["xl/worksheets/sheet1.xml"].decode())
    assert count == 1, old
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(name, "w") as book:
        for part, data in parts.items():
            book.writestr(part, data)


def _with_saved_values(name: str, values: dict[str, tuple[str | None, str]]) -> None:
    """Give formula cells the value a spreadsheet program saves beside them (openpyxl saves none):
    coordinate → (the cell's type attribute, or None for a number; the saved text)."""
    for coordinate, (kind, value) in values.items():
        typed = f' t="{kind}"' if kind else ""
        _patched(
            name,
            rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v ?/>',
            rf'<c r="{coordinate}"\1{typed}><f>\2</f><v>{value}</v>',
        )


def _exported(name: str = "out.xlsx", *db: str) -> Any:
    ok(*db, "export", "--format", "xlsx", "--output", name)
    return openpyxl.load_workbook(name).worksheets[0]


def _listed(*db: str) -> list[dict[str, Any]]:
    # A load stamps the commitments it creates with its own time (created_at is not loaded).
    items = json.loads(ok(*db, "list", "-f", "json"))
    return [{k: v for k, v in item.items() if k not in ("created_at", "updated_at")} for item in items]


def _as_csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat() + "Z"
    return str(value)


def test_an_xlsx_export_holds_the_csv_exports_rows_with_date_cells(loaded: None) -> None:
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-02-01")
    ok("edit", "fia-ct-wing", "--due", "Q3 2026")  # the fixture's commitments have no deadlines
    ok("withdraw", "fia-academy", "--reason", "entered in error")
    sheet = _exported()
    rows = list(sheet.iter_rows())
    csv_rows = list(csv.reader(io.StringIO(ok("export", "--format", "csv"))))
    assert [[_as_csv_text(cell.value) for cell in row] for row in rows] == csv_rows
    assert [cell.value for cell in rows[0]] == list(EXPORT_CSV_FIELDS)
    assert all(cell.font.b for cell in rows[0])
    assert (sheet.title, sheet.freeze_panes, sheet.auto_filter.ref) == ("commitments", "A2", "A1:U14")
    column = {name: place for place, name in enumerate(EXPORT_CSV_FIELDS)}
    formats = {"agreed": "yyyy-mm-dd", "due": "yyyy-mm-dd", "status_on": "yyyy-mm-dd", "withdrawn_on": "yyyy-mm-dd"}
    formats |= {"created_at": "yyyy-mm-dd h:mm:ss", "updated_at": "yyyy-mm-dd h:mm:ss"}
    for name, number_format in formats.items():
        dates = [row[column[name]] for row in rows[1:] if row[column[name]].value is not None]
        assert dates, name
        assert {(cell.is_date, cell.number_format) for cell in dates} == {(True, number_format)}, name
    wing = next(row for row in rows if row[column["ref"]].value == "fia-ct-wing")
    assert (wing[column["due"]].value, wing[column["due_precision"]].value) == (dt.datetime(2026, 9, 30), "quarter")
    assert wing[column["status_on"]].value == dt.datetime(2026, 2, 1)
    assert {row[column["id"]].data_type for row in rows[1:]} == {"n"}
    assert {cell.data_type for row in rows for cell in row} <= {"s", "n", "d"}  # an empty cell is "n"
    with zipfile.ZipFile("out.xlsx") as book:  # its size at its top, as spreadsheet programs write it
        assert '<dimension ref="A1:U14" />' in book.read("xl/worksheets/sheet1.xml").decode()[:1000]
    from tracker.interchange.xlsx_file import XlsxSheet

    assert XlsxSheet("out.xlsx", None).rows == 14  # what a load's progress bar counts to


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path: Path) -> None:
    ok("owners", "add", "MOI")
    titles = ['=HYPERLINK("http://x")', "=1+1", "+2", "@SUM(A1)", "'=quoted", "-minus"]
    for number, title in enumerate(titles):
        ok("add", "--owner", "MOI", "--ref", f"f-{number}", "--description", "=A1", "--", title)
    sheet = _exported()
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row[2:4]]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        pair for title in titles for pair in ((title, "s"), ("=A1", "s"))
    ]
    with zipfile.ZipFile("out.xlsx") as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "out.xlsx")
    assert [item["title"] for item in _listed("--db", copy)] == titles


def test_a_fixture_exported_as_xlsx_loads_back_the_same_and_again_changes_nothing(loaded: None, tmp_path: Path) -> None:
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-02-01")
    ok("export", "--format", "xlsx", "--output", "sheet.xlsx")
    copy = str(tmp_path / "copy.db")
    assert ok("--db", copy, "load", "sheet.xlsx").endswith(
        "commitments: 13 created, 0 updated, 0 unchanged; "
        "sources: 1 created, 0 updated, 0 unchanged (new: we-news-talks)\n"
    )
    assert _listed("--db", copy) == _listed()
    before = ok("--db", copy, "export")
    assert ok("--db", copy, "load", "sheet.xlsx") == "commitments: 0 created, 0 updated, 13 unchanged\n"
    assert ok("--db", copy, "export") == before


def test_every_precision_script_and_list_survives_a_round_trip(tmp_path: Path) -> None:
    for owner in ("MOI", "US-ATA", "فیڈرل"):
        ok("owners", "add", owner)
    dates = [
        ("2026-03-31", "2026-04-15"),
        ("March 2026", "Q3 2026"),
        ("Q1 2026", "H2 2027"),
        ("H1 2026", "FY2027"),
        ("FY2026", "2028"),
        ("2025", "within 6 months"),
    ]
    titles = ["اردو میں وعدہ", "ทำตามสัญญา", "履行承诺", "=SUM(A1:A9)", "Emoji 🙂 and “quotes”", "Plain"]
    for (agreed, due), title in zip(dates, titles, strict=True):
        lists = ["--tag", "b-tag", "--tag", "a tag", "--partner", "US-ATA", "--partner", "فیڈرل"]
        description = ["--description", "Two lines:\nsecond; with a semicolon"]
        ok("add", title, "--owner", "MOI", "--agreed", agreed, "--due", due, *lists, *description)
    ok("update", "plain", "--status", "stalled", "--on", "2026-01-10")
    precisions = {(item["agreed_precision"], item["due_precision"]) for item in _listed()}
    assert {p for pair in precisions for p in pair} == {"day", "month", "quarter", "half", "fiscal_year", "year"}
    ok("export", "--format", "xlsx", "--output", "sheet.xlsx")
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "sheet.xlsx")
    assert _listed("--db", copy) == _listed()
    assert ok("--db", copy, "load", "sheet.xlsx") == "commitments: 0 created, 0 updated, 6 unchanged\n"


def test_a_workbook_as_a_spreadsheet_program_saves_it() -> None:
    ok("owners", "add", "MOI")
    _book(
        "tracker.xlsx",
        ["ref", "title", "owner", "agreed", "due", "tags", "description"],
        ["train", "Train the police", "MOI", dt.datetime(2025, 3, 1), dt.datetime(2026, 6, 30, 17, 45), "a;b", None],
        [2024, 12345, "MOI", None, "Q4 2026", 5, 2.5],
        ["bools", "Booleans", "MOI", None, None, True, False],
        ["quote", "'=x is typed with its apostrophe", "MOI", None, None, None, "Line one_x000D_\nline two"],
        ["stamp", "A time in a text column", "MOI", None, None, None, dt.datetime(2026, 1, 2, 9, 30)],
        [None, None, None, None, None, None, None],
        ["", "  ", "", None, None, None, None],
    )
    _patched("tracker.xlsx", '(<c r="F3"[^>]*>)<v>5</v>', r"\1<v>5.0</v>")  # as some programs write a number
    assert ok("load", "tracker.xlsx") == "commitments: 5 created, 0 updated, 0 unchanged\n"
    shown = {item["ref"]: item for item in json.loads(ok("list", "-f", "json"))}
    train = shown["train"]
    assert (train["agreed"], train["agreed_precision"], train["due"], train["due_precision"]) == (
        "2025-03-01", "day", "2026-06-30", "day",
    )  # fmt: skip
    assert train["tags"] == ["a", "b"]
    assert (shown["2024"]["title"], shown["2024"]["tags"], shown["2024"]["description"]) == ("12345", ["5"], "2.5")
    assert (shown["bools"]["tags"], shown["bools"]["description"]) == (["true"], "FALSE")
    assert shown["quote"]["title"] == "'=x is typed with its apostrophe"
    assert shown["quote"]["description"] == "Line one\nline two"  # Excel's escape for \r, then \r\n read as \n
    assert shown["stamp"]["description"] == "2026-01-02"


def test_a_sheet_whose_stated_size_is_wrong_is_read_whole() -> None:
    ok("owners", "add", "MOI")
    _book("sized.xlsx", ["title", "owner"], ["One", "MOI"], ["Two", "MOI"], ["Three", "MOI"])
    _patched("sized.xlsx", '<dimension ref="A1:B4"', '<dimension ref="A1:A2"')
    assert ok("load", "sized.xlsx") == "commitments: 3 created, 0 updated, 0 unchanged\n"


def test_a_sheet_with_its_own_headers_is_read_through_map_and_status_map() -> None:
    _book(
        "ministry.xlsx",
        ["Commitment", "Lead agency", "Deadline", "Progress", "Days left"],
        ["Publish the audit", "Auditor General", dt.datetime(2026, 12, 31), "Done", "=C2-TODAY()"],
        ["Share data monthly", "Auditor General", "June 2026", "Slipping", "=C3-TODAY()"],
        sheet="Commitments",
    )
    maps = ["--map", "Commitment=title", "--map", "Lead agency=owner", "--map", "Deadline=due"]
    maps += ["--map", "Progress=status", "--status-map", "Done=completed", "--status-map", "Slipping=stalled"]
    assert fails("load", "ministry.xlsx", *maps).splitlines() == [
        "error: ministry.xlsx: 1 problem; nothing was loaded",
        "  line 1: column 'Days left' is not a commitment field; map it with --map 'Days left=FIELD' "
        "or skip it with --map 'Days left='",
    ]
    assert fails("load", "ministry.xlsx", *maps, "--map", "Days left=", "--strict").splitlines() == [
        "error: ministry.xlsx: 2 problems; nothing was loaded",
        "  line 2, 3 (2 rows), Lead agency: unknown organisation 'Auditor General' "
        "(--strict creates none; add it with 'tracker owners add')",
    ]
    assert ok("load", "ministry.xlsx", *maps, "--map", "Days left=") == (
        "organisations: 1 created, 0 updated, 0 unchanged (new: Auditor General); "
        "commitments: 2 created, 0 updated, 0 unchanged\n"
    )
    assert [(i["ref"], i["due"], i["due_precision"], i["status"]) for i in _listed()] == [
        ("publish-the-audit", "2026-12-31", "day", "completed"),
        ("share-data-monthly", "2026-06-30", "month", "stalled"),
    ]
    assert [e["note"] for e in json.loads(ok("show", "publish-the-audit", "-f", "json"))["history"]] == [
        "loaded from ministry.xlsx (status given as 'Done')"
    ]


def test_every_bad_row_is_named_by_its_row_in_the_sheet() -> None:
    ok("owners", "add", "MOI")
    _book(
        "bad.xlsx",
        ["ref", "title", "owner", "status", "agreed", "due", "days"],
        ["ok-1", "Fine", "MOI", None, None, None, "=F2-E2"],
        [None, None, None, None, None, None, None],
        ["bad-status", "Bad status", "MOI", "finished", None, None, None],
        ["formula", "=UPPER(B2)", "MOI", None, None, None, None],
        ["error", "Error", "MOI", None, None, "#N/A", None],
        ["ok-1", "Same ref again", "MOI", None, None, None, None],
        ["late", "Due before agreed", "MOI", None, dt.datetime(2025, 6, 1), dt.datetime(2025, 1, 1), None],
        ["number", "A number as a date", "MOI", None, 45000, None, None],
        ["many", "Too many cells", "MOI", None, None, None, None, "stray"],
    )
    assert fails("load", "bad.xlsx", "--map", "days=").splitlines() == [
        "error: bad.xlsx: 7 problems; nothing was loaded",
        "  line 4, status: unknown status 'finished'; expected one of: "
        "not_started, in_progress, stalled, completed, partial, abandoned; "
        "or map it with --status-map 'finished=STATUS'",
        "  line 5, title: the formula =UPPER(B2) has no saved value; open and save the workbook in a "
        "spreadsheet program, or type the value",
        "  line 6, due: the cell shows the error #N/A",
        "  line 7, ref: ref 'ok-1' is also on line 2",
        "  line 8, due: due date 2025-01-01 is before the agreed date 2025-06-01",
        "  line 9, agreed: agreed '45000' is not a real date (year 45000 is out of range)",
        "  line 10: 8 cells, but the header has 7 columns",
    ]
    assert _listed() == []


def test_a_formula_is_read_as_the_value_the_spreadsheet_saved_with_it() -> None:
    ok("owners", "add", "MOI")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ref", "title", "owner", "due", "description"])
    sheet.append(["saved", '=UPPER("shouted")', "MOI", "=DATE(2026,3,31)", '=IF(1,"","x")'])
    sheet["D2"].number_format = "yyyy-mm-dd"
    workbook.save("saved.xlsx")
    _with_saved_values("saved.xlsx", {"B2": ("str", "SHOUTED"), "D2": (None, "46112"), "E2": ("str", "")})
    ok("load", "saved.xlsx")
    item = json.loads(ok("show", "saved", "-f", "json"))
    assert (item["title"], item["due"], item["description"]) == ("SHOUTED", "2026-03-31", "")
    workbook.save("error.xlsx")
    _with_saved_values("error.xlsx", {"B2": ("e", "#DIV/0!"), "D2": (None, "46112"), "E2": ("str", "")})
    assert fails("load", "error.xlsx").splitlines()[1:] == ["  line 2, title: the cell shows the error #DIV/0!"]


def test_a_file_that_is_not_a_workbook_is_one_clear_line() -> None:
    Path("renamed.xlsx").write_text("title,owner\nA,MOI\n", encoding="utf-8")
    assert fails("load", "renamed.xlsx") == (
        "error: renamed.xlsx is not an Excel workbook (.xlsx); "
        "a CSV file loads by the name FILE.csv or with --format csv"
    )
    Path("empty.xlsx").write_bytes(b"")
    assert fails("load", "empty.xlsx") == "error: empty.xlsx is empty, not an Excel workbook (.xlsx)"
    Path("old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert fails("load", "old.xlsx") == (
        "error: old.xlsx is an Excel 97-2003 workbook (.xls) or a password-protected one; "
        "save it as an Excel Workbook (.xlsx) without a password"
    )
    with zipfile.ZipFile("photos.xlsx", "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    assert fails("load", "photos.xlsx") == (
        "error: photos.xlsx cannot be read as an Excel workbook: "
        "There is no item named '[Content_Types].xml' in the archive"
    )
    _book("blank.xlsx", [None, None], ["title", "owner"], sheet="Plan")
    assert fails("load", "blank.xlsx") == (
        "error: blank.xlsx: sheet 'Plan' has nothing in its first row, which names the columns "
        "(ref,title,description,owner,partners,status,agreed,due,tags)"
    )
    assert fails("load", "missing.xlsx") == "error: no such file: missing.xlsx"
    assert not Path("tracker.db").exists()


def test_sheet_picks_a_sheet_and_options_for_csv_alone_are_refused() -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["This sheet explains the next one"])
    workbook.create_sheet("Commitments").append(["title", "owner"])
    workbook["Commitments"].append(["From the second sheet", "MOI"])
    workbook.save("two.xlsx")
    assert fails("load", "two.xlsx").splitlines()[1] == (
        "  line 1: column 'This sheet explains the next one' is not a commitment field; "
        "map it with --map 'This sheet explains the next one=FIELD' or skip it with "
        "--map 'This sheet explains the next one='"
    )
    assert fails("load", "two.xlsx", "--sheet", "Plan") == (
        "error: two.xlsx has no sheet 'Plan'; its sheets: 'Notes', 'Commitments'"
    )
    ok("load", "two.xlsx", "--sheet", "commitments")
    assert [item["title"] for item in _listed()] == ["From the second sheet"]
    assert fails("load", "two.xlsx", "--encoding", "cp1252") == (
        "error: --encoding is for CSV files; a workbook's text needs none"
    )
    Path("sheet.csv").write_text("title,owner\nA,MOI\n", encoding="utf-8")
    assert fails("load", "sheet.csv", "--sheet", "Commitments") == "error: --sheet is for workbooks (.xlsx)"
    os.rename("two.xlsx", "two.data")
    ok("load", "two.data", "--format", "xlsx", "--sheet", "Commitments")


def test_export_xlsx_refuses_what_it_cannot_do(loaded: None) -> None:
    assert fails("export", "--format", "xlsx", "--excel", "-o", "out.xlsx") == (
        "error: --excel is for --format csv (a workbook is Excel's own)"
    )
    assert fails("export", "--format", "xlsx", "--delimiter", ";", "-o", "out.xlsx") == (
        "error: --delimiter is for --format csv"
    )
    assert not Path("out.xlsx").exists()


@pytest.mark.sqlite_only
def test_a_workbook_is_never_written_over_the_database(loaded: None) -> None:
    assert fails("export", "--format", "xlsx", "--output", "tracker.db") == (
        "error: tracker.db is the database itself; give another file name"
    )
    assert len(_listed()) == 13


def test_a_failed_export_leaves_the_old_file_and_nothing_else(loaded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.interchange import xlsx_export

    Path("out.xlsx").write_bytes(b"old")

    def broken(out: Any, *arguments: Any) -> None:
        out.write(b"PK half a workbook")
        raise TrackerError("the disk is full")

    monkeypatch.setattr(xlsx_export, "write_workbook", broken)
    assert fails("export", "--format", "xlsx", "--output", "out.xlsx") == "error: the disk is full"
    assert Path("out.xlsx").read_bytes() == b"old"
    assert sorted(path.name for path in Path().iterdir() if "xlsx" in path.name or "partial" in path.name) == [
        "out.xlsx"
    ]


def _export_process(*args: str, stdout: Any) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "tracker", "export", "--format", "xlsx", *args]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, timeout=60, check=False)


@pytest.mark.parametrize("args", [[], ["--output", "-"]], ids=["no output", "dash"])
def test_a_workbook_goes_to_a_pipe_but_never_to_a_terminal(loaded: None, args: list[str], tmp_path: Path) -> None:
    main, terminal = pty.openpty()
    try:
        refused = _export_process(*args, stdout=terminal)
    finally:
        os.close(terminal)
        os.close(main)
    assert (refused.returncode, refused.stderr.decode()) == (
        1,
        "error: --format xlsx is binary, not for a terminal; give --output FILE, or pipe it to a file or program\n",
    )
    piped = _export_process(*args, stdout=subprocess.PIPE)
    assert (piped.returncode, piped.stderr) == (0, b"")
    copy = str(tmp_path / "copy.db")
    loaded_back = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", copy, "load", "-"],
        input=piped.stdout,
        capture_output=True,
        timeout=60,
    )
    assert loaded_back.returncode == 0, loaded_back.stderr
    assert _listed("--db", copy) == _listed()


def test_a_piped_workbook_loads_and_its_problems_name_standard_input() -> None:
    _book("bad.xlsx", ["title", "owner"], ["Fine", "MOI"], ["No owner", None])
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "load", "-"], input=Path("bad.xlsx").read_bytes(), capture_output=True
    )
    assert (result.returncode, result.stderr.decode()) == (
        1,
        "error: standard input: 1 problem; nothing was loaded\n  line 3, owner: owner is empty\n",
    )


@pytest.mark.sqlite_only
def test_openpyxl_is_imported_only_by_what_reads_or_writes_a_workbook() -> None:
    ok("load", str(FIXTURE))

    def imports_openpyxl(*args: str) -> bool:
        command = [sys.executable, "-X", "importtime", "-m", "tracker", *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        return re.search(r"\| openpyxl$", result.stderr, re.MULTILINE) is not None

    assert not imports_openpyxl("list")
    assert not imports_openpyxl("export", "--format", "csv", "--output", "out.csv")
    assert imports_openpyxl("export", "--format", "xlsx", "--output", "out.xlsx")


def _stored(text: str) -> str | None:
    """The text as a commitment stores it, or None if it cannot hold it."""
    try:
        stored = clean_text(text, "description")
    except TrackerError:
        return None
    return None if stored is None or "\r" in stored else stored  # \r: read as a line end, as in a CSV file


_CELL_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40).map(_stored).filter(bool)


@pytest.mark.database_free
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_CELL_TEXT, min_size=1, max_size=4))
@example(texts=["'=x", "''=x", "'", "'plain", "=x", "+1", " spaced ", "\ttab", "two\nlines", "_x0041_ and _x005F_"])
def test_any_text_a_commitment_can_hold_reads_back_from_a_workbook_as_written(texts: list[str]) -> None:
    from tracker.interchange.problems import Problems
    from tracker.interchange.xlsx_export import write_workbook
    from tracker.interchange.xlsx_file import XlsxSheet

    buffer = io.BytesIO()
    write_workbook(buffer, ["text"], [[text] for text in texts], len(texts))
    Path("texts.xlsx").write_bytes(buffer.getvalue())
    problems = Problems("texts.xlsx")
    records = list(XlsxSheet("texts.xlsx", None).records(problems, None))
    assert not problems
    # csv_file reads a cell that starts with an apostrophe as a CSV's text mark
    read = [spreadsheet_text(cells[0]) if cells and cells[0][:1] == "'" else "".join(cells) for _, _, cells in records]
    assert read == ["text", *texts]


def test_a_macro_enabled_workbook_is_read_as_a_workbook_by_its_name() -> None:
    _book("macros.xlsm", ["ref", "title", "owner"], ["train", "Train the police", "MOI"])
    assert ok("load", "macros.xlsm") == (
        "organisations: 1 created, 0 updated, 0 unchanged (new: MOI); commitments: 1 created, 0 updated, 0 unchanged\n"
    )
    assert [item["ref"] for item in _listed()] == ["train"]

"""A workbook's sheet (.xlsx), read as a table of text cells, so that a load checks it through the
same header and row rules as a CSV file (tracker.interchange.csv_file).

The sheet is the workbook's first, or the one `--sheet` names; its first row is the header, and a
problem's "line N" is the sheet's row N. Each cell becomes the text a CSV of it would hold: a date
(or a date and time) its day, 2026-03-31; a whole number without `.0`; TRUE or FALSE. A text cell
is taken as it is (but for OOXML's escapes, _x000D_ for a carriage return): a spreadsheet keeps no
apostrophe in a cell's value, so `'=x` is read as typed.
A formula is read as the value the spreadsheet program saved with it; in a column the load reads,
one saved without a value (as scripts write them) or showing an error (#N/A) is a problem.

The sheet is streamed (openpyxl's read-only mode) and read again when the loader asks, as a CSV
file is. openpyxl is imported only here, when a workbook is loaded (docs/speed.md).
"""

import datetime as dt
import re
import warnings
import weakref
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from itertools import islice
from typing import Any

from tracker.errors import InvalidInput, TrackerError
from tracker.interchange.csv_file import FIELDS, CsvFile, Record, open_table
from tracker.interchange.documents import opened
from tracker.interchange.problems import Problems
from tracker.render import spreadsheet_safe

_CHUNK = 1000  # rows parsed at a time, with openpyxl's warnings silenced
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # an .xls workbook, or an encrypted .xlsx
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")  # a character in a cell's text, as OOXML escapes it


def open_xlsx(
    path: str, mappings: dict[str, str], status_map: dict[str, str] | None = None, sheet: str | None = None
) -> CsvFile:
    """Open a workbook's sheet and check its header; raises with every problem found in it."""
    table = XlsxSheet(path, sheet)
    empty = f"{path}: sheet {table.title!r} has nothing in its first row, which names the columns "
    empty += f"({','.join(FIELDS[:9])})"
    return open_table(path, table, mappings, status_map, table.rows, empty)


class XlsxSheet:
    """A sheet's records, each cell as text (csv_file.Table).

    The workbook stays open while the load reads it (closed when this is collected): opening one
    parses its sheets' sizes, which means reading a whole sheet when the file does not state its
    size at the top, as files written in openpyxl's write-only mode do not."""

    def __init__(self, path: str, sheet: str | None) -> None:
        self.path = path
        self.sheet = sheet
        self._open = ExitStack()
        weakref.finalize(self, self._open.close)
        self._sheets: dict[bool, Any] = {}  # data_only (saved values instead of formulas) → the sheet
        worksheet = self._worksheet(data_only=False)
        self.title: str = worksheet.title
        self.rows: int = worksheet.max_row or 0  # as the file says; for the progress bar only
        worksheet.reset_dimensions()  # some programs write wrong ones, which would cut rows off

    def records(self, problems: Problems, read: Mapping[int, str] | None) -> Iterator[Record]:
        rows = self._worksheet(data_only=False).iter_rows()
        saved = _Saved(self)
        line = 0
        while True:
            try:
                with _quiet():
                    chunk = list(islice(rows, _CHUNK))
            except Exception as error:  # a broken file fails in openpyxl in many ways
                problems.add(f"line {line + 1}", f"cannot read this row: {_reason(error)}")
                return
            if not chunk:
                return
            for cells in chunk:
                line += 1
                texts = _texts(line, cells, read, saved, problems)
                if texts is not None:
                    yield line, line, texts

    def _worksheet(self, *, data_only: bool) -> Any:
        """The sheet, in a workbook opened to stream."""
        if data_only in self._sheets:
            return self._sheets[data_only]
        from openpyxl import load_workbook

        file = self._open.enter_context(opened(self.path, text=False))
        _check_kind(self.path, file.read(len(_ZIP)))
        file.seek(0)
        try:
            with _quiet():
                workbook = load_workbook(file, read_only=True, data_only=data_only)
        except Exception as error:  # as above
            raise TrackerError(f"{self.path} cannot be read as an Excel workbook: {_reason(error)}") from None
        self._open.callback(workbook.close)
        sheet = self._sheets[data_only] = self._sheet(workbook)
        if data_only:
            sheet.reset_dimensions()
        return sheet

    def _sheet(self, workbook: Any) -> Any:
        sheets = workbook.worksheets
        if not sheets:
            raise TrackerError(f"{self.path} has no worksheet")
        if self.sheet is None:
            return sheets[0]
        for sheet in sheets:
            if sheet.title.casefold() == self.sheet.strip().casefold():
                return sheet
        names = ", ".join(repr(sheet.title) for sheet in sheets)
        raise InvalidInput(f"{self.path} has no sheet {self.sheet!r}; its sheets: {names}")


def _check_kind(path: str, start: bytes) -> None:
    """One clear message for a file that is not a workbook at all."""
    if start == _ZIP:
        return
    if not start:
        raise TrackerError(f"{path} is empty, not an Excel workbook (.xlsx)")
    if start == _OLE:
        raise TrackerError(
            f"{path} is an Excel 97-2003 workbook (.xls) or a password-protected one; "
            "save it as an Excel Workbook (.xlsx) without a password"
        )
    raise TrackerError(
        f"{path} is not an Excel workbook (.xlsx); a CSV file loads by the name FILE.csv or with --format csv"
    )


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError) and error.args:  # str() of a KeyError quotes it
        return str(error.args[0])
    return str(error) or type(error).__name__


@contextmanager
def _quiet() -> Iterator[None]:
    """openpyxl warns about what it does not keep (data validation, styles), which a load never needs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _Saved:
    """The values a spreadsheet program saved with a sheet's formulas: the sheet opened a second
    time as values only, read alongside the first, from the first formula on."""

    def __init__(self, sheet: XlsxSheet) -> None:
        self.sheet = sheet
        self.rows: Iterator[Any] | None = None
        self.line = 0
        self.row: tuple[Any, ...] = ()

    def cell(self, line: int, place: int) -> Any:
        if self.rows is None:
            self.rows = self.sheet._worksheet(data_only=True).iter_rows()
        while self.line < line:
            with _quiet():
                self.row = next(self.rows, ())
            self.line += 1
        return self.row[place] if place < len(self.row) else None


def _texts(
    line: int, cells: tuple[Any, ...], read: Mapping[int, str] | None, saved: _Saved, problems: Problems
) -> list[str] | None:
    """A row's cells as text; None when a cell the load reads cannot be read (a problem, added)."""
    texts = []
    good = True
    for place, cell in enumerate(cells):
        value = cell.value
        if value is None:
            texts.append("")
            continue
        kind = cell.data_type
        if kind == "f" or kind == "e":
            if read is not None and place not in read:
                texts.append("")  # a column the load skips
                continue
            if kind == "f":
                formula, cell = value, saved.cell(line, place)
                value, kind = (cell.value, cell.data_type) if cell is not None else (None, "n")
                if value is None and kind != "str":  # "str" and nothing saved: the formula gives ""
                    where = f"line {line}, {_column(place, read)}"
                    problems.add(where, f"the formula {formula} has no saved value; open and save the workbook in a "
                                 "spreadsheet program, or type the value")  # fmt: skip
                    good = False
                    continue
            if kind == "e":
                problems.add(f"line {line}, {_column(place, read)}", f"the cell shows the error {value}")
                good = False
                continue
        texts.append("" if value is None else _text(value))
    return texts if good else None


def _column(place: int, read: Mapping[int, str] | None) -> str:
    if read is not None:
        return read[place]
    from openpyxl.utils import get_column_letter

    return f"column {get_column_letter(place + 1)}"


def _text(value: Any) -> str:
    """A cell's value as the text a CSV of it would hold."""
    kind = type(value)
    if kind is str:
        if "_x" in value:  # Excel writes a carriage return as _x000D_ (openpyxl leaves it so)
            value = _ESCAPED.sub(lambda escaped: chr(int(escaped.group(1), 16)), value)
        if "\r" in value:  # line ends as a CSV file's are read
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        # An apostrophe at the start is the cell's own: keep it from being read as a CSV's
        # text mark (csv_file reads `'=x` from a CSV as =x).
        return spreadsheet_safe(value) if value[:1] == "'" else str(value)
    if kind is int:
        return str(value)
    if kind is float:
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if kind is dt.datetime:
        return str(value.date().isoformat())
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is dt.date:
        return str(value.isoformat())
    return str(value)

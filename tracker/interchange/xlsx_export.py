"""`tracker export --format xlsx`: a CSV export's rows (export.spreadsheet_rows) as an Excel workbook.

One sheet, `commitments`: the header row in bold and frozen, an autofilter over the data, dates as
date cells (agreed, due, status_on and withdrawn_on; created_at and updated_at as dates and times, in UTC, which
a workbook cannot mark) and every other cell a value, never a formula: a title starting with `=`
is a text cell, so it needs none of the apostrophes a CSV export adds (and text that reads as an
OOXML escape, `_x000D_`, keeps its underscore escaped, so that Excel shows it as it is). Rows are written as they
come (openpyxl's write-only mode), so memory stays flat in the size of the database.

openpyxl is imported only here, when a workbook is written (docs/speed.md).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, BinaryIO

SHEET = "commitments"
_ESCAPE_START = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _moment(text: str | None) -> dt.datetime | None:
    # 2026-03-31T09:15:00Z (UTC): Excel has no time zones, so the cell holds the UTC time.
    return dt.datetime.fromisoformat(text.removesuffix("Z")) if text else None


# Columns whose text becomes a typed cell, and the width that shows it whole (not ########).
_TYPED: dict[str, tuple[Callable[[str | None], Any], int]] = {
    "agreed": (_day, 12),
    "due": (_day, 12),
    "status_on": (_day, 12),
    "withdrawn_on": (_day, 12),
    "created_at": (_moment, 20),
    "updated_at": (_moment, 20),
}


def write_workbook(out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]], count: int) -> None:
    """Write `header` and `count` `rows` (as export.spreadsheet_rows gives them) to `out` as a workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    last = f"{get_column_letter(len(header))}{count + 1}"
    # The sheet's size, stated at its top as spreadsheet programs state it, so that a reader knows
    # how many rows are coming before it reads them (a load's progress bar; openpyxl, which
    # otherwise reads the whole sheet to find out). openpyxl's writer states it when the sheet can
    # say it, which a write-only sheet cannot: it is told here (tests/test_xlsx.py checks it is written).
    setattr(sheet, "calculate_dimension", lambda: f"A1:{last}")  # noqa: B010 (not in openpyxl's stubs)
    sheet.freeze_panes = "A2"  # in write-only mode, the sheet's view and columns come before its rows
    for place, name in enumerate(header, 1):
        if name in _TYPED:
            sheet.column_dimensions[get_column_letter(place)].width = _TYPED[name][1]
    names = []
    for name in header:
        cell = WriteOnlyCell(sheet, name)
        cell.font = Font(bold=True)
        names.append(cell)
    sheet.append(names)
    typed = [(place, _TYPED[name][0]) for place, name in enumerate(header) if name in _TYPED]
    written = 0
    for row in rows:
        cells = list(row)
        for place, convert in typed:
            cells[place] = convert(cells[place])
        for place, value in enumerate(cells):
            if type(value) is not str:
                continue
            if not value:
                cells[place] = None  # an empty cell, not an empty text (which a filter lists apart)
                continue
            if "_x" in value:  # text that reads as an OOXML escape (_x000D_) keeps its underscore
                value = cells[place] = _ESCAPE_START.sub("_x005F_", value)
            if value[0] == "=":  # openpyxl would store the text as a formula
                text = WriteOnlyCell(sheet, value)
                text.data_type = "s"
                cells[place] = text
        sheet.append(cells)
        written += 1
    assert written == count, f"{written} rows written, {count} stated"
    sheet.auto_filter.ref = f"A1:{last}"
    workbook.save(out)

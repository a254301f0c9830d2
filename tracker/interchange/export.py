"""`tracker export`: the whole database as one document (JSON or YAML), or a CSV or an Excel
workbook (xlsx) for spreadsheets, which hold the same rows (spreadsheet_rows).

The JSON and YAML documents (`format: tracker-export/2`) are lossless: loading one into an empty
database and exporting again gives the same bytes. They carry no time of export for that
reason. Rows are streamed from the database and written as they come, one commitment at a
time, so an export's memory does not grow with the database.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, Generic, TextIO, TypeVar, cast

from tracker.errors import InvalidInput
from tracker.evidence import piece_fields
from tracker.fastjson import indented_json
from tracker.interchange.progress import Progress, progress
from tracker.reads import commitment_item, iso_date, recorded_fields, source_fields
from tracker.store import interchange as queries
from tracker.store.commitments import CommitmentRow
from tracker.store.database import Database, Row
from tracker.store.evidence import EXPORT_PIECES, ExportedPieceRow
from tracker.store.interchange import CsvExtrasRow, ExportedEventRow, ExportedSnapshotRow

FORMAT = "tracker-export/2"
# Version 1 named the event an undo reverses by its place in the history; events had no keys.
FORMAT_WITHOUT_KEYS = "tracker-export/1"
EXPORT_FORMATS = ("json", "yaml", "csv", "xlsx")
BINARY_FORMATS = ("xlsx",)  # written to a binary file (files.writing_bytes); the others are text
# Between a CSV's cells: a comma, or the semicolon that spreadsheets in locales with a decimal
# comma expect, or a tab. A load tells which from the header.
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}
_YAML_CHUNK = 200  # commitments per YAML dump call


def check_options(fmt: str, *, excel: bool = False, delimiter: str | None = None) -> None:
    """Refuse a format or an option that export_database cannot honour."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; expected one of: {', '.join(EXPORT_FORMATS)}")
    if excel and fmt != "csv":
        what = "a workbook is Excel's own" if fmt == "xlsx" else "JSON and YAML are read by programs, not spreadsheets"
        raise InvalidInput(f"--excel is for --format csv ({what})")
    if delimiter is not None and fmt != "csv":
        raise InvalidInput("--delimiter is for --format csv")
    if delimiter is not None and delimiter not in DELIMITERS:
        raise InvalidInput(f"--delimiter {delimiter!r} must be ',', ';' or tab")


def export_database(
    database: Database, fmt: str, out: TextIO | BinaryIO, *, excel: bool = False, delimiter: str | None = None
) -> int:
    """Write the database to `out` in `fmt` (a binary file for BINARY_FORMATS, else text); returns
    how many commitments were written."""
    check_options(fmt, excel=excel, delimiter=delimiter)
    count = database.row(queries.COUNT_COMMITMENTS)
    total = int(count["count"]) if count else 0
    with progress(total, "exporting") as bar:
        if fmt == "xlsx":
            from tracker import render
            from tracker.interchange.xlsx_export import write_workbook

            write_workbook(cast(BinaryIO, out), render.EXPORT_CSV_FIELDS, spreadsheet_rows(database, bar), total)
        elif fmt == "csv":
            _write_csv(database, cast(TextIO, out), bar, excel=excel, delimiter=DELIMITERS[delimiter or ","])
        else:
            head = {
                "format": FORMAT,
                "organisations": organisations(database),
                "sources": sources(database),
                "corrections": corrections(database),
            }
            items = (_document_item(*parts) for parts in _commitment_parts(database, bar, with_history=True))
            (_write_json if fmt == "json" else _write_yaml)(cast(TextIO, out), head, items)
    return total


def corrections(database: Database) -> list[Row]:
    """The corrections log, as reports give it (README, "Corrections"): read, never loaded, since
    the histories hold every withdrawal and undo it lists (an export without it loads the same)."""
    import datetime as dt

    from tracker.report import corrections_log

    return [correction.fields() for correction in corrections_log(database, dt.date.max)]


def organisations(database: Database) -> list[Row]:
    rows = database.rows(queries.EXPORT_ORGANISATIONS)
    return [
        {
            "short_name": row["short_name"],
            "name": row["name"],
            "country": row["country"],
            "aliases": json.loads(row["aliases"] or "[]"),
        }
        for row in sorted(rows, key=lambda r: str(r["short_name"]))
    ]


def sources(database: Database) -> list[Row]:
    rows = database.rows(queries.EXPORT_SOURCES)
    return [
        {**source_fields(row), "merged_into": row["merged_into"]} for row in sorted(rows, key=lambda r: str(r["key"]))
    ]


_Linked = TypeVar("_Linked", bound=Mapping[str, Any])


class _Grouped(Generic[_Linked]):
    """Rows ordered by commitment_id, handed out one commitment at a time."""

    def __init__(self, rows: Iterator[_Linked]) -> None:
        self._rows: Iterator[_Linked] = rows
        self._next: _Linked | None = next(rows, None)

    def take(self, commitment_id: int) -> list[_Linked]:
        taken = []
        while self._next is not None and self._next["commitment_id"] <= commitment_id:
            if self._next["commitment_id"] == commitment_id:
                taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _commitment_parts(
    database: Database, bar: Progress, *, with_history: bool
) -> Iterator[
    tuple[
        CommitmentRow, list[str], list[str], list[ExportedEventRow], list[ExportedPieceRow], list[ExportedSnapshotRow]
    ]
]:
    tags = _Grouped(database.iterate(queries.EXPORT_TAGS))
    partners = _Grouped(database.iterate(queries.EXPORT_PARTNERS))
    events = _Grouped(database.iterate(queries.EXPORT_EVENTS)) if with_history else None
    pieces = _Grouped(database.iterate(EXPORT_PIECES)) if with_history else None
    loads = _Grouped(database.iterate(queries.EXPORT_LOAD_SNAPSHOTS)) if with_history else None
    for row in database.iterate(queries.EXPORT_COMMITMENTS):
        commitment_id = row["id"]
        yield (
            row,
            sorted(r["tag"] for r in tags.take(commitment_id)),
            sorted(r["short_name"] for r in partners.take(commitment_id)),
            events.take(commitment_id) if events is not None else [],
            pieces.take(commitment_id) if pieces is not None else [],
            loads.take(commitment_id) if loads is not None else [],
        )
        bar.advance()


def _document_item(
    row: CommitmentRow,
    tags: list[str],
    partners: list[str],
    events: list[ExportedEventRow],
    pieces: list[ExportedPieceRow],
    loads: list[ExportedSnapshotRow],
) -> Row:
    # The list item (tracker.reads) without its database id, with the history's start and events,
    # and what each file loaded into it last said (so that loading that file again in the
    # database this document is loaded into changes nothing it did not change).
    item = {key: value for key, value in commitment_item(row, tags, partners).items() if key != "id"}
    last_loaded = {r["file_name"]: json.loads(r["stated"]) for r in sorted(loads, key=lambda r: str(r["file_name"]))}
    return {
        **item,
        "starts_on": iso_date(row["starts_on"]),
        "history": _history(events, pieces),
        "last_loaded": last_loaded,
    }


def _history(events: list[ExportedEventRow], pieces: list[ExportedPieceRow]) -> list[Row]:
    # An undo names the event it reverses by that event's key: ids are each database's own.
    keys = {event["id"]: event["key"] for event in events}
    cited: dict[int, list[Row]] = {}
    for piece in pieces:
        cited.setdefault(piece["event_id"], []).append(piece_fields(piece))
    return [
        {
            "key": event["key"],
            "kind": event["kind"],
            **recorded_fields(event, cited),
            "batch": event["batch"],
            "undoes": keys[event["undoes"]] if event["undoes"] is not None else None,
        }
        for event in events
    ]


def _write_json(out: TextIO, head: Row, items: Iterator[Row]) -> None:
    # Byte for byte what json.dumps(document, indent=2) gives, written a commitment at a time.
    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {json.dumps(key)}: {indented_json(value, 1)},\n")
    out.write('  "commitments": [')
    separator = "\n    "
    for item in items:
        out.write(separator + indented_json(item, 2))
        separator = ",\n    "
    out.write("]\n}\n" if separator == "\n    " else "\n  ]\n}\n")


def _yaml_dump(value: Any) -> str:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type, misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return str(yaml.dump(value, Dumper=Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False))


def _write_yaml(out: TextIO, head: Row, items: Iterator[Row]) -> None:
    out.write(_yaml_dump(head))
    chunk: list[Row] = []
    out.write("commitments:")
    written = False
    for item in items:
        chunk.append(item)
        if len(chunk) == _YAML_CHUNK:
            out.write(("" if written else "\n") + _yaml_dump(chunk))
            chunk, written = [], True
    if chunk:
        out.write(("" if written else "\n") + _yaml_dump(chunk))
        written = True
    if not written:
        out.write(" []\n")


def _write_csv(database: Database, out: TextIO, bar: Progress, *, excel: bool, delimiter: str) -> None:
    from tracker import render

    if excel:
        out.write("\ufeff")
    render.write_csv(out, render.EXPORT_CSV_FIELDS, spreadsheet_rows(database, bar), delimiter=delimiter)


def spreadsheet_rows(database: Database, bar: Progress) -> Iterator[list[Any]]:
    """A CSV export's and a workbook's rows, one per commitment, in render.EXPORT_CSV_FIELDS' order:
    lists joined with `;`, dates as ISO text (a date its precision's last day), nothing made safe."""
    from tracker import render

    extras = database.iterate(queries.EXPORT_CSV_EXTRAS)
    for row, tags, partners, _, _, _ in _commitment_parts(database, bar, with_history=False):
        yield [*render.commitment_csv_row(commitment_item(row, tags, partners)), *_csv_extras(next(extras), row["id"])]


def _csv_extras(extra: CsvExtrasRow, commitment_id: int) -> list[Any]:
    assert extra["commitment_id"] == commitment_id, "both queries run in commitment-id order"
    return [
        extra["source_url"], iso_date(extra["status_on"]), extra["last_note"], extra["last_evidence"],
        iso_date(extra["withdrawn_on"]), extra["withdrawn_reason"],
    ]  # fmt: skip

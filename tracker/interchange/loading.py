"""`tracker load`: which format each file is in, checking them, and one transaction for all.

A file's format comes from `--format`, else its extension: .csv is CSV; .xlsx (or .xlsm) is a workbook,
whose sheet is checked as a CSV file is; .yaml, .yml and .json are a fixture or an export, told
apart by their `format:` key.

What is small is checked before the transaction begins: a fixture, a CSV file's header, an
export's organisations and sources. The rows of a CSV file and the commitments of an export
can number hundreds of thousands, so they are checked as they are read, inside the
transaction, and written a batch at a time; a problem anywhere stops the writing, the file is
read to its end so that every problem is listed, and the whole transaction is rolled back.
"""

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker import files, gc_tuning
from tracker.errors import InvalidInput, TrackerError
from tracker.interchange import streams
from tracker.interchange.history_load import LoadHistory, record_history
from tracker.interchange.problems import LoadSummary
from tracker.settings import DatabaseChoice

if TYPE_CHECKING:
    from tracker.dates import FuzzyDate
    from tracker.interchange.csv_file import CsvFile
    from tracker.store.database import Database

LOAD_FORMATS = ("fixture", "export", "csv", "xlsx")
_TABLE_FORMATS = ("csv", "xlsx")  # a row per commitment, checked by tracker.interchange.csv_file
_DOCUMENT_EXTENSIONS = (".yaml", ".yml", ".json")

Loader = Callable[["Database", LoadSummary], None]


@dataclass(frozen=True)
class LoadOptions:
    fmt: str | None = None
    mappings: Sequence[str] = ()
    status_maps: Sequence[str] = ()
    encoding: str | None = None  # CSV files without a byte-order mark
    status_on: str | None = None  # the day a commitments file's statuses took effect (rows without status_on)
    sheet: str | None = None  # a workbook's sheet (default: its first)
    strict: bool = False
    reopen: bool = False  # a status that the file changed may leave a final one


def load_files(choice: DatabaseChoice, paths: Sequence[str], options: LoadOptions, *, dry_run: bool) -> LoadSummary:
    """Check every file and write them all in one transaction (rolled back on a dry run or any problem)."""
    from tracker.dates import one_day
    from tracker.store.transactions import write_transaction
    from tracker.text import check_file_name

    if options.fmt is not None and options.fmt not in LOAD_FORMATS:
        raise InvalidInput(f"unknown format {options.fmt!r}; expected one of: {', '.join(LOAD_FORMATS)}")
    for path in paths:  # once, here, before any message names the file
        check_file_name(path)
        if not choice.is_url and files.database_file_named(path, choice.location) is not None:
            raise InvalidInput(f"{path} is the database itself (or a file SQLite keeps beside it), not a file to load")
    if options.encoding is not None:
        _check_encoding(options.encoding)
    with streams.readable(paths) as (readable, shown):
        try:
            formats = [options.fmt or _format_from_name(path) for path in readable]
            _check_table_options(options, formats)
            plan = LoadHistory()
            tables = _Tables(options)
            loaders = [_checked(path, fmt, options, plan, tables) for path, fmt in zip(readable, formats, strict=True)]
            tables.check()
            summary = LoadSummary()
            with (
                gc_tuning.during_load(),
                one_day(),
                write_transaction(choice, create=True, dry_run=dry_run, bulk=_bulk(formats, tables)) as transaction,
            ):
                transaction.for_bulk_writes()
                for loader in loaders:
                    loader(transaction, summary)
                record_history(transaction, plan, summary, reopen=options.reopen)
        except TrackerError as error:
            if not shown:
                raise
            raise type(error)(streams.named_as_given(str(error), shown)) from None
    return summary


def _bulk(formats: list[str | None], tables: "_Tables") -> bool:
    """Whether the load only inserts rows and finds them by id, so that a new file may build its
    indexes after them (tracker.store.new_file): one commitments table, whose refs are each on one
    row. A history, an export, a fixture or a second file looks events up by commitment."""
    return len(formats) == 1 and formats[0] in _TABLE_FORMATS and not any(data.is_history for data in tables.files)


def _check_table_options(options: LoadOptions, formats: list[str | None]) -> None:
    """Options that only a CSV file or a workbook can use, refused when no file given is one."""
    table_options = options.mappings or options.status_maps or options.strict or options.status_on
    if table_options and not set(_TABLE_FORMATS) & set(formats):
        raise InvalidInput("--map, --status-map, --status-on and --strict are for CSV files and workbooks (.xlsx)")
    if options.encoding is not None and "csv" not in formats:
        raise InvalidInput(
            "--encoding is for CSV files" + ("; a workbook's text needs none" if "xlsx" in formats else "")
        )
    if options.sheet is not None and "xlsx" not in formats:
        raise InvalidInput("--sheet is for workbooks (.xlsx)")


def _check_encoding(name: str) -> None:
    import codecs

    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InvalidInput(f"unknown encoding {name!r}; give one such as utf-8, utf-16 or cp1252") from None
    try:
        "".encode(info.name)  # refuses rot13, base64 and the other bytes-to-bytes codecs
    except LookupError:
        raise InvalidInput(f"{name!r} is not a text encoding; give one such as utf-8, utf-16 or cp1252") from None


def _format_from_name(path: str) -> str | None:
    extension = os.path.splitext(path)[1].lower()
    if extension == ".csv":
        return "csv"
    if extension in (".xlsx", ".xlsm"):  # a workbook, with macros or without (never run)
        return "xlsx"
    if extension in _DOCUMENT_EXTENSIONS:
        return None  # told by the document's `format:` key
    raise InvalidInput(f"cannot tell the format of {path} from its name; give --format fixture, export, csv or xlsx")


class _Tables:
    """The load's CSV files and workbooks: --map and --status-map read once, and apply to every file."""

    def __init__(self, options: LoadOptions) -> None:
        self.options = options
        self.files: list[CsvFile] = []
        self.mappings: dict[str, str] | None = None
        self.status_map: dict[str, str] = {}
        self.status_on: FuzzyDate | None = None

    def open(self, path: str, fmt: str) -> "CsvFile":
        from tracker.interchange.csv_file import day_cell, open_csv, parse_mappings
        from tracker.interchange.status_maps import parse_status_maps

        if self.mappings is None:
            self.mappings = parse_mappings(list(self.options.mappings))
            self.status_map = parse_status_maps(list(self.options.status_maps))
            if self.options.status_on is not None:
                self.status_on = day_cell(self.options.status_on, "--status-on")
        if fmt == "xlsx":
            from tracker.interchange.xlsx_file import open_xlsx

            data = open_xlsx(path, self.mappings, self.status_map, self.options.sheet)
        else:
            data = open_csv(path, self.mappings, self.status_map, self.options.encoding)
        self.files.append(data)
        return data

    def check(self) -> None:
        from tracker.interchange.csv_file import check_mappings_used

        if self.mappings:
            check_mappings_used(self.files, self.mappings)
        if self.status_on is not None and all(data.is_history for data in self.files):
            raise InvalidInput("--status-on dates a commitments file's statuses; a history file dates its own")


def _checked(path: str, fmt: str | None, options: LoadOptions, plan: LoadHistory, tables: _Tables) -> Loader:
    from tracker.interchange import export, export_reader, fixture, restore
    from tracker.interchange.documents import read_document, read_json_head

    if fmt in _TABLE_FORMATS:
        from tracker.interchange.csv_load import load_csv

        csv_file = tables.open(path, fmt)
        plan.files.append(path)
        if csv_file.is_history:
            from tracker.interchange.history_file import read_history
            from tracker.interchange.problems import Problems

            problems = Problems(path)
            plan.add_history(read_history(csv_file, problems))
            problems.raise_if_any()
            return lambda transaction, summary: None  # recorded after every file's commitments
        return lambda transaction, summary: load_csv(
            transaction, csv_file, summary, plan, strict=options.strict, reopen=options.reopen,
            status_on=tables.status_on,
        )  # fmt: skip
    streamed = path.lower().endswith(".json") and fmt != "fixture"
    # An export's commitments stay in the file until they are restored; a fixture is small.
    document = read_json_head(path, "commitments", export_reader.HEAD_KEYS) if streamed else read_document(path)
    declared = document.get("format") if isinstance(document, dict) else None
    if fmt is None:
        fmt = {fixture.FORMAT: "fixture", export.FORMAT: "export", export.FORMAT_WITHOUT_KEYS: "export"}.get(
            str(declared)
        )
        if fmt is None:
            raise TrackerError(
                f"{path} is neither a fixture ('format: {fixture.FORMAT}') nor an export ('format: {export.FORMAT}')"
            )
    if fmt == "fixture":
        checked = fixture.fixture_from_document(read_document(path) if streamed else document, path)
        return lambda transaction, summary: fixture.load_fixture(
            transaction, checked, path, summary, reopen=options.reopen
        )
    data = export_reader.export_from_document(document, path)
    return lambda transaction, summary: restore.restore_export(transaction, data, summary, reopen=options.reopen)

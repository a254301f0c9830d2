"""Renderers for lists, commitments, histories, organisations and sources: table, JSON, CSV, Markdown.

Each takes the plain dicts of tracker.reads and returns text; nothing here reads the database.
"""

import functools
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from tracker.dates import FuzzyDate
from tracker.fastjson import Encode, compact_encoder, compact_json

LIST_FORMATS = ("table", "json", "csv", "markdown")
LIST_FIELDS = (
    "id", "ref", "title", "description", "owner", "partners", "status", "agreed", "agreed_precision",
    "due", "due_precision", "tags", "source", "created_at", "updated_at",
)  # fmt: skip
# A CSV export's columns beyond the list's: where the source is, since when the status holds, the
# latest note and evidence, and the withdrawal (README, "Corrections"). A load reads source_url
# (for a source it creates), status_on (the day the status took effect) and the withdrawal.
EXPORT_CSV_FIELDS = (
    *LIST_FIELDS, "source_url", "status_on", "last_note", "last_evidence", "withdrawn_on", "withdrawn_reason",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def to_json(value: Any) -> str:
    """Indented JSON in which lists of plain values, and records below the second level, take one line.

    The standard library encodes compact JSON in C but indented JSON in Python, so the layout is
    done here and each record encoded compactly (tracker.fastjson; docs/speed.md).
    """
    return _layout(value, 0, compact_encoder()) + "\n"


_EXPANDED_LEVELS = 2


@functools.lru_cache(maxsize=1024)
def _encoded_key(key: Any) -> str:
    return compact_json(str(key))  # records repeat the same few keys thousands of times


def _layout(value: Any, level: int, encode: Encode) -> str:
    compact = (
        not isinstance(value, dict | list)
        or not value
        or level >= _EXPANDED_LEVELS
        or (isinstance(value, list) and not any(isinstance(item, dict | list) for item in value))
    )
    if compact:
        return encode(value)
    inner = "  " * (level + 1)
    if isinstance(value, dict):
        if level + 1 >= _EXPANDED_LEVELS:  # a record's values are all compact: encode them directly
            parts = [f"{inner}{_encoded_key(k)}: {encode(v)}" for k, v in value.items()]
        else:
            parts = [f"{inner}{_encoded_key(k)}: {_layout(v, level + 1, encode)}" for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + "  " * level + "}"
    if level + 1 >= _EXPANDED_LEVELS:
        parts = [inner + line for line in map(encode, value)]  # records: one line each
    else:
        parts = [inner + _layout(item, level + 1, encode) for item in value]
    return "[\n" + ",\n".join(parts) + "\n" + "  " * level + "]"


def shown_date(value: str | None, precision: str | None) -> str:
    fuzzy = FuzzyDate.stored(value, precision)
    return str(fuzzy) if fuzzy else ""


def spreadsheet_safe(value: Any) -> str:
    """A cell that would start a formula in a spreadsheet gets a leading apostrophe, and so does
    one that already starts with apostrophes before such a start (`'=x` → `''=x`), so that
    spreadsheet_text can take off exactly the apostrophe added here."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip("'").startswith(_FORMULA_STARTS) else text


def spreadsheet_text(cell: str) -> str:
    """A cell's text as a spreadsheet user means it: an apostrophe before a formula-like start
    (`'=x`) only marks the rest as text. The inverse of spreadsheet_safe."""
    if cell.startswith("'") and cell[1:].lstrip("'").startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> None:
    """CSV with CRLF line ends, as spreadsheets expect, each cell made safe; rows may be a stream."""
    import csv  # here, not at the top: only CSV output needs it

    writer = csv.writer(out, lineterminator="\r\n", delimiter=delimiter)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)


def csv_cell(value: Any) -> Any:
    """Lists in one cell, joined with `;`."""
    return ";".join(value) if isinstance(value, list) else value


def commitment_csv_row(item: dict[str, Any]) -> list[Any]:
    return [csv_cell(item[name]) for name in LIST_FIELDS]


# Markdown (GitHub's, tables included) shows text as typed: every character that can open inline
# syntax is backslash-escaped (code, emphasis, strikethrough, links, HTML, entities, math, a
# table's `|`), `_` only where it can (not inside a word, so not_started stays as it is), and a
# line break, which would end a table row, becomes a space.
_MARKDOWN_SYNTAX = r"[\\`*~\[\]<>&|$]|(?<![^\W_])_|_(?![^\W_])"
_LINE_BREAKS = str.maketrans({"\r": " ", "\n": " "})


@functools.cache
def _compiled_markdown_syntax() -> re.Pattern[str]:
    return re.compile(_MARKDOWN_SYNTAX)  # on first use: commands that print tables never need it


def markdown_text(value: Any) -> str:
    """The one escape for every piece of Markdown tracker writes: lists, tables and reports."""
    return _compiled_markdown_syntax().sub(r"\\\g<0>", str(value)).translate(_LINE_BREAKS)


def table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table", wrap: dict[int, int] | None = None
) -> str:
    from tabulate import tabulate

    if fmt == "markdown":
        cells = [[markdown_text(cell) for cell in row] for row in rows]
        headers = [markdown_text(name) for name in header]
        return tabulate(cells, headers=headers, tablefmt="github", disable_numparse=True) + "\n"
    wrap = wrap or {}
    cells = [[_wrapped(cell, wrap.get(i)) for i, cell in enumerate(row)] for row in rows]
    return tabulate(cells, headers=list(header), tablefmt="simple", disable_numparse=True) + "\n"


def _wrapped(cell: Any, width: int | None) -> Any:
    """Long text on several lines, split only at spaces: refs and tags are hyphenated words."""
    if width is None or not isinstance(cell, str) or len(cell) <= width:
        return cell
    import textwrap

    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_on_hyphens=False, break_long_words=False)) or line
        for line in cell.splitlines()
    )


def commitments(items: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return to_json(list(items))
    if fmt == "csv":
        return to_csv(LIST_FIELDS, [commitment_csv_row(item) for item in items])
    if not items and fmt == "table":
        return "no commitments match\n"
    header = ("ref", "title", "owner", "status", "due", "tags")
    rows = [
        (item["ref"], item["title"], item["owner"], _status(item),
         shown_date(item["due"], item["due_precision"]), ", ".join(item["tags"]))
        for item in items
    ]  # fmt: skip
    return table(header, rows, fmt, wrap={1: 44, 5: 32})


def _status(item: dict[str, Any]) -> str:
    """The status, and whether it was withdrawn (list --withdrawn, show)."""
    withdrawn = item.get("withdrawn_on")
    return f"{item['status']} (withdrawn {withdrawn})" if withdrawn else str(item["status"])


def history(events: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return to_json(list(events))
    header = ("id", "on", "kind", "status", "by", "note", "evidence")
    rows = [
        (event["id"], event["on"], event["kind"], _transition(event), event["by"] or "",
         event["note"] or "", "\n".join(map(_piece, event["cited"])))
        for event in events
    ]  # fmt: skip
    # The evidence is not wrapped: each of its lines is one piece.
    return table(header, rows, fmt, wrap={5: 48})


def _piece(piece: dict[str, Any]) -> str:
    """A piece an event cites, a line of the history's evidence cell: its URL or citation, and
    its stance when it does not support the event (`https://… (contradicts)`)."""
    cited = str(piece["url"] or piece["citation"])
    return cited if piece["stance"] == "supports" else f"{cited} ({piece['stance']})"


def evidence(found: dict[str, Any], fmt: str) -> str:
    """`tracker evidence`: the pieces by stance, each with its day, what it is, publisher and quote."""
    if fmt == "json":
        return to_json(found)
    from tracker.evidence import label

    lines = [f"{found['ref']}: {found['status']} since {found['status_on']}\n"]
    for stance in ("supports", "contradicts", "context"):
        pieces = found[stance]
        if not pieces:
            lines.append(f"\n{stance}: nothing cited\n")
            continue
        rows = [(p["on"], p["event"], label(p), p["publisher"] or "", p["quote"] or "") for p in pieces]
        lines.append(
            f"\n{stance}:\n"
            + table(("on", "event", "evidence", "publisher", "quote"), rows, "table", wrap={2: 40, 4: 40})
        )
    return "".join(lines)


def _transition(event: dict[str, Any]) -> str:
    if event["kind"] == "review":  # the status it found in effect, and confirmed
        return f"still {event['from_status']}"
    if event["kind"] == "verdict":  # a judgement, apart from the status
        reason = f" ({event['verdict_reason']})" if event.get("verdict_reason") else ""
        return f"verdict {event['verdict']}{reason}"
    if event["to_status"] is None:
        return ""
    if event["from_status"] is None:
        return str(event["to_status"])
    return f"{event['from_status']} → {event['to_status']}"


def detail(item: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return to_json(item)
    source = item["source_detail"]
    source_text = ""
    if source:
        source_text = source["title"] + (f" ({source['publisher']})" if source["publisher"] else "")
        if source["url"]:
            source_text += f" {source['url']}"
    fields = [
        ("ref", item["ref"]),
        ("title", item["title"]),
        ("owner", item["owner"]),
        ("partners", ", ".join(item["partners"])),
        ("status", _status(item)),
        ("agreed", shown_date(item["agreed"], item["agreed_precision"])),
        ("starts", item["starts_on"]),
        ("due", shown_date(item["due"], item["due_precision"])),
        ("tags", ", ".join(item["tags"])),
        ("source", source_text),
        ("description", item["description"]),
    ]
    from tabulate import tabulate

    head = tabulate([(name, _wrapped(value, 80)) for name, value in fields], tablefmt="plain", disable_numparse=True)
    return f"{head}\n\nhistory:\n{history(item['history'], 'table')}"


def owners(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return to_json(list(rows))
    header = ("short_name", "name", "country", "owned", "open", "overdue", "partner_in")
    cells = [[row[name] if row[name] is not None else "" for name in header] for row in rows]
    return table(header, cells, fmt, wrap={1: 40})


SOURCE_FIELDS = ("key", "title", "publisher", "url", "published", "published_precision", "note", "commitments")


def sources(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return to_json(list(rows))
    if fmt == "csv":
        return to_csv(SOURCE_FIELDS, [[row[name] for name in SOURCE_FIELDS] for row in rows])
    if not rows and fmt == "table":
        return "no sources yet\n"
    header = ("key", "title", "publisher", "url", "published", "commitments")
    cells = [
        (row["key"], row["title"], row["publisher"] or "", row["url"] or "",
         shown_date(row["published"], row["published_precision"]), row["commitments"])
        for row in rows
    ]  # fmt: skip
    return table(header, cells, fmt, wrap={1: 40, 2: 20})


def source_detail(item: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return to_json(item)
    fields = [
        ("key", item["key"]),
        ("title", item["title"]),
        ("publisher", item["publisher"] or ""),
        ("url", item["url"] or ""),
        ("published", shown_date(item["published"], item["published_precision"])),
        ("note", item["note"] or ""),
    ]
    if item["merged_into"]:
        fields.append(("merged into", item["merged_into"]))
    fields.append(("commitments", str(item["commitments"])))
    from tabulate import tabulate

    head = tabulate([(name, _wrapped(value, 80)) for name, value in fields], tablefmt="plain", disable_numparse=True)
    if not item["cited_by"]:
        return head + "\n"
    cited = [(c["ref"], c["title"], c["status"]) for c in item["cited_by"]]
    return f"{head}\n\ncited by:\n{table(('ref', 'title', 'status'), cited, wrap={1: 44})}"


REVIEW_QUEUE_FIELDS = (
    "ref",
    "title",
    "owner",
    "status",
    "due",
    "due_precision",
    "last_checked",
    "days_unchecked",
    "why",
)


def review_queue(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return to_json(list(rows))
    if fmt == "csv":
        return to_csv(REVIEW_QUEUE_FIELDS, [[row[name] for name in REVIEW_QUEUE_FIELDS] for row in rows])
    if not rows and fmt == "table":
        return "no open commitments to review\n"
    header = ("ref", "title", "owner", "status", "due", "last checked", "why first")
    cells = [
        (row["ref"], row["title"], row["owner"], row["status"], shown_date(row["due"], row["due_precision"]),
         row["last_checked"], row["why"])
        for row in rows
    ]  # fmt: skip
    return table(header, cells, fmt, wrap={1: 36})

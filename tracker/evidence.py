"""Evidence: the pieces an event cites, each a record of its own (models.Evidence).

One home: the `evidence` table holds every piece and all that is known of it. The event's own
`evidence` text is a copy of its first piece's URL or citation, written with the pieces by
`write_pieces` alone, so that what reads one line per event (history tables, CSV exports, history
files, older exports and trackers) keeps showing it (tests/test_evidence.py compares them). An
event recorded without records (before m009, or loaded from a CSV, a history file or an export
without them) cites one piece: its `evidence` text, supporting.

What a status rests on, one rule (tracker.store.evidence.status_pieces): the pieces cited by the
events that count (the status change, reviews and notes; not a verdict, which has its own) dated
on or after the day the status took effect, up to the day asked about. `tracker evidence REF`
lists them for the current status, grouped by stance; a report gives them for each commitment at
its as-of day, with the verdict's (tracker.report).
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.errors import InvalidInput, NotFound
from tracker.store.database import Database
from tracker.text import clean_text, is_url

if TYPE_CHECKING:
    from tracker.store.evidence import CountedEvidenceRow, ReportedPieceRow

STANCES = ("supports", "contradicts", "context")
Row = dict[str, Any]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class Piece(NamedTuple):
    """A piece of evidence as a person gives it."""

    cited: str  # a URL, or a citation without one
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    accessed: dt.date | None = None  # default: today
    quote: str | None = None
    archive: str | None = None
    stance: str = "supports"
    source: str | None = None  # a source's key or URL


def _url(text: str, option: str) -> str:
    """An http or https address with a host and no spaces, else refused."""
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise InvalidInput(f"{option} {text!r} is not a web address (http:// or https:// and a host)")
    return text


def checked_pieces(database: Database, pieces: Sequence[Piece]) -> list[Row]:
    """The pieces as stored, checked (without their event): refused as a whole if any is wrong."""
    from tracker.dates import today

    rows: list[Row] = []
    for piece in pieces:
        cited = clean_text(piece.cited, "evidence", required=True, single_line=True) or ""
        is_address = bool(_SCHEME.match(cited))
        if piece.stance not in STANCES:
            raise InvalidInput(f"unknown stance {piece.stance!r}; expected one of: {', '.join(STANCES)}")
        accessed = piece.accessed or today()
        for day, option in ((piece.published, "--published"), (accessed, "--accessed")):
            if day is not None and day > today():
                raise InvalidInput(f"{option} {day} is after today ({today()})")
        archive = clean_text(piece.archive, "archive", single_line=True) or None
        rows.append(
            {
                "position": len(rows),
                "url": _url(cited, "evidence") if is_address else None,
                "citation": None if is_address else cited,
                "title": clean_text(piece.title, "title", single_line=True) or None,
                "publisher": clean_text(piece.publisher, "publisher", single_line=True) or None,
                "published": piece.published,
                "accessed": accessed,
                "quote": clean_text(piece.quote, "quote") or None,
                "archive_url": _url(archive, "--archive") if archive else None,
                "stance": piece.stance,
                "source_id": _source_id(database, piece.source) if piece.source else None,
            }
        )
    return rows


def _source_id(database: Database, text: str) -> int:
    from tracker.service.sources import find_source
    from tracker.text import clean_source_text

    found = find_source(database, clean_source_text(text))
    if found is None:
        raise NotFound(f"no source with key or URL {text.strip()!r}; 'tracker sources' lists them")
    return int(found["id"])


def first_cited(rows: Sequence[Row]) -> str | None:
    """The event's own `evidence` text: its first piece's URL or citation."""
    return (rows[0]["url"] or rows[0]["citation"]) if rows else None


def write_pieces(database: Database, event_id: int, rows: Sequence[Row]) -> None:
    """Record the checked pieces of the event `event_id`, whose `evidence` is first_cited(rows)."""
    database.insert_many("evidence", [{"event_id": event_id, **row} for row in rows])


def piece_fields(row: Mapping[str, Any]) -> Row:
    """A piece as JSON shows it (history, show, evidence, the export)."""
    from tracker.reads import iso_date

    return {
        "url": row["url"],
        "citation": row["citation"],
        "title": row["title"],
        "publisher": row["publisher"],
        "published": iso_date(row["published"]),
        "accessed": iso_date(row["accessed"]),
        "quote": row["quote"],
        "archive_url": row["archive_url"],
        "stance": row["stance"],
        "source": row["source"],
    }


def lone_address(evidence: str) -> tuple[str | None, str | None]:
    """The (url, citation) of the one piece of an event recorded without records: its evidence
    text, a URL or a citation. Such a piece supports its event."""
    return (evidence, None) if is_url(evidence) else (None, evidence)


def lone_piece(evidence: str) -> Row:
    """The one piece of an event recorded without records: its evidence text, supporting."""
    url, citation = lone_address(evidence)
    return piece_fields(
        {
            "url": url,
            "citation": citation,
            "title": None,
            "publisher": None,
            "published": None,
            "accessed": None,
            "quote": None,
            "archive_url": None,
            "stance": "supports",
            "source": None,
        }
    )


def cited_by_event(database: Database, commitment_id: int) -> dict[int, list[Row]]:
    """The pieces of each of a commitment's events that has records, by event id."""
    from tracker.store.evidence import OF_COMMITMENT

    cited: dict[int, list[Row]] = {}
    for row in database.rows(OF_COMMITMENT, {"commitment_id": commitment_id}):
        cited.setdefault(row["event_id"], []).append(piece_fields(row))
    return cited


def cited(event: Mapping[str, Any], pieces: Mapping[int, list[Row]]) -> list[Row]:
    """An event's pieces: its records, else its evidence text as one piece, else none."""
    if event["id"] in pieces:
        return pieces[event["id"]]
    return [lone_piece(event["evidence"])] if event["evidence"] else []


def commitment_evidence(database: Database, ref: str) -> Row:
    """`tracker evidence REF`: what the events that count since the current status took effect
    cite, by stance."""
    from tracker.reads import iso_date
    from tracker.store.evidence import CURRENT_STATUS, SINCE_STATUS
    from tracker.text import lookup_text, ref_key

    commitment = database.row(CURRENT_STATUS, {"ref": ref_key(lookup_text(ref.strip(), "ref"))})
    if commitment is None:
        raise NotFound(f"no commitment with ref {ref!r}; 'tracker list' shows the refs")
    result: Row = {
        "ref": commitment["ref"],
        "status": commitment["status"],
        "status_on": iso_date(commitment["status_on"]),
        **{stance: [] for stance in STANCES},
    }
    params = {"commitment_id": commitment["id"], "as_of": commitment["last_event_on"]}
    for piece in map(cited_piece, database.rows(SINCE_STATUS, params)):
        result[piece["stance"]].append(piece)
    return result


def cited_piece(row: "CountedEvidenceRow") -> Row:
    """A piece as `tracker evidence` and reports show what a status or verdict rests on: the event
    citing it, its day, and the piece (an event recorded without records: its evidence text)."""
    from tracker.reads import iso_date

    piece = piece_fields(row) if row["stance"] is not None else lone_piece(row["evidence"] or "")
    return {"event": row["event_id"], "on": iso_date(row["on_date"]), **piece}


REPORTED_FIELDS = ("event", "on", "url", "citation", "title", "publisher", "stance")


def reported_piece(row: "ReportedPieceRow") -> tuple[str, Row]:
    """The commitment's ref, and the piece as a report gives it: cited_piece's fields that say
    what it is and where it stands (REPORTED_FIELDS); `tracker evidence REF` adds its dates,
    quote, archive and source. The row itself becomes the piece (reports read 100,000s)."""
    piece: Row = row  # type: ignore[assignment]
    ref, text = piece.pop("ref"), piece.pop("evidence")
    if not isinstance(piece["on"], str):  # a date from PostgreSQL
        piece["on"] = piece["on"].isoformat()
    if piece["stance"] is None:  # an event recorded without records: its evidence text, supporting
        piece["url"], piece["citation"] = lone_address(text or "")
        piece["stance"] = "supports"
    return ref, piece


def label(piece: Mapping[str, Any]) -> str:
    """A piece in a few words: its title, else its URL or citation."""
    return str(piece["title"] or piece["url"] or piece["citation"])


def summary(pieces: Sequence[Mapping[str, Any]]) -> str:
    """Pieces in one cell (a report's tables and CSV): the first that supports (else the first),
    how many more, and how many contradict; `none cited` when there are none."""
    if not pieces:
        return "none cited"
    lead = next((piece for piece in pieces if piece["stance"] == "supports"), pieces[0])
    notes = [f"+{len(pieces) - 1} more"] if len(pieces) > 1 else []
    contradicting = sum(piece["stance"] == "contradicts" for piece in pieces)
    if contradicting:
        notes.append(f"{contradicting} contradicts" if contradicting == 1 else f"{contradicting} contradict")
    return label(lead) + (f" ({', '.join(notes)})" if notes else "")

"""Reading an export document (`tracker-export/2`, or `/1` from before events had keys): each
commitment checked as it is read, with every problem found, into the rows that
tracker.interchange.restore writes. A commitment's kept state (its status and dates) is worked
out here from its history in the file.
"""

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker import timeline
from tracker.dates import PRECISIONS, FuzzyDate, at_precision
from tracker.errors import TrackerError
from tracker.interchange.documents import StreamedList
from tracker.interchange.export import FORMAT, FORMAT_WITHOUT_KEYS
from tracker.interchange.problems import Problems, listed
from tracker.keys import new_event_key
from tracker.statuses import STATUSES
from tracker.text import clean_ref, clean_tag, clean_text
from tracker.timeline import TimelineEvent
from tracker.verdicts import VERDICTS

EVENT_KINDS = ("created", "status", "note", "review", "verdict", "edit", "withdrawal", "undo")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEAD_KEYS = ("format", "organisations", "sources")  # an export's keys before its commitments


@dataclass
class ExportedCommitment:
    where: str
    ref: str
    row: dict[str, Any]  # commitment columns without ids
    owner: str
    partners: list[str]
    source: str | None
    tags: list[str]
    events: list[dict[str, Any]]  # event columns without ids
    last_loaded: dict[str, str]  # file name → what it said when last loaded (interchange.snapshots)


@dataclass
class ExportData:
    path: str
    organisations: list[Any]
    sources: list[Any]
    commitments: Iterable[Any]  # the document's items, unchecked: each is checked as it is restored
    keyed: bool = True  # tracker-export/2: events have keys, and an undo names its event's key


class _Reader:
    """Typed access to one mapping of the document; every problem goes to `problems`."""

    def __init__(self, item: Any, where: str, problems: Problems) -> None:
        self.item = item if isinstance(item, dict) else {}
        self.where = where
        self.problems = problems
        if not isinstance(item, dict):
            problems.add(where, "must be a mapping of fields")

    def _fail(self, key: str, message: str) -> None:
        self.problems.add(f"{self.where}.{key}", message)

    def text(self, key: str, field: str, *, required: bool = False, single_line: bool = False) -> str | None:
        value = self.item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self._fail(key, "is missing" if value is None else "must be text")
            return None
        try:
            return clean_text(value, field, required=required, single_line=single_line)
        except TrackerError as error:
            self._fail(key, str(error))
            return None

    def texts(self, key: str, clean: Any) -> list[str]:
        value = self.item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._fail(key, "must be a list of text")
            return []
        try:
            return [clean(v) for v in value]
        except TrackerError as error:
            self._fail(key, str(error))
            return []

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.item.get(key)
        if value is None:
            if required:
                self._fail(key, "is missing")
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self._fail(key, f"{value!r} is not a YYYY-MM-DD date")
            return None

    def fuzzy(self, key: str) -> FuzzyDate | None:
        last = self.date(key)
        precision = self.item.get(f"{key}_precision") or "day"
        if precision not in PRECISIONS:
            self._fail(f"{key}_precision", f"must be one of: {', '.join(PRECISIONS)}")
            return None
        if last is None:
            return None
        if at_precision(last, precision).last != last:  # `first` and the shown form rely on it
            self._fail(key, f"{last} is not the last day of a {precision.replace('_', ' ')}")
            return None
        return FuzzyDate(last, precision)

    def timestamp(self, key: str) -> dt.datetime | None:
        value = self.item.get(key)
        try:
            stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        except ValueError:
            self._fail(key, "is missing" if value is None else f"{value!r} is not a timestamp (2026-03-31T12:00:00Z)")
            return None
        # Stored in UTC; a timestamp without a zone is taken to be UTC already.
        return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)

    def key(self) -> str | None:
        """An event's key: a UUID as tracker writes them (models.new_event_key), or none."""
        value = self.item.get("key")
        if value is not None and not (isinstance(value, str) and _UUID.fullmatch(value)):
            self._fail("key", "must be a UUID in lower case, such as 0b6f5e1c-3d3a-4c52-9a0e-52f1d8f1b7a4")
            return None
        return value

    def status(self, key: str, *, required: bool) -> str | None:
        value = self.item.get(key)
        if value is None and not required:
            return None
        if value not in STATUSES:
            self._fail(key, f"must be one of: {', '.join(STATUSES)}")
            return None
        return str(value)


def export_from_document(document: Any, path: str) -> ExportData:
    """Check a parsed export document but its commitments (checked as they are restored, since a
    JSON file's are read from it one at a time); raises with every problem found."""
    from tracker.service.organisations import OrganisationSpec
    from tracker.service.sources import SourceSpec

    if not isinstance(document, dict) or document.get("format") not in (FORMAT, FORMAT_WITHOUT_KEYS):
        raise TrackerError(f"{path} is not a tracker export (expected 'format: {FORMAT}')")
    problems = Problems(path)
    organisations = []
    for index, item in enumerate(listed(document, "organisations", problems)):
        read = _Reader(item, f"organisations[{index}]", problems)
        short_name = read.text("short_name", "organisation", required=True, single_line=True)
        if short_name:
            organisations.append(
                OrganisationSpec(
                    short_name=short_name,
                    name=read.text("name", "organisation", single_line=True) or short_name,
                    country=read.text("country", "organisation", single_line=True),
                    aliases=read.texts("aliases", lambda a: clean_text(a, "organisation", single_line=True)),
                )
            )
    sources = []
    for index, item in enumerate(listed(document, "sources", problems)):
        read = _Reader(item, f"sources[{index}]", problems)
        key, title = read.text("key", "ref", required=True), read.text("title", "source", required=True)
        published = read.fuzzy("published")
        if key and title:
            sources.append(
                SourceSpec(
                    key=key,
                    title=title,
                    publisher=read.text("publisher", "source", single_line=True),
                    url=read.text("url", "url", single_line=True),
                    published=published,
                    note=read.text("note", "note"),
                    merged_into=read.text("merged_into", "ref", single_line=True),  # absent before m007
                )
            )
    commitments = document.get("commitments")
    if not isinstance(commitments, StreamedList):
        commitments = listed(document, "commitments", problems)
    problems.raise_if_any()
    return ExportData(path, organisations, sources, commitments, keyed=document["format"] == FORMAT)


def exported_commitment(item: Any, where: str, problems: Problems, *, keyed: bool) -> ExportedCommitment | None:
    before = len(problems.lines)
    read = _Reader(item, where, problems)
    ref_text = read.text("ref", "ref", required=True)
    ref = None
    if ref_text:
        try:
            ref = clean_ref(ref_text)
        except TrackerError as error:
            problems.add(f"{where}.ref", str(error))
    where = f"{where} ({ref or ref_text})"
    read.where = where
    agreed, due = read.fuzzy("agreed"), read.fuzzy("due")
    row = {
        "ref": ref,
        "title": read.text("title", "title", required=True),
        "description": read.text("description", "description") or "",
        "status": read.status("status", required=True),
        "agreed": agreed.last if agreed else None,
        "agreed_precision": agreed.precision if agreed else None,
        "due": due.last if due else None,
        "due_precision": due.precision if due else None,
        "starts_on": read.date("starts_on", required=True),
        "created_at": read.timestamp("created_at"),
        "updated_at": read.timestamp("updated_at"),
    }
    owner = read.text("owner", "organisation", required=True, single_line=True)
    partners = read.texts("partners", lambda p: clean_text(p, "organisation", single_line=True))
    tags = read.texts("tags", clean_tag)
    source = read.text("source", "ref", single_line=True)
    history = read.item.get("history")
    if not isinstance(history, list) or not history:
        problems.add(f"{where}.history", "must be a list of events, starting with the created one")
        history = []
    events = [_event(event, f"{where}.history[{i}]", problems, keyed=keyed) for i, event in enumerate(history)]
    _link_undos(events, f"{where}.history", problems, keyed=keyed)
    if history and sum(1 for e in events if e["kind"] == "created") != 1:
        problems.add(f"{where}.history", "must have exactly one created event")
    last_loaded = _last_loaded(read.item.get("last_loaded"), f"{where}.last_loaded", problems)
    if len(problems.lines) > before or ref is None or owner is None:
        return None
    # The state comes from the history by the timeline rule, as the database derives it.
    history_events = file_timeline(events)
    if isinstance(row["starts_on"], dt.date):
        derived, row["status_on"], row["last_event_on"], row["withdrawn_on"] = timeline.kept_state(
            history_events, row["starts_on"]
        )
    else:
        derived = timeline.status_at(history_events)
    if derived != row["status"]:
        problems.add(f"{where}.status", f"is {row['status']}, but its history leaves it {derived}")
    return ExportedCommitment(where, ref, row, owner, partners, source, tags, events, last_loaded)


def _last_loaded(value: Any, where: str, problems: Problems) -> dict[str, str]:
    """File name → its statement, encoded (absent in exports from before m006_load_snapshots: none)."""
    from tracker.interchange import snapshots

    value = value or {}
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(stated, dict) and set(stated) <= set(snapshots.FIELDS)
        for name, stated in value.items()
    ):
        problems.add(where, "must map file names to the fields each gave")
        return {}
    return {name: snapshots.encoded(stated) for name, stated in value.items()}


def _event(item: Any, where: str, problems: Problems, *, keyed: bool) -> dict[str, Any]:
    read = _Reader(item, where, problems)
    kind = read.item.get("kind")
    if kind not in EVENT_KINDS:
        problems.add(f"{where}.kind", f"must be one of: {', '.join(EVENT_KINDS)}")
    to_status = read.status("to_status", required=kind in ("created", "status"))
    changes = read.item.get("changes")
    if changes is not None and not isinstance(changes, dict):
        problems.add(f"{where}.changes", "must be a mapping of field: [before, after]")
        changes = None
    verdict = read.item.get("verdict")
    if kind == "verdict" and verdict not in VERDICTS:
        problems.add(f"{where}.verdict", f"must be one of: {', '.join(VERDICTS)}")
    elif kind != "verdict" and verdict is not None:
        problems.add(f"{where}.verdict", "is for a verdict event")
    if "on" not in read.item and True in read.item:
        read.item["on"] = read.item[True]  # YAML 1.1 reads a bare `on:` key as true
    return {
        "key": (read.key() if keyed else None) or new_event_key(),
        "kind": kind,
        "to_status": to_status,
        "on_date": read.date("on", required=True),
        "recorded_at": read.timestamp("recorded_at"),
        "recorded_by": read.text("by", "by", single_line=True),
        "note": read.text("note", "note"),
        "evidence": (evidence := read.text("evidence", "evidence", single_line=True)),
        "changes": json.dumps(changes, ensure_ascii=False) if changes else None,
        "batch": read.text("batch", "ref", single_line=True),
        "verdict": verdict if kind == "verdict" else None,
        # A broken verdict's reason, as the tracker that recorded it knew its vocabulary.
        "verdict_reason": read.text("verdict_reason", "note", single_line=True),
        "_undoes": read.item.get("undoes"),  # the undone event's key, checked by _link_undos
        "_cited": _cited(read.item.get("cited"), evidence, f"{where}.cited", problems),
    }


def _cited(value: Any, evidence: str | None, where: str, problems: Problems) -> list[dict[str, Any]]:
    """An event's evidence records (tracker.evidence), as creation.insert_history writes them;
    none for an export without `cited` (before m009), or whose one piece is its evidence text."""
    from tracker.evidence import STANCES, lone_piece

    if value is None or (evidence is not None and value == [lone_piece(evidence)]):
        return []
    if not isinstance(value, list):
        problems.add(where, "must be a list of pieces of evidence")
        return []
    rows = []
    for index, item in enumerate(value):
        read = _Reader(item, f"{where}[{index}]", problems)
        if read.item.get("stance") not in STANCES:
            read._fail("stance", f"must be one of: {', '.join(STANCES)}")
        rows.append(
            {
                "position": index,
                "url": read.text("url", "url", single_line=True),
                "citation": read.text("citation", "evidence", single_line=True),
                "title": read.text("title", "title", single_line=True),
                "publisher": read.text("publisher", "publisher", single_line=True),
                "published": read.date("published"),
                "accessed": read.date("accessed"),
                "quote": read.text("quote", "quote"),
                "archive_url": read.text("archive_url", "archive", single_line=True),
                "stance": read.item.get("stance"),
                "_source": read.text("source", "source key", single_line=True),
            }
        )
    first = (rows[0]["url"] or rows[0]["citation"]) if rows else None
    if rows and first != evidence:
        problems.add(where, "must start with the piece whose URL or citation is the event's evidence")
    return rows


def _link_undos(events: list[dict[str, Any]], where: str, problems: Problems, *, keyed: bool) -> None:
    """Check that each event's key is its own and that each undo names an earlier event of the
    history: by its key, or in tracker-export/1 by its place. `_undoes` becomes that event's key
    (creation.insert_history resolves it to an id when it writes the undo)."""
    seen: dict[str, int] = {}
    for index, event in enumerate(events):
        if event["key"] in seen:
            problems.add(f"{where}[{index}].key", f"is also the key of history[{seen[event['key']]}]")
        seen.setdefault(event["key"], index)
        target = event["_undoes"]
        if target is None:
            continue
        if keyed and not (isinstance(target, str) and seen.get(target, index) < index):
            problems.add(f"{where}[{index}].undoes", "must be the key of an earlier event in this history")
        elif not keyed and not (isinstance(target, int) and 0 <= target < index):
            problems.add(f"{where}[{index}].undoes", "must be the place of an earlier event in this history")
        else:
            event["_undoes"] = target if keyed else events[target]["key"]


def file_timeline(events: list[dict[str, Any]]) -> list[TimelineEvent]:
    """A file's history as the timeline rule reads it: events by key, in the file's order."""
    return [TimelineEvent(e["kind"], e["on_date"], e["to_status"], e["key"], e["_undoes"]) for e in events]

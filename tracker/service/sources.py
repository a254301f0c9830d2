"""Sources: the one a commitment cites, found by key, URL or title through an index each
(tracker.store.sources), created by the rules of `--source`; and the records that `tracker
sources` adds, edits and merges.

Text that names a source (`add --source`, `edit --source`, a file's source column):
- a source with that key, URL or title, in any case, is that source; one merged into another
  names the other;
- otherwise a URL (http or https) becomes a new source at that URL, titled with it: a URL
  source shows once;
- otherwise the text is refused with the nearest name, unless the command creates it
  (`--new-source`, and every load: a row that names an unknown source creates it).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal, NamedTuple

from tracker.dates import FuzzyDate, today
from tracker.errors import InvalidInput, NotFound
from tracker.reads import nearest_source_name, source_by_key
from tracker.service.organisations import unique_value
from tracker.store import sources as queries
from tracker.store.database import Database, stored_date
from tracker.store.sources import SourceRecordRow, source_values
from tracker.text import (
    clean_ref,
    clean_source_text,
    clean_text,
    cut_slug,
    is_url,
    match_key,
    ref_key,
    whole_slug,
)

# What becomes of text that names no source: refused with the nearest name, but a URL is created
# ("existing": add and edit without --new-source); created ("create": --new-source, and loads);
# or, for `tracker undo`, the exact key its history names, brought back if merged since ("restore").
SourceRule = Literal["existing", "create", "restore"]

_KEY_FROM_TEXT = 40  # characters of a new source's key made from its title or URL


class SourceSpec(NamedTuple):
    key: str
    title: str
    publisher: str | None = None
    url: str | None = None
    published: FuzzyDate | None = None
    note: str | None = None
    merged_into: str | None = None  # an export's: the key of the source it was merged into

    def values(self) -> dict[str, object]:
        """The columns it gives, cleaned (within the limits of README's "Limits")."""
        return {
            "title": clean_text(self.title, "source title", required=True),
            "publisher": clean_text(self.publisher, "publisher", single_line=True),
            "url": clean_text(self.url, "url", single_line=True),
            "published": self.published.last if self.published else None,
            "published_precision": self.published.precision if self.published else None,
            "note": clean_text(self.note, "note"),
        }


def upsert_source(database: Database, spec: SourceSpec) -> str:
    """Create or bring up to date one source by key (fixtures, exports); says which it did."""
    key = clean_ref(spec.key, "source key")
    wanted = spec.values()
    existing = database.row(queries.SOURCE_BY_KEY, {"key": key})
    if existing is None:
        database.insert("source", source_values({"key": key, **wanted}))
        return "created"
    stored = {**existing, "published": stored_date(existing["published"])}
    if all(stored[name] == value for name, value in wanted.items()):
        return "unchanged"
    database.execute(queries.UPDATE_SOURCE, source_values({**stored, **wanted}))
    return "updated"


def link_merged(database: Database, spec: SourceSpec) -> None:
    """Record that a source a load created was merged into another (an export's merged_into)."""
    if spec.merged_into is None:
        return
    into = database.row(queries.SOURCE_BY_KEY, {"key": ref_key(spec.merged_into)})
    if into is None:
        raise InvalidInput(f"merged_into {spec.merged_into!r} is neither in the file nor in the database")
    source = database.row(queries.SOURCE_BY_KEY, {"key": clean_ref(spec.key, "source key")})
    assert source is not None, "created by the load"
    database.execute(queries.SET_MERGED_INTO, {"merged_into": into["id"], "id": source["id"]})


def find_source(database: Database, text: str) -> SourceRecordRow | None:
    """The source that cleaned text names: by key, else by URL, else by title, in any case; one
    merged into another stands for the other."""
    key = "" if is_url(text) else ref_key(text)  # no key is empty, nor has a URL's colon
    row = database.row(queries.SOURCE_NAMED, {"key": key, "match": match_key(text)})
    return _followed(database, row) if row is not None else None


def _followed(database: Database, row: SourceRecordRow) -> SourceRecordRow:
    """The source a merged one was merged into, after any number of merges."""
    seen = {row["id"]}
    while row["merged_into"] is not None and row["merged_into"] not in seen:
        into = database.row(queries.SOURCE_BY_ID, {"id": row["merged_into"]})
        assert into is not None, "merged_into is a foreign key"
        seen.add(into["id"])
        row = into
    return row


def resolve_source(
    database: Database, text: str, url: str | None = None, *, rule: SourceRule = "create"
) -> SourceRecordRow:
    """The source that text names (find_source); text that names none is taken by `rule`. A load
    may give the URL of a source it creates (a CSV export's source_url): the source at that URL,
    if there is one, is the one."""
    if rule == "restore":
        return restore_source(database, text)
    cleaned = clean_source_text(text)
    found = find_source(database, cleaned)
    url = clean_text(url, "url", single_line=True) or None
    if found is None and url:
        found = database.row(queries.SOURCE_BY_URL, {"match": match_key(url)})
        found = _followed(database, found) if found is not None else None
    if found is not None:
        return found
    if rule == "existing" and not is_url(cleaned):
        near = nearest_source_name(database, cleaned)
        hint = f"did you mean {near!r}?" if near else "'tracker sources' lists them."
        raise NotFound(f"unknown source {cleaned!r}; {hint} Give a URL, or --new-source to create it")
    return _create(database, cleaned, cleaned if is_url(cleaned) else url)


def _create(database: Database, title: str, url: str | None) -> SourceRecordRow:
    """A new source, keyed by the words of its title (a URL's without the scheme) up to 40
    characters. When they go on beyond that, or another source has the key, a fingerprint of the
    whole title follows: URLs of one site are alike in their first 40 characters, and each gets
    a key of its own at the first try, whatever order they come in (numbering them -2, -3 …
    would try every number before theirs)."""
    words = whole_slug(title.split("://", 1)[-1] if is_url(title) else title)
    base = cut_slug(words, _KEY_FROM_TEXT)
    values = source_values({"key": base, "title": title, "url": url})
    inserted = database.insert_new("source", values) if base == words else None
    if inserted is None:
        import hashlib  # only for a key with a fingerprint

        fingerprint = f"{base}-{hashlib.sha256(match_key(title).encode()).hexdigest()[:8]}"
        values["key"] = fingerprint
        inserted = database.insert_new("source", values)
        if inserted is None:  # another title with that fingerprint: rare enough to count
            values["key"] = unique_value(database, "source", "key", fingerprint)
            inserted = database.insert("source", values)
    return SourceRecordRow(
        id=inserted, key=values["key"], title=title, publisher=None, url=url, published=None,
        published_precision=None, note=None, merged_into=None,
    )  # fmt: skip


def restore_source(database: Database, key: str) -> SourceRecordRow:
    """The source with exactly this key, for `tracker undo`: one merged since comes back."""
    row = database.row(queries.SOURCE_BY_KEY, {"key": ref_key(key.strip())})
    if row is None:
        raise NotFound(f"no source with key {key!r} to put back; 'tracker sources' lists the keys")
    if row["merged_into"] is not None:
        database.execute(queries.SET_MERGED_INTO, {"merged_into": None, "id": row["id"]})
        row["merged_into"] = None
    return row


def _check_url_is_free(database: Database, url: object, source_id: int) -> None:
    """A URL is one source: no other source (not merged away) may have it, in any case."""
    if not url:
        return
    other = database.row(queries.OTHER_SOURCE_WITH_URL, {"match": match_key(str(url)), "id": source_id})
    if other is not None:
        raise InvalidInput(
            f"source {other['key']!r} has the URL {url!r} already; a URL is one source "
            f"(to make them one, 'tracker sources merge')"
        )


def _merged_into(database: Database, row: SourceRecordRow) -> str | None:
    """The key of the source this one was merged into, if it was."""
    if row["merged_into"] is None:
        return None
    into = database.row(queries.SOURCE_BY_ID, {"id": row["merged_into"]})
    assert into is not None, "merged_into is a foreign key"
    return into["key"]


def add_source(database: Database, spec: SourceSpec) -> str:
    """Add a source under a key no source has; its key."""
    key = clean_ref(spec.key, "source key")
    if database.row(queries.SOURCE_BY_KEY, {"key": key}) is not None:
        raise InvalidInput(f"source {key!r} already exists; change it with 'tracker sources edit {key}'")
    values = {name: value if value != "" else None for name, value in spec.values().items()}
    _check_url_is_free(database, values["url"], 0)
    database.insert("source", source_values({"key": key, **values}))
    return key


CLEAR = FuzzyDate(dt.date.min, "day")  # "remove this date" in an edit (a source's, a commitment's)


@dataclass
class SourceEdit:
    """Fields to change; None leaves one as it is, empty text removes it, CLEAR removes the date."""

    key: str | None = None
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: FuzzyDate | None = None
    note: str | None = None


_SHOWN_FIELDS = ("key", "title", "publisher", "url", "published", "note")


class EditedSource(NamedTuple):
    was: str  # its key before
    key: str  # its key now
    changed: list[str]  # the fields changed


def edit_source(database: Database, key: str, edit: SourceEdit) -> EditedSource:
    """Change a source's fields; says which."""
    row = source_by_key(database, key)
    if (into := _merged_into(database, row)) is not None:
        raise InvalidInput(f"source {row['key']!r} was merged into {into!r}; edit {into!r} instead")
    stored = {**row, "published": stored_date(row["published"])}
    wanted = dict(stored)
    if edit.key is not None:
        wanted["key"] = clean_ref(edit.key, "source key")
        taken = database.row(queries.SOURCE_BY_KEY, {"key": wanted["key"]})
        if taken is not None and taken["id"] != row["id"]:
            raise InvalidInput(f"source key {wanted['key']!r} is taken; choose another")
    if edit.title is not None:
        wanted["title"] = clean_text(edit.title, "source title", required=True)
    for name, text in (("publisher", edit.publisher), ("url", edit.url)):
        if text is not None:
            wanted[name] = clean_text(text, name, single_line=True) or None
    if edit.note is not None:
        wanted["note"] = clean_text(edit.note, "note") or None
    if edit.published is not None:
        cleared = edit.published is CLEAR
        wanted["published"] = None if cleared else edit.published.last
        wanted["published_precision"] = None if cleared else edit.published.precision
    changed = [name for name in _SHOWN_FIELDS if wanted[name] != stored[name]]
    if wanted["published_precision"] != stored["published_precision"] and "published" not in changed:
        changed.append("published")
    if not changed:
        raise InvalidInput(f"nothing to change: source {row['key']} already has these values")
    if "url" in changed:
        _check_url_is_free(database, wanted["url"], row["id"])
    database.execute(queries.UPDATE_SOURCE, source_values(wanted))
    return EditedSource(row["key"], str(wanted["key"]), changed)


class Merge(NamedTuple):
    from_key: str
    into_key: str
    refs: list[str]  # the commitments that cited it, which cite the other now


def merge_sources(database: Database, from_key: str, into_key: str, *, by: str | None = None) -> Merge:
    """Move every commitment citing one source to another, each change an `edit` event in its
    history (so `tracker undo` reverses them, and with them the merge), and keep the first as
    merged into the other: its key, title and URL name the other from then on."""
    from tracker.service.commitments import append_event, commitment_by_id

    source, into = source_by_key(database, from_key), source_by_key(database, into_key)
    if (merged := _merged_into(database, source)) is not None:
        raise InvalidInput(f"source {source['key']!r} was merged into {merged!r} already")
    if (merged := _merged_into(database, into)) is not None:
        raise InvalidInput(f"source {into['key']!r} was merged into {merged!r}; merge into {merged!r}")
    if source["id"] == into["id"]:
        raise InvalidInput(f"source {source['key']!r} cannot be merged into itself")
    refs = []
    changes = {"source": [source["key"], into["key"]]}
    note = f"source {source['key']} merged into {into['key']}"
    for cited in database.rows(queries.CITING, {"source_id": source["id"]}):
        commitment = commitment_by_id(database, cited["id"])
        commitment.source_id = into["id"]
        append_event(database, commitment, "edit", today(), note=note, by=by, changes=changes)
        refs.append(commitment.ref)
    database.execute(queries.SET_MERGED_INTO, {"merged_into": into["id"], "id": source["id"]})
    return Merge(source["key"], into["key"], refs)

"""Organisations and sources: found by any of their names, created, brought up to date."""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from tracker import reads
from tracker.dates import FuzzyDate
from tracker.errors import InvalidInput
from tracker.store import writes
from tracker.store.commitments import ORGANISATIONS
from tracker.store.database import Database, stored_date
from tracker.store.writes import SourceRecordRow
from tracker.text import clean_ref, clean_text, slugify


class OrganisationSpec(NamedTuple):
    short_name: str
    name: str
    country: str | None = None
    aliases: Sequence[str] = ()

    def cleaned(self) -> "OrganisationSpec":
        short = clean_text(self.short_name, "organisation", required=True, single_line=True) or ""
        return OrganisationSpec(
            short_name=short,
            name=clean_text(self.name, "organisation", single_line=True) or short,
            country=clean_text(self.country, "organisation", single_line=True) or None,
            aliases=[a for a in (clean_text(x, "organisation", single_line=True) for x in self.aliases) if a],
        )


def upsert_organisation(database: Database, spec: OrganisationSpec, *, create_only: bool = False) -> str:
    """Create or bring up to date one organisation by short name; says which it did."""
    spec = spec.cleaned()
    existing = database.row(writes.ORGANISATION_BY_SHORT_NAME, {"short_name": spec.short_name})
    import json  # here: update and edit, which import this module, never need it

    aliases = json.dumps(list(spec.aliases), ensure_ascii=False)
    if create_only:
        # A new name must not be mistaken for one that exists, in any case or as an alias.
        clash = reads.match_organisation(database.rows(ORGANISATIONS), spec.short_name)
        if clash is not None:
            raise InvalidInput(f"organisation {spec.short_name!r} already exists (as {clash['short_name']})")
    wanted = {"name": spec.name, "country": spec.country, "aliases": aliases}
    if existing is None:
        database.insert("organisation", {"short_name": spec.short_name, **wanted})
        return "created"
    return _bring_up_to_date(database, writes.UPDATE_ORGANISATION, existing["id"], existing, wanted)


def _bring_up_to_date(
    database: Database, update: str, row_id: int, stored: Mapping[str, object], wanted: Mapping[str, object]
) -> str:
    if all(stored[name] == value for name, value in wanted.items()):
        return "unchanged"
    database.execute(update, {**stored, **wanted, "id": row_id})
    return "updated"


class SourceSpec(NamedTuple):
    key: str
    title: str
    publisher: str | None = None
    url: str | None = None
    published: FuzzyDate | None = None
    note: str | None = None


def upsert_source(database: Database, spec: SourceSpec) -> str:
    key = clean_ref(spec.key)
    wanted = {
        "title": clean_text(spec.title, "source", required=True),
        "publisher": clean_text(spec.publisher, "source", single_line=True),
        "url": clean_text(spec.url, "url", single_line=True),
        "published": spec.published.last if spec.published else None,
        "published_precision": spec.published.precision if spec.published else None,
        "note": clean_text(spec.note, "note"),
    }
    existing = database.row(writes.SOURCE_BY_KEY, {"key": key})
    if existing is None:
        database.insert("source", {"key": key, **wanted})
        return "created"
    stored = {**existing, "published": stored_date(existing["published"])}
    return _bring_up_to_date(database, writes.UPDATE_SOURCE, existing["id"], stored, wanted)


def resolve_source(database: Database, text: str, url: str | None = None) -> SourceRecordRow:
    """A source by key, title or URL; text that names none becomes a new source, at `url` when
    given (a CSV export's source_url column), unless a source has that URL already."""
    is_url = text.strip().lower().startswith(("http://", "https://"))
    cleaned = clean_text(text, "url" if is_url else "source", required=True, single_line=True) or ""
    sources = database.rows(writes.SOURCES)
    for source in sources:
        if cleaned.casefold() in (
            source["key"].casefold(),
            source["title"].casefold(),
            (source["url"] or "").casefold(),
        ):
            return source
    if url:
        for source in sources:
            if url.casefold() == (source["url"] or "").casefold():
                return source
    key = unique_value(database, "source", "key", slugify(cleaned.split("://")[-1] if is_url else cleaned, 40))
    values = {"key": key, "title": cleaned, "url": cleaned if is_url else url}
    source_id = database.insert("source", values)
    row = database.row(writes.SOURCE_BY_KEY, {"key": key})
    assert row is not None and row["id"] == source_id
    return row


def unique_value(database: Database, table: str, column: str, base: str) -> str:
    """`base`, or `base-2`, `base-3` …: the first that no row of `table` has in `column`."""
    taken = writes.value_taken(table, column)
    candidate, number = base, 1
    while database.row(taken, {"value": candidate}) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate

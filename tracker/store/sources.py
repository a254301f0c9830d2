"""SQL for sources: found by key, URL or title through an index each, listed with how many
commitments cite them, written with their lookup columns, and merged.

A source's URL and title are matched through `url_key` and `title_key` (tracker.text.match_key),
which every write here fills from them: `source_values` is the one place they are made.
"""

from collections.abc import Mapping
from typing import Any, TypedDict

from tracker.store.commitments import SourceRow
from tracker.store.database import Query
from tracker.text import match_key


class SourceRecordRow(SourceRow):
    id: int
    merged_into: int | None


SOURCE_COLUMNS = "id, key, title, publisher, url, published, published_precision, note, merged_into"
_SOURCE = f"SELECT {SOURCE_COLUMNS} FROM source"
SOURCE_BY_ID = Query[SourceRecordRow](f"{_SOURCE} WHERE id = :id")
SOURCE_BY_KEY = Query[SourceRecordRow](f"{_SOURCE} WHERE key = :key")
# The source that text names, in one query of three index probes: by key (ref_key), else by URL,
# else by title (match_key). Files may hold several sources with one URL or title: the first
# recorded that stands on its own is the one found, else the first merged into another (which
# names that other).
_FIRST = "merged_into IS NOT NULL, id LIMIT 1"
SOURCE_NAMED = Query[SourceRecordRow](f"""
    {_SOURCE} WHERE key = :key OR url_key = :match OR title_key = :match
    ORDER BY CASE WHEN key = :key THEN 0 WHEN url_key = :match THEN 1 ELSE 2 END, {_FIRST}
""")
SOURCE_BY_URL = Query[SourceRecordRow](f"{_SOURCE} WHERE url_key = :match ORDER BY {_FIRST}")
# Another source than :id, not merged, with this URL (a URL source shows once).
OTHER_SOURCE_WITH_URL = Query[SourceRecordRow](
    f"{_SOURCE} WHERE url_key = :match AND id <> :id AND merged_into IS NULL ORDER BY id LIMIT 1"
)


class SourceNameRow(TypedDict):
    key: str
    title: str


# What an unknown name is compared with, to suggest the nearest (only when a command fails).
SOURCE_NAMES = Query[SourceNameRow]("SELECT key, title FROM source WHERE merged_into IS NULL ORDER BY key")


class ListedSourceRow(SourceRow):
    commitments: int


# Sources that stand on their own (not merged into another), with how many commitments cite each,
# counted in one pass over ix_commitment_source.
LISTED_SOURCES = Query[ListedSourceRow]("""
    SELECT s.key, s.title, s.publisher, s.url, s.published, s.published_precision, s.note,
           COALESCE(n.cited, 0) AS commitments
    FROM source s
    LEFT JOIN (SELECT source_id, COUNT(*) AS cited FROM commitment WHERE source_id IS NOT NULL GROUP BY source_id) n
           ON n.source_id = s.id
    WHERE s.merged_into IS NULL
    ORDER BY s.key
""")


class CitingRow(TypedDict):
    id: int
    ref: str
    title: str
    status: str


CITING = Query[CitingRow]("SELECT id, ref, title, status FROM commitment WHERE source_id = :source_id ORDER BY id")


def source_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A source's columns as written: `values` (title and url among them) with their lookup keys."""
    url = values.get("url")
    return {**values, "title_key": match_key(values["title"]), "url_key": match_key(url) if url else None}


class LookupKeysRow(TypedDict):
    key: str
    title: str
    url: str | None
    title_key: str | None
    url_key: str | None


# What `tracker db check` compares: each source's lookup columns against its title and URL.
LOOKUP_KEYS = Query[LookupKeysRow]("SELECT key, title, url, title_key, url_key FROM source ORDER BY key")


UPDATE_SOURCE = """
    UPDATE source SET key = :key, title = :title, publisher = :publisher, url = :url, published = :published,
                      published_precision = :published_precision, note = :note,
                      title_key = :title_key, url_key = :url_key
    WHERE id = :id
"""
SET_MERGED_INTO = "UPDATE source SET merged_into = :merged_into WHERE id = :id"

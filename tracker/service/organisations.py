"""Organisations: found by any of their names, created, brought up to date; and unique values
(a new ref, a new source key)."""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from tracker import reads
from tracker.errors import InvalidInput
from tracker.store import writes
from tracker.store.commitments import ORGANISATIONS
from tracker.store.database import Database
from tracker.text import clean_text


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


def unique_value(database: Database, table: str, column: str, base: str) -> str:
    """`base`, or `base-2`, `base-3` …: the first that no row of `table` has in `column`."""
    taken = writes.value_taken(table, column)
    candidate, number = base, 1
    while database.row(taken, {"value": candidate}) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate

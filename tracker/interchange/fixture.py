"""The fixture format (`tracker-fixture/1`): organisations, sources and commitments in YAML.

Loading is an upsert by key: new things are created, and of the commitments that exist what
the file changed since it was last loaded is recorded in history (tracker.interchange.snapshots).
The whole file is checked before anything is written, and every problem is reported at once.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.dates import FuzzyDate, read_date
from tracker.errors import TrackerError
from tracker.interchange.problems import LoadSummary, Problems, listed
from tracker.statuses import parse_status

if TYPE_CHECKING:
    from tracker.store.database import Database

FORMAT = "tracker-fixture/1"

__all__ = ["FORMAT", "Fixture", "LoadSummary", "fixture_from_document", "load_fixture"]


@dataclass
class Fixture:
    organisations: list[Any]
    sources: list[Any]
    commitments: list[Any]


def fixture_from_document(document: Any, path: str) -> Fixture:
    """Check a parsed fixture document; raises with every problem found."""
    from tracker.service.commitments import CommitmentSpec
    from tracker.service.organisations import OrganisationSpec
    from tracker.service.sources import SourceSpec

    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TrackerError(f"{path} is not a tracker fixture (expected 'format: {FORMAT}')")
    problems = Problems(path)
    organisations = []
    for index, item in enumerate(listed(document, "organisations", problems)):
        where = f"organisations[{index}]"
        if _fields(item, where, problems, required=("short_name",)):
            organisations.append(
                OrganisationSpec(
                    short_name=str(item["short_name"]),
                    name=str(item.get("name") or item["short_name"]),
                    country=_optional_text(item.get("country")),
                    aliases=[str(a) for a in item.get("aliases") or []],
                )
            )
    sources = []
    for index, item in enumerate(listed(document, "sources", problems)):
        where = f"sources[{index}]"
        if _fields(item, where, problems, required=("key", "title")):
            sources.append(
                SourceSpec(
                    key=str(item["key"]),
                    title=str(item["title"]),
                    publisher=_optional_text(item.get("publisher")),
                    url=_optional_text(item.get("url")),
                    published=_date(item.get("date"), f"{where}.date", problems),
                    note=_optional_text(item.get("note")),
                )
            )
    commitments = []
    refs: set[str] = set()
    for index, item in enumerate(listed(document, "commitments", problems)):
        where = f"commitments[{index}]"
        if not _fields(item, where, problems, required=("ref", "title", "owner")):
            continue
        ref = str(item["ref"])
        where = f"{where} ({ref})"
        if ref in refs:
            problems.add(where, "the ref appears twice in the file")
        refs.add(ref)
        try:
            status = parse_status(str(item.get("status") or "not_started"))
        except TrackerError as error:
            problems.add(f"{where}.status", str(error))
            continue
        commitments.append(
            CommitmentSpec(
                ref=ref,
                title=str(item["title"]),
                owner=str(item["owner"]),
                status=status,
                agreed=_date(item.get("agreed"), f"{where}.agreed", problems),
                due=_date(item.get("due"), f"{where}.due", problems),
                tags=[str(t) for t in item.get("tags") or []],
                partners=[str(p) for p in item.get("partners") or []],
                source=_optional_text(item.get("source")),
                description=str(item.get("description") or ""),
                source_rule="create",
            )
        )
    problems.raise_if_any()
    return Fixture(organisations, sources, commitments)


def load_fixture(
    database: "Database", fixture: Fixture, origin: str, summary: LoadSummary, *, reopen: bool = False
) -> None:
    """Write a checked fixture inside the caller's transaction: new commitments are created, and
    of the others only what the file changed since it was last loaded (tracker.interchange.snapshots)."""
    from tracker import reads
    from tracker.interchange import snapshots
    from tracker.service.organisations import upsert_organisation
    from tracker.service.sources import upsert_source

    problems = Problems(origin)
    for organisation in fixture.organisations:
        _attempt(
            problems,
            f"organisation {organisation.short_name}",
            summary,
            "organisations",
            lambda o=organisation: upsert_organisation(database, o),
        )
    for source in fixture.sources:
        _attempt(problems, f"source {source.key}", summary, "sources", lambda s=source: upsert_source(database, s))
    name = snapshots.file_name(origin)
    refs = [ref for ref in (_ref_or_none(c.ref) for c in fixture.commitments) if ref]
    stored = {item["ref"]: item for item in reads.commitments_with_refs(database, refs)}
    said = snapshots.read(database, name, [item["id"] for item in stored.values()])
    kept: dict[int, snapshots.Statement] = {}
    for commitment in fixture.commitments:
        _attempt(
            problems,
            f"commitment {commitment.ref}",
            summary,
            "commitments",
            lambda c=commitment: _load_commitment(database, c, stored, said, kept, name, reopen=reopen),
        )
    problems.raise_if_any()
    snapshots.write(database, name, kept)


def _load_commitment(
    database: "Database",
    spec: Any,
    stored: dict[str, Any],
    said: dict[int, Any],
    kept: dict[int, Any],
    name: str,
    *,
    reopen: bool,
) -> str:
    """Create one commitment, or apply what the file changed; keeps what the file said in `kept`."""
    from tracker.interchange import snapshots
    from tracker.service.commitments import add_commitment
    from tracker.service.edits import apply_loaded_fields
    from tracker.text import clean_ref

    values = _values(database, spec)
    stated = snapshots.statement(values)
    item = stored.get(clean_ref(spec.ref))
    if item is None:
        commitment = add_commitment(database, spec, note=f"loaded from {name}")
        kept[commitment.id] = stated
        return "created"
    before = said.get(item["id"])
    fields = snapshots.changed(stated, snapshots.as_it_stands(item) if before is None else before)
    wanted = {field: values[field] for field in fields}
    recorded = bool(wanted) and apply_loaded_fields(database, item["ref"], wanted, origin=name, reopen=reopen)
    if stated != before:
        kept[item["id"]] = stated
    return "updated" if recorded else "unchanged"


def _values(database: "Database", spec: Any) -> dict[str, Any]:
    """A commitment's fields as the file gives them, cleaned as a CSV's cells are when read."""
    from tracker.reads import find_organisation
    from tracker.text import clean_source_text, clean_tag, clean_text

    return {
        "title": clean_text(spec.title, "title", required=True),
        "description": clean_text(spec.description, "description") or "",
        "owner": find_organisation(database, spec.owner)["short_name"],
        "partners": sorted({find_organisation(database, p)["short_name"] for p in spec.partners}),
        "status": spec.status,
        "agreed": spec.agreed,
        "due": spec.due,
        "tags": sorted({clean_tag(t) for t in spec.tags}),
        "source": clean_source_text(spec.source) if spec.source and spec.source.strip() else None,
    }


def _ref_or_none(ref: str) -> str | None:
    from tracker.text import clean_ref

    try:
        return clean_ref(ref)
    except TrackerError:
        return None  # the load names the problem when it comes to this commitment


def _attempt(problems: Problems, where: str, summary: LoadSummary, kind: str, action: Any) -> None:
    try:
        summary.count(kind, action())
    except TrackerError as error:
        problems.add(where, str(error))


def _fields(item: Any, where: str, problems: Problems, *, required: tuple[str, ...]) -> bool:
    if not isinstance(item, dict):
        problems.add(where, "must be a mapping of fields")
        return False
    missing = [name for name in required if item.get(name) in (None, "")]
    for name in missing:
        problems.add(where, f"{name} is missing")
    return not missing


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _date(value: Any, where: str, problems: Problems) -> FuzzyDate | None:
    if value is None or value == "":
        return None
    try:
        return read_date(value, field=where.rsplit(".", 1)[-1])
    except TrackerError as error:
        problems.add(where, str(error))
        return None

"""The fixture format (`tracker-fixture/1`): organisations, sources and commitments in YAML.

Loading is an upsert by key: new things are created, changed ones are brought up to date with
the change recorded in history, unchanged ones are left alone. The whole file is checked
before anything is written, and every problem is reported at once.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.dates import FuzzyDate, read_date
from tracker.errors import TrackerError
from tracker.interchange.problems import LoadSummary, Problems, listed
from tracker.statuses import parse_status

FORMAT = "tracker-fixture/1"

__all__ = ["FORMAT", "Fixture", "LoadSummary", "fixture_from_document", "load_fixture"]


@dataclass
class Fixture:
    organisations: list[Any]
    sources: list[Any]
    commitments: list[Any]


def fixture_from_document(document: Any, path: str) -> Fixture:
    """Check a parsed fixture document; raises with every problem found."""
    from tracker.service import CommitmentSpec, OrganisationSpec, SourceSpec

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
            )
        )
    problems.raise_if_any()
    return Fixture(organisations, sources, commitments)


def load_fixture(session: Any, fixture: Fixture, origin: str, summary: LoadSummary) -> None:
    """Write a checked fixture inside the caller's transaction."""
    from tracker.service import upsert_commitment, upsert_organisation, upsert_source

    problems = Problems(origin)
    for organisation in fixture.organisations:
        _attempt(
            problems,
            f"organisation {organisation.short_name}",
            summary,
            "organisations",
            lambda o=organisation: upsert_organisation(session, o),
        )
    for source in fixture.sources:
        _attempt(problems, f"source {source.key}", summary, "sources", lambda s=source: upsert_source(session, s))
    for commitment in fixture.commitments:
        _attempt(
            problems,
            f"commitment {commitment.ref}",
            summary,
            "commitments",
            lambda c=commitment: upsert_commitment(session, c, origin=Path(origin).name),
        )
    problems.raise_if_any()


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

"""The Pakistan–US talks fixture: what it holds, and loading it (again, and changed)."""

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE, fails, normalise, ok

pytestmark = pytest.mark.usefixtures("loaded")


def _items() -> dict[str, dict[str, object]]:
    return {item["ref"]: item for item in json.loads(ok("list", "--format", "json"))}


def test_every_agreed_item_is_a_commitment_with_owner_status_and_source() -> None:
    items = _items()
    expected = {
        "ata-engagement": ("MOI", "in_progress"),
        "inl-engagement": ("MOI", "in_progress"),
        "crime-abroad-identification-software": ("MOI", "in_progress"),
        "officer-training-fia-fc-nccia": ("MOI", "in_progress"),
        "transnational-crime-centre": ("MOI", "not_started"),
        "fia-academy": ("FIA", "not_started"),
        "border-coastal-equipment": ("MOI", "not_started"),
        "fc-reorganisation": ("MOI", "in_progress"),
        "fia-nccia-strengthening": ("MOI", "in_progress"),
        "fia-ct-wing": ("FIA", "in_progress"),
        "nccia-call-centre-crackdown": ("NCCIA", "in_progress"),
        "fraud-terror-financing-software": ("MOI", "not_started"),
    }
    for ref, (owner, status) in expected.items():
        assert (items[ref]["owner"], items[ref]["status"]) == (owner, status), ref
    for item in items.values():
        assert item["source"] == "we-news-talks"
        assert item["tags"], item["ref"]
        # The report gives only the year, inferred: stored as the year, never a made-up day.
        assert (item["agreed"], item["agreed_precision"]) == ("2025-12-31", "year")
        assert item["due"] is None


def test_the_source_says_how_its_date_was_inferred() -> None:
    shown = json.loads(ok("show", "fia-ct-wing", "--format", "json"))
    source = shown["source_detail"]
    assert source["published"] == "2025-12-31" and source["published_precision"] == "year"
    assert "inferred" in source["note"]
    assert shown["history"][0]["on"] == "2025-01-01"  # the first day of the agreed year


def test_loading_again_changes_nothing() -> None:
    before = ok("list", "--format", "json")
    assert ok("load", str(FIXTURE)) == (
        "organisations: 0 created, 0 updated, 7 unchanged; sources: 0 created, 0 updated, 1 unchanged; "
        "commitments: 0 created, 0 updated, 13 unchanged\n"
    )
    assert ok("list", "--format", "json") == before


def test_a_changed_file_updates_what_changed_and_records_it(tmp_path: Path) -> None:
    document = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    academy = next(c for c in document["commitments"] if c["ref"] == "fia-academy")
    academy["status"] = "in_progress"
    academy["due"] = "Q4 2027"
    academy["tags"] = [*academy["tags"], "academy"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    assert ok("load", str(changed)).endswith("commitments: 0 created, 1 updated, 12 unchanged\n")
    events = json.loads(ok("history", "fia-academy", "--format", "json"))
    assert [e["kind"] for e in events] == ["created", "edit", "status"]
    assert events[1]["changes"] == {
        "due": [None, "Q4 2027"],
        "tags": [["institutions", "security-cooperation", "training"], ["academy", "institutions",
                 "security-cooperation", "training"]],
    }  # fmt: skip
    assert (events[2]["from_status"], events[2]["to_status"], events[2]["note"]) == (
        "not_started",
        "in_progress",
        "set in changed.yaml",
    )
    assert ok("load", str(changed)).endswith("commitments: 0 created, 0 updated, 13 unchanged\n")


def test_a_broken_fixture_loads_nothing_and_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: tracker-fixture/1\n"
        "organisations: [{short_name: X}]\n"
        "commitments:\n"
        "  - {ref: one, title: One, owner: X, status: finished}\n"
        "  - {ref: two, title: Two, owner: X, due: 'Q5 2026'}\n"
        "  - {ref: three, owner: X}\n",
        encoding="utf-8",
    )
    before = normalise(ok("owners"))
    message = fails("load", str(bad))
    assert message.splitlines() == [
        f"error: {bad}: 3 problems; nothing was loaded",
        "  commitments[0] (one).status: unknown status 'finished'; expected one of: not_started, in_progress, "
        "stalled, completed, partial, abandoned",
        "  commitments[1] (two).due: cannot read due 'Q5 2026'; use a form such as 2026-03-31, 31 March 2026, "
        "March 2026, Q3 2026, 2026, today or +90d",
        "  commitments[2]: title is missing",
    ]
    assert normalise(ok("owners")) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("format: tracker-fixture/1\ncommitments:\n  - ref: a\n   title: misindented\n", "is not valid YAML at line 4"),
        (
            "format: something-else\n",
            "is neither a fixture ('format: tracker-fixture/1') nor an export ('format: tracker-export/2')",
        ),
    ],
)
def test_files_that_are_not_fixtures_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(content, encoding="utf-8")
    assert fails("load", str(path)) == f"error: {path} {message}"


def test_a_missing_file_is_refused() -> None:
    assert fails("load", "nowhere.yaml") == "error: no such file: nowhere.yaml"

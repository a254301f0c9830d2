"""The Pakistan–US talks fixture: what it holds, and loading it (again, and changed)."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURE, fails, normalise, ok, run

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


TODAY = "2026-11-28"
UNCHANGED = (
    "organisations: 0 created, 0 updated, 7 unchanged; sources: 0 created, 0 updated, 1 unchanged; "
    "commitments: 0 created, 0 updated, 13 unchanged\n"
)


@pytest.fixture
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", TODAY)


def _fixture_changed(changes: dict[str, dict[str, Any]], name: str = FIXTURE.name) -> str:
    """The fixture with these fields changed by ref, written under `name` in the test's folder."""
    document = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    for item in document["commitments"]:
        item.update(changes.get(item["ref"], {}))
    Path(name).write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return name


@pytest.mark.usefixtures("pinned_today")
def test_loading_the_unchanged_file_again_keeps_what_was_recorded_by_hand() -> None:
    ok("update", "fia-ct-wing", "--status", "completed")
    ok("edit", "fia-academy", "--due", "2027")
    before = ok("export")
    assert ok("load", str(FIXTURE)) == UNCHANGED
    assert ok("export") == before
    # Copied to another folder, it is the same file: it is known by its name.
    Path(FIXTURE.name).write_bytes(FIXTURE.read_bytes())
    assert ok("load", FIXTURE.name) == UNCHANGED
    assert ok("export") == before


@pytest.mark.usefixtures("pinned_today")
def test_only_what_the_file_changed_is_applied_and_leaving_a_final_status_needs_reopen() -> None:
    ok("update", "fia-ct-wing", "--status", "completed", "--on", "2026-03-14")
    ok("edit", "fia-academy", "--due", "2027")
    changed = _fixture_changed(
        {"fia-ct-wing": {"status": "stalled"}, "fia-academy": {"title": "Set up an FIA academy"}}
    )
    before = ok("export")
    assert run("load", changed).stderr.splitlines() == [
        f"error: {changed}: 1 problem; nothing was loaded",
        f"  commitment fia-ct-wing: fia-ct-wing is completed on {TODAY}, a final status; "
        "add --reopen to change it to stalled",
    ]
    assert ok("export") == before
    assert ok("load", "--reopen", changed).endswith("commitments: 0 created, 2 updated, 11 unchanged\n")
    history = json.loads(ok("history", "fia-ct-wing", "-f", "json"))
    assert [(e["on"], e["from_status"], e["to_status"], e["note"]) for e in history[1:]] == [
        ("2026-03-14", "in_progress", "completed", None),
        (TODAY, "completed", "stalled", f"set in {FIXTURE.name}"),
    ]
    academy = json.loads(ok("show", "fia-academy", "-f", "json"))
    # The file changed the title, not the deadline: the deadline set by hand stays.
    assert (academy["title"], academy["due"], academy["due_precision"]) == (
        "Set up an FIA academy",
        "2027-12-31",
        "year",
    )
    assert academy["history"][-1]["changes"] == {
        "title": ["Establish an FIA academy with US support", "Set up an FIA academy"]
    }
    assert ok("load", changed) == UNCHANGED


@pytest.mark.usefixtures("pinned_today")
def test_a_status_the_file_changed_to_the_one_in_effect_records_nothing() -> None:
    ok("update", "fia-academy", "--status", "in_progress", "--note", "Site chosen")
    history = ok("history", "fia-academy")
    changed = _fixture_changed({"fia-academy": {"status": "in_progress"}})
    assert ok("load", changed) == UNCHANGED
    assert ok("history", "fia-academy") == history


@pytest.mark.usefixtures("pinned_today")
def test_the_first_load_of_a_file_by_another_name_compares_with_the_commitments_as_they_stand() -> None:
    ok("update", "fia-ct-wing", "--status", "completed")
    ok("edit", "fia-academy", "--due", "2027")
    Path("copy.yaml").write_bytes(FIXTURE.read_bytes())
    assert run("load", "copy.yaml").stderr.splitlines() == [
        "error: copy.yaml: 1 problem; nothing was loaded",
        f"  commitment fia-ct-wing: fia-ct-wing is completed on {TODAY}, a final status; "
        "add --reopen to change it to in_progress",
    ]
    assert ok("load", "--reopen", "copy.yaml").endswith("commitments: 0 created, 2 updated, 11 unchanged\n")
    academy = json.loads(ok("show", "fia-academy", "-f", "json"))
    assert (academy["due"], academy["history"][-1]["note"]) == (None, "changed in copy.yaml")
    assert ok("load", "copy.yaml") == UNCHANGED


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

"""Sources as records: `tracker sources` and its subcommands, the rule for `--source`, and the
sources a load creates; driven as a user types them, on SQLite and PostgreSQL."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import db_rows, fails, ok

WE_NEWS = "Pakistan, US agree to boost security and counterterrorism cooperation"


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")


def _sources() -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in json.loads(ok("sources", "--format", "json"))}


def _cited(ref: str) -> str | None:
    source: str | None = json.loads(ok("show", ref, "--format", "json"))["source"]
    return source


def _everything() -> list[tuple[Any, ...]]:
    """Every source and what each commitment cites, and the number of events: what a refused
    command must leave as it was."""
    sources = db_rows(
        "SELECT key, title, publisher, url, note, url_key, title_key, merged_into FROM source ORDER BY id"
    )
    cited = db_rows("SELECT ref, source_id FROM commitment ORDER BY id")
    return [*sources, *cited, *db_rows("SELECT COUNT(*) FROM event")]


def refused(*args: str) -> str:
    """A command that must fail with one line and change nothing."""
    before = _everything()
    message = fails(*args)
    assert _everything() == before
    return message


# --- tracker sources: the list ------------------------------------------------------------------


def test_the_list_counts_what_cites_each_source(loaded: None) -> None:
    ok("sources", "add", "joint-statement", "--title", "Joint statement", "--publisher", "MOFA")
    ok("add", "Hold a joint review", "--owner", "MOI", "--source", "joint-statement")
    assert ok("sources") == (
        "key              title                                     publisher    url                         "
        "published    commitments\n"
        "---------------  ----------------------------------------  -----------  --------------------------  "
        "-----------  -------------\n"
        "joint-statement  Joint statement                           MOFA                                     "
        "             1\n"
        "we-news-talks    Pakistan, US agree to boost security and  WE News      https://wenewsenglish.com/  "
        "2025         13\n"
        "                 counterterrorism cooperation\n"
    )
    listed = json.loads(ok("sources", "--format", "json"))
    assert [(row["key"], row["commitments"]) for row in listed] == [("joint-statement", 1), ("we-news-talks", 13)]
    assert set(listed[1]) == {
        "key", "title", "publisher", "url", "published", "published_precision", "note", "commitments",
    }  # fmt: skip
    assert (listed[1]["published"], listed[1]["published_precision"]) == ("2025-12-31", "year")
    csv = ok("sources", "--format", "csv").splitlines()
    assert csv[0] == "key,title,publisher,url,published,published_precision,note,commitments"
    assert csv[1] == "joint-statement,Joint statement,MOFA,,,,,1"
    assert ok("sources", "--format", "markdown").startswith("| key ")


def test_an_empty_list_says_so() -> None:
    ok("init")
    assert ok("sources") == "no sources yet\n"
    assert ok("sources", "--format", "json") == "[]\n"
    assert refused("sources", "--format", "yaml") == (
        "error: unknown format 'yaml'; expected one of: table, json, csv, markdown"
    )


# --- sources add and show -----------------------------------------------------------------------


def test_add_then_show(loaded: None) -> None:
    assert ok(
        "sources", "add", "ispr-brief", "--title", "ISPR press briefing", "--publisher", "ISPR",
        "--url", "https://ispr.gov.pk/brief-1", "--published", "March 2026", "--note", "Televised",
    ) == "added source ispr-brief\n"  # fmt: skip
    ok("add", "Brief the press monthly", "--owner", "MOI", "--source", "ISPR-BRIEF")
    assert ok("sources", "show", "ispr-brief") == (
        "key          ispr-brief\n"
        "title        ISPR press briefing\n"
        "publisher    ISPR\n"
        "url          https://ispr.gov.pk/brief-1\n"
        "published    March 2026\n"
        "note         Televised\n"
        "commitments  1\n"
        "\n"
        "cited by:\n"
        "ref                      title                    status\n"
        "-----------------------  -----------------------  -----------\n"
        "brief-the-press-monthly  Brief the press monthly  not_started\n"
    )
    assert json.loads(ok("sources", "show", "ispr-brief", "--format", "json")) == {
        "key": "ispr-brief",
        "title": "ISPR press briefing",
        "publisher": "ISPR",
        "url": "https://ispr.gov.pk/brief-1",
        "published": "2026-03-31",
        "published_precision": "month",
        "note": "Televised",
        "merged_into": None,
        "commitments": 1,
        "cited_by": [{"ref": "brief-the-press-monthly", "title": "Brief the press monthly", "status": "not_started"}],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("we-news-talks", "--title", "Again"),
         "error: source 'we-news-talks' already exists; change it with 'tracker sources edit we-news-talks'"),
        (("WE-News-Talks", "--title", "Again"),
         "error: source 'we-news-talks' already exists; change it with 'tracker sources edit we-news-talks'"),
        (("other", "--title", "Same site", "--url", "HTTPS://WENEWSENGLISH.COM/"),
         "error: source 'we-news-talks' has the URL 'HTTPS://WENEWSENGLISH.COM/' already; a URL is one source "
         "(to make them one, 'tracker sources merge')"),
        (("Bad key!", "--title", "T"),
         "error: source key 'Bad key!' must be letters (with their marks), digits and hyphens, "
         "starting with a letter or digit"),
        (("k" * 81, "--title", "T"), "error: source key is 81 characters long; the limit is 80"),
        (("long", "--title", "t" * 501), "error: source title is 501 characters long; the limit is 500"),
        (("long", "--title", "T", "--publisher", "p" * 501),
         "error: publisher is 501 characters long; the limit is 500"),
        (("long", "--title", "T", "--url", "https://x.org/" + "a" * 1987),
         "error: url is 2001 characters long; the limit is 2000"),
        (("long", "--title", "T", "--published", "soon"),
         "error: cannot read --published 'soon'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
         "Q3 2026, 2026, today or +90d"),
        (("line", "--title", "two\nlines", "--publisher", "a\nb"), "error: publisher must be one line"),
    ],
)  # fmt: skip
def test_add_refusals(loaded: None, args: tuple[str, ...], message: str) -> None:
    assert refused("sources", "add", *args) == message


def test_a_url_may_be_as_long_as_the_readme_says(loaded: None) -> None:
    url = "https://example.org/" + "a" * 1980
    assert len(url) == 2000
    ok("sources", "add", "long", "--title", "Long", "--url", url)
    ok("sources", "edit", "long", "--url", url[:-1])
    assert refused("sources", "edit", "long", "--url", url + "a") == (
        "error: url is 2001 characters long; the limit is 2000"
    )
    assert _sources()["long"]["url"] == url[:-1]


def test_show_names_an_unknown_key_and_the_nearest(loaded: None) -> None:
    assert fails("sources", "show", "we-news-talk") == (
        "error: no source with key 'we-news-talk'; did you mean 'we-news-talks'? 'tracker sources' lists the keys"
    )
    assert fails("sources", "show", "zzz") == "error: no source with key 'zzz'; 'tracker sources' lists the keys"
    assert fails("sources", "show", "we-news-talks", "--format", "csv") == (
        "error: unknown format 'csv'; expected one of: table, json"
    )


# --- sources edit -------------------------------------------------------------------------------


def test_edit_changes_a_source_and_every_commitment_shows_it(loaded: None) -> None:
    assert ok(
        "sources", "edit", "we-news-talks", "--title", "Security talks", "--url", "https://wenewsenglish.com/talks",
        "--published", "2025-11-15", "--publisher", "",
    ) == "we-news-talks: changed title, publisher, url, published\n"  # fmt: skip
    shown = json.loads(ok("show", "fia-ct-wing", "--format", "json"))["source_detail"]
    assert shown == {
        "key": "we-news-talks",
        "title": "Security talks",
        "publisher": None,
        "url": "https://wenewsenglish.com/talks",
        "published": "2025-11-15",
        "published_precision": "day",
        "note": shown["note"],
    }
    assert ok("sources", "edit", "we-news-talks", "--key", "we-news", "--published", "none") == (
        "we-news-talks: changed key (now we-news), published\n"
    )
    assert _cited("fia-ct-wing") == "we-news"
    assert _sources()["we-news"]["published"] is None
    # Found by its new title and URL, in any case.
    ok("add", "A", "--owner", "MOI", "--source", "SECURITY TALKS")
    ok("add", "B", "--owner", "MOI", "--source", "https://WENEWSENGLISH.com/talks")
    assert (_cited("a"), _cited("b"), list(_sources())) == ("we-news", "we-news", ["we-news"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("we-news-talks",), "error: nothing to change: source we-news-talks already has these values"),
        (("we-news-talks", "--url", "https://wenewsenglish.com/"),
         "error: nothing to change: source we-news-talks already has these values"),
        (("we-news-talks", "--key", "other"), "error: source key 'other' is taken; choose another"),
        (("we-news-talks", "--url", "https://OTHER.org/"),
         "error: source 'other' has the URL 'https://OTHER.org/' already; a URL is one source "
         "(to make them one, 'tracker sources merge')"),
        (("we-news-talks", "--title", " "), "error: source title is empty"),
        (("we-news-talk", "--title", "T"),
         "error: no source with key 'we-news-talk'; did you mean 'we-news-talks'? 'tracker sources' lists the keys"),
    ],
)  # fmt: skip
def test_edit_refusals(loaded: None, args: tuple[str, ...], message: str) -> None:
    ok("sources", "add", "other", "--title", "Other", "--url", "https://other.org/")
    assert refused("sources", "edit", *args) == message


# --- the rule for --source ----------------------------------------------------------------------


def test_an_unknown_source_is_refused_with_the_nearest(loaded: None) -> None:
    assert refused("add", "Train staff", "--owner", "MOI", "--source", "we-news-talk") == (
        "error: unknown source 'we-news-talk'; did you mean 'we-news-talks'? Give a URL, or --new-source to create it"
    )
    assert refused("edit", "fia-ct-wing", "--source", "Pakistan US agree to boost security") == (
        f"error: unknown source 'Pakistan US agree to boost security'; did you mean {WE_NEWS!r}? "
        "Give a URL, or --new-source to create it"
    )
    assert refused("edit", "fia-ct-wing", "--source", "nothing like it") == (
        "error: unknown source 'nothing like it'; 'tracker sources' lists them. "
        "Give a URL, or --new-source to create it"
    )
    assert refused("add", "Train staff", "--owner", "MOI", "--new-source") == (
        "error: --new-source creates the source that --source names; give --source too"
    )


def test_a_source_is_found_by_key_title_or_url_in_any_case(loaded: None) -> None:
    for number, text in enumerate(["WE-NEWS-TALKS", WE_NEWS.upper(), "HTTPS://WenewsEnglish.com/"]):
        ok("add", f"Commitment {number}", "--owner", "MOI", "--source", text)
        assert _cited(f"commitment-{number}") == "we-news-talks"
    assert list(_sources()) == ["we-news-talks"]


def test_new_source_creates_it_titled_with_the_text(loaded: None) -> None:
    ok("add", "Train staff", "--owner", "MOI", "--source", "Cabinet minutes, 3 March", "--new-source")
    assert _sources()["cabinet-minutes-3-march"]["title"] == "Cabinet minutes, 3 March"
    # Given again, it is found: --new-source creates only what is not there.
    ok("edit", "fia-ct-wing", "--source", "cabinet minutes, 3 MARCH", "--new-source")
    assert (_cited("train-staff"), _cited("fia-ct-wing")) == ("cabinet-minutes-3-march", "cabinet-minutes-3-march")
    history = json.loads(ok("history", "fia-ct-wing", "--format", "json"))
    assert history[-1]["changes"] == {"source": ["we-news-talks", "cabinet-minutes-3-march"]}


def test_a_url_source_shows_once(loaded: None) -> None:
    ok("add", "One", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    ok("add", "Two", "--owner", "MOI", "--source", "HTTPS://DAWN.COM/NEWS/1")
    ok("edit", "fia-ct-wing", "--source", "https://Dawn.com/News/1")
    assert (_cited("one"), _cited("two"), _cited("fia-ct-wing")) == ("dawn-com-news-1",) * 3
    assert _sources()["dawn-com-news-1"] == {
        "key": "dawn-com-news-1", "title": "https://dawn.com/news/1", "publisher": None,
        "url": "https://dawn.com/news/1", "published": None, "published_precision": None, "note": None,
        "commitments": 3,
    }  # fmt: skip


def test_urls_alike_in_their_first_40_characters_get_keys_of_their_own(loaded: None) -> None:
    site = "https://www.interior.gov.pk/press-releases/2026/statement-on-security-cooperation"
    for number in range(3):
        ok("add", f"Item {number}", "--owner", "MOI", "--source", f"{site}-{number}")
    keys = [str(_cited(f"item-{number}")) for number in range(3)]
    # Words cut at 40 characters, then a fingerprint of the whole URL: found at the first try, in
    # any order, where a number would be found by trying each before it.
    assert all(re.fullmatch(r"www-interior-gov-pk-press-releases-2026-[0-9a-f]{8}", key) for key in keys), keys
    assert len(set(keys)) == 3
    # A short one keeps its words alone, and gets the fingerprint only when they are taken.
    ok("sources", "add", "dawn-com-news", "--title", "Dawn's news page")
    ok("add", "Short", "--owner", "MOI", "--source", "https://dawn.com/news")
    assert re.fullmatch(r"dawn-com-news-[0-9a-f]{8}", str(_cited("short")))
    ok("add", "Shorter", "--owner", "MOI", "--source", "https://dawn.com/")
    assert _cited("shorter") == "dawn-com"


def test_a_source_url_may_be_as_long_as_the_readme_says_in_add_and_in_a_load(loaded: None) -> None:
    url = "https://example.org/" + "a" * 1980
    ok("add", "Long link", "--owner", "MOI", "--source", url)
    assert refused("edit", "long-link", "--source", url + "b") == (
        "error: url is 2001 characters long; the limit is 2000"
    )
    Path("long.csv").write_text(f"ref,title,owner,source\nlong-load,Long load,MOI,{url[:-1]}b\n", encoding="utf-8")
    ok("load", "long.csv")
    assert _sources()[str(_cited("long-load"))]["url"] == url[:-1] + "b"
    Path("longer.csv").write_text(f"ref,title,owner,source\nlonger,Longer,MOI,{url}bc\n", encoding="utf-8")
    assert refused("load", "longer.csv") == (
        "error: longer.csv: 1 problem; nothing was loaded\n"
        "  line 2, source: url is 2002 characters long; the limit is 2000"
    )


# --- loads --------------------------------------------------------------------------------------


def test_a_load_creates_the_sources_its_rows_name_and_counts_them_once(loaded: None) -> None:
    ok("sources", "add", "old", "--title", "Old report")
    ok("sources", "merge", "old", "we-news-talks")
    rows = [
        "a,A,MOI,https://example.org/x",
        "b,B,MOI,HTTPS://EXAMPLE.ORG/X",  # the same URL
        "c,C,MOI,Joint statement",
        "d,D,MOI,joint STATEMENT",  # the same title
        "e,E,MOI,we-news-talks",
        "f,F,MOI,OLD REPORT",  # merged into we-news-talks
        "g,G,MOI,",
    ]
    Path("rows.csv").write_text("ref,title,owner,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert ok("load", "rows.csv") == (
        "commitments: 7 created, 0 updated, 0 unchanged; "
        "sources: 2 created, 0 updated, 0 unchanged (new: example-org-x, joint-statement)\n"
    )
    assert [_cited(ref) for ref in "abcdefg"] == [
        "example-org-x", "example-org-x", "joint-statement", "joint-statement", "we-news-talks", "we-news-talks", None,
    ]  # fmt: skip
    # A row of a file loaded before that names a new source: created, and counted.
    Path("rows.csv").write_text("ref,title,owner,source\na,A,MOI,Cabinet minutes\n", encoding="utf-8")
    assert ok("load", "rows.csv") == (
        "commitments: 0 created, 1 updated, 0 unchanged; "
        "sources: 1 created, 0 updated, 0 unchanged (new: cabinet-minutes)\n"
    )


def test_a_fixture_creates_the_source_a_commitment_names(tmp_path: Path) -> None:
    fixture = tmp_path / "small.yaml"
    fixture.write_text(
        "format: tracker-fixture/1\norganisations:\n  - short_name: MOI\nsources: []\ncommitments:\n"
        "  - ref: one\n    title: One\n    owner: MOI\n    source: https://example.org/one\n",
        encoding="utf-8",
    )
    ok("load", str(fixture))
    assert _cited("one") == "example-org-one"


# --- sources merge ------------------------------------------------------------------------------


def test_a_merge_moves_every_commitment_and_is_in_each_history(loaded: None) -> None:
    ok("add", "One", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    ok("add", "Two", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    assert ok("sources", "merge", "dawn-com-news-1", "we-news-talks") == (
        "merged dawn-com-news-1 into we-news-talks: 2 commitments now cite we-news-talks, each an edit in its "
        "history; 'tracker undo --reason \"…\"' reverses it\n"
    )
    assert (_cited("one"), _cited("two")) == ("we-news-talks", "we-news-talks")
    last = json.loads(ok("history", "one", "--format", "json"))[-1]
    assert (last["kind"], last["note"], last["changes"], last["by"]) == (
        "edit", "source dawn-com-news-1 merged into we-news-talks", {"source": ["dawn-com-news-1", "we-news-talks"]},
        "tester",
    )  # fmt: skip
    # It leaves the list; its key, title and URL name the source it was merged into.
    assert list(_sources()) == ["we-news-talks"]
    assert _sources()["we-news-talks"]["commitments"] == 15
    for text in ("dawn-com-news-1", "HTTPS://DAWN.COM/NEWS/1"):
        ok("edit", "one", "--title", f"One {text}")
        assert _cited("one") == "we-news-talks"
    ok("add", "Three", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    assert _cited("three") == "we-news-talks"
    shown = json.loads(ok("sources", "show", "dawn-com-news-1", "--format", "json"))
    assert (shown["merged_into"], shown["commitments"], shown["cited_by"]) == ("we-news-talks", 0, [])
    assert "merged into  we-news-talks\ncommitments  0\n" in ok("sources", "show", "dawn-com-news-1")


def test_undo_reverses_a_merge(loaded: None) -> None:
    ok("add", "One", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    ok("add", "Two", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    before = ok("sources", "--format", "json")
    ok("sources", "merge", "dawn-com-news-1", "we-news-talks")
    undone = ok("undo", "--reason", "entered in error").splitlines()
    assert len(undone) == 2 and all("restored source" in line for line in undone)
    assert (_cited("one"), _cited("two")) == ("dawn-com-news-1", "dawn-com-news-1")
    assert ok("sources", "--format", "json") == before
    assert json.loads(ok("sources", "show", "dawn-com-news-1", "--format", "json"))["merged_into"] is None


def test_a_merge_of_a_source_nothing_cites(loaded: None) -> None:
    ok("sources", "add", "spare", "--title", "Spare")
    assert ok("sources", "merge", "spare", "we-news-talks") == (
        "merged spare into we-news-talks: no commitment cited spare, so no history records it and "
        "'tracker undo' does not reverse it\n"
    )
    assert list(_sources()) == ["we-news-talks"]


def test_merge_refusals(loaded: None) -> None:
    ok("sources", "add", "spare", "--title", "Spare")
    ok("sources", "add", "gone", "--title", "Gone")
    ok("sources", "merge", "gone", "spare")
    assert refused("sources", "merge", "we-news-talks", "WE-NEWS-TALKS") == (
        "error: source 'we-news-talks' cannot be merged into itself"
    )
    assert refused("sources", "merge", "gone", "we-news-talks") == (
        "error: source 'gone' was merged into 'spare' already"
    )
    assert refused("sources", "merge", "we-news-talks", "gone") == (
        "error: source 'gone' was merged into 'spare'; merge into 'spare'"
    )
    assert refused("sources", "merge", "we-news-talk", "spare") == (
        "error: no source with key 'we-news-talk'; did you mean 'we-news-talks'? 'tracker sources' lists the keys"
    )
    assert refused("sources", "edit", "gone", "--title", "Back") == (
        "error: source 'gone' was merged into 'spare'; edit 'spare' instead"
    )


def test_an_export_keeps_a_merge_and_a_copy_can_undo_it(loaded: None, tmp_path: Path) -> None:
    ok("add", "One", "--owner", "MOI", "--source", "https://dawn.com/news/1")
    ok("sources", "merge", "dawn-com-news-1", "we-news-talks")
    exported = ok("export", "--format", "json")
    assert [(s["key"], s["merged_into"]) for s in json.loads(exported)["sources"]] == [
        ("dawn-com-news-1", "we-news-talks"),
        ("we-news-talks", None),
    ]
    Path("export.json").write_text(exported, encoding="utf-8")
    copy = str(tmp_path / "copy.db")
    ok("--db", copy, "load", "export.json")
    assert ok("--db", copy, "export", "--format", "json") == exported
    assert [row["key"] for row in json.loads(ok("--db", copy, "sources", "--format", "json"))] == ["we-news-talks"]
    merge_event = json.loads(ok("--db", copy, "history", "one", "--format", "json"))[-1]["id"]
    ok("--db", copy, "undo", "--event", str(merge_event), "--reason", "entered in error")
    assert json.loads(ok("--db", copy, "show", "one", "--format", "json"))["source"] == "dawn-com-news-1"


def test_an_export_that_merges_into_an_unknown_source_is_refused(tmp_path: Path) -> None:
    document = {
        "format": "tracker-export/2",
        "organisations": [],
        "sources": [{"key": "gone", "title": "Gone", "merged_into": "nowhere"}],
        "commitments": [],
    }
    Path("bad.json").write_text(json.dumps(document), encoding="utf-8")
    assert fails("load", "bad.json") == (
        "error: bad.json: 1 problem; nothing was loaded\n"
        "  source gone: merged_into 'nowhere' is neither in the file nor in the database"
    )


def test_adding_a_source_with_no_published_date_is_refused_not_stored_as_year_one() -> None:
    assert fails("sources", "add", "gazette", "--title", "Gazette", "--published", "none") == (
        "error: cannot read --published 'none'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
        "Q3 2026, 2026, today or +90d"
    )
    ok("sources", "add", "gazette", "--title", "Gazette", "--published", "2026")
    ok("sources", "edit", "gazette", "--published", "none")  # an edit removes it
    assert json.loads(ok("sources", "show", "gazette", "-f", "json"))["published"] is None

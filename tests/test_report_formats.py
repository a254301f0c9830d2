"""The Markdown report parses as tables; the HTML report renders in a real headless browser."""

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import ROOT, ok
from tracker.statuses import STATUSES

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("owners", "add", "MOI")
    ok("add", HOSTILE, "--ref", "hostile", "--owner", "MOI", "--agreed", "2026-01-10", "--due", "Q1 2026", "--tag", "x")
    ok(
        "add",
        "Plain | piped *title*",
        "--ref",
        "plain",
        "--owner",
        "MOI",
        "--agreed",
        "2026-01-10",
        "--due",
        "2026-07-05",
    )
    ok("update", "plain", "--status", "completed", "--on", "2026-06-01", "--note", "<b>done</b>")


def _tables(markdown: str) -> list[list[str]]:
    """The header cells of every table, as the parser sees them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert not [t for t in tokens if t.type == "html_block"]
    tables: list[list[str]] = []
    header: list[str] = []
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head, header = True, []
        elif token.type == "thead_close":
            in_head = False
            tables.append(header)
        elif in_head and token.type == "inline":
            header.append(token.content)
    return tables


@pytest.mark.usefixtures("small")
def test_markdown_report_parses_as_tables_and_keeps_user_text_as_text() -> None:
    markdown = ok("report", "--format", "markdown", "--since", "2026-01-31")
    headers = _tables(markdown)
    assert headers[0] == ["status", "count", "share"]
    assert headers[1] == ["owner", "total", *STATUSES, "overdue", "on time"]
    assert headers[2] == ["tag", "total", *STATUSES, "overdue", "on time"]
    assert ["ref", "title", "owner", "status", "due", "days overdue"] in headers
    assert ["on", "ref", "title", "kind", "what", "by", "note", "evidence"] in headers
    assert ["from \\\\ to", *STATUSES] in headers  # escaped like every cell: shown as "from \ to"
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<td>Plain | piped *title*</td>" in html and "&lt;b&gt;done&lt;/b&gt;" in html
    assert "<td>completed</td>\n<td>1</td>\n<td>50.0%</td>" in html


TRICKY = "<b>x</b> [a](http://x) | *star* `code` _under_ ~~gone~~ &amp; $x$ back\\slash snake_case"
TRICKY_ESCAPED = (
    "\\<b\\>x\\</b\\> \\[a\\](http://x) \\| \\*star\\* \\`code\\` \\_under\\_ \\~\\~gone\\~\\~ \\&amp; "
    "\\$x\\$ back\\\\slash snake_case"
)


def _cells(markdown: str, ref: str) -> list[str]:
    """The cells of the first table row for `ref`, as written (split at the unescaped pipes)."""
    line = next(line for line in markdown.splitlines() if line.startswith(f"| {ref} "))
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_list_and_report_markdown_escape_text_by_one_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-06-30")
    ok("owners", "add", "MOI")
    ok("add", TRICKY, "--ref", "tricky", "--owner", "MOI", "--due", "2026-07-05", "--tag", "snake_case")
    listed = ok("list", "--format", "markdown")
    reported = ok("report", "--format", "markdown")  # due in five days: in "Upcoming deadlines"
    assert _cells(listed, "tricky")[1] == _cells(reported, "tricky")[1] == TRICKY_ESCAPED
    assert _cells(listed, "tricky")[5] == "snake_case"  # `_` inside a word opens nothing: left as it is
    for markdown in (listed, reported):
        rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
        assert f"<td>{html.escape(TRICKY, quote=False)}</td>" in rendered  # shown as typed, nothing more


def _browser() -> str | None:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (.ci/run installs it); it was not found")
        pytest.skip("no chromium on this machine: install Debian's 'chromium' package to run the browser test")
    return found


def run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.usefixtures("small")
def test_html_report_renders_in_a_headless_browser(tmp_path: Path) -> None:
    browser = _browser()
    assert browser is not None
    page = tmp_path / "report.html"
    ok("report", "--format", "html", "--since", "2026-01-31", "--output", str(page))
    source = page.read_text(encoding="utf-8")
    assert "<script" not in source.lower() and "http://" not in source and "https://" not in source
    dumped = run_chromium(browser, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert "<title>Progress report as of 2026-06-30</title>" in dom
    assert '<div class="value">2</div><div class="label">commitments</div>' in dom
    assert '<div class="value">50.0%</div><div class="label">reached a final status (1)</div>' in dom
    assert "<script" not in dom.lower()  # the hostile title was not turned into an element
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in dom
    assert "&lt;b&gt;done&lt;/b&gt;" in dom and "<b>" not in dom
    assert dom.count("<svg") == 2 and "<rect" in dom
    shot = tmp_path / "report.png"
    taken = run_chromium(
        browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os.path, "exists", lambda path: False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is required in CI"):
        _browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no chromium on this machine"):
        _browser()


def test_every_report_option_is_documented() -> None:
    documented = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    options = set(re.findall(r"^\s+(?:-\w, )?(--[\w-]+)", ok("report", "--help"), flags=re.MULTILINE))
    assert {"--as-of", "--since", "--output", "--stale-days"} <= options
    assert [option for option in sorted(options) if f"`{option}" not in documented] == ["--help"]

"""Where tracker reads and writes files: outputs never land on the database, a file is written whole
or not at all, a failure leaves nothing behind, and each failure says what went wrong."""

import json
import os
import pwd
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fails, ok
from tracker.interchange.export import FORMAT

# Every command that writes a file the user names, each with that name last.
WRITERS = [
    ["export", "--output"],
    ["export", "--format", "yaml", "--output"],
    ["report", "--format", "html", "--output"],
    ["db", "backup", "--force"],
    ["db", "copy", "--force", "--to"],
]


def spellings(database: Path) -> Iterator[tuple[str, str]]:
    """Other names of the database and of the files SQLite keeps beside it, with what each is."""
    folder = database.parent
    (folder / "sub").mkdir()
    (folder / "link.db").symlink_to(database)
    (folder / "folder-link").symlink_to(folder, target_is_directory=True)
    (folder / "wal-link").symlink_to(f"{database}-wal")  # to a side file that does not exist yet
    os.link(database, folder / "hard.db")
    itself = "is the database itself; give another file name"
    beside = "is a file SQLite keeps beside the database; give another file name"
    yield database.name, itself
    yield str(database), itself
    yield f"sub/../{database.name}", itself
    yield f"./sub/.././/{database.name}", itself
    yield "link.db", itself
    yield f"folder-link/{database.name}", itself
    yield "hard.db", itself
    for suffix in ("-wal", "-shm", "-journal"):
        yield f"{database.name}{suffix}", beside
        yield f"folder-link/sub/../{database.name}{suffix}", beside
    yield "wal-link", beside


def files_in(folder: Path) -> dict[str, bytes]:
    """What the folder holds, minus SQLite's shared-memory index (its readers update it)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith("-shm")
    }


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_no_output_is_written_over_the_database(isolated: Path, loaded: None) -> None:
    before = ok("export")
    targets = list(spellings(isolated))
    held = files_in(isolated.parent)
    for target, refusal in targets:
        for command in WRITERS:
            assert fails(*command, target) == f"error: {target} {refusal}", (command, target)
            assert files_in(isolated.parent) == held, (command, target)
    assert ok("export") == before
    assert ok("db", "check").startswith("ok: ")


def test_outputs_are_written_whole_with_an_ordinary_mode(loaded: None, tmp_path: Path) -> None:
    old_mask = os.umask(0o027)
    try:
        ok("export", "--output", "all.json")
        ok("report", "--output", "report.txt")
        ok("db", "copy", "--to", "copy.db")
    finally:
        os.umask(old_mask)
    for name in ("all.json", "report.txt", "copy.db"):
        assert stat.S_IMODE(os.stat(name).st_mode) == 0o640, name  # 0o666 less the umask, as `touch` gives
    assert json.loads(Path("all.json").read_text(encoding="utf-8"))["format"] == FORMAT
    assert ok("--db", "copy.db", "export") == ok("export")
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".tracker-")]


def test_an_output_is_flushed_to_the_disk_with_its_folder(
    loaded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        flushed.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    ok("export", "--output", "out/all.json")
    folder = str(tmp_path / "out")
    assert len(flushed) == 2
    assert str(Path(flushed[0]).parent) == folder  # the file, before it took its name
    assert Path(flushed[0]).name.startswith(".tracker-")
    assert flushed[1] == folder  # then its folder, which holds the new name


def test_an_output_through_a_symbolic_link_writes_where_the_link_points(loaded: None, tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    Path("latest.md").symlink_to("reports/2026.md")
    ok("report", "--format", "markdown", "--output", "latest.md")
    assert Path("latest.md").is_symlink()
    assert (tmp_path / "reports" / "2026.md").read_text(encoding="utf-8") == ok("report", "--format", "markdown")


def test_missing_folders_are_made_for_an_output_and_only_for_one_that_is_written(loaded: None, tmp_path: Path) -> None:
    ok("list")  # SQLite's -wal and -shm files are there from now on
    before = sorted(path.name for path in tmp_path.iterdir())
    fails("export", "--format", "xml", "--output", "new/deeper/all.json")  # fails once the output is open
    fails("report", "--owner", "NOBODY", "--output", "new/report.txt")
    fails("db", "backup", "new/deeper/copy.db", "--db", "missing.db")
    assert sorted(path.name for path in tmp_path.iterdir()) == before
    ok("export", "--output", "new/deeper/all.json")
    ok("report", "--output", "new/report.txt")
    ok("db", "copy", "--to", "other/copy.db")
    written = {str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file()}
    assert written >= {"new/deeper/all.json", "new/report.txt", "other/copy.db"}


def test_an_empty_output_name_is_refused(loaded: None, backend: str) -> None:
    assert fails("export", "--output", "") == "error: --output '' is empty"
    assert fails("report", "--output", " ") == "error: --output ' ' is empty"
    assert fails("db", "copy", "--to", "") == "error: --to '' is empty"
    if backend == "sqlite":  # backups are of SQLite files
        assert fails("db", "backup", "") == "error: file name '' is empty"


def character_device(tmp_path: Path, name: str, minor: int) -> Path:
    """/dev/<name> where nobody may replace it; as root, a copy of it (major 1: /dev/null is 3,
    /dev/full 7), so that a bug that replaces an output cannot destroy the machine's own."""
    if os.geteuid() != 0:
        return Path("/dev") / name
    device = tmp_path / name
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return device


@pytest.fixture
def full_device(tmp_path: Path) -> Path:
    """A device that refuses every write with ENOSPC, as a full disk does."""
    return character_device(tmp_path, "full", 7)


def test_an_output_on_a_full_disk_is_one_error_line(loaded: None, full_device: Path, backend: str) -> None:
    for command in (["export"], ["export", "--format", "csv"], ["report", "--format", "html"]):
        assert fails(*command, "--output", str(full_device)) == (
            f"error: cannot write {full_device}: No space left on device"
        )
        assert stat.S_ISCHR(os.stat(full_device).st_mode)  # written to as a device, not replaced
    # A copy of the database is a file SQLite writes: a device cannot hold one.
    not_a_file = f"error: {full_device} is not a regular file; give the name of a file to write"
    assert fails("db", "copy", "--to", str(full_device), "--force") == not_a_file
    if backend == "sqlite":
        assert fails("db", "backup", str(full_device), "--force") == not_a_file
    assert stat.S_ISCHR(os.stat(full_device).st_mode)


def test_a_device_or_a_pipe_is_written_to_as_a_stream(loaded: None, tmp_path: Path) -> None:
    null = character_device(tmp_path, "null", 3)
    assert ok("export", "--output", str(null)) == ""
    assert stat.S_ISCHR(os.stat(null).st_mode)
    os.mkfifo("pipe")
    reader = subprocess.Popen(["cat", "pipe"], stdout=subprocess.PIPE)
    try:
        ok("report", "--format", "json", "--output", "pipe")
        assert json.loads(reader.communicate(timeout=30)[0])["as_of"]
    finally:
        reader.kill()
        reader.wait()
    assert stat.S_ISFIFO(os.stat("pipe").st_mode)


def test_a_home_folder_in_the_database_location_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TRACKER_DB", "~/tracker.db")
    assert ok("init") == f"database ready at {home / 'tracker.db'}\n"
    assert ok("db", "path") == f"{home / 'tracker.db'} (from TRACKER_DB)\n"
    ok("--db", "~/other.db", "owners", "add", "FIA")
    assert (home / "other.db").is_file()
    assert not (tmp_path / "~").exists()
    user = pwd.getpwuid(os.getuid())
    assert ok("--db", f"~{user.pw_name}/t/x.db", "db", "path") == (
        f"{os.path.join(user.pw_dir, 't', 'x.db')} (from --db; it does not exist yet)\n"
    )
    literal = tmp_path / "a" / "~" / "x.db"  # a ~ that does not start the path is a name like any other
    assert ok("--db", "a/~/x.db", "db", "path") == f"{literal} (from --db; it does not exist yet)\n"
    ok("db", "copy", "--to", "~/copy.db")
    assert (home / "copy.db").is_file()

"""Every file tracker writes (an --output, a backup, a copy of the database): whole or not at all,
never over the database, and nothing left behind by a write that fails.

A file is written to a temporary file in its own folder, flushed to the disk, renamed over its
name, and the folder is flushed too, so that a reader, or the file after a crash, is the old
file or the new one, never half of one. It gets the mode an ordinary new file gets (the umask's).
Folders missing on the way are made for the write and removed again if it fails.
"""

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import BinaryIO, TextIO

from tracker.errors import InvalidInput, TrackerError
from tracker.settings import DatabaseChoice

# The files SQLite keeps beside a database while it is in use (WAL mode, or a rollback journal).
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
STANDARD_OUTPUT = "-"  # as a target: write to standard output


def check_target(target: str, database: DatabaseChoice | None, what: str) -> None:
    """Refuse a name no file should be written to: empty, a folder, or the database in use (or one
    of its SQLite files), however the name is spelled."""
    from tracker.text import check_file_name

    check_file_name(target, what)
    if database is not None and not database.is_url:
        suffix = database_file_named(target, database.location)
        if suffix == "":
            raise InvalidInput(f"{target} is the database itself; give another file name")
        if suffix is not None:
            raise InvalidInput(f"{target} is a file SQLite keeps beside the database; give another file name")
    if os.path.isdir(target):
        raise InvalidInput(f"{target} is a folder; give the name of the file to write")


def database_file_named(target: str, database: str) -> str | None:
    """Which of the database's files `target` names: "" the database itself, "-wal" … a file SQLite
    keeps beside it, None neither.

    Names are compared with their folders resolved (`..`, symbolic links on the way), and a
    symbolic link at the end is followed; side files that do not exist yet are compared by name,
    those that do, and the database, also by identity (a hard link is another name for them).
    """
    names = {_resolved_folder(target), os.path.realpath(target)}
    identity = _identity(target)
    for suffix in ("", *SQLITE_SIDE_FILES):
        own = database + suffix
        if names & {_resolved_folder(own), os.path.realpath(database) + suffix, os.path.realpath(own)}:
            return suffix
        if identity is not None and identity == _identity(own):
            return suffix
    return None


def _resolved_folder(path: str) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(os.path.realpath(folder), name)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino


@contextmanager
def replacing(target: str, *, database: DatabaseChoice | None, what: str) -> Iterator[str]:
    """The name of a temporary file to fill (left empty, so SQLite may make a database of it);
    when the block ends without an error it becomes `target`, else it is removed."""
    check_target(target, database, what)
    final = os.path.realpath(target)  # a symbolic link is written through, not replaced
    if os.path.exists(final) and not stat.S_ISREG(os.stat(final).st_mode):
        raise InvalidInput(f"{target} is not a regular file; give the name of a file to write")
    folder = os.path.dirname(final)
    with made_folders(target):
        temporary = _temporary_file(target, folder)
        try:
            yield temporary
            with _explained(target):
                _flush_to_disk(temporary)
                os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
                os.replace(temporary, final)
        except BaseException:
            for leftover in (temporary, *(temporary + suffix for suffix in SQLITE_SIDE_FILES)):
                with suppress(OSError):
                    os.remove(leftover)
            raise
        _flush_to_disk(folder, folder=True)  # the new name, too, is on the disk


@contextmanager
def writing(target: str | None, *, database: DatabaseChoice | None, what: str = "--output") -> Iterator[TextIO]:
    """Standard output (no target, or `-`), or the text file `target`, written whole or not at all.

    A target that is a device or a pipe (/dev/stdout, /dev/null, a FIFO) is written to as a
    stream: there is no file to replace, and replacing the device would destroy it.
    """
    if target is None or target == STANDARD_OUTPUT:
        yield sys.stdout
        return
    with _destination(target, database, what) as path, open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


@contextmanager
def writing_bytes(
    target: str | None, *, database: DatabaseChoice | None, kind: str, what: str = "--output"
) -> Iterator[BinaryIO]:
    """As `writing`, for a binary file (`kind` names it in messages): standard output only when it
    is not a terminal, where the bytes would garble the screen."""
    if target is None or target == STANDARD_OUTPUT:
        if sys.stdout.isatty():
            raise InvalidInput(
                f"{kind} is binary, not for a terminal; give {what} FILE, or pipe it to a file or program"
            )
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with _destination(target, database, what) as path, open(path, "wb") as handle:
        yield handle


@contextmanager
def _destination(target: str, database: DatabaseChoice | None, what: str) -> Iterator[str]:
    """The path to open for writing `target`: a temporary file that replaces it when the block
    ends without an error, or the target itself when it is a stream. Failures to write name it."""
    check_target(target, database, what)
    if is_stream(target):
        with _explained(target):
            yield target
        return
    with replacing(target, database=database, what=what) as temporary, _explained(target):
        yield temporary


def is_stream(target: str) -> bool:
    """Whether `target` is a pipe, a socket or a device, which can be read or written only once."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@contextmanager
def _explained(target: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise TrackerError(f"cannot write {target}: {error.strerror or error}") from None


def _temporary_file(target: str, folder: str) -> str:
    import tempfile  # here, not at the top: a command printing to stdout needs none of it

    with _explained(target):
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tracker-", suffix=".partial")
        os.close(descriptor)
    return temporary


def _flush_to_disk(path: str, *, folder: bool = False) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        if not folder:  # a folder may be unreadable, or its file system unable to flush it; a file must be
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def made_folders(path: str, *, keep: bool = True) -> Iterator[None]:
    """The folders missing on the way to the file `path`, made for the block. They are removed
    again when it fails (when it succeeds too, unless `keep`), if nothing else was put in them."""
    made = []
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(folder):
        made.append(folder)
        folder = os.path.dirname(folder)
    try:
        for missing in reversed(made):
            with _explained(path):
                os.mkdir(missing)
        yield
    except BaseException:
        _remove_folders(made)
        raise
    if not keep:
        _remove_folders(made)


def _remove_folders(made: list[str]) -> None:
    for folder in made:  # the deepest first
        with suppress(OSError):  # not made after all, or holding something now
            os.rmdir(folder)

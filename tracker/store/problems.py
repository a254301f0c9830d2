"""Database failures a user can act on, each explained in one line (SQLite's and the server's)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tracker.errors import InvalidInput, NotFound, TrackerError

DEFAULT_LOCK_TIMEOUT_SECONDS = 30.0


def lock_timeout_seconds() -> float:
    raw = os.environ.get("TRACKER_LOCK_TIMEOUT")
    if raw is None:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise TrackerError(f"TRACKER_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, not {raw!r}")
    return value


def missing(path: str) -> NotFound:
    return NotFound(f"no tracker database at {path}; create one with 'tracker init' or 'tracker load FILE'")


def folder(path: str) -> TrackerError:
    return TrackerError(f"{path} is a folder, not a tracker database")


def not_a_database(path: str) -> TrackerError:
    return TrackerError(f"{path} is not a tracker database")


def locked(location: str) -> TrackerError:
    return TrackerError(
        f"{location} is locked by another writer; gave up after {lock_timeout_seconds():g} s "
        "(set TRACKER_LOCK_TIMEOUT to wait longer)"
    )


def _explanation(location: str, error: BaseException) -> TrackerError | None:
    """What a database failure means for the user, or None when it is not one of the known ones."""
    if type(error).__module__.startswith("psycopg"):
        return _server_explanation(location, error)
    message = str(error)
    if "locked" in message or "busy" in message:
        return locked(location)
    if "not a database" in message:
        return not_a_database(location)
    if "malformed" in message:
        return TrackerError(f"{location} is damaged ({message}); 'tracker db check' reports what is wrong")
    if "disk is full" in message:
        return TrackerError(f"cannot write {location}: {message}; nothing was written")
    if "unable to open" in message or "readonly" in message:
        return read_only(location, error) or TrackerError(f"cannot use {location}: {message}")
    if "disk I/O" in message:
        return TrackerError(f"cannot use {location}: {message}")
    return None


def read_only(path: str, error: BaseException) -> TrackerError | None:
    """The read-only folder or file that made SQLite fail with `error`, if that is what did."""
    if "unable to open" not in str(error) and "readonly" not in str(error):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK):
        name = os.path.basename(path)
        return TrackerError(
            f"cannot use {path}: its folder {folder} is read-only, and SQLite must write {name}-wal "
            f"and {name}-shm beside the database, even to read it"
        )
    if not os.access(path, os.W_OK):
        return TrackerError(f"cannot write {path}: the file is read-only")
    return None


# PostgreSQL's SQLSTATE codes for the failures a user can act on.
_SERVER_LOCKED = {"55P03"}  # lock_not_available: TRACKER_LOCK_TIMEOUT ran out
_SERVER_CONFLICT = {"23505", "40001", "40P01"}  # unique_violation, serialization_failure, deadlock
_SERVER_DENIED = {"42501"}  # insufficient_privilege


def _server_explanation(location: str, error: BaseException) -> TrackerError | None:
    state = getattr(error, "sqlstate", None)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if state in _SERVER_LOCKED:
        return locked(location)
    if state in _SERVER_CONFLICT:
        return TrackerError(
            "another writer changed the same commitments at the same time; nothing was written, run the command again"
        )
    if "cannot contain NUL" in first_line:  # psycopg refuses to send one, in a value or a lookup
        return InvalidInput("text with a NUL character (U+0000) cannot be stored or looked up on a server database")
    if state in _SERVER_DENIED:
        return TrackerError(f"{location}: {first_line} (this role may not make this change)")
    if state is None and type(error).__name__ == "OperationalError":
        reason = first_line.rsplit("FATAL:", 1)[-1].rsplit("failed:", 1)[-1].strip()
        return TrackerError(f"cannot connect to {location}: {reason}")
    return None


@contextmanager
def explained_errors(location: str) -> Iterator[None]:
    """Turn the database failures a user can act on (SQLite's, the server's) into one clear TrackerError."""
    try:
        yield
    except TrackerError:
        raise
    except Exception as error:
        original = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
        explained = _explanation(location, original) if isinstance(original, Exception) else None
        if explained is None:
            raise
        raise explained from None

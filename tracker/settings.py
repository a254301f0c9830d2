"""Which database a command uses: `--db` > `TRACKER_DB` > `db/tracker.db`."""

import os
import re

DEFAULT_DB = os.path.join("db", "tracker.db")

_PASSWORD_PARAMETER = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)


def masked(location: str) -> str:
    """A location as it may be shown: a URL's password never appears.

    The user part of a URL runs to its last `@` (a password may hold `/` or `@`), and libpq also
    reads a `password=` parameter. Masking too much hides part of a host; too little, a secret.
    """
    if "://" not in location:
        return location
    scheme, _, rest = location.partition("://")
    user_part, at, host_part = rest.rpartition("@")
    if at and ":" in user_part:
        rest = f"{user_part.split(':', 1)[0]}:***@{host_part}"
    return f"{scheme}://" + _PASSWORD_PARAMETER.sub(r"\1***", rest)


class DatabaseChoice:
    """A database (a file path, or a SQLAlchemy URL for a server) and why it was chosen.

    It prints, formats and reprs itself with a URL's password masked, as does `location`; the
    whole URL is only given by `url_with_password()`, for building the engine. A file path
    starting with `~` means a home folder, as in a shell.
    """

    __slots__ = ("_location", "reason")

    def __init__(self, location: str, reason: str) -> None:
        self._location = location if "://" in location else os.path.expanduser(location)
        self.reason = reason

    @property
    def is_url(self) -> bool:
        return "://" in self._location

    @property
    def location(self) -> str:
        """The file path, or the URL with its password masked: what messages may show."""
        return masked(self._location)

    def url_with_password(self) -> str:
        """The location whole, secrets included: only for connecting, never for a message."""
        return self._location

    def __str__(self) -> str:
        return self.location

    def __format__(self, spec: str) -> str:
        return format(self.location, spec)

    def __repr__(self) -> str:
        return f"DatabaseChoice({self.location!r}, {self.reason!r})"


def resolve_database(flag: str | None) -> DatabaseChoice:
    from tracker.text import check_file_name

    if flag:
        return DatabaseChoice(check_file_name(flag, "--db"), "from --db")
    from_env = os.environ.get("TRACKER_DB")
    if from_env:
        return DatabaseChoice(check_file_name(from_env, "TRACKER_DB"), "from TRACKER_DB")
    return DatabaseChoice(DEFAULT_DB, "the default; --db or TRACKER_DB choose another")

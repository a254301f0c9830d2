"""Which database a command uses: `--db` > `TRACKER_DB` > `db/tracker.db`."""

import os
import re
from typing import NamedTuple

DEFAULT_DB = os.path.join("db", "tracker.db")


class DatabaseChoice(NamedTuple):
    location: str  # a file path, or a SQLAlchemy URL for a server database
    reason: str

    @property
    def is_url(self) -> bool:
        return "://" in self.location

    @property
    def shown(self) -> str:
        """The location as it may be printed: a password in a URL is masked."""
        return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", self.location)


def resolve_database(flag: str | None) -> DatabaseChoice:
    from tracker.text import check_file_name

    if flag:
        return DatabaseChoice(check_file_name(flag, "--db"), "from --db")
    from_env = os.environ.get("TRACKER_DB")
    if from_env:
        return DatabaseChoice(check_file_name(from_env, "TRACKER_DB"), "from TRACKER_DB")
    return DatabaseChoice(DEFAULT_DB, "the default; --db or TRACKER_DB choose another")

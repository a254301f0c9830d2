"""Expected failures. The CLI turns each into one `error: …` line and exit code 1."""


class TrackerError(Exception):
    """A failure the user can act on; its message is the whole explanation."""


class NotFound(TrackerError):
    """A ref, organisation or database that does not exist."""


class InvalidInput(TrackerError):
    """A value the user gave that cannot be accepted as it is."""

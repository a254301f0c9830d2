"""The status vocabulary and the rules that depend on it."""

import re

from tracker.errors import InvalidInput

STATUSES = ("not_started", "in_progress", "stalled", "completed", "partial", "abandoned")
FINAL_STATUSES = frozenset({"completed", "partial", "abandoned"})
OPEN_STATUSES = tuple(s for s in STATUSES if s not in FINAL_STATUSES)


def parse_status(text: str) -> str:
    """Accept `In progress`, `in-progress`, `IN_PROGRESS` … and return the canonical name."""
    canonical = re.sub(r"[\s_-]+", "_", text.strip().lower())
    if canonical not in STATUSES:
        raise InvalidInput(f"unknown status {text!r}; expected one of: {', '.join(STATUSES)}")
    return canonical


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES

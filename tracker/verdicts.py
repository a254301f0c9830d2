"""The verdict axis: a judgement of whether a promise was kept, apart from how far the work got.

A verdict is set by a `verdict` event (`tracker update REF --verdict …`), which follows the
timeline rules as a status does: the verdict on a day is that of the latest verdict event that
counts, dated on or before it (tracker.timeline.VERDICT_ON_DAY); none: `not_rated`.
"""

import os
import re

from tracker.errors import InvalidInput

VERDICTS = ("not_rated", "kept", "partly_kept", "broken", "not_assessable")
# Why a promise was broken: the documented vocabulary, which TRACKER_BROKEN_REASONS extends
# (comma-separated words).
BROKEN_REASONS = (
    "not_funded",
    "deadline_missed",
    "abandoned_by_government",
    "reversed",
    "superseded",
    "blocked_by_others",
)
# Where a status and a verdict disagree (a report lists them): work done but the promise broken,
# work given up or still open but the promise said kept.
DISAGREEING = {
    ("completed", "broken"),
    ("abandoned", "kept"),
    ("abandoned", "partly_kept"),
    ("not_started", "kept"),
    ("in_progress", "kept"),
    ("stalled", "kept"),
}


def _word(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def parse_verdict(text: str) -> str:
    verdict = _word(text)
    if verdict not in VERDICTS:
        raise InvalidInput(f"unknown verdict {text!r}; expected one of: {', '.join(VERDICTS)}")
    return verdict


def broken_reasons() -> tuple[str, ...]:
    extra = [_word(word) for word in os.environ.get("TRACKER_BROKEN_REASONS", "").split(",") if word.strip()]
    return (*BROKEN_REASONS, *(word for word in extra if word not in BROKEN_REASONS))


def parse_reason(text: str) -> str:
    reason = _word(text)
    known = broken_reasons()
    if reason not in known:
        raise InvalidInput(
            f"unknown reason {text!r}; expected one of: {', '.join(known)} (TRACKER_BROKEN_REASONS adds more)"
        )
    return reason

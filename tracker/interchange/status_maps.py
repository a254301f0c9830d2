"""`--status-map`: another tracker's status words, read as ours.

A map is given as `LABEL=status` (repeatable), as the name of one that ships with tracker
(`politifact`, `ogp`), or as a file of `LABEL=status` lines (`#` starts a comment). Labels match
whatever their case and spacing; a label the maps do not name is read as one of our statuses or
refused, with a hint to map it. The label a row gave stays in its history (the event's note).
"""

import os
import re

from tracker.errors import InvalidInput
from tracker.statuses import STATUSES, parse_status

# Mappings that ship with tracker, documented in docs/interchange.md.
BUILT_IN: dict[str, dict[str, str]] = {
    # PolitiFact's promise meters (the Obameter, Trump-O-Meter, Biden Promise Tracker …).
    "politifact": {
        "Promise Kept": "completed",
        "Compromise": "partial",
        "Promise Broken": "abandoned",
        "Stalled": "stalled",
        "In the Works": "in_progress",
        "Not Yet Rated": "not_started",
    },
    # The Open Government Partnership's completion levels for commitments in action plans.
    "ogp": {
        "Not started": "not_started",
        "Limited": "in_progress",
        "Substantial": "in_progress",
        "Complete": "completed",
    },
}


def label_key(label: str) -> str:
    """How labels are compared: case-folded, runs of spaces as one."""
    return re.sub(r"\s+", " ", label.strip()).casefold()


def parse_status_maps(values: list[str]) -> dict[str, str]:
    """Every --status-map value → {label key: status}; a later value overrides an earlier one."""
    result: dict[str, str] = {}
    for value in values:
        if "=" in value:
            result.update(_pairs([value], f"--status-map {value!r}"))
        elif value.strip().lower() in BUILT_IN:
            result.update({label_key(label): status for label, status in BUILT_IN[value.strip().lower()].items()})
        elif os.path.isfile(value):
            result.update(_pairs(_lines(value), value))
        else:
            raise InvalidInput(
                f"--status-map {value!r} is neither LABEL=status, a file, nor one of: {', '.join(BUILT_IN)}"
            )
    return result


def _lines(path: str) -> list[str]:
    from tracker.interchange.documents import read_text

    return [line for line in read_text(path).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _pairs(lines: list[str], where: str) -> dict[str, str]:
    pairs = {}
    for line in lines:
        label, equals, status = line.rpartition("=")
        if not equals or not label.strip():
            raise InvalidInput(f"{where}: {line.strip()!r} must be 'LABEL=status'")
        try:
            pairs[label_key(label)] = parse_status(status)
        except InvalidInput:
            raise InvalidInput(
                f"{where}: {status.strip()!r} is not a status; expected one of: {', '.join(STATUSES)}"
            ) from None
    return pairs


def read_status(cell: str, status_map: dict[str, str]) -> tuple[str, str | None]:
    """A status cell read through the map: our status, and the label when the map gave it."""
    mapped = status_map.get(label_key(cell)) if status_map else None
    if mapped is not None:
        return mapped, cell.strip()
    try:
        return parse_status(cell), None
    except InvalidInput as error:
        raise InvalidInput(f"{error}; or map it with --status-map '{cell.strip()}=STATUS'") from None

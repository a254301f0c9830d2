"""Event keys: what names an event in every copy of the tracker, where ids are each database's own."""

import os
from typing import Any

_VARIANT = dict(zip("0123456789abcdef", "89ab89ab89ab89ab", strict=True))  # RFC 4122's: 10 as the high bits


def new_event_keys(count: int) -> list[str]:
    """`count` event keys, each a random (version 4) UUID: unique in its history, and in practice anywhere.

    What `str(uuid.uuid4())` gives, built from one draw of hex digits: a load makes 100,000 of
    these, and the UUID object was a twentieth of it; a draw per key, a fiftieth
    (tests/test_speed_tricks.py compares them with uuid's)."""
    digits = os.urandom(16 * count).hex()
    return [
        f"{digits[i : i + 8]}-{digits[i + 8 : i + 12]}-4{digits[i + 13 : i + 16]}-"
        f"{_VARIANT[digits[i + 16]]}{digits[i + 17 : i + 20]}-{digits[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def new_event_key() -> str:
    """One event's key (new_event_keys)."""
    return new_event_keys(1)[0]


def keyed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event rows, each without a key given one, the keys drawn together (new_event_keys)."""
    unkeyed = [row for row in rows if not row.get("key")]
    for row, key in zip(unkeyed, new_event_keys(len(unkeyed)), strict=True):
        row["key"] = key
    return rows

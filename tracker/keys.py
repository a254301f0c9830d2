"""Event keys: what names an event in every copy of the tracker, where ids are each database's own."""

import os

_VARIANT = "89ab89ab89ab89ab"  # RFC 4122's variant: the high bits of the 17th hex digit are 10


def new_event_key() -> str:
    """An event's key, a random (version 4) UUID: unique in its history, and in practice anywhere.

    What `str(uuid.uuid4())` gives, built from the hex digits directly: a load makes 100,000 of
    these, and the UUID object was a twentieth of it (tests/test_store.py compares the two)."""
    digits = os.urandom(16).hex()
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{_VARIANT[int(digits[16], 16)]}{digits[17:20]}-{digits[20:]}"

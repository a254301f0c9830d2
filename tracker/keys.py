"""Event keys: what names an event in every copy of the tracker, where ids are each database's own."""

import uuid


def new_event_key() -> str:
    """An event's key, a UUID: unique in its history, and in practice anywhere."""
    return str(uuid.uuid4())

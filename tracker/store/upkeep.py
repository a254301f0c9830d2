"""SQL for upkeep: the migrations a database records, `tracker db check`, backups' counts."""

from typing import TypedDict

from tracker.store.database import Query


class MigrationRow(TypedDict):
    name: str


APPLIED_MIGRATIONS = Query[MigrationRow]("SELECT name FROM tracker_migration ORDER BY id")


class OutOfStepRow(TypedDict):
    ref: str
    part: str


def out_of_step() -> Query[OutOfStepRow]:
    """What `tracker db check` (SQLite only) finds kept out of step: a commitment whose kept state
    is not what its history gives, or a tag whose copy of that state differs from its commitment's.
    `IS NOT` is SQLite's null-safe inequality (IS DISTINCT FROM needs SQLite 3.39). Built when
    asked: every command imports this module for APPLIED_MIGRATIONS, and only `db check` needs
    the timeline's fragments."""
    from tracker.timeline import LATEST_EVENT_ON, LATEST_STATUS, LATEST_STATUS_ON, WITHDRAWN_ON

    return Query[OutOfStepRow](f"""
        SELECT c.ref, 'status and dates' AS part FROM commitment c
        WHERE c.status IS NOT {LATEST_STATUS} OR c.status_on IS NOT {LATEST_STATUS_ON}
           OR c.last_event_on IS NOT {LATEST_EVENT_ON}
        UNION ALL
        SELECT c.ref, 'withdrawn_on' FROM commitment c WHERE c.withdrawn_on IS NOT {WITHDRAWN_ON}
        UNION ALL
        SELECT c.ref, 'tag ' || t.tag FROM commitment_tag t JOIN commitment c ON c.id = t.commitment_id
        WHERE t.status IS NOT c.status OR t.due IS NOT c.due OR t.status_on IS NOT c.status_on
        ORDER BY 1, 2
    """)


class CountsRow(TypedDict):
    commitments: int
    events: int


DATABASE_COUNTS = Query[CountsRow](
    "SELECT (SELECT COUNT(*) FROM commitment) AS commitments, (SELECT COUNT(*) FROM event) AS events"
)

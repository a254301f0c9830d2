"""The stdlib-sqlite3 floor: the same query tracker runs, in a process that imports nothing else.

    python bench/floor.py list|report DB

Run as a script (not `-m`), so the only imports are sqlite3 and the SQL text module.
"""

import datetime as dt
import sqlite3
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# SQL text only: these import sqlite3, statuses and the timeline's SQL fragments.
from tracker.store import reports
from tracker.store.commitments import CommitmentFilter, list_commitments
from tracker.store.database import Query

AS_OF = dt.date(2026, 11, 28)


def floor_statements(kind: str) -> list[tuple[str, dict[str, object]]]:
    """The statements tracker's `list --owner ORG-07 --status in_progress` or `report` sends."""
    if kind == "list":
        query, params = list_commitments(CommitmentFilter(statuses=["in_progress"], owner_id=7))
        return [(query.sql, params)]
    lists = {"as_of": AS_OF, "until": AS_OF + dt.timedelta(days=30), "touched_before": AS_OF - dt.timedelta(days=90)}
    source = reports.report_source(reports.ReportScope(as_of=AS_OF), kept=True)  # nothing is dated later
    statements: list[tuple[Query[Any], dict[str, Any]]] = [
        (reports.LATEST_EVENT_DAY, {}),
        reports.report_by_status(source),
        reports.report_by_owner(source, AS_OF),
        reports.report_by_tag(source, AS_OF),
        *(reports.report_list(source, name, lists, 50) for name in ("overdue", "upcoming", "stale")),
        *(reports.report_list_count(source, name, lists) for name in ("overdue", "upcoming", "stale")),
    ]
    return [(query.sql, dict(params)) for query, params in statements]


def main() -> None:
    kind, path = sys.argv[1], sys.argv[2]
    connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    rows = 0
    for sql, params in floor_statements(kind):
        values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
        rows += len(connection.execute(sql, values).fetchall())
    print(rows)


if __name__ == "__main__":
    main()

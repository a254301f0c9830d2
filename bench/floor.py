"""The stdlib-sqlite3 floor: the same query tracker runs, in a process that imports nothing else.

    python bench/floor.py list|report DB

Run as a script (not `-m`), so the only imports are sqlite3 and the SQL text module.
"""

import datetime as dt
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import queries  # SQL text only: it imports sqlite3, dataclasses and statuses

AS_OF = dt.date(2026, 11, 28)


def floor_query(kind: str) -> tuple[str, dict[str, object]]:
    if kind == "list":
        return queries.list_commitments(queries.CommitmentFilter(statuses=["in_progress"], owner_id=7))
    return queries.report_by_owner(queries.ReportScope(as_of=AS_OF))


def main() -> None:
    kind, path = sys.argv[1], sys.argv[2]
    connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    sql, params = floor_query(kind)
    rows = connection.execute(sql, {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()})
    print(len(rows.fetchall()))


if __name__ == "__main__":
    main()

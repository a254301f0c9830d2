"""Read commands timed inside one process, start-up taken out, beside the stdlib-sqlite3 floor.

    python -m bench.inprocess DB

For each operation, tracker's own code runs (connection, queries, shaping, rendering) while a
trace callback records every SQL statement it sends; the floor then runs exactly those
statements on a plain sqlite3 connection and fetches every row. Prints `operation<TAB>tracker
ms<TAB>floor ms`, medians of 7 runs.
"""

import datetime as dt
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tracker import reads, render
from tracker.report import ReportRequest, build_report
from tracker.report_render import render as render_report
from tracker.settings import DatabaseChoice
from tracker.store.commitments import CommitmentFilter
from tracker.store.database import Database
from tracker.store.transactions import read_database

AS_OF = dt.date(2026, 11, 28)
RUNS = 7


def _median_ms(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    path = sys.argv[1]
    choice = DatabaseChoice(path, "bench")

    def list_filtered(connection: Database) -> str:
        owner = reads.find_organisation(connection, "ORG-07")["id"]
        items = reads.list_commitments(connection, CommitmentFilter(statuses=["in_progress"], owner_id=owner))
        return render.commitments(items, "json")

    def report(connection: Database) -> str:
        return render_report(build_report(connection, ReportRequest(as_of=AS_OF)), "json")

    def report_as_of(connection: Database) -> str:
        return render_report(build_report(connection, ReportRequest(as_of=dt.date(2024, 6, 30))), "json")

    operations: dict[str, Callable[[Database], str]] = {
        "list --owner --status": list_filtered,
        "report --format json": report,
        "report --as-of --format json": report_as_of,
        "show": lambda connection: render.detail(reads.commitment_detail(connection, "c-42"), "json"),
    }
    for name, operation in operations.items():
        statements: list[str] = []

        def ours(operation: Callable[[Database], str] = operation) -> None:
            with read_database(choice) as connection:
                operation(connection)

        with read_database(choice) as connection:
            assert isinstance(connection.connection, sqlite3.Connection)
            connection.connection.set_trace_callback(statements.append)
            operation(connection)
        queries = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH", "CREATE", "DROP"))]

        def floor(queries: list[str] = queries) -> None:
            connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
            for sql in queries:
                connection.execute(sql).fetchall()
            connection.close()

        print(f"{name}\t{_median_ms(ours):.1f}\t{_median_ms(floor):.1f}")


if __name__ == "__main__":
    main()

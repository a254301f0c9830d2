"""What a load found wrong, and what it did: shared by every loader."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import TrackerError

MAX_REPORTED_PROBLEMS = 50


class Problems:
    """Collects every problem in a file, then raises them together (up to a limit) or not at all.

    The same problem on many lines of a file is one line of the message, with its count and first
    line numbers (`line 2, 5, 9 … (238 rows), status: …`), so that one repeated mistake cannot
    hide the others behind the limit.
    """

    def __init__(self, origin: str, limit: int = MAX_REPORTED_PROBLEMS) -> None:
        self.origin = origin
        self.limit = limit
        self.lines: list[tuple[str, str]] = []  # (where, what), in the order found

    def __bool__(self) -> bool:
        return bool(self.lines)

    def add(self, where: str, message: str) -> None:
        self.lines.append((where, message))

    def sort_by_line(self) -> None:
        """Put problems found out of file order (a history is checked commitment by commitment,
        by day) in the order of their lines."""

        def line_number(problem: tuple[str, str]) -> int:
            number = problem[0].partition(",")[0].removeprefix("line ")
            return int(number) if number.isdigit() else 0

        self.lines.sort(key=line_number)

    def grouped(self) -> list[str]:
        """The problems, one line each, those that differ only in their line number as one."""
        groups: dict[tuple[str, str], list[str]] = {}
        for where, message in self.lines:
            line, _, column = where.partition(",")
            number = line.removeprefix("line ")
            if line.startswith("line ") and number.isdigit():
                groups.setdefault((f",{column}" if column else "", message), []).append(number)
            else:
                groups.setdefault((f"{where}: {message}", ""), [])
        shown = []
        for (column, message), numbers in groups.items():
            if not numbers:  # a problem not on a line of its own (a header, a document's field)
                shown.append(column)
            elif len(numbers) == 1:
                shown.append(f"line {numbers[0]}{column}: {message}")
            else:
                first = ", ".join(numbers[:3]) + (" …" if len(numbers) > 3 else "")
                shown.append(f"line {first} ({len(numbers)} rows){column}: {message}")
        return shown

    def raise_if_any(self) -> None:
        if not self.lines:
            return
        grouped = self.grouped()
        shown = grouped[: self.limit]
        more = len(grouped) - len(shown)
        tail = [f"  … and {more} more"] if more else []
        count = f"{len(self.lines)} problem{'s' if len(self.lines) != 1 else ''}"
        raise TrackerError(
            "\n".join([f"{self.origin}: {count}; nothing was loaded", *("  " + s for s in shown), *tail])
        )


def raise_for_files(files: list[Problems]) -> None:
    """Raise with the problems of every file that has some: one file's as Problems says them,
    several files' each under its name, so that a load shows them all at once."""
    with_problems = [problems for problems in files if problems]
    if len(with_problems) <= 1:
        for problems in with_problems:
            problems.raise_if_any()
        return
    count = sum(len(problems.lines) for problems in with_problems)
    lines = [f"{count} problems in {len(with_problems)} files; nothing was loaded"]
    for problems in with_problems:
        lines.append(f"  {problems.origin}:")
        lines.extend(f"    {line}" for line in problems.grouped()[: problems.limit])
    raise TrackerError("\n".join(lines))


@dataclass
class LoadSummary:
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    new_names: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user should know, a line each

    def count(self, kind: str, outcome: str, name: str | None = None) -> None:
        counter = self.counts.get(kind)
        if counter is None:  # (not setdefault: a load counts each row, and that built a Counter each time)
            counter = self.counts[kind] = Counter()
        counter[outcome] += 1
        if name is not None and outcome in ("created", "recorded"):
            self.new_names.setdefault(kind, []).append(name)

    def line(self) -> str:
        parts = []
        for kind, counter in self.counts.items():
            if kind == "events":  # a history file's rows: each recorded, or there already
                parts.append(f"events: {counter['recorded']} recorded, {counter['unchanged']} already there")
                continue
            if kind == "withdrawals":  # a CSV's withdrawn_on: each withdrawal recorded, by ref
                parts.append(f"withdrawals: {counter['recorded']} recorded ({', '.join(self.new_names[kind])})")
                continue
            created, updated, unchanged = counter["created"], counter["updated"], counter["unchanged"]
            part = f"{kind}: {created} created, {updated} updated, {unchanged} unchanged"
            if kind in self.new_names:
                part += f" (new: {', '.join(self.new_names[kind])})"
            parts.append(part)
        return "; ".join(parts) or "nothing to load"


def listed(document: dict[str, Any], key: str, problems: Problems) -> list[Any]:
    """A document's list under `key` (absent: empty); anything else is a problem."""
    value = document.get(key) or []
    if not isinstance(value, list):
        problems.add(key, "must be a list")
        return []
    return value

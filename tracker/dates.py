"""Dates as people write them, kept with their precision.

A vague date (`March 2026`, `Q3 2026`, `H1 2026`, `FY2025-26`, `2026`) is stored as the last day
of its period, so that "overdue" means past every day it allows; rules that need the earliest day
it allows use `first`. python-dateutil does the parsing and the calendar arithmetic.

dateutil is imported only when text is parsed, to keep read commands quick to start.
"""

import datetime as dt
import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from tracker.errors import InvalidInput

PRECISIONS = ("day", "month", "quarter", "half", "fiscal_year", "year")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip

_RELATIVE_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}
# Patterns as text, compiled on first use (_compiled): read commands, which parse no dates, do
# not pay ~0.1 ms a pattern at start-up.
_PLUS_FORM = r"^([+-])\s*(\d{1,5})\s*([dwmy])$"
_WORD_FORM = r"^(in\s+)?(\d{1,5})\s+(day|week|month|year)s?(\s+ago)?$"
_QUARTER_FORMS = (r"^q([1-4])\s*[-/ ]?\s*(\d{4})$", r"^(\d{4})\s*[-/ ]?\s*q([1-4])$")
_HALF_FORMS = (
    r"^h([12])\s*[-/ ]?\s*(\d{4})$",
    r"^(\d{4})\s*[-/ ]?\s*h([12])$",
    r"^(first|second|1st|2nd) half(?: of)? (\d{4})$",
)
_FISCAL_FORM = r"^fy ?(\d{4})(?: ?[-/] ?(\d{2}|\d{4}))?$"
# "end of 2026", "by the end of Q3 2026", "by March 2026": a deadline's wording around a period.
_DEADLINE_WORDING = r"^(?:by )?(?:the )?end(?: of)? (.+)$|^by (.+)$"
_WITHIN_FORM = r"^within (\d{1,5}) (day|week|month|year)s?(?: of (?:the )?(?:agreement|agreed date))?$"
_YEAR_FORM = r"^\d{4}$"
_YEAR_MONTH_FORM = r"^(\d{4})[-./ ](\d{1,2})$"
# Year first, whatever the separator (`-`, `.`, `/`, a space; none in 20260301), and with the
# time spreadsheets and pandas add (`2026-03-01 00:00:00`, `…T10:00:00.5+05:00`, `…Z`, 20260301T1000).
# The time is checked, then ignored: the day is the calendar day as written, never moved to another zone.
_TIME = (
    r"(?:[01]?\d|2[0-3]):?[0-5]\d(?::?(?:[0-5]\d|60)(?:[.,]\d+)?)?"
    r"(?: ?[ap]\.?m\.?)?(?: ?(?:z|utc|gmt|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?))?"
)
_YEAR_FIRST_DAY_FORM = rf"^(\d{{4}})(?:([-./ ])(\d{{1,2}})\2(\d{{1,2}})|(\d{{2}})(\d{{2}}))(?:(?: ?t ?| ){_TIME})?$"
# Any other numeric date that opens with its year is refused rather than guessed at: dateutil
# reads it day first (`2026-03-01 10:00 PKT` as 3 January).
_YEAR_FIRST_START = r"^\d{4}[-./ ]\d{1,2}[-./ ]\d"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)  # once; re's own cache costs ~1 µs a lookup, and loads parse thousands


# Within one_day(): the day, once it has been read (a load asks tens of thousands of times).
_DAYS_HELD: list[dt.date | None] = []


@contextmanager
def one_day() -> Iterator[None]:
    """Within, today() reads the day once and then keeps it: one day for a whole load, even one
    that runs past midnight."""
    _DAYS_HELD.append(None)
    try:
        yield
    finally:
        _DAYS_HELD.pop()


def today() -> dt.date:
    """The local calendar date; TRACKER_TODAY pins it (reproducible reports and examples)."""
    if _DAYS_HELD:
        held = _DAYS_HELD[-1]
        if held is None:
            held = _DAYS_HELD[-1] = _read_today()
        return held
    return _read_today()


def _read_today() -> dt.date:
    pinned = os.environ.get("TRACKER_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise InvalidInput(f"TRACKER_TODAY must be a YYYY-MM-DD date, not {pinned!r}") from None
    return dt.date.today()


def fiscal_year_start() -> int:
    """The month a fiscal year starts in (1-12): TRACKER_FISCAL_YEAR_START, by name or number;
    January by default. Pakistan's starts in July, the US federal government's in October."""
    raw = os.environ.get("TRACKER_FISCAL_YEAR_START", "").strip().lower()
    if not raw:
        return 1
    if raw.isdigit() and 1 <= int(raw) <= 12:
        return int(raw)
    for number, name in enumerate(MONTHS, start=1):
        if len(raw) >= 3 and name.startswith(raw):
            return number
    raise InvalidInput(f"TRACKER_FISCAL_YEAR_START must be a month, such as July or 7, not {raw!r}")


class FuzzyDate(NamedTuple):
    """A date known to a precision; `last` is what is stored."""

    last: dt.date
    precision: str = "day"

    @property
    def first(self) -> dt.date:
        if self.precision == "day":
            return self.last
        if self.precision == "month":
            return self.last.replace(day=1)
        if self.precision == "quarter":
            return dt.date(self.last.year, self.last.month - 2, 1)
        if self.precision == "half":
            return dt.date(self.last.year, self.last.month - 5, 1)
        if self.precision == "fiscal_year":  # twelve months ending on `last`, whatever month it starts
            after = self.last + dt.timedelta(days=1)
            return after.replace(year=after.year - 1)
        return self.last.replace(month=1, day=1)

    def __str__(self) -> str:
        """The form people wrote: `2026-03-31`, `March 2026`, `Q3 2026`, `H1 2026`, `FY2025-26`, `2026`."""
        if self.precision == "day":
            return self.last.isoformat()
        if self.precision == "month":
            return f"{MONTHS[self.last.month - 1].title()} {self.last.year}"
        if self.precision == "quarter":
            return f"Q{(self.last.month - 1) // 3 + 1} {self.last.year}"
        if self.precision == "half":
            return f"H{1 if self.last.month <= 6 else 2} {self.last.year}"
        if self.precision == "fiscal_year":
            if self.last.month == 12:
                return f"FY{self.last.year}"
            return f"FY{self.last.year - 1}-{self.last.year % 100:02d}"  # named by the year it ends in
        return str(self.last.year)

    @classmethod
    def stored(cls, last: dt.date | str | None, precision: str | None) -> "FuzzyDate | None":
        if last is None:
            return None
        if isinstance(last, str):
            last = dt.date.fromisoformat(last)
        return cls(last, precision or "day")


def at_precision(day: dt.date, precision: str) -> FuzzyDate:
    """The period of `precision` that holds `day` (a file's day and precision, read back); for a
    fiscal year, the twelve months that end with the day's month."""
    if precision == "day":
        return FuzzyDate(day)
    if precision in ("month", "fiscal_year"):
        return FuzzyDate(_end_of_month(day.year, day.month), precision)
    if precision == "quarter":
        return FuzzyDate(_end_of_month(day.year, (day.month + 2) // 3 * 3), precision)
    if precision == "half":
        return FuzzyDate(_end_of_month(day.year, 6 if day.month <= 6 else 12), precision)
    if precision == "year":
        return FuzzyDate(dt.date(day.year, 12, 31), precision)
    raise InvalidInput(f"unknown precision {precision!r}; expected one of: {', '.join(PRECISIONS)}")


def _end_of_month(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return first_of_next - dt.timedelta(days=1)  # (calendar.monthrange would cost an import)


def parse_date(text: str, *, field: str = "date", agreed: "FuzzyDate | None" = None) -> FuzzyDate:
    """Read a date as a person writes it; refuse what is impossible or unreadable.

    `within 6 months` counts from `agreed` (its last day), where `in 6 months` and `+6m` count
    from today; without an agreed date it is refused.
    """
    raw = text.strip()
    if match := _compiled(_YEAR_FIRST_DAY_FORM).match(raw):  # 2026-03-31, the commonest, read first
        return _year_first_day(match, raw, field)
    lowered = re.sub(r"\s+", " ", raw.lower())
    if not lowered:
        raise InvalidInput(f"{field} is empty; give a date such as 2026-03-31, March 2026, Q3 2026 or 2026")
    if match := _compiled(_DEADLINE_WORDING).match(lowered):
        group = 1 if match.group(1) else 2
        period = match.group(group)
        if _compiled(_DEADLINE_WORDING).match(period):  # once: "by by 2026" is not a date
            raise InvalidInput(_unreadable(field, raw))
        collapsed = re.sub(r"\s+", " ", raw)
        as_written = collapsed[match.start(group) : match.end(group)] if len(collapsed) == len(lowered) else period
        return _parse(period, as_written, raw, field, agreed)
    return _parse(lowered, raw, raw, field, agreed)


def _parse(lowered: str, text: str, raw: str, field: str, agreed: "FuzzyDate | None") -> FuzzyDate:
    """The date `text` (`lowered`: in lower case, runs of spaces as one); messages name `raw`,
    everything that was written."""
    if match := _compiled(_WITHIN_FORM).match(lowered):
        if agreed is None:
            raise InvalidInput(
                f"{field} {raw!r} counts from the agreed date, and there is none; give the agreed date, "
                f"or write 'in {match.group(1)} {match.group(2)}s' to count from today"
            )
        return FuzzyDate(_shift(agreed.last, int(match.group(1)), match.group(2) + "s", raw))
    base = today()
    if lowered in ("today", "now"):
        return FuzzyDate(base)
    if lowered == "yesterday":
        return FuzzyDate(base - dt.timedelta(days=1))
    if lowered == "tomorrow":
        return FuzzyDate(base + dt.timedelta(days=1))
    if match := _compiled(_PLUS_FORM).match(lowered):
        sign, count, unit = match.groups()
        amount = int(count) * (-1 if sign == "-" else 1)
        return FuzzyDate(_shift(base, amount, _RELATIVE_UNITS[unit], raw))
    if match := _compiled(_WORD_FORM).match(lowered):
        leading_in, count, unit, ago = match.groups()
        if bool(leading_in) == bool(ago):
            raise InvalidInput(f"cannot read {field} {raw!r}; write 'in 6 months' or '6 months ago'")
        amount = int(count) * (-1 if ago else 1)
        return FuzzyDate(_shift(base, amount, unit + "s", raw))
    for index, pattern in enumerate(_QUARTER_FORMS):
        if match := _compiled(pattern).match(lowered):
            quarter, year = match.groups() if index == 0 else reversed(match.groups())
            return FuzzyDate(_end_of_month(_year(year, raw), int(quarter) * 3), "quarter")
    for index, pattern in enumerate(_HALF_FORMS):
        if match := _compiled(pattern).match(lowered):
            half, year = reversed(match.groups()) if index == 1 else match.groups()
            second = half in ("2", "second", "2nd")
            return FuzzyDate(_end_of_month(_year(year, raw), 12 if second else 6), "half")
    if match := _compiled(_FISCAL_FORM).match(lowered):
        return _fiscal_year(match.group(1), match.group(2), raw, field)
    if _compiled(_YEAR_FORM).match(lowered):
        return FuzzyDate(dt.date(_year(lowered, raw), 12, 31), "year")
    if match := _compiled(_YEAR_MONTH_FORM).match(lowered):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise InvalidInput(f"{field} {raw!r} is not a real date (month {month})")
        return FuzzyDate(_end_of_month(_year(str(year), raw), month), "month")
    if match := _compiled(_YEAR_FIRST_DAY_FORM).match(lowered):
        return _year_first_day(match, raw, field)
    if _compiled(_YEAR_FIRST_START).match(lowered):
        raise InvalidInput(_unreadable(field, raw))
    return _parse_calendar_text(text, raw, field)


def counts_from_agreed(text: str) -> bool:
    """Whether a date's wording counts from the agreed date (`within 6 months`)."""
    return bool(_compiled(_WITHIN_FORM).match(re.sub(r"\s+", " ", text.strip().lower())))


def read_date(value: object, *, field: str) -> FuzzyDate:
    """A date from a document: YAML gives dates and datetimes (the day as written), else text."""
    if isinstance(value, dt.datetime):
        return FuzzyDate(value.date())  # the day in the value's own zone, as written
    if isinstance(value, dt.date):
        return FuzzyDate(value)
    return parse_date(str(value), field=field)


def _year_first_day(match: re.Match[str], raw: str, field: str) -> FuzzyDate:
    """A day written year first (_YEAR_FIRST_DAY_FORM): always so; dateutil's dayfirst (for
    31/03/2026) would misread 2026-03-01."""
    year_text, month_text, day_text = match.group(1, 3, 4) if match.group(2) else match.group(1, 5, 6)
    try:
        return FuzzyDate(dt.date(_year(year_text, raw), int(month_text), int(day_text)))
    except ValueError as error:
        raise InvalidInput(f"{field} {raw!r} is not a real date ({error})") from None


def _unreadable(field: str, raw: str) -> str:
    return (
        f"cannot read {field} {raw!r}; use a form such as 2026-03-31, 31 March 2026, "
        "March 2026, Q3 2026, 2026, today or +90d"
    )


def _parse_calendar_text(text: str, raw: str, field: str) -> FuzzyDate:
    from dateutil import parser as date_parser

    # Parsing twice with different defaults shows which parts the text itself supplied. A zone
    # is ignored (the day as written), so dateutil never warns of one it does not know.
    try:
        first = date_parser.parse(text, default=dt.datetime(2001, 1, 1), dayfirst=True, ignoretz=True)
        second = date_parser.parse(text, default=dt.datetime(2002, 2, 2), dayfirst=True, ignoretz=True)
    except date_parser.ParserError as error:
        reason = str(error).split(":")[0]
        if "out of range" in reason or "must be in" in reason:
            raise InvalidInput(f"{field} {raw!r} is not a real date ({reason})") from None
        raise InvalidInput(_unreadable(field, raw)) from None
    except (ValueError, OverflowError) as error:
        raise InvalidInput(f"{field} {raw!r} is not a real date ({error})") from None
    if first.year != second.year:
        raise InvalidInput(f"{field} {raw!r} has no year; write it in full, e.g. 31 March 2026")
    if first.month != second.month:
        raise InvalidInput(f"cannot read {field} {raw!r}; use a form such as 2026-03-31 or March 2026")
    _year(str(first.year), raw)
    if first.day != second.day:
        return FuzzyDate(_end_of_month(first.year, first.month), "month")
    return FuzzyDate(first.date())


def _fiscal_year(first_text: str, second_text: str | None, raw: str, field: str) -> FuzzyDate:
    """FY2026 is the fiscal year that ends in 2026; FY2025-26 names both years it spans."""
    start = fiscal_year_start()
    if second_text is None:
        ends_in = _year(first_text, raw)
    else:
        begins_in = _year(first_text, raw)
        ends_in = begins_in + 1
        if int(second_text) not in (ends_in, ends_in % 100):
            raise InvalidInput(f"{field} {raw!r} is not a fiscal year: the second year must follow the first")
        if start == 1:
            raise InvalidInput(
                f"{field} {raw!r} spans two years, but fiscal years start in January here; "
                "set TRACKER_FISCAL_YEAR_START to the month yours starts (Pakistan's: July)"
            )
        _year(str(ends_in), raw)
    last = dt.date(ends_in, 12, 31) if start == 1 else dt.date(ends_in, start, 1) - dt.timedelta(days=1)
    return FuzzyDate(last, "fiscal_year")


def _year(text: str, raw: str) -> int:
    year = int(text)
    if not 1900 <= year <= 2200:
        raise InvalidInput(f"date {raw!r} is out of range (years 1900 to 2200)")
    return year


def _shift(base: dt.date, amount: int, unit: str, raw: str) -> dt.date:
    from dateutil.relativedelta import relativedelta

    try:
        step: dict[str, int] = {unit: amount}
        shifted = base + relativedelta(**step)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        raise InvalidInput(f"date {raw!r} is out of range (years 1900 to 2200)") from None
    _year(str(shifted.year), raw)
    return shifted

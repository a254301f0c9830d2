import datetime as dt

import pytest

from tracker.dates import FuzzyDate, at_precision, parse_date
from tracker.errors import InvalidInput

pytestmark = pytest.mark.database_free


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")


@pytest.mark.parametrize(
    ("text", "last", "precision", "shown"),
    [
        ("2026-03-31", "2026-03-31", "day", "2026-03-31"),
        ("2026-03-01", "2026-03-01", "day", "2026-03-01"),  # year first, never day first
        ("31 March 2026", "2026-03-31", "day", "2026-03-31"),
        ("31/03/2026", "2026-03-31", "day", "2026-03-31"),  # day first, as written in Pakistan
        ("March 2026", "2026-03-31", "month", "March 2026"),
        ("feb 2028", "2028-02-29", "month", "February 2028"),
        ("2026-02", "2026-02-28", "month", "February 2026"),
        ("2026.02", "2026-02-28", "month", "February 2026"),
        ("2026/02", "2026-02-28", "month", "February 2026"),
        ("Q3 2026", "2026-09-30", "quarter", "Q3 2026"),
        ("Q4 2026", "2026-12-31", "quarter", "Q4 2026"),
        ("2026-q1", "2026-03-31", "quarter", "Q1 2026"),
        ("2026", "2026-12-31", "year", "2026"),
        ("1900", "1900-12-31", "year", "1900"),  # the bounds of the years allowed
        ("2200", "2200-12-31", "year", "2200"),
        ("today", "2026-11-28", "day", "2026-11-28"),
        ("yesterday", "2026-11-27", "day", "2026-11-27"),
        ("tomorrow", "2026-11-29", "day", "2026-11-29"),
        ("now", "2026-11-28", "day", "2026-11-28"),
        ("-30d", "2026-10-29", "day", "2026-10-29"),
        ("6 months ago", "2026-05-28", "day", "2026-05-28"),
        ("2026-03-01  10:00", "2026-03-01", "day", "2026-03-01"),  # runs of spaces count as one
        ("2026-12", "2026-12-31", "month", "December 2026"),
        ("2026.1", "2026-01-31", "month", "January 2026"),
        ("+90d", "2027-02-26", "day", "2027-02-26"),
        ("+6m", "2027-05-28", "day", "2027-05-28"),
        ("+2w", "2026-12-12", "day", "2026-12-12"),
        ("in 6 months", "2027-05-28", "day", "2027-05-28"),
        ("30 days ago", "2026-10-29", "day", "2026-10-29"),
        ("  In 1 Year ", "2027-11-28", "day", "2027-11-28"),
        # Deadline wordings: the period they name.
        ("end of 2026", "2026-12-31", "year", "2026"),
        ("By end of 2026", "2026-12-31", "year", "2026"),
        ("by the end of Q3 2026", "2026-09-30", "quarter", "Q3 2026"),
        ("end of March 2026", "2026-03-31", "month", "March 2026"),
        ("by 2026-03-15", "2026-03-15", "day", "2026-03-15"),
        ("H1 2026", "2026-06-30", "half", "H1 2026"),
        ("h2 2026", "2026-12-31", "half", "H2 2026"),
        ("2026-H1", "2026-06-30", "half", "H1 2026"),
        ("second half of 2026", "2026-12-31", "half", "H2 2026"),
        ("by end of H1 2027", "2027-06-30", "half", "H1 2027"),
        ("FY2026", "2026-12-31", "fiscal_year", "FY2026"),  # fiscal years start in January by default
    ],
)
def test_accepted_forms(text: str, last: str, precision: str, shown: str) -> None:
    parsed = parse_date(text)
    assert (parsed.last.isoformat(), parsed.precision, str(parsed)) == (last, precision, shown)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Q3 2026", "2026-07-01"),
        ("March 2026", "2026-03-01"),
        ("2025", "2025-01-01"),
        ("2026-05-17", "2026-05-17"),
        ("H1 2026", "2026-01-01"),
        ("H2 2026", "2026-07-01"),
        ("FY2026", "2026-01-01"),
    ],
)
def test_first_day_of_a_vague_date(text: str, first: str) -> None:
    assert parse_date(text).first.isoformat() == first


UNREADABLE_HINT = "use a form such as 2026-03-31, 31 March 2026, March 2026, Q3 2026, 2026, today or +90d"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "date '2026-02-30' is not a real date (day is out of range for month)"),
        ("31/04/2026", "date '31/04/2026' is not a real date (day is out of range for month)"),
        ("2026-13", "date '2026-13' is not a real date (month 13)"),
        (
            "Q5 2026",
            "cannot read date 'Q5 2026'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
            "Q3 2026, 2026, today or +90d",
        ),
        ("March", "date 'March' has no year; write it in full, e.g. 31 March 2026"),
        (
            "soon",
            "cannot read date 'soon'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
            "Q3 2026, 2026, today or +90d",
        ),
        ("", "date is empty; give a date such as 2026-03-31, March 2026, Q3 2026 or 2026"),
        ("1066", "date '1066' is out of range (years 1900 to 2200)"),
        ("+99999y", "date '+99999y' is out of range (years 1900 to 2200)"),
        ("+300y", "date '+300y' is out of range (years 1900 to 2200)"),  # within dateutil's range, past ours
        ("in 3 days ago", "cannot read date 'in 3 days ago'; write 'in 6 months' or '6 months ago'"),
        ("2026-00", "date '2026-00' is not a real date (month 0)"),
        ("31/13/2026", "date '31/13/2026' is not a real date (month must be in 1..12)"),
        ("March 99999999999", "date 'March 99999999999' is not a real date (signed integer is greater than maximum)"),
        ("Monday 2026", "cannot read date 'Monday 2026'; use a form such as 2026-03-31 or March 2026"),
        # Out of range in every form, each message naming the text as written.
        *(
            (text, f"date '{text}' is out of range (years 1900 to 2200)")
            for text in ("2201", "in 300 years", "Q1 1800", "1800-03", "1800-03-01", "1 March 1800")
        ),
        ("2026-02-30T10:00", "date '2026-02-30T10:00' is not a real date (day is out of range for month)"),
        ("2026/13/01 10:00", "date '2026/13/01 10:00' is not a real date (month must be in 1..12)"),
        ("H3 2026", f"cannot read date 'H3 2026'; {UNREADABLE_HINT}"),
        ("by by 2026", f"cannot read date 'by by 2026'; {UNREADABLE_HINT}"),
        ("end of soon", f"cannot read date 'end of soon'; {UNREADABLE_HINT}"),
        ("H1 1800", "date 'H1 1800' is out of range (years 1900 to 2200)"),
        # Year first with a time that is not one, or mixed separators: refused, never guessed day first.
        *(
            (text, f"cannot read date '{text}'; {UNREADABLE_HINT}")
            for text in ("2026-03-01 25:00", "2026-03-01 10:00 PKT", "2026-03/01", "2026.03.01T")
        ),
    ],
)
def test_refused_forms(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_date(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("start", "text", "last", "first", "shown"),
    [
        ("July", "FY2025-26", "2026-06-30", "2025-07-01", "FY2025-26"),
        ("july", "FY2026", "2026-06-30", "2025-07-01", "FY2025-26"),  # named by the year it ends in
        ("7", "fy 2025/2026", "2026-06-30", "2025-07-01", "FY2025-26"),
        ("Oct", "FY2026", "2026-09-30", "2025-10-01", "FY2025-26"),  # the US federal fiscal year
        ("January", "FY2026", "2026-12-31", "2026-01-01", "FY2026"),
    ],
)
def test_fiscal_years_follow_the_configured_start(
    monkeypatch: pytest.MonkeyPatch, start: str, text: str, last: str, first: str, shown: str
) -> None:
    monkeypatch.setenv("TRACKER_FISCAL_YEAR_START", start)
    parsed = parse_date(text)
    assert (parsed.last.isoformat(), parsed.first.isoformat(), parsed.precision, str(parsed)) == (
        last,
        first,
        "fiscal_year",
        shown,
    )
    assert parse_date(str(parsed)) == parsed  # the shown form reads back as the same period


@pytest.mark.parametrize(
    ("start", "text", "message"),
    [
        (
            "",
            "FY2025-26",
            "date 'FY2025-26' spans two years, but fiscal years start in January here; "
            "set TRACKER_FISCAL_YEAR_START to the month yours starts (Pakistan's: July)",
        ),
        ("July", "FY2025-27", "date 'FY2025-27' is not a fiscal year: the second year must follow the first"),
        ("July", "FY2200-01", "date 'FY2200-01' is out of range (years 1900 to 2200)"),
        ("Juli", "FY2026", "TRACKER_FISCAL_YEAR_START must be a month, such as July or 7, not 'juli'"),
        ("13", "FY2026", "TRACKER_FISCAL_YEAR_START must be a month, such as July or 7, not '13'"),
    ],
)
def test_fiscal_years_refused(monkeypatch: pytest.MonkeyPatch, start: str, text: str, message: str) -> None:
    monkeypatch.setenv("TRACKER_FISCAL_YEAR_START", start)
    with pytest.raises(InvalidInput) as raised:
        parse_date(text)
    assert str(raised.value) == message


def test_within_counts_from_the_agreed_date_and_in_from_today() -> None:
    agreed = parse_date("2026-03-01")
    assert parse_date("within 6 months", agreed=agreed) == FuzzyDate(dt.date(2026, 9, 1))
    assert parse_date("within 90 days of the agreement", agreed=agreed) == FuzzyDate(dt.date(2026, 5, 30))
    assert parse_date("within 1 year", agreed=parse_date("March 2026")) == FuzzyDate(dt.date(2027, 3, 31))
    assert parse_date("in 6 months", agreed=agreed) == FuzzyDate(dt.date(2027, 5, 28))  # from today
    with pytest.raises(InvalidInput) as raised:
        parse_date("within 6 months", field="--due")
    assert str(raised.value) == (
        "--due 'within 6 months' counts from the agreed date, and there is none; give the agreed date, "
        "or write 'in 6 months' to count from today"
    )


@pytest.mark.parametrize(
    ("day", "precision", "last"),
    [
        ("2026-03-15", "month", "2026-03-31"),
        ("2026-08-01", "quarter", "2026-09-30"),
        ("2026-02-10", "half", "2026-06-30"),
        ("2026-07-01", "half", "2026-12-31"),
        ("2026-06-30", "fiscal_year", "2026-06-30"),
        ("2026-06-03", "year", "2026-12-31"),
    ],
)
def test_a_day_is_read_back_at_its_precision(day: str, precision: str, last: str) -> None:
    assert at_precision(dt.date.fromisoformat(day), precision) == FuzzyDate(dt.date.fromisoformat(last), precision)


def test_stored_round_trip_keeps_precision() -> None:
    stored = FuzzyDate.stored("2026-09-30", "quarter")
    assert stored == parse_date("Q3 2026")
    assert FuzzyDate.stored(None, None) is None
    assert FuzzyDate.stored(dt.date(2026, 1, 5), None) == FuzzyDate(dt.date(2026, 1, 5), "day")


@pytest.mark.parametrize(
    "stamp",
    [
        dt.datetime(2026, 11, 28, 9, 44, 45, 123456),
        dt.datetime(2019, 1, 2, 3, 4, 5),
        dt.datetime(2026, 11, 28, 23, 59, 59),
    ],
)
def test_a_timestamp_reads_the_same_from_sqlite_text_as_from_a_datetime(stamp: dt.datetime) -> None:
    from tracker.reads import iso_timestamp

    stored = stamp.isoformat(sep=" ", timespec="microseconds")  # as SQLAlchemy keeps it in SQLite
    aware = stamp.replace(tzinfo=dt.UTC)  # as PostgreSQL hands it back
    assert iso_timestamp(stored) == iso_timestamp(aware) == stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


# Every spelling of a day, written from its parts: year first with each separator and the times
# spreadsheets, pandas and ISO 8601 add (offsets that would move the day if converted to UTC),
# and day first only where the day comes first.
SPELLINGS = {
    "iso": "{y:04}-{m:02}-{d:02}",
    "iso unpadded": "{y:04}-{m}-{d}",
    "dots": "{y:04}.{m:02}.{d:02}",
    "slashes": "{y:04}/{m:02}/{d:02}",
    "compact": "{y:04}{m:02}{d:02}",
    "minutes": "{y:04}-{m:02}-{d:02} 10:00",
    "pandas": "{y:04}-{m:02}-{d:02} 00:00:00",
    "dots with time": "{y:04}.{m:02}.{d:02} 23:59",
    "slashes with time": "{y:04}/{m:02}/{d:02} 10:00:00",
    "T": "{y:04}-{m:02}-{d:02}T10:00:00",
    "Z": "{y:04}-{m:02}-{d:02}T23:59:59Z",
    "east offset": "{y:04}-{m:02}-{d:02}T00:30:00+05:00",
    "west offset": "{y:04}-{m:02}-{d:02}T23:30:00-08:00",
    "fraction": "{y:04}-{m:02}-{d:02}T10:00:00.123456+14:00",
    "compact with time": "{y:04}{m:02}{d:02}T235959Z",
    "day first slashes": "{d:02}/{m:02}/{y:04}",
    "day first dots": "{d}.{m}.{y:04}",
    "day first with time": "{d:02}/{m:02}/{y:04} 10:00",
}
ALL_DAYS = [
    dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range((dt.date(2040, 12, 31) - dt.date(2000, 1, 1)).days + 1)
]


@pytest.mark.slow
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_day_from_2000_to_2040_reads_as_the_day_written(spelling: str) -> None:
    # All 14,976 days, not a sample: year-first reading was broken for most days while every
    # example test passed (1 March read as 3 January).
    template = SPELLINGS[spelling]
    wrong = [
        (text, parsed)
        for day in ALL_DAYS
        if (parsed := parse_date(text := template.format(y=day.year, m=day.month, d=day.day))) != FuzzyDate(day)
    ]
    assert wrong == [], f"{len(wrong)} misread, first {wrong[:3]}"
